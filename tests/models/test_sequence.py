import numpy as np
from sklearn.metrics import roc_auc_score

from readmit.models import sequence


def _order_task(n: int, seed: int):
    """The label depends on whether a marker sits in the LAST real step: only order reveals it."""
    rng = np.random.default_rng(seed)
    seq = np.zeros((n, 4, 3), dtype=np.float32)
    lengths = rng.integers(1, 5, n).astype(np.int64)
    y = rng.integers(0, 2, n)
    for i in range(n):
        seq[i, : lengths[i], 0] = 1.0
        marked = lengths[i] - 1 if y[i] else int(rng.integers(0, lengths[i])) if lengths[i] > 1 else None
        if marked is not None and not (y[i] == 0 and marked == lengths[i] - 1):
            seq[i, marked, 1] = 1.0
    return seq, lengths, np.zeros((n, 1), dtype=np.float32), y


def test_the_gru_learns_an_order_dependent_signal():
    seq, lengths, static, y = _order_task(800, seed=0)
    net = sequence.fit(
        seq,
        lengths,
        static,
        y.astype(np.float32),
        {"epochs": 12, "batch_size": 100, "hidden": 16, "lr": 3e-2},
        seed=0,
    )
    seq_t, lengths_t, static_t, y_t = _order_task(400, seed=1)
    assert roc_auc_score(y_t, sequence.predict(net, seq_t, lengths_t, static_t)) > 0.9


def test_padding_beyond_the_length_does_not_change_the_prediction():
    seq, lengths, static, y = _order_task(200, seed=2)
    net = sequence.fit(seq, lengths, static, y.astype(np.float32), {"epochs": 1}, seed=0)
    noisy = seq.copy()
    for i, n in enumerate(lengths):
        noisy[i, n:] = 99.0
    np.testing.assert_array_equal(
        sequence.predict(net, seq, lengths, static), sequence.predict(net, noisy, lengths, static)
    )


def test_same_seed_same_weights_different_seed_different_weights():
    seq, lengths, static, y = _order_task(300, seed=3)
    a = sequence.predict(
        sequence.fit(seq, lengths, static, y.astype(np.float32), {"epochs": 2}, 5), seq, lengths, static
    )
    b = sequence.predict(
        sequence.fit(seq, lengths, static, y.astype(np.float32), {"epochs": 2}, 5), seq, lengths, static
    )
    c = sequence.predict(
        sequence.fit(seq, lengths, static, y.astype(np.float32), {"epochs": 2}, 6), seq, lengths, static
    )
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_default_epochs_rise_on_small_training_sets_but_an_explicit_count_is_kept():
    # ~12k rows: 12 batches an epoch -> enough epochs for min_updates; UCI-sized sets keep 4
    assert sequence._epochs(12_000, 1024, 4, 200) == 17
    assert sequence._epochs(63_670, 1024, 4, 200) == 4
    assert sequence._epochs(10, 1024, 4, 200) == sequence.MAX_EPOCHS
    assert sequence._epochs(10, 1024, 4, 0) == 4
