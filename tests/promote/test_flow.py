"""What `readmit.promote.flow` does, step by step, in a fraction of a second a test: real git on a repo
holding only environments/, with the two slow collaborators replaced by stand-ins that record their calls.

- `registry`: a dict of VersionInfo and aliases instead of MLflow (the registry suite tests the real one);
- `check_in_scratch_copy`: the real one renders with kubectl and runs kubernetes-validate, trivy and the
  policy engine (seconds a call; test_promote.py and test_promote_end_to_end.py run it).

These are the tests mutmut runs against flow.py (see [tool.mutmut] in model-src/pyproject.toml); the
end-to-end tests in test_promote.py and test_promote_end_to_end.py prove the same claims with every real
part."""

from __future__ import annotations

import contextlib
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from git_repos import copy_of_repo, git, state_of, trailers, use_identity
from readmit import registry
from readmit.envs import provenance
from readmit.envs.state import dump, parse
from readmit.errors import CheckFailed, InputError
from readmit.manifests import trivy
from readmit.promote import flow

MODELS = "environments/dev/models.yaml"
METRICS = {"test_roc_auc": 0.7, "test_auprc": 0.25}


def info(
    version: int, gate: str | None = "passed", failures: str | None = None, **metrics
) -> registry.VersionInfo:
    tags = {} if gate is None else {"gate.dev": gate}
    if failures is not None:
        tags["gate.dev.failures"] = failures
    return registry.VersionInfo(
        version=version,
        run_id=f"run{version}",
        source=f"models:/m/{version}",
        model_digest=f"sha256:{version:064d}",
        data_version=f"sha256:{'d' * 64}",
        git_commit="0" * 40,
        metrics={**METRICS, **{f"test_{k}": v for k, v in metrics.items()}},
        tags=tags,
    )


@dataclass
class Registry:
    """Stands in for readmit.registry's reads; records what flow asked."""

    versions: dict[int, registry.VersionInfo] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    asked_facts: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    asked_info: list[int] = field(default_factory=list)
    asked_alias: list[str] = field(default_factory=list)

    def add(self, *infos: registry.VersionInfo) -> None:
        self.versions.update((i.version, i) for i in infos)

    def facts(self, version, others=()):
        self.asked_facts.append((version, others))
        if version not in self.versions:
            raise InputError(f"version {version} not found")
        wanted = {version, *others, *self.aliases.values()}
        return registry.Facts({v: i for v, i in self.versions.items() if v in wanted}, dict(self.aliases))

    def version_info(self, version):
        self.asked_info.append(int(version))
        return self.versions[int(version)]

    def alias_version(self, alias):
        self.asked_alias.append(alias)
        return self.aliases.get(alias)


@contextlib.contextmanager
def _thread_reader():
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool


class Scratch:
    """Stands in for checks.ScratchCopy (a copy of the promoted commit, rendered, with policy engines
    started: seconds): records the repo, env and commit it was prepared from, and whether it was closed."""

    def __init__(self, made: list, repo, env):
        self.repo, self.env, self.head, self.shape, self.closed = Path(repo), env, None, None, False
        made.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def prepare_in(self, pool, head, shape=None):
        pool.submit(self.prepare, head, shape).result()

    def prepare(self, head, shape=None):
        self.head, self.shape = head, shape

    def close(self):
        self.closed = True


@dataclass
class Checks:
    """Stands in for check_in_scratch_copy: records each call, with the repo's refs and HEAD at that moment
    (nothing may be written before the checks pass), and refuses with `problems` when a test sets them."""

    calls: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    scratches: list[Scratch] = field(default_factory=list)
    during: object = None  # a test's action while the checks run (e.g. a concurrent commit)

    def __call__(self, scratch, rel, new_text, ran_full, trivy, registry_versions=None):
        repo = scratch.repo
        self.calls.append(
            dict(
                repo=repo,
                env=scratch.env,
                head=scratch.head,
                rel=rel,
                new_text=new_text,
                ran_full=ran_full,
                trivy=trivy,
                versions=registry_versions,
                state=repo_state(repo),
            )  # fmt: skip
        )
        if self.during:
            self.during()
        if self.problems:
            raise CheckFailed("refused by the stand-in", list(self.problems))
        return "kind: Before\n", "kind: After\n", ["stand-in check: passed"]


