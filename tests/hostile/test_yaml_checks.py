"""`readmit policy check FILE` and `readmit manifests check FILE` on arbitrary YAML: documents of any
shape, multi-document streams, lists, scalars, real objects with fields dropped or swapped, text, binary,
alias bombs, self-referencing anchors, deep nesting and a huge file. Both keep the contract: a file without
a Kubernetes object is bad input (exit 2, one line naming it), problems found in objects exit 1."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import event, example, given
from hypothesis import strategies as st

from readmit import paths

from .conftest import assert_contract, fuzz, run

REAL = ("apps/readmission/pdb.yaml", "apps/readmission/serviceaccount.yaml", "apps/readmission/server.yaml")

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # .nan and .inf included: JSON (and so Kubernetes) has neither
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=3)
    ),
    max_leaves=12,
)
ALIAS_BOMB = (
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n"
    b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    + b"".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n".encode()
        for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    + b"data: {bomb: *h}\n"
)
SELF_ANCHOR = b"apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: loop, labels: *m}\n"
DEEP = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + b"[" * 5000 + b"]" * 5000 + b"\n"
HUGE = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n  blob: " + b"x" * 4_000_000 + b"\n"
DATED = (
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d, labels: {2020-01-01: x}}\ndata: {a: 2020-01-01}\n"
)


@pytest.fixture(scope="module")
def real_objects() -> list[dict]:
    root = paths.repo_root()
    return [yaml.safe_load((root / f).read_text()) for f in REAL]


def _paths(value, prefix=()):
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    out = []
    for key, child in items:
        out += [(*prefix, key), *_paths(child, (*prefix, key))]
    return out


@st.composite
def mutated_object(draw, objects: list[dict]):
    obj = yaml.safe_load(yaml.safe_dump(draw(st.sampled_from(objects))))
    for _ in range(draw(st.integers(0, 3))):
        every = _paths(obj)
        if not every:
            break
        path = draw(st.sampled_from(every))
        parent = obj
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(VALUES)
    return obj


@st.composite
def yaml_file(draw, objects: list[dict]) -> bytes:
    kind = draw(st.sampled_from(["docs", "docs", "docs", "text", "binary"]))
    event(f"file: {kind}")
    if kind == "text":
        return draw(st.text(max_size=200)).encode("utf-8", errors="surrogatepass")
    if kind == "binary":
        return draw(st.binary(max_size=200))
    docs = draw(st.lists(st.one_of(VALUES, mutated_object(objects)), max_size=4))
    return yaml.safe_dump_all(docs, allow_unicode=True).encode("utf-8", errors="surrogatepass")


def _both_hold_the_contract(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "manifest.yaml"
        path.write_bytes(content)
        for argv in (["policy", "check", "--no-registry"], ["manifests", "check", "--no-trivy"]):
            result = run([*argv, str(path)])
            assert_contract(result, [str(path)])
        assert sorted(p.name for p in Path(tmp).iterdir()) == ["manifest.yaml"]


@fuzz(30)
@given(data=st.data())
@example(data=None)  # the hand-written hostile files below, one by one
def test_any_yaml_file_keeps_the_contract(real_objects, data):
    if data is None:
        for content in (
            ALIAS_BOMB,
            SELF_ANCHOR,
            DEEP,
            HUGE,
            DATED,
            b"\xff\xfe\x00binary",
            b"",
            b"---\n---\n",
        ):
            _both_hold_the_contract(content)
        return
    _both_hold_the_contract(data.draw(yaml_file(real_objects)))
