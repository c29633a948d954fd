"""`readmit audit` on a scripted history: dev -> staging canary -> staging full -> prod, one hand edit and
one rollback, promoted with the real `readmit promote` against a tmp MLflow registry."""

from __future__ import annotations

import json
import subprocess

import pytest

from git_repos import copy_of_repo, git, use_identity
from readmit import registry
from readmit.audit import audit
from readmit.cli import main
from readmit.envs.state import EnvState, dump
from readmit.errors import CheckFailed
from readmit.promote import promote, rollback, sync
from readmit.promote.flow import annotations
from registry_versions import register, use_tmp_mlflow

pytestmark = pytest.mark.slow
REVIEWER = {"GIT_COMMITTER_NAME": "Rita Reviewer", "GIT_COMMITTER_EMAIL": "rita@hospital.example"}


@pytest.fixture(scope="module")
def history(repo_root, tmp_path_factory):
    """Build the scripted history once; returns (repo, {step: commit sha}, versions)."""
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("audit")
    try:
        model = use_tmp_mlflow(mp, tmp)
        use_identity(mp)
        import readmit.manifests.check

        mp.setattr(readmit.manifests.check, "check", lambda **kwargs: [])  # the manifests suite covers it
        repo = copy_of_repo(repo_root, tmp / "repo")
        v1, v2, v3 = (register(model) for _ in range(3))
        for v in (v1, v2, v3):
            registry.set_version_tags(
                v, {"gate.dev": "passed", "gate.staging": "passed", "gate.prod": "passed"}
            )
        steps = {}

        def step(name, result):
            steps[name] = result.commit

        step("dev v1", promote("dev", v1, full=True, reason="first", repo=repo, trivy=False))
        git(repo, "checkout", "-q", "main")
        subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "merge",
                "-q",
                "--no-ff",
                "-m",
                "Merge promote/dev/v1",
                f"promote/dev/v{v1}",
            ],
            check=True,
            env={**_env(), **REVIEWER},
            capture_output=True,
        )
        steps["merge"] = git(repo, "rev-parse", "HEAD").strip()
        step("staging v1", promote("staging", v1, full=True, repo=repo, trivy=False))
        step("dev v2", promote("dev", v2, full=True, repo=repo, trivy=False))
        step("staging canary v2", promote("staging", v2, weight=20, repo=repo, trivy=False))
        step("staging v2", promote("staging", v2, full=True, repo=repo, trivy=False))
        step("prod v2", promote("prod", v2, full=True, repo=repo, trivy=False))
        # A hand edit: v3 straight into prod, never through staging, annotations copied correctly.
        info = registry.version_info(v3)
        (repo / "environments/prod/models.yaml").write_text(
            dump(EnvState({v3: annotations(info, "prod")}, {v3: 100}, v3))
        )
        git(repo, "commit", "-qam", "hotfix prod")
        steps["hand edit"] = git(repo, "rev-parse", "HEAD").strip()
        step("rollback staging", rollback("staging", reason="alerts", repo=repo, trivy=False))
        # Registry metadata changed after the fact: v1's digest no longer matches its annotations.
        registry.set_version_tags(v1, {registry.TAG_MODEL_DIGEST: "sha256:" + "f" * 64})
        # The registry-sync pipeline mirrors git into the aliases; then someone moves staging's by hand.
        sync.sync(repo)
        registry.set_alias("staging", v2)
        yield repo, steps, (v1, v2, v3)
    finally:
        mp.undo()


def _env():
    import os

    return dict(os.environ)