def repo_state(repo: Path) -> dict:
    """state_of(repo), also on a detached HEAD."""
    return {
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "head": git(repo, "rev-parse", "--symbolic-full-name", "HEAD"),
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "models": (repo / MODELS).read_bytes() if (repo / MODELS).exists() else None,
    }


@pytest.fixture
def repo(repo_root, tmp_path, monkeypatch):
    """A git repo on `main` holding this checkout's committed environments/ (order.yaml and the overlays)."""
    use_identity(monkeypatch)
    return copy_of_repo(repo_root, tmp_path / "repo", "environments")


@pytest.fixture
def reg(monkeypatch):
    stand_in = Registry()
    monkeypatch.setattr(registry, "reader", _thread_reader)
    monkeypatch.setattr(registry, "facts", stand_in.facts)
    monkeypatch.setattr(registry, "version_info", stand_in.version_info)
    monkeypatch.setattr(registry, "alias_version", stand_in.alias_version)
    return stand_in


@pytest.fixture
def checks(monkeypatch):
    stand_in = Checks()
    monkeypatch.setattr(flow, "check_in_scratch_copy", stand_in)
    monkeypatch.setattr(flow, "ScratchCopy", lambda repo, env: Scratch(stand_in.scratches, repo, env))
    return stand_in


def live(repo: Path):
    return parse((repo / MODELS).read_text())


def merged(repo: Path, branch: str) -> None:
    """The reviewer merges the PR: main fast-forwards to the branch."""
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", branch)


def expected_annotations(i: registry.VersionInfo, gate: str = "passed") -> dict[str, str]:
    return {
        "readmit.io/model-version": str(i.version),
        "readmit.io/mlflow-run": i.run_id,
        "readmit.io/model-digest": i.model_digest,
        "readmit.io/data-version": i.data_version,
        "readmit.io/metrics": ",".join(f"{k[5:]}={v:.4f}" for k, v in sorted(i.metrics.items())),
        "readmit.io/gate-result": gate,
    }


def test_a_full_promotion_checks_first_then_commits_on_a_new_branch_with_every_trailer(repo, reg, checks):
    reg.add(info(1))
    before = repo_state(repo)
    result = flow.promote("dev", 1, full=True, repo=repo, trivy=False)
    assert result == flow.PromoteResult("dev", 1, None, "promote/dev/v1", result.commit, result.pr_markdown)
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == "promote/dev/v1"
    assert git(repo, "rev-parse", "HEAD").strip() == result.commit
    assert git(repo, "rev-parse", "HEAD^").strip() == git(repo, "rev-parse", "main").strip()
    assert git(repo, "diff", "--name-only", "main", result.commit).split() == [MODELS]
    # The one check ran on the text that was then committed, before anything was written.
    [call] = checks.calls
    assert call["state"] == before
    assert (call["repo"], call["env"], call["rel"], call["trivy"]) == (repo, "dev", MODELS, False)
    # ... on a copy of the commit the branch was then built on, removed once the checks were done.
    assert call["head"] == git(repo, "rev-parse", "main").strip()
    assert [s.closed for s in checks.scratches] == [True]
    assert call["new_text"] == (repo / MODELS).read_text()
    assert call["ran_full"] == {}
    assert call["versions"] == {1: reg.versions[1]}
    assert reg.asked_facts == [(1, ())]
    assert live(repo).weights == {1: 100} and live(repo).default == 1
    assert live(repo).annotations == {1: expected_annotations(reg.versions[1])}
    assert trailers(repo) == {
        "Model-Version": "1",
        "Model-Run": "run1",
        "Model-Digest": reg.versions[1].model_digest,
        "Data-Version": reg.versions[1].data_version,
        "Metrics": "auprc=0.2500,roc_auc=0.7000",
        "Gates": "dev=passed",
        "Previous-Version": "none",
        "Promoted-By": "Pat Promoter <pat@hospital.example>",
        "Reason": "not given",
    }
    subject, _, body = git(repo, "log", "-1", "--format=%B").partition("\n\n")
    assert subject == "Promote readmission v1 to dev at 100%"
    assert body.startswith("Version 1 takes 100% of dev traffic.\n\n")


