"""The sequence model's step vectors (readmit.features.steps)."""

import numpy as np

from readmit.features import build, steps
from training._frames import make_index


def test_step_vectors_are_left_aligned_with_the_index_stay_last():
    df = make_index(30, seed=7)
    events = build.timelines(df)
    spec = build.fit_spec(df)
    seq, lengths = steps.vectors(events, max_steps=3, spec=spec)
    assert seq.shape == (len(df), 3, steps.width(spec)) and spec.dx_vocab
    assert lengths.tolist() == [min(n, 3) for n in events.lengths]
    short = int(np.argmin(lengths))
    assert not seq[short, lengths[short] :].any()  # padding stays zero


def test_step_width_counts_what_a_step_holds():
    df = make_index(40, seed=4)
    spec = build.fit_spec(df)
    seq, _ = steps.vectors(build.timelines(df), max_steps=2, spec=spec)
    assert seq.shape[2] == steps.width(spec)
