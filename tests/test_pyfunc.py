"""The registered pyfunc loads in a fresh process and scores raw index rows as ingest writes them."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from training._frames import mlflow_env, train_small

SCRIPT = """
import json, sys
import mlflow.pyfunc
import pandas as pd
model = mlflow.pyfunc.load_model("models:/readmission@candidate")
rows = pd.read_parquet(sys.argv[1])
out = model.predict(rows)
print(json.dumps({"columns": list(out.columns), "risk": out["readmission_risk"].tolist(),
                  "flag": out["high_risk"].tolist(), "n": len(rows)}))
"""


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    result = train_small(tmp_path_factory.getbasetemp() / "small-model")
    assert result["exit_code"] == 0, result["stdout"]
    return result


def test_fresh_process_scores_raw_rows_with_json_columns(trained, tmp_path, monkeypatch):
    rows = pd.read_parquet(trained["data"] / "index.parquet").head(25)
    rows.to_parquet(tmp_path / "rows.parquet", index=False)
    env = mlflow_env(trained["home"])
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{trained['home'] / 'mlflow.db'}"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "rows.parquet")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["columns"] == ["readmission_risk", "high_risk"] and out["n"] == 25
    assert all(0 < r < 1 for r in out["risk"]) and len(set(out["risk"])) > 1

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("READMIT_HOME", str(trained["home"]))
    from readmit import registry
    from readmit.pyfunc import unwrap

    bundle = unwrap(registry.load_model(1))
    expected = bundle.score(rows.drop(columns=["label"]))
    assert max(abs(a - b) for a, b in zip(out["risk"], expected, strict=True)) < 1e-9
    assert out["flag"] == [int(r >= bundle.threshold) for r in out["risk"]]