def without_provenance(text: str) -> list[dict]:
    return [trivy.without_provenance(doc) for doc in yaml.safe_load_all(text) if doc]


def test_with_trivy_the_scan_starts_on_the_new_file_bar_its_provenance_before_the_registry_answers(
    repo, reg, checks
):
    reg.add(info(1), info(2))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=True).branch)
    flow.promote("dev", 2, weight=10, repo=repo, trivy=True)
    shape, new_text = checks.scratches[-1].shape, checks.calls[-1]["new_text"]
    assert shape != new_text  # the provenance of version 2 was not known yet ...
    assert without_provenance(shape) == without_provenance(new_text)  # ... and is all that differs
    assert parse(shape).annotations == {1: expected_annotations(reg.versions[1]), 2: {}}


def test_without_trivy_or_with_a_change_the_transitions_refuse_no_scan_is_prepared(repo, reg, checks):
    reg.add(info(1))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=False).branch)
    assert checks.scratches[-1].shape is None
    reg.add(info(2))
    with pytest.raises(InputError, match="a canary weight is between 1 and 99"):
        flow.promote("dev", 2, weight=150, repo=repo, trivy=True)
    assert checks.scratches[-1].shape is None
    assert reg.asked_facts[-1] == (2, (1,))  # the refusal came after the registry was asked, as before


def test_a_canary_keeps_the_stable_version_and_the_pr_compares_with_the_champion_git_says_is_live(
    repo, reg, checks, tmp_path
):
    reg.add(info(1, roc_auc=0.66), info(2, roc_auc=0.70, failures='["advisory: ece drifted"]'))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=True).branch)
    out = tmp_path / "pr" / "pr.md"
    result = flow.promote(
        "dev", 2, weight=20, reason="better\nauc", repo=repo, pr_out=out, trivy=True,
        trailers={"Ticket": "MLOPS-7"}, notes="## Canary analysis\n\nsigned off by team X\n\n",
    )  # fmt: skip
    assert (result.version, result.previous, result.branch) == (2, 1, "promote/dev/v2-canary-20")
    assert reg.asked_facts[-1] == (2, (1,))
    assert checks.calls[-1]["ran_full"] == {"dev": ["1"]}
    assert checks.calls[-1]["trivy"] is True
    assert live(repo).weights == {1: 80, 2: 20} and live(repo).default == 1
    assert live(repo).annotations[1] == expected_annotations(reg.versions[1])
    md = out.read_text()
    assert md == result.pr_markdown
    assert md.startswith(
        "# Promote readmission v2 to dev at 20%\n\n"
        "Version 2 takes 20% of dev traffic; version 1 stays as the rollback target.\n"
    )
    assert "- **Previous-Version**: 1\n" in md and "- **Reason**: better\nauc\n" in md
    assert "- **Ticket**: MLOPS-7\n" in md
    assert "## Metrics against champion v1" in md and "| roc_auc | 0.7000 | 0.6600 | +0.0400 |" in md
    assert '## Gates\n\n- dev: passed (failures: ["advisory: ece drifted"])\n' in md
    assert "## Checks\n\n- stand-in check: passed\n" in md
    assert (
        "--- kubectl kustomize environments/dev (before)\n+++ kubectl kustomize environments/dev (after)\n"
        in md
    )
    assert "-kind: Before\n+kind: After\n" in md
    # Every registry fact came from the one read up front: nothing was looked up again.
    assert reg.asked_info == [] and reg.asked_alias == []
    # The notes come after the description, as written but for their trailing newlines.
    assert md.endswith("```\n\n## Canary analysis\n\nsigned off by team X\n")
    assert trailers(repo)["Reason"] == "better auc" and trailers(repo)["Ticket"] == "MLOPS-7"


