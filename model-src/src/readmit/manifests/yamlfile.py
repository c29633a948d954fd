"""Read a YAML manifest file the way Kubernetes does: as JSON values, one clear InputError line otherwise.

The API server (and kubectl, Argo CD, conftest) turns YAML into JSON before anything looks at it, so
every document read here is made of JSON values only: timestamps stay strings, `!!binary` becomes its
base64 text, `!!set` a mapping of nulls, non-string keys their text. What JSON cannot hold (`.nan`,
`.inf`), what is not text (a binary file), anchors that refer to themselves or expand past MAX_VALUES
(a "billion laughs" file), and nesting deeper than MAX_DEPTH are input errors naming the file.
"""

from __future__ import annotations

import base64
import datetime
import math
from pathlib import Path

import yaml

from readmit.errors import InputError
from readmit.yaml_c import LOADER

MAX_VALUES = 1_000_000  # values after alias expansion; real manifests stay far below (a big CRD: ~30k)
MAX_DEPTH = 200  # nesting levels; Kubernetes objects go about 20 deep


class NotManifest(InputError):
    """The file is not a manifest at all (binary, or no Kubernetes object in it): never a check finding."""


class _Loader(LOADER):
    """SafeLoader (libyaml's when present: 10x faster on big files) without implicit timestamps:
    `2020-01-01` stays the string Kubernetes sees."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def is_object(doc: object) -> bool:
    """A Kubernetes object: a mapping with a non-empty apiVersion and kind."""
    return isinstance(doc, dict) and bool(doc.get("apiVersion")) and bool(doc.get("kind"))


def load(path: Path) -> list:
    """Every non-empty document of a YAML file, as JSON values."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: unreadable ({exc.strerror or type(exc).__name__})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotManifest(
            f"{path}: not UTF-8 text (byte {exc.start}); a manifest is a YAML text file, is this a binary?"
        ) from None
    try:
        docs = [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}: not valid YAML ({problem}); fix the syntax") from None
    except RecursionError:
        raise InputError(f"{path}: not valid YAML (nested too deeply); flatten the document") from None
    budget = [MAX_VALUES]
    return [_json(doc, path, n, budget, 0, ()) for n, doc in enumerate(docs, start=1)]


def objects_of(path: Path) -> list:
    """Like load(), but a file in which no document is a Kubernetes object is an input error."""
    docs = load(path)
    if not any(is_object(doc) for doc in docs):
        what = f"{len(docs)} YAML document(s), none" if docs else "no YAML document, so no object"
        raise NotManifest(
            f"{path}: {what} with apiVersion and kind: no Kubernetes object to check; "
            "pass a manifest file, an overlay or a folder of manifests"
        )
    return docs


def _json(value, path: Path, doc: int, budget: list[int], depth: int, seen: tuple[int, ...]):
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(
            f"{path}: document {doc} expands to more than {MAX_VALUES} values (YAML aliases?); "
            "write the manifest out without anchor bombs"
        )
    if depth > MAX_DEPTH:
        raise InputError(f"{path}: document {doc} is nested more than {MAX_DEPTH} levels; flatten it")
    if isinstance(value, dict | list):
        if id(value) in seen:
            raise InputError(f"{path}: document {doc} has an anchor that contains itself; write it out")
        seen = (*seen, id(value))
        if isinstance(value, list):
            return [_json(v, path, doc, budget, depth + 1, seen) for v in value]
        return {_key(k, path, doc): _json(v, path, doc, budget, depth + 1, seen) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{path}: document {doc} holds {value} (.nan/.inf); JSON has no such number")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set):
        return {_key(k, path, doc): None for k in value}
    return value


def _key(key, path: Path, doc: int) -> str:
    """Mapping keys as JSON has them (text); `true`/`null`/`1` keys become their YAML spelling."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    if isinstance(key, datetime.date):
        return key.isoformat()
    if isinstance(key, bytes):
        return base64.b64encode(key).decode("ascii")
    if isinstance(key, int | float):
        return str(key)
    raise InputError(f"{path}: document {doc} has a mapping key that is not text; use a string key")
