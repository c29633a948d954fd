"""Hyper-parameters from a YAML/JSON file and `--set KEY=VALUE` overrides, checked against known names."""

from __future__ import annotations

from pathlib import Path

import yaml

from readmit.errors import InputError
from readmit.models import lgbm, sequence
from readmit.training.split import METHODS

# run settings that are not model hyper-parameters, with the values they accept
SETTINGS = {"split": METHODS}
KNOWN = {**lgbm.DEFAULTS, **sequence.DEFAULTS, **{k: v[0] for k, v in SETTINGS.items()}}


def _coerce(key: str, value, where: str):
    if key in SETTINGS:
        if str(value) not in SETTINGS[key]:
            raise InputError(f"{where}: {key}={value!r}; use one of {', '.join(SETTINGS[key])}")
        return str(value)
    kind = type(KNOWN[key])
    try:
        return kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: {key}={value!r} is not a {kind.__name__}; give a number") from exc


def _checked(items: dict, where: str) -> dict:
    out = {}
    for key, value in items.items():
        if key not in KNOWN:
            raise InputError(f"{where}: unknown parameter {key!r}; known: {', '.join(sorted(KNOWN))}")
        out[key] = _coerce(key, value, where)
    return out


DEFAULTS_DIR = Path(__file__).parent / "defaults"


def source_defaults(source: str | None) -> dict:
    """The committed defaults for a data source (`defaults/<source>.yaml`, e.g. tuned on UCI), or {}.
    A params file and --set still override them."""
    path = DEFAULTS_DIR / f"{source}.yaml"
    return load(path) if source and path.is_file() else {}


def load(path: Path | None, overrides: tuple[str, ...] = ()) -> dict:
    params: dict = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(Path(path).read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
            raise InputError(
                f"{path}:{line}: unreadable parameters file ({type(exc).__name__}); "
                "give a YAML mapping such as `learning_rate: 0.05`"
            ) from exc
        if not isinstance(loaded, dict):
            raise InputError(f"{path}:1: expected a mapping of parameter: value; got {type(loaded).__name__}")
        params |= _checked(loaded, str(path))
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"--set {item!r}: expected KEY=VALUE, e.g. --set learning_rate=0.05")
        params |= _checked({key.strip(): value.strip()}, f"--set {item}")
    return params