def test_the_champion_is_the_registry_alias_when_set_and_its_metrics_come_from_the_registry(
    repo, reg, checks
):
    reg.add(info(1, roc_auc=0.60), info(2, roc_auc=0.70), info(3, roc_auc=0.65))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=False).branch)
    reg.aliases["champion-dev"] = 3
    md = flow.promote("dev", 2, full=True, repo=repo, trivy=False).pr_markdown
    assert "## Metrics against champion v3" in md and "| roc_auc | 0.7000 | 0.6500 | +0.0500 |" in md
    assert checks.calls[-1]["versions"] == {v: reg.versions[v] for v in (1, 2, 3)}


def test_without_any_champion_the_pr_says_so(repo, reg, checks):
    reg.add(info(1))
    md = flow.promote("dev", 1, full=True, repo=repo, trivy=False).pr_markdown
    assert "## Metrics against no champion in dev" in md
    assert "| roc_auc | 0.7000 | - | - |" in md


def test_a_rollback_champion_outside_the_read_facts_is_looked_up(repo, reg, checks):
    reg.add(info(1, roc_auc=0.61), info(2, roc_auc=0.72))
    for version in (1, 2):
        merged(repo, flow.promote("dev", version, full=True, repo=repo, trivy=False).branch)
    reg.asked_info.clear()
    md = flow.rollback("dev", repo=repo, trivy=False).pr_markdown
    # The rollback reads its target, then the champion live in git (v2), whose metrics fill the table.
    assert reg.asked_info == [1, 2]
    assert "## Metrics against champion v2" in md and "| roc_auc | 0.6100 | 0.7200 | -0.1100 |" in md
    assert checks.calls[-1]["versions"] is None
    assert "## Gates\n\n- dev: passed (failures: [])\n" in md


def test_a_rollback_target_never_gated_here_says_so_in_the_pr(repo, reg, checks):
    reg.add(info(1), info(2))
    for version in (1, 2):
        merged(repo, flow.promote("dev", version, full=True, repo=repo, trivy=False).branch)
    reg.add(info(1, gate=None))  # its gate tags were removed from the registry since
    md = flow.rollback("dev", repo=repo, trivy=False).pr_markdown
    assert "## Gates\n\n- dev: not gated (failures: [])\n" in md


def test_the_versions_named_in_models_yaml_are_read_with_the_promoted_one(repo, reg, checks):
    reg.add(info(1), info(2), info(3))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=False).branch)
    merged(repo, flow.promote("dev", 2, weight=10, repo=repo, trivy=False).branch)
    # Hand edits: v2's version annotation says 17, v1's is gone.
    text = (repo / MODELS).read_text()
    text = text.replace("readmit.io/model-version: '2'", "readmit.io/model-version: '17'")
    text = text.replace("    readmit.io/model-version: '1'\n", "")
    assert text.count("readmit.io/model-version") == 1 and "'17'" in text
    (repo / MODELS).write_text(text)
    git(repo, "commit", "-qam", "hand edit")
    flow.promote("dev", 3, weight=10, repo=repo, trivy=False)
    assert reg.asked_facts[-1] == (3, (1, 2, 17))


def test_a_failed_check_writes_nothing(repo, reg, checks):
    reg.add(info(1))
    checks.problems.append("manifests: bad")
    before = state_of(repo)
    with pytest.raises(CheckFailed, match="refused by the stand-in"):
        flow.promote("dev", 1, full=True, repo=repo, trivy=False)
    assert state_of(repo) == before


