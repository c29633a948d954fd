"""The checks a promotion must pass before anything is written: `readmit manifests check` and the
policies, on a scratch copy of HEAD with the new models.yaml, plus both renders for the PR diff."""

from __future__ import annotations

import contextlib
import io
import os
import tarfile
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from readmit import git, paths
from readmit.errors import CheckFailed
from readmit.manifests import check as manifests
from readmit.manifests.render import load_all, render_text
from readmit.policy import check as policy
from readmit.policy.engine import discover
from readmit.registry import VersionInfo


@contextlib.contextmanager
def _shared_material():
    """A throw-away clone (the demo's) has no `../shared` beside it: then read the CRD schemas beside the
    installed package's checkout, unless the caller set READMIT_SHARED / READMIT_CRD_SCHEMAS."""
    beside_package = Path(paths.__file__).resolve().parents[3].parent / "shared"
    unset = not (os.environ.get("READMIT_SHARED") or os.environ.get("READMIT_CRD_SCHEMAS"))
    if not (unset and not paths.crd_schemas().is_dir() and beside_package.is_dir()):
        yield
        return
    os.environ["READMIT_SHARED"] = str(beside_package)
    try:
        yield
    finally:
        os.environ.pop("READMIT_SHARED", None)


def check_in_scratch_copy(
    repo: Path,
    env: str,
    rel: str,
    new_text: str,
    ran_full: dict[str, list[str]],
    trivy: bool,
    registry_versions: dict[int, VersionInfo] | None = None,
) -> tuple[str, str, list[str]]:
    """Render before/after and run both checks on a copy of HEAD with the new file; refuse on any problem.
    `ran_full` is the history's fact the promotion policy needs (read once by the caller);
    `registry_versions` what the registry holds of the versions named (None: the policy check asks it)."""
    archive = git.archive(repo)
    with tempfile.TemporaryDirectory(prefix="readmit-promote-") as tmp, _shared_material():
        scratch = Path(tmp)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(scratch, filter="data")
        overlay = scratch / "environments" / env
        before = render_text(overlay)
        (scratch / rel).write_text(new_text)
        # Only the overlay's rendering changes. `manifests check` starts first, in its own thread (its
        # render, then trivy, whose fixed start-up dominates it); the plain render for the diff and the
        # policies run meanwhile.
        with ThreadPoolExecutor(max_workers=1) as pool:
            found = pool.submit(manifests.check, paths=[overlay], repo=scratch, trivy=trivy)
            after = render_text(overlay)
            problems = policy.check_rendered(
                env, [d for d in load_all(after) if d], scratch, ran_full, versions=registry_versions
            )
            problems = [f"manifests: {p}" for p in found.result()] + problems
        names = [p.name for p in discover(scratch) if p.name != policy.GATE_POLICY]
    if problems:
        raise CheckFailed(
            f"promotion refused: the new {rel} fails {len(problems)} check(s); nothing was changed", problems
        )
    return (
        before,
        after,
        [f"readmit manifests check environments/{env}: passed" + ("" if trivy else " (without trivy)")]
        + [f"policy {name}: passed" for name in names],
    )
