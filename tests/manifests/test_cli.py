from __future__ import annotations

import pytest

from readmit.cli import main

from .conftest import edit


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return exc.value.code


def test_check_lists_each_problem_on_its_own_line_and_exits_1(tree_copy, schemas, monkeypatch, capsys):
    monkeypatch.setenv("READMIT_REPO", str(tree_copy))
    edit(tree_copy / "apps/readmission/pdb.yaml", "  minAvailable: 1", "  minAvailabel: 1")
    code = _run(["manifests", "check", "--no-trivy", str(tree_copy / "environments/dev")])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[0].startswith(
        "apps/readmission/pdb.yaml: PodDisruptionBudget/readmission: spec.minAvailabel: "
    )
    assert err[-1] == "readmit: manifests check: 1 problem(s)"


def test_a_clean_overlay_exits_0_and_says_so(repo_root, schemas, monkeypatch, capsys):
    monkeypatch.setenv("READMIT_REPO", str(repo_root))
    main(["manifests", "check", "--no-trivy", str(repo_root / "environments/prod")])
    assert capsys.readouterr().out.startswith("manifests check: no problems")


def test_missing_kubectl_exits_2_with_one_line(repo_root, schemas, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("READMIT_REPO", str(repo_root))
    monkeypatch.setenv("PATH", str(tmp_path))
    code = _run(["manifests", "check", "--env", "dev", "--no-trivy"])
    err = capsys.readouterr().err
    assert code == 2
    assert (
        err
        == "readmit: error: kubectl not found on PATH; install kubectl v1.32 (it bundles kustomize v5.5)\n"
    )
