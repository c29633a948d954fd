"""The environments and their promotion order: `environments/order.yaml`, the repo's one list.

A test keeps it equal to the folders under environments/ and to the RollingSync steps of the Argo CD
ApplicationSet; nothing else in the package names an environment.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from readmit import paths
from readmit.errors import InputError

ORDER_FILE = "environments/order.yaml"
ALL = "all"  # the --env value that means every environment, in promotion order


@functools.lru_cache(maxsize=8)
def _read(path: Path, mtime_ns: int) -> tuple[str, ...]:
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc.__class__.__name__}); fix the file") from exc
    names = (doc or {}).get("environments") if isinstance(doc, dict) else None
    if not names or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        raise InputError(
            f"{path}: `environments:` must be a list of distinct names, e.g. [dev, staging, prod]"
        )
    return tuple(names)


def names(repo: Path | None = None) -> list[str]:
    """The environments of `repo` (default: this checkout) in promotion order."""
    path = Path(repo or paths.repo_root()) / ORDER_FILE
    if not path.is_file():
        raise InputError(f"{path}: missing; it lists the environments in promotion order, e.g. [dev, prod]")
    return list(_read(path, path.stat().st_mtime_ns))


def names_if_any(repo: Path) -> list[str]:
    """Like names() for a repo that may have no order file (an audited clone of any age): [] then."""
    return names(repo) if (Path(repo) / ORDER_FILE).is_file() else []


def choices(repo: Path | None = None) -> list[str]:
    """What `--env` accepts: every environment, then `all`."""
    return [*names(repo), ALL]


def require(env: str, repo: Path | None = None) -> str:
    """`env` itself when it is an environment of `repo`; else InputError listing the known ones."""
    known = names(repo)
    if env not in known:
        raise InputError(f"--env {env}: unknown environment; use one of {', '.join(known)}")
    return env


def resolve(env: str | None, repo: Path | None = None) -> list[str]:
    """The environments an `--env` value means: None or `all` -> every one, in order; else just `env`."""
    return names(repo) if env in (None, ALL) else [require(env, repo)]


def previous(order: list[str]) -> dict[str, str]:
    """env -> the environment before it in `order` (the first has none): where a version must have run
    alone at 100% before it may take more than the next one's canary limit."""
    return dict(zip(order[1:], order[:-1], strict=True))


def rank(env: str, order: list[str]) -> tuple[int, str]:
    """Sort key: promotion order first, then any other environment by name."""
    return (order.index(env) if env in order else len(order), env)
