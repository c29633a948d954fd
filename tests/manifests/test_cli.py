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


@pytest.mark.parametrize(
    "content",
    [b"- a\n- b\n", b"just a scalar\n", b"a: 1\n", b"", b"# only a comment\n", b"---\n- 1\n---\n42\n"],
    ids=["list", "scalar", "mapping-without-kind", "empty", "comment", "multi-doc"],
)
def test_a_file_without_a_kubernetes_object_exits_2_in_one_line(schemas, tmp_path, capsys, content):
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    code = _run(["manifests", "check", "--no-trivy", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith(f"readmit: error: {path}") and "Kubernetes object" in err[0]


def test_a_binary_file_exits_2_in_one_line(schemas, tmp_path, capsys):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 10)
    code = _run(["manifests", "check", "--no-trivy", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith(f"readmit: error: {path}") and "UTF-8" in err[0]


@pytest.mark.parametrize("name", ["folder", "README.md"])
def test_a_target_with_nothing_to_check_exits_2_instead_of_passing(schemas, tmp_path, capsys, name):
    target = tmp_path / name
    if name == "folder":
        target.mkdir()
        (target / "notes.txt").write_text("apiVersion: v1\n")
    else:
        target.write_text("# readme\n")
    code = _run(["manifests", "check", "--no-trivy", str(target)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and f"{target}: no overlay" in err[0]


def test_a_server_the_schema_rejects_is_reported_not_merged(schemas, tmp_path, capsys):
    # Found by tests/hostile: merging a Server whose fields have the wrong type crashed (TypeError).
    path = tmp_path / "server.yaml"
    path.write_text(
        "apiVersion: mlops.seldon.io/v1alpha1\nkind: Server\nmetadata: {name: s}\n"
        "spec: {serverConfig: mlserver, podSpec: {containers: 5}}\n"
    )
    code = _run(["manifests", "check", "--no-trivy", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "internal error" not in err and "Server/s: spec.podSpec" in err
