"""Tekton's variable substitution: plain string replacement of `$(...)` references (docs/variables.md).

Values are keyed by a normal form of the reference: `params['x']`, `params["x"]` and `params.x` are all
`params.x`; `results['r'].path` is `results.r.path`. An array value replaces a whole list element written
as exactly `$(params.x[*])` (or a result's `[*]`); anywhere else an array reference is an error, as in
Tekton. Shell command substitutions such as `$(date)` are not Tekton variables and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

Values = Mapping[str, "str | list[str]"]

_ROOTS = "params|tasks|context|workspaces|results|steps|credentials|artifacts|finally"
VARIABLE = re.compile(r"\$\(((?:" + _ROOTS + r")(?:\.|\[)[^()\s]*)\)")
_BRACKET = re.compile(r"""\[(['"])([^'"\]]+)\1\]""")
RESULT_REF = re.compile(r"^tasks\.([^.]+)\.results\.([^.\[]+)")


class Unresolved(Exception):
    """A reference with no value: the caller names file and field (or skips, for a missing result)."""

    def __init__(self, reference: str, why: str = "unknown variable"):
        super().__init__(f"$({reference}): {why}")
        self.reference = reference
        self.why = why


def normal(reference: str) -> str:
    """`params['x'][*]` -> `params.x[*]`."""
    return _BRACKET.sub(lambda m: "." + m.group(2), reference)


def references(text: str) -> list[str]:
    """Normalised Tekton references in `text`, in order."""
    return [normal(m.group(1)) for m in VARIABLE.finditer(text)]


def result_refs(text: str) -> list[tuple[str, str]]:
    """(task, result) for each `$(tasks.<t>.results.<r>...)` in text."""
    out = []
    for ref in references(text):
        m = RESULT_REF.match(ref)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def _lookup(reference: str, values: Values) -> str | list[str]:
    if reference in values:
        return values[reference]
    if reference.endswith("[*]") and reference[:-3] in values:
        value = values[reference[:-3]]
        if isinstance(value, list):
            return value
    raise Unresolved(reference)


def string(text: str, values: Values) -> str:
    """Replace every reference in one string; an array or unknown reference raises Unresolved."""

    def replace(m: re.Match) -> str:
        reference = normal(m.group(1))
        value = _lookup(reference, values)
        if isinstance(value, list):
            raise Unresolved(
                reference, 'an array can only stand alone as a list element, as "$(params.x[*])"'
            )
        return value

    return VARIABLE.sub(replace, text)


def strings(items: list, values: Values) -> list[str]:
    """A list field (args, command, when values, array param values): `$(x[*])` elements expand in place."""
    out: list[str] = []
    for item in items:
        whole = VARIABLE.fullmatch(str(item))
        if whole:
            value = _lookup(normal(whole.group(1)), values)
            if isinstance(value, list):
                out.extend(value)
                continue
        out.append(string(str(item), values))
    return out


def value(item: str | list, values: Values) -> str | list[str]:
    """A param value: a string, or a list for an array param."""
    return strings(item, values) if isinstance(item, list) else string(str(item), values)