def test_a_commit_made_while_the_checks_run_is_caught_before_anything_is_written(repo, reg, checks):
    reg.add(info(1))

    def concurrent_commit():
        (repo / "environments/dev/notes.txt").write_text("x\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "meanwhile")

    checks.during = concurrent_commit
    with pytest.raises(CheckFailed) as refused:
        flow.promote("dev", 1, full=True, repo=repo, trivy=False)
    assert str(refused.value) == f"{MODELS} or HEAD changed since promote read it; run promote again"
    assert git(repo, "branch", "--list", "promote/*") == ""


def test_push_publishes_the_branch_and_reports_the_remote(repo, reg, checks, tmp_path):
    remote = _remote(repo, tmp_path)
    reg.add(info(1))
    result = flow.promote("dev", 1, full=True, repo=repo, push="origin", trivy=False)
    assert result.pushed_to == "origin"
    assert git(remote, "rev-parse", "refs/heads/promote/dev/v1").strip() == result.commit


def test_a_failure_after_the_push_deletes_the_remote_branch_and_puts_everything_back(
    repo, reg, checks, tmp_path
):
    remote = _remote(repo, tmp_path)
    reg.add(info(1))
    (tmp_path / "pr.md").mkdir()  # the PR description, written after the push, cannot be written here
    before = state_of(repo)
    with pytest.raises(IsADirectoryError):
        flow.promote("dev", 1, full=True, repo=repo, push="origin", pr_out=tmp_path / "pr.md", trivy=False)
    assert git(remote, "for-each-ref", "--format=%(refname)") == "refs/heads/main\n"
    assert state_of(repo) == before


def test_a_failed_push_removes_the_branch_and_never_deletes_on_the_remote(repo, reg, checks, monkeypatch):
    reg.add(info(1))
    deleted = []
    monkeypatch.setattr(flow.git, "delete_remote_branch", lambda *args: deleted.append(args))
    before = state_of(repo)
    with pytest.raises(CheckFailed):
        flow.promote("dev", 1, full=True, repo=repo, push="nowhere", trivy=False)
    assert state_of(repo) == before
    assert deleted == []


def test_a_failure_from_a_detached_head_returns_to_that_commit(repo, reg, checks, tmp_path):
    reg.add(info(1))
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "--detach")
    (tmp_path / "pr.md").mkdir()
    with pytest.raises(IsADirectoryError):
        flow.promote("dev", 1, full=True, repo=repo, pr_out=tmp_path / "pr.md", trivy=False)
    assert git(repo, "rev-parse", "HEAD").strip() == head
    assert subprocess.run(["git", "-C", str(repo), "symbolic-ref", "-q", "HEAD"]).returncode == 1
    assert git(repo, "branch", "--list", "promote/*") == ""


def _remote(repo: Path, tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    return remote


def test_a_version_that_did_not_pass_its_gates_is_refused_with_the_failures(repo, reg, checks):
    reg.add(info(1, gate="failed", failures='["auprc too low"]'), info(2, gate=None))
    with pytest.raises(CheckFailed) as refused:
        flow.promote("dev", 1, full=True, repo=repo, trivy=False)
    assert str(refused.value) == (
        "version 1 has not passed its dev gates (failed); run `readmit gate --version 1 --env dev`"
    )
    assert refused.value.problems == ['["auprc too low"]']
    with pytest.raises(CheckFailed) as never:
        flow.promote("dev", 2, full=True, repo=repo, trivy=False)
    assert str(never.value) == (
        "version 2 has not passed its dev gates (never gated); run `readmit gate --version 2 --env dev`"
    )
    assert never.value.problems == []
    assert checks.calls == []


SHADOW_FIRST = "--mirror excludes --weight and --full: shadow first, then promote with --weight"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(full=True, weight=20), "--weight and --full exclude each other; choose one"),
        (dict(full=True, mirror=10), SHADOW_FIRST),
        (dict(weight=20, mirror=10), SHADOW_FIRST),
    ],
)
def test_options_that_exclude_each_other_are_refused_before_anything_is_read(
    repo, reg, checks, options, message
):
    reg.add(info(1))
    with pytest.raises(InputError) as refused:
        flow.promote("dev", 1, repo=repo, trivy=False, **options)
    assert str(refused.value) == message
    assert reg.asked_facts == []


