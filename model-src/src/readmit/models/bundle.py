"""Everything needed to score raw index rows: feature spec, both models, stacker, calibrator, threshold."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from readmit.features import build
from readmit.features.columns import Columns
from readmit.features.steps import vectors as step_vectors
from readmit.models import lgbm, sequence
from readmit.models.calibration import Calibrator
from readmit.models.hybrid import Stacker

CANDIDATES = ("lgbm", "sequence", "hybrid")


@dataclass
class ModelBundle:
    spec: build.FeatureSpec
    booster: object
    net: sequence.SequenceNet
    scaler: sequence.StaticScaler
    max_steps: int
    stacker: Stacker | None = None
    selected: str = "lgbm"
    calibrator: Calibrator | None = None
    threshold: float = 0.5
    threshold_target: dict = field(default_factory=dict)
    # threads per prediction (None: as trained); a serving runtime sets 1, one thread per worker
    threads: int | None = None

    def features(self, df: pd.DataFrame | Columns, steps: bool = True):
        """(table, step vectors, lengths); without `steps` only the table (the LightGBM input)."""
        events = build.timelines(df)
        table = build.tabular(df, self.spec, events)
        if not steps:
            return table, None, None
        seq, lengths = step_vectors(events, self.max_steps, self.spec)
        return table, seq, lengths

    def candidates(
        self, df: pd.DataFrame | Columns, features=None, wanted=CANDIDATES
    ) -> dict[str, np.ndarray]:
        """Uncalibrated probabilities of the `wanted` candidates and of the parts they are built from
        (the hybrid only once its stacker is fitted)."""
        hybrid = "hybrid" in wanted and self.stacker is not None
        steps = hybrid or "sequence" in wanted  # LightGBM alone reads only the table
        table, seq, lengths = features if features is not None else self.features(df, steps)
        out = {}
        if "lgbm" in wanted or hybrid:
            out["lgbm"] = lgbm.predict(self.booster, table, self.threads)
        if "sequence" in wanted or hybrid:
            static = self.scaler.transform(table)
            out["sequence"] = sequence.predict(self.net, seq, lengths, static, self.threads or 2)
        if hybrid:
            out["hybrid"] = self.stacker.predict(out["lgbm"], out["sequence"])
        return out

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        return self.calibrator.predict(raw) if self.calibrator is not None else raw

    def score(self, df: pd.DataFrame | Columns, features=None) -> np.ndarray:
        """Calibrated readmission risk of the selected model, one per row (only its parts are run)."""
        return self.calibrate(self.candidates(df, features, (self.selected,))[self.selected])
