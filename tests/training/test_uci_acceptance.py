"""Acceptance on the real UCI data: one full training run, patient-grouped 80/20, registered, with the
forward-in-time companion (LightGBM refitted on the same rows split by encounter_id order).

Published results on this data sit at 0.64-0.70 ROC-AUC with sound splits; the floors below are what this
code reaches (seed 42, this test's pseudonym key, the tuned UCI defaults, the previous stay's recorded
counts) less a margin: grouped 0.688 (LACE 0.572 on the same rows), temporal 0.699 (LACE 0.591). The
grouped split depends on the pseudonym key: before tuning the same code measured 0.693 with another key
and 0.683 with this test's. Above ~0.72 would point at leakage. This is the one full-UCI train in the suite
(about a minute on a quiet 2-core machine).
"""

import pytest
from click.testing import CliRunner

from readmit.cli import cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def uci_trained(uci_zip, tmp_path_factory):
    root = tmp_path_factory.mktemp("uci-acceptance")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READMIT_PSEUDONYM_KEY", "uci-acceptance-test-key-not-a-secret")
        mp.setenv("READMIT_HOME", str(root / "state"))
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield _ingest_and_train(uci_zip, root)


def _ingest_and_train(uci_zip, root):
    runner = CliRunner()
    ingest = runner.invoke(
        cli,
        ["data", "ingest", "--source", "uci", "--input", str(uci_zip), "--out", str(root / "uci")],
        catch_exceptions=False,
    )
    assert ingest.exit_code == 0, ingest.output
    train = runner.invoke(
        cli,
        ["train", "--data", str(root / "uci"), "--seed", "42", "--out", str(root / "out")],
        catch_exceptions=False,
    )
    assert train.exit_code == 0, train.output
    from readmit import registry

    return registry.version_info(1)


GROUPED_FLOOR = 0.684
TEMPORAL_FLOOR = 0.692


def test_registered_model_reaches_the_published_range_without_leakage(uci_trained):
    auc = uci_trained.metrics["test_roc_auc"]
    assert GROUPED_FLOOR <= auc < 0.72, f"test ROC-AUC {auc:.4f}"


def test_forward_in_time_figure_holds_and_beats_lace_on_the_same_rows(uci_trained):
    m = uci_trained.metrics
    auc = m["temporal_split_lgbm_test_roc_auc"]
    assert TEMPORAL_FLOOR <= auc < 0.72, f"temporal test ROC-AUC {auc:.4f}"
    assert auc > m["temporal_split_lace_test_roc_auc"] + 0.05


def test_registered_model_beats_the_lace_baseline_on_the_same_split(uci_trained):
    m = uci_trained.metrics
    assert m["test_roc_auc_ci_low"] > m["lace_test_roc_auc"]
    assert uci_trained.aliases == ("candidate",)