def test_an_unknown_environment_is_refused(repo, reg, checks):
    with pytest.raises(InputError, match="--env qa: unknown environment"):
        flow.promote("qa", 1, full=True, repo=repo)
    with pytest.raises(InputError, match="--env qa: unknown environment"):
        flow.rollback("qa", repo=repo)


def test_an_overlay_without_models_yaml_is_refused_by_name(repo, reg, checks):
    reg.add(info(1))
    git(repo, "rm", "-q", MODELS)
    git(repo, "commit", "-qm", "drop")
    with pytest.raises(InputError) as refused:
        flow.promote("dev", 1, full=True, repo=repo)
    assert str(refused.value) == f"{repo / MODELS}: missing; the dev overlay must have a models.yaml"


def test_the_state_already_live_is_not_promoted_again(repo, reg, checks):
    reg.add(info(1))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=False).branch)
    with pytest.raises(InputError) as refused:
        flow.promote("dev", 1, full=True, repo=repo, trivy=False)
    assert str(refused.value) == f"{MODELS}: already in the requested state; nothing to promote"
    assert len(checks.calls) == 1


def test_an_explicit_branch_name_is_used(repo, reg, checks):
    reg.add(info(1), info(2))
    assert flow.promote("dev", 1, full=True, repo=repo, trivy=False, branch="mine/1").branch == "mine/1"
    merged(repo, "mine/1")
    assert flow.promote("dev", 2, mirror=5, repo=repo, trivy=False, branch="mine/2").branch == "mine/2"
    merged(repo, "mine/2")
    assert flow.rollback("dev", repo=repo, trivy=False, branch="mine/3").branch == "mine/3"


def test_a_shadow_mirrors_the_version_and_keeps_the_live_one_answering(repo, reg, checks, tmp_path):
    reg.add(info(1), info(2, roc_auc=0.75))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=False).branch)
    result = flow.promote("dev", 2, mirror=10, reason="watch it", repo=repo, trivy=False)
    assert (result.version, result.previous, result.branch) == (2, 1, "promote/dev/v2-shadow-10")
    state = live(repo)
    assert (state.weights, state.default, state.mirror, state.mirror_percent) == ({1: 100}, 1, 2, 10)
    assert state.annotations[2] == expected_annotations(reg.versions[2])
    assert result.pr_markdown.startswith(
        "# Shadow readmission v2 in dev at 10% (mirror)\n\nVersion 2 sees 10% of dev requests as a mirror; "
        "its answers are logged and never returned. Version 1 keeps answering.\n"
    )
    assert "| roc_auc | 0.7500 | 0.7000 | +0.0500 |" in result.pr_markdown
    assert trailers(repo) | {"Model-Digest": "", "Data-Version": ""} == {
        "Model-Version": "2",
        "Model-Run": "run2",
        "Model-Digest": "",
        "Data-Version": "",
        "Metrics": "auprc=0.2500,roc_auc=0.7500",
        "Gates": "dev=passed",
        "Previous-Version": "1",
        "Promoted-By": "Pat Promoter <pat@hospital.example>",
        "Reason": "watch it",
    }
    assert checks.calls[-1]["ran_full"] == {"dev": ["1"]}


