"""The MLflow pyfunc wrapper: scores raw index rows exactly as `readmit data ingest` writes them.

Code packaging: the model relies on the installed `readmit` package (the serving image installs the
same commit, recorded in the version's `git_commit` tag) instead of `code_paths`. Copying the source
into every model would shadow the installed package on import and duplicate the dependency pins; the
pickled bundle only references classes under `readmit.*`.
"""

from __future__ import annotations

import pickle

import mlflow.pyfunc
import numpy as np
import pandas as pd

from readmit.atomic import write_bytes
from readmit.models.sequence import configure_torch

BUNDLE_ARTIFACT = "bundle"
OUTPUT_COLUMNS = ("readmission_risk", "high_risk")


class ReadmissionModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        configure_torch()
        with open(context.artifacts[BUNDLE_ARTIFACT], "rb") as fh:
            self.bundle = pickle.load(fh)

    def predict(self, context, model_input, params=None):
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        return self._score(self.bundle, frame)

    @staticmethod
    def _score(bundle, frame: pd.DataFrame) -> pd.DataFrame:
        risk = bundle.score(frame.reset_index(drop=True))
        return pd.DataFrame(
            {"readmission_risk": risk, "high_risk": (risk >= bundle.threshold).astype(np.int64)}
        )


def save_bundle(bundle, path) -> None:
    write_bytes(path, pickle.dumps(bundle, protocol=pickle.HIGHEST_PROTOCOL))


def unwrap(pyfunc_model):
    """The ModelBundle inside a loaded pyfunc model (for `readmit evaluate`)."""
    return pyfunc_model.unwrap_python_model().bundle
