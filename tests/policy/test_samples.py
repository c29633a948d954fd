"""`readmit policy test`: every sample of every policy behaves as it says, and a wrong one is caught."""

from __future__ import annotations

import shutil

import pytest

from readmit.cli import main
from readmit.policy import samples


def test_every_repo_sample_behaves_as_expected(repo_root):
    results = samples.run(repo_root)
    summary, failures = samples.report(results)
    assert failures == []
    assert len(summary) == 9
    by_policy = {r.policy for r in results if r.sample.startswith("denied-")}
    assert by_policy == {r.policy for r in results}  # every policy has at least one denied sample


@pytest.fixture
def copy_of_promotion(repo_root, tmp_path):
    shutil.copytree(repo_root / "policies" / "lib", tmp_path / "policies" / "lib")
    shutil.copytree(repo_root / "policies" / "promotion", tmp_path / "policies" / "promotion")
    return tmp_path / "policies" / "promotion" / "samples"


def test_a_denied_sample_with_the_wrong_expectation_fails(copy_of_promotion, tmp_path):
    sample = copy_of_promotion / "denied-missing-provenance.yaml"
    sample.write_text(sample.read_text().replace("# expect: provenance annotation", "# expect: weights sum"))
    failures = samples.report(samples.run(tmp_path))[1]
    assert len(failures) == 1 and failures[0].startswith("promotion: denied-missing-provenance.yaml: ")


def test_a_denied_sample_that_breaks_two_rules_fails(copy_of_promotion, tmp_path):
    sample = copy_of_promotion / "denied-missing-provenance.yaml"
    sample.write_text(sample.read_text().replace("readmit.io/mlflow-run: run3", "readmit.io/mlflow-run: ''"))
    failures = samples.report(samples.run(tmp_path))[1]
    assert [f.split(":")[1].strip() for f in failures] == ["denied-missing-provenance.yaml"]


def test_an_allowed_sample_with_a_violation_fails(copy_of_promotion, tmp_path):
    sample = copy_of_promotion / "allowed-prod-after-staging.yaml"
    sample.write_text(sample.read_text().replace("  - '3'", "  - '2'"))
    failures = samples.report(samples.run(tmp_path))[1]
    assert len(failures) == 1 and "never ran at 100% in staging" in failures[0]


def test_cli_reports_per_policy_and_exits_1_on_failure(copy_of_promotion, tmp_path, monkeypatch, capsys):
    (copy_of_promotion / "denied-not-in-registry.yaml").unlink()
    (copy_of_promotion / "denied-extra.yaml").write_text("kind: ConfigMap\nmetadata: {name: x}\n")
    monkeypatch.setenv("READMIT_REPO", str(tmp_path))
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "test"])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 1
    assert "promotion: 4/5 samples as expected" in out
    assert "denied-extra.yaml: denied sample has no '# expect: <message>' comment" in err