def test_rollback_after_three_full_versions_restores_the_middle_one_with_its_trailers(
    repo, reg, checks, tmp_path
):
    reg.add(info(1), info(2, roc_auc=0.71), info(3, roc_auc=0.72))
    for version in (1, 2, 3):
        merged(repo, flow.promote("dev", version, full=True, repo=repo, trivy=False).branch)
    before = repo_state(repo)
    out = tmp_path / "rollback.md"
    result = flow.rollback(
        "dev", reason="bad calibration", repo=repo, pr_out=out, trivy=False,
        trailers={"Incident": "INC-1"}, notes="## Why\n\ndrift  \n",
    )  # fmt: skip
    assert result == flow.PromoteResult("dev", 2, 3, "rollback/dev/v3", result.commit, result.pr_markdown)
    assert out.read_text() == result.pr_markdown
    assert result.pr_markdown.startswith(
        "# Roll back dev from readmission v3 to v2\n\n"
        "Version 3 leaves dev; version 2 takes 100% of its traffic again.\n"
    )
    assert result.pr_markdown.endswith("```\n\n## Why\n\ndrift  \n")
    assert live(repo).weights == {2: 100} and live(repo).default == 2
    assert live(repo).annotations == {2: expected_annotations(reg.versions[2])}
    [call] = [c for c in checks.calls if c["state"] == before]
    assert call["ran_full"] == {"dev": ["1", "2", "3"]} and call["new_text"] == (repo / MODELS).read_text()
    # The rollback prepares its own copy of the commit it builds on, for its env, and removes it.
    assert (call["env"], call["head"]) == ("dev", git(repo, "rev-parse", "main").strip())
    assert all(s.closed for s in checks.scratches)
    assert trailers(repo) == {
        "Model-Version": "2",
        "Model-Run": "run2",
        "Model-Digest": reg.versions[2].model_digest,
        "Data-Version": reg.versions[2].data_version,
        "Metrics": "auprc=0.2500,roc_auc=0.7100",
        "Gates": "dev=passed",
        "Previous-Version": "3",
        "Promoted-By": "Pat Promoter <pat@hospital.example>",
        "Reason": "bad calibration",
        "Rollback-Of": "3",
        "Incident": "INC-1",
    }


def test_rollback_of_a_canary_drops_it(repo, reg, checks):
    reg.add(info(1), info(2))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=False).branch)
    merged(repo, flow.promote("dev", 2, weight=30, repo=repo, trivy=False).branch)
    result = flow.rollback("dev", repo=repo, trivy=False)
    assert (result.version, result.previous, result.branch) == (1, 1, "rollback/dev/v2")
    assert live(repo).weights == {1: 100}
    assert trailers(repo)["Rollback-Of"] == "2" and trailers(repo)["Reason"] == "not given"


def test_the_annotations_name_the_gate_result_or_not_gated(reg):
    assert flow.annotations(info(4, gate=None), "dev")[provenance.ANNOTATION["gates"]] == "not-gated"
    assert flow.annotations(info(4), "dev") == expected_annotations(info(4))


def test_dump_of_the_promoted_state_is_what_the_commit_holds(repo, reg, checks):
    reg.add(info(1))
    flow.promote("dev", 1, full=True, repo=repo, trivy=False)
    assert git(repo, "show", f"HEAD:{MODELS}") == dump(live(repo))


def test_a_dirty_tree_is_refused_before_anything_is_checked(repo, reg, checks):
    reg.add(info(1))
    (repo / "notes.txt").write_text("wip\n")
    with pytest.raises(InputError, match="the working tree is dirty"):
        flow.promote("dev", 1, full=True, repo=repo, trivy=False)
    with pytest.raises(InputError, match="the working tree is dirty"):
        flow.rollback("dev", repo=repo, trivy=False)
    assert checks.calls == []


