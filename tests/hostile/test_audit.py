"""`readmit audit` on repositories whose environments/*/models.yaml history holds what real repositories
collect: promotions with trailers, hand edits (valid and broken YAML, lists, scalars, wrong types), deleted
files, binary content, merge commits and merged unrelated histories. The audit must still answer (exit 0)
or say in one line what is wrong with the repository; never a traceback, never a half-written report."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from hypothesis import event, given
from hypothesis import strategies as st

from git_repos import IDENTITY
from readmit.envs.state import EnvState, dump

from .conftest import assert_contract, fuzz, run

ENVS = ("dev", "staging", "prod")
HAND_EDITS = st.one_of(
    st.sampled_from(
        [
            "- a\n- list\n",
            "42\n",
            "kind: Model\nmetadata: [1, 2]\n",
            "kind: Experiment\nmetadata: {name: readmission}\nspec: {candidates: [{name: readmission-v1, "
            "weight: heavy}], default: readmission-v1}\n",
            "kind: Experiment\nmetadata: {name: readmission}\nspec: {candidates: 7, default: [1]}\n",
            "kind: Model\nmetadata: {name: readmission-vX}\n",
            "kind: Model\nmetadata: {name: readmission-v1, annotations: [x]}\n",
            "a: &a [*a]\n",
            "{{{{\n",
            "",
        ]
    ),
    st.text(max_size=80),
)


def _git(repo: Path, *args: str, check: bool = True) -> None:
    env = {**os.environ, **IDENTITY, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, check=check)


def _state(versions: list[int]) -> EnvState:
    weights = {v: w for v, w in zip(versions, (90, 10), strict=False)} if len(versions) > 1 else {}
    if len(versions) == 1:
        weights = {versions[0]: 100}
    notes = {
        v: {"readmit.io/model-version": str(v), "readmit.io/data-version": "sha256:ab"} for v in versions
    }
    return EnvState(notes, weights, versions[0] if versions else None)


@st.composite
def operations(draw) -> list[tuple]:
    ops = []
    for _ in range(draw(st.integers(1, 7))):
        env = draw(st.sampled_from(ENVS))
        kind = draw(st.sampled_from(["promote", "promote", "hand", "delete", "binary", "merge", "unrelated"]))
        if kind == "promote":
            versions = draw(st.lists(st.integers(1, 2**40), min_size=0, max_size=2, unique=True))
            ops.append((kind, env, dump(_state(versions)).encode(), draw(st.booleans())))
        elif kind == "hand":
            ops.append((kind, env, draw(HAND_EDITS).encode("utf-8", errors="surrogatepass"), False))
        elif kind == "binary":
            ops.append((kind, env, draw(st.binary(min_size=1, max_size=40)), False))
        else:
            ops.append((kind, env, dump(_state([draw(st.integers(1, 99))])).encode(), False))
    return ops


def _write(repo: Path, env: str, content: bytes | None, message: str, trailer: bool = False) -> None:
    path = repo / "environments" / env / "models.yaml"
    if content is None:
        _git(repo, "rm", "-q", "--ignore-unmatch", str(path))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        _git(repo, "add", str(path))
    body = f"{message}\n\nModel-Version: 3\nApproved-by: Rita <rita@example>" if trailer else message
    _git(repo, "commit", "-q", "--allow-empty", "-m", body)


def _build(repo: Path, ops: list[tuple]) -> None:
    _git(repo, "init", "-q", "-b", "main")
    _write(repo, "dev", dump(EnvState()).encode(), "bootstrap")
    for n, (kind, env, content, trailer) in enumerate(ops):
        if kind in ("promote", "hand", "binary"):
            _write(repo, env, content, f"{kind} {env}", trailer)
        elif kind == "delete":
            _write(repo, env, None, f"delete {env}")
        elif kind == "merge":
            _git(repo, "checkout", "-q", "-b", f"side{n}", "HEAD~0")
            _write(repo, env, content, f"side change {env}", True)
            _git(repo, "checkout", "-q", "main")
            _write(repo, env, b"# Written by readmit promote; do not edit by hand.\n", f"main change {env}")
            _git(repo, "merge", "-q", "--no-ff", "-m", f"Merge side{n}", f"side{n}", check=False)
            _git(repo, "checkout", "-q", "--theirs", "--", ".", check=False)
            _git(repo, "add", "-A")
            _git(repo, "commit", "-q", "--no-edit", "--allow-empty", check=False)
        else:  # an unrelated history merged in
            _git(repo, "checkout", "-q", "--orphan", f"other{n}")
            _git(repo, "rm", "-rq", "--cached", ".", check=False)
            for stale in (repo / "environments").glob("*/models.yaml"):
                stale.unlink()
            _write(repo, env, content, f"unrelated {env}")
            _git(repo, "checkout", "-q", "-f", "main")
            _git(
                repo,
                "merge",
                "-q",
                "--allow-unrelated-histories",
                "-X",
                "theirs",
                "-m",
                "Merge unrelated",
                f"other{n}",
                check=False,
            )
            _git(repo, "add", "-A")
            _git(repo, "commit", "-q", "--no-edit", "--allow-empty", check=False)


@fuzz(20)
@given(ops=operations(), fmt=st.sampled_from(["json", "md", "html"]))
def test_any_models_yaml_history_keeps_the_contract(ops, fmt):
    with tempfile.TemporaryDirectory() as tmp:
        repo, out = Path(tmp) / "repo", Path(tmp) / "report" / f"audit.{fmt}"
        repo.mkdir()
        out.parent.mkdir()
        _build(repo, ops)
        for kind in sorted({op[0] for op in ops}):
            event(f"history holds: {kind}")
        result = run(["audit", "--repo", str(repo), "--no-registry", "--format", fmt, "--out", str(out)])
        assert_contract(result, [str(repo)], codes=(0, 2))
        assert sorted(p.name for p in out.parent.iterdir()) == ([out.name] if result.code == 0 else [])


def test_a_folder_that_is_not_a_repository_is_one_line(tmp_path):
    result = run(["audit", "--repo", str(tmp_path), "--no-registry", "--format", "json"])
    assert_contract(result, [str(tmp_path)], codes=(2,))
