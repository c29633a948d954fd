from pathlib import Path

from readmit import paths


def test_shared_paths_follow_their_environment_overrides(monkeypatch, tmp_path: Path):
    for override in ("READMIT_CRD_SCHEMAS", "READMIT_UCI_DATA", "READMIT_SYNTHEA_DATA"):
        monkeypatch.delenv(override, raising=False)
    monkeypatch.setenv("READMIT_SHARED", str(tmp_path / "shared"))
    assert paths.crd_schemas() == tmp_path / "shared" / "crd-schemas"
    assert paths.uci_dataset() == tmp_path / "shared" / "data" / "uci-diabetes-130" / "dataset_diabetes.zip"
    monkeypatch.setenv("READMIT_CRD_SCHEMAS", str(tmp_path / "schemas"))
    monkeypatch.setenv("READMIT_UCI_DATA", str(tmp_path / "uci.zip"))
    monkeypatch.setenv("READMIT_SYNTHEA_DATA", str(tmp_path / "fhir"))
    assert paths.crd_schemas() == tmp_path / "schemas"
    assert paths.uci_dataset() == tmp_path / "uci.zip"
    assert paths.synthea_sample() == tmp_path / "fhir"


def test_repo_root_is_found_from_a_subdirectory(monkeypatch):
    monkeypatch.delenv("READMIT_REPO", raising=False)
    monkeypatch.delenv("READMIT_HOME", raising=False)
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root / "model-src" / "src")
    assert paths.repo_root() == root
    assert paths.state_dir() == root / ".readmit"