def test_the_environments_are_the_ones_the_repo_lists(repo, reg, checks):
    """Not this checkout's: a repo whose order.yaml has no staging refuses staging, before any read."""
    reg.add(info(1))
    (repo / "environments/order.yaml").write_text("environments: [dev, prod]\n")
    git(repo, "commit", "-qam", "no staging")
    for attempt in (
        lambda: flow.promote("staging", 1, full=True, repo=repo),
        lambda: flow.rollback("staging", repo=repo),
    ):
        with pytest.raises(InputError) as refused:
            attempt()
        assert str(refused.value) == "--env staging: unknown environment; use one of dev, prod"
    assert reg.asked_facts == [] and checks.calls == []


def test_defaults_run_trivy_and_add_no_notes(repo, reg, checks):
    reg.add(info(1), info(2))
    first = flow.promote("dev", 1, full=True, repo=repo)
    merged(repo, first.branch)
    merged(repo, flow.promote("dev", 2, full=True, repo=repo).branch)
    back = flow.rollback("dev", repo=repo)
    assert [c["trivy"] for c in checks.calls] == [True, True, True]
    for result in (first, back):
        assert result.pr_markdown.endswith("\n```\n")


def test_promoted_by_is_the_committer_identity_of_the_repo_promoted_in(repo, reg, checks, monkeypatch):
    """Not of the folder promote was started from: the repo's own git config names who promotes."""
    for key in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(key)
    git(repo, "config", "user.name", "Rita Releaser")
    git(repo, "config", "user.email", "rita@hospital.example")
    reg.add(info(1), info(2))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=False).branch)
    assert trailers(repo)["Promoted-By"] == "Rita Releaser <rita@hospital.example>"
    merged(repo, flow.promote("dev", 2, mirror=5, repo=repo, trivy=False).branch)
    assert trailers(repo)["Promoted-By"] == "Rita Releaser <rita@hospital.example>"
    flow.rollback("dev", repo=repo, trivy=False)
    assert trailers(repo)["Promoted-By"] == "Rita Releaser <rita@hospital.example>"


def test_a_rollback_is_pushed_too_when_asked(repo, reg, checks, tmp_path):
    remote = _remote(repo, tmp_path)
    reg.add(info(1), info(2))
    for version in (1, 2):
        merged(repo, flow.promote("dev", version, full=True, repo=repo, trivy=False).branch)
    result = flow.rollback("dev", repo=repo, push="origin", trivy=False)
    assert result.pushed_to == "origin"
    assert git(remote, "rev-parse", "refs/heads/rollback/dev/v2").strip() == result.commit


def test_an_unreadable_models_yaml_is_named_by_its_path_in_the_repo(repo, reg, checks):
    reg.add(info(1))
    (repo / MODELS).write_text("kind: [\n")
    git(repo, "commit", "-qam", "broken by hand")
    for attempt in (
        lambda: flow.promote("dev", 1, full=True, repo=repo, trivy=False),
        lambda: flow.rollback("dev", repo=repo, trivy=False),
    ):
        with pytest.raises(InputError) as refused:
            attempt()
        assert str(refused.value).startswith(f"{MODELS}: not valid YAML")
    assert checks.calls == []


def test_a_shadow_is_checked_on_the_prepared_copy_with_trivy_then_pushed_and_described(
    repo, reg, checks, tmp_path
):
    remote = _remote(repo, tmp_path)
    reg.add(info(1), info(2))
    merged(repo, flow.promote("dev", 1, full=True, repo=repo, trivy=False).branch)
    out = tmp_path / "shadow.md"
    result = flow.promote("dev", 2, mirror=10, repo=repo, push="origin", pr_out=out, trivy=True)
    assert out.read_text() == result.pr_markdown and result.pushed_to == "origin"
    assert git(remote, "rev-parse", "refs/heads/promote/dev/v2-shadow-10").strip() == result.commit
    assert checks.calls[-1]["trivy"] is True and checks.calls[-1]["versions"] == reg.versions
    assert len(checks.scratches) == 2 and reg.asked_info == [] and reg.asked_alias == []
    assert trailers(repo)["Reason"] == "not given"