def test_the_timeline_per_environment_is_exactly_the_history(history):
    repo, steps, (v1, v2, v3) = history
    result = audit(repo, fmt="json")
    got = {
        env: [(s.version, s.weight, s.kind, s.commit, s.end is None) for s in segs]
        for env, segs in result.timeline.items()
    }
    assert got == {
        "dev": [(v1, 100, "promote", steps["dev v1"], False), (v2, 100, "promote", steps["dev v2"], True)],
        "staging": [
            (v1, 100, "promote", steps["staging v1"], False),
            (v1, 80, "promote", steps["staging canary v2"], False),
            (v2, 20, "promote", steps["staging canary v2"], False),
            (v2, 100, "promote", steps["staging v2"], False),
            (v1, 100, "rollback", steps["rollback staging"], True),
        ],
        "prod": [
            (v2, 100, "promote", steps["prod v2"], False),
            (v3, 100, "hand-edit", steps["hand edit"], True),
        ],
    }
    assert list(result.timeline) == ["dev", "staging", "prod"]  # promotion order, in every format
    first = result.timeline["dev"][0]
    assert first.approver == "Rita Reviewer <rita@hospital.example>"
    assert first.author == "Pat Promoter <pat@hospital.example>"
    assert "roc_auc=0.6800" in first.metrics and first.gates == "passed"


def test_the_anomalies_are_exactly_the_planted_ones(history):
    repo, steps, (v1, v2, v3) = history
    found = {(a.kind, a.env, a.commit, a.message) for a in audit(repo, fmt="json").anomalies}
    edit = steps["hand edit"]
    mismatch = (
        f"version {v1}: annotation readmit.io/model-digest {_old_digest(repo, steps['dev v1'])!r} "
        f"but the registry has {'sha256:' + 'f' * 64!r}"
    )
    assert found == {
        (
            "hand-edit",
            "prod",
            edit,
            "environments/prod/models.yaml changed without promotion trailers by Pat Promoter "
            "<pat@hospital.example>",
        ),
        ("skipped-staging", "prod", edit, f"version {v3} is live in prod but never ran at 100% in staging"),
        (
            "policy",
            "prod",
            edit,
            f"promotion: Model/readmission-v{v3}: version {v3} never ran at 100% in staging",
        ),
        (
            "policy",
            "prod",
            edit,
            (
                f"seldon-rollout: Experiment/readmission: version {v3} has not run at 100% in "
                "staging, so its weight 100 exceeds the canary limit 10"
            ),
        ),
        ("registry-mismatch", "dev", steps["dev v1"], mismatch),
        ("registry-mismatch", "staging", steps["rollback staging"], mismatch),
        # the very line `readmit registry sync --check` prints
        (
            "registry-alias",
            "staging",
            steps["rollback staging"],
            f"registry-sync: alias 'staging' points at v{v2} but environments/staging/models.yaml "
            f"serves v{v1}",
        ),
    }
    with pytest.raises(CheckFailed) as err:
        sync.check(repo)
    assert err.value.problems == [a[3] for a in found if a[0] == "registry-alias"]


def _old_digest(repo, commit):
    text = git(repo, "show", f"{commit}:environments/dev/models.yaml")
    return next(line.split(": ", 1)[1] for line in text.splitlines() if "readmit.io/model-digest" in line)


def test_env_and_since_filter_the_report(history):
    repo, _, _ = history
    result = audit(repo, env="prod", since="2000-01-01", fmt="md", registry=False, policies=False)
    assert list(result.timeline) == ["prod"]
    assert {a.env for a in result.anomalies} == {"prod"}
    assert audit(repo, since="2999-01-01", fmt="md", registry=False, policies=False).anomalies == []


def test_html_is_one_self_contained_file_with_tables_and_a_chart(history, tmp_path):
    repo, steps, _ = history
    out = tmp_path / "audit.html"
    main(["audit", "--repo", str(repo), "--format", "html", "--out", str(out)])
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and page.count("<table>") == 3
    assert "src=" not in page and "href=" not in page  # nothing loaded from elsewhere
    assert steps["hand edit"][:12] in page


def test_json_report_round_trips(history):
    repo, _, _ = history
    doc = json.loads(audit(repo, fmt="json", registry=False, policies=False).text)
    assert sorted(doc["timeline"]) == ["dev", "prod", "staging"]
    assert {a["kind"] for a in doc["anomalies"]} == {"hand-edit", "skipped-staging"}


def test_a_bad_since_date_is_one_clear_input_error(history):
    from readmit.errors import InputError

    repo, _, _ = history
    with pytest.raises(InputError, match=r"^--since last tuesday: not a date; use YYYY-MM-DD"):
        audit(repo, since="last tuesday", fmt="md", registry=False, policies=False)
