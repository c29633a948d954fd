"""`readmit policy check`: rendered overlays and files, one `policy: Kind/name: message` line
per violation."""

from __future__ import annotations

import pytest

from readmit.cli import main
from readmit.policy import documents, engine
from readmit.policy.check import check


def test_every_overlay_and_clusters_as_committed_have_no_violations(repo_root):
    # The default targets: every environments/<env> rendered, plus clusters/.
    assert check(repo=repo_root, registry=False, ran_full={}) == []


def test_a_violating_file_gives_one_line_per_violation(repo_root):
    sample = repo_root / "policies" / "workload-security" / "samples" / "denied-no-limits.yaml"
    problems = check(paths=[sample], repo=repo_root, registry=False, ran_full={})
    assert problems == [
        f"workload-security: Deployment/scorer: container scorer has no {r} limit; set "
        f"resources.limits.{r} ({sample})"
        for r in ("cpu", "memory")
    ]


def test_ran_full_from_the_caller_decides_the_canary_limit(repo_root):
    sample = repo_root / "policies" / "seldon-rollout" / "samples" / "denied-over-canary-limit.yaml"
    # The sample's own PolicyInput is not used for paths: the caller's history is.
    assert any(
        "exceeds the canary limit" in p
        for p in check(paths=[sample], repo=repo_root, registry=False, ran_full={"dev": ["2"]})
    )


def test_cli_exits_1_and_prints_the_violations(repo_root, capsys):
    sample = repo_root / "policies" / "image-provenance" / "samples" / "denied-tag-not-digest.yaml"
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", "--no-registry", str(sample)])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert (
        "image-provenance: Deployment/scorer: image ghcr.io/readmit/readmit:1.0.0 is not pinned by digest"
        in err
    )


def test_cli_rejects_a_missing_path_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", "--no-registry", str(tmp_path / "nope.yaml")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.strip().endswith("nope.yaml: no such file or directory")


def test_an_engine_crash_fails_the_check_naming_the_policy(repo_root, monkeypatch, capsys):
    import sys

    from readmit.policy import engine

    monkeypatch.setattr(engine, "WORKER", [sys.executable, "-c", "import os; os.abort()"])
    sample = repo_root / "policies" / "argocd" / "samples" / "allowed-prod-restricted.yaml"
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", "--no-registry", str(sample)])
    assert exit_info.value.code == 1
    assert "the Rego engine crashed (SIGABRT); not a pass" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content",
    [b"- a\n- b\n", b"just a scalar\n", b"a: 1\n", b"", b"# only a comment\n", b"---\n- 1\n---\n42\n"],
    ids=["list", "scalar", "mapping-without-kind", "empty", "comment", "multi-doc"],
)
def test_a_file_without_a_kubernetes_object_exits_2_in_one_line(tmp_path, capsys, content):
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", "--no-registry", str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"readmit: error: {path}") and "Kubernetes object" in err[0]


def test_a_binary_file_exits_2_in_one_line(tmp_path, capsys):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe" * 10)
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", "--no-registry", str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"readmit: error: {path}") and "UTF-8" in err[0]


def test_a_folder_without_yaml_files_exits_2_instead_of_passing(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("apiVersion: v1\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["policy", "check", "--no-registry", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "no *.yaml file in it" in capsys.readouterr().err


def test_the_environment_before_comes_from_the_callers_promotion_order(repo_root):
    """The policies keep no environment list: rename dev to qa in the order the caller passes, and the
    canary limit follows qa's history."""
    sample = repo_root / "policies" / "seldon-rollout" / "samples" / "denied-over-canary-limit.yaml"
    policy = engine.get("seldon-rollout", repo_root)
    doc = documents.load(sample)
    doc["context"] = documents.context(["qa", "staging", "prod"], {"qa": ["2", "3"]}, "staging")
    assert engine.evaluate(policy, doc) == []
    doc["context"]["ran_full"] = {"dev": ["2", "3"]}
    assert any("has not run at 100% in qa" in m for m in engine.evaluate(policy, doc))
