"""Acceptance: no PHI of the source patients reaches what training writes: the MLflow store (database and
artifacts: model files, plots, reports) and the output folder with the model card.

The synthetic export carries realistic fake PHI (names, addresses, cities, postal codes, phones,
identifiers, birth and death dates) for 400 patients; it is ingested, trained on, and every byte scanned."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from readmit.cli import cli

from .test_phi_scan import _phi, postal_codes, postal_codes_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(synth_export, synth_ingested, tmp_path_factory):
    root = tmp_path_factory.mktemp("phi-training")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READMIT_HOME", str(root / "state"))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        result = CliRunner().invoke(
            cli,
            [
                "train",
                "--data",
                str(synth_ingested),
                "--seed",
                "5",
                "--set",
                "epochs=2",
                "--out",
                str(root / "out"),
            ],
            catch_exceptions=False,
        )
    assert result.exit_code == 0, result.output[-2000:]
    return root, result


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_scan_sees_the_model_card_and_the_logged_model(trained):
    root, _ = trained
    names = list(_files(root))
    assert "out/MODEL_CARD.md" in names and "state/mlflow.db" in names
    assert any(n.startswith("state/mlartifacts/") and n.endswith("MLmodel") for n in names)


def test_no_patient_phi_in_any_training_output(synth_export, trained):
    root, result = trained
    phi, codes = _phi(synth_export[0]), postal_codes_of(synth_export[0])
    assert len(codes) >= 10
    leaks = []
    for name, blob in {**_files(root), "command output": result.output.encode()}.items():
        text = blob.decode("latin-1")
        leaks += [(name, v) for v in phi if v in text] + [(name, c) for c in postal_codes(text, codes)]
    assert leaks == []
