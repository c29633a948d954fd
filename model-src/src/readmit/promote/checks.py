"""The checks a promotion must pass before anything is written: `readmit manifests check` and the
policies, on a scratch copy of HEAD with the new models.yaml, plus both renders for the PR diff. The copy,
the rendering before, the policy engines and trivy are prepared first (`ScratchCopy`), while the registry
is read: trivy scans the new models.yaml as it will be bar its provenance, which trivy is never given
(readmit.manifests.trivy), so only the registry's answer is missing to write it."""

from __future__ import annotations

import contextlib
import io
import os
import tarfile
import tempfile
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from pathlib import Path

from readmit import git, paths
from readmit.envs.state import models_path
from readmit.errors import CheckFailed, InputError
from readmit.manifests import check as manifests
from readmit.manifests.render import load_all, render_text
from readmit.manifests.trivy import Scan
from readmit.manifests.trivy import start as start_trivy
from readmit.policy import check as policy
from readmit.policy import engine
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


class ScratchCopy:
    """A copy of the promoted commit in a temp folder, with the overlay's rendering before the change, the
    policy engines started and, given the new models.yaml without provenance (`shape`), trivy started on
    it: everything the checks need that the registry's answer does not change, so a promotion prepares it
    while the registry is read (`prepare_in`). Leaving the block waits for a preparation still running,
    stops trivy and the engines and removes the folder."""

    def __init__(self, repo: Path, env: str):
        self.repo, self.env = Path(repo), env
        self.root = self.overlay = Path()
        self.before = ""
        self.engines: engine.Engines | None = None
        self.early: Scan | None = None
        self._stack = contextlib.ExitStack()
        self._preparing: Future | None = None

    def __enter__(self) -> ScratchCopy:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the engines and remove the copy (again: nothing to do)."""
        if self._preparing is not None:
            wait([self._preparing])  # never remove the folder under a preparation still at work
        self._stack.close()

    def prepare_in(self, pool: Executor, head: str, shape: str | None = None) -> None:
        self._preparing = pool.submit(self.prepare, head, shape)

    def prepare(self, head: str, shape: str | None = None) -> None:
        archive = git.archive(self.repo, head)
        temp = self._stack.enter_context(tempfile.TemporaryDirectory(prefix="readmit-promote-"))
        self.root = Path(temp).resolve()  # as manifests.check resolves it: the same file names for trivy
        self._stack.enter_context(_shared_material())
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(self.root, filter="data")
        self.overlay = self.root / "environments" / self.env
        self.engines = self._stack.enter_context(engine.Engines(len(policy.manifest_policies(self.root))))
        self.before = render_text(self.overlay)
        if shape is not None:
            self._start_trivy(shape)

    def _start_trivy(self, shape: str) -> None:
        """trivy on the overlay with `shape` as its models.yaml. If the overlay does not render, no scan
        is started: the check on the real file reports why."""
        (self.root / models_path(self.env)).write_text(shape)
        try:
            given = manifests.trivy_input([self.overlay], self.root)
        except InputError:
            return
        self.early = self._stack.enter_context(start_trivy(given))

    def ready(self) -> ScratchCopy:
        """The prepared copy (a preparation's error is raised here)."""
        if self._preparing is not None:
            self._preparing.result()
        return self


def check_in_scratch_copy(
    scratch: ScratchCopy,
    rel: str,
    new_text: str,
    ran_full: dict[str, list[str]],
    trivy: bool,
    registry_versions: dict[int, VersionInfo] | None = None,
) -> tuple[str, str, list[str]]:
    """Render after and run both checks on the prepared copy with the new file; refuse on any problem.
    Returns the renderings before and after and the checks passed. `ran_full` is the history's fact the
    promotion policy needs (read once by the caller); `registry_versions` what the registry holds of the
    versions named (None: the policy check asks it)."""
    scratch = scratch.ready()
    env, overlay = scratch.env, scratch.overlay
    (scratch.root / rel).write_text(new_text)
    # Only the overlay's rendering changes. `manifests check` starts first, in its own thread (its render,
    # then the checks, then trivy's result: the scan started early, unless its input differs); the plain
    # render for the diff and the policies (on the engines already started) run meanwhile.
    with ThreadPoolExecutor(max_workers=1) as pool:
        found = pool.submit(
            manifests.check, paths=[overlay], repo=scratch.root, trivy=trivy, early=scratch.early
        )
        after = render_text(overlay)
        problems = policy.check_rendered(
            env,
            [d for d in load_all(after) if d],
            scratch.root,
            ran_full,
            versions=registry_versions,
            engines=scratch.engines,
        )
        problems = [f"manifests: {p}" for p in found.result()] + problems
    names = [p.name for p in policy.manifest_policies(scratch.root)]
    if problems:
        raise CheckFailed(
            f"promotion refused: the new {rel} fails {len(problems)} check(s); nothing was changed", problems
        )
    return (
        scratch.before,
        after,
        [f"readmit manifests check environments/{env}: passed" + ("" if trivy else " (without trivy)")]
        + [f"policy {name}: passed" for name in names],
    )
