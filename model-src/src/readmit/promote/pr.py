"""The pull-request description: everything a reviewer needs to approve an environment change."""

from __future__ import annotations

import difflib

from readmit.gates import COUNT_METRICS, GATED_METRICS, gate_metrics


def metrics_table(
    candidate: dict[str, float], champion: dict[str, float] | None, champion_label: str
) -> list[str]:
    """The gated metrics first (the ones `readmit gate` judged), then the rest folded in <details>."""
    new, old = gate_metrics(candidate), gate_metrics(champion or {})
    gated = [name for name in GATED_METRICS if name in new]
    rest = sorted(name for name in new if name not in GATED_METRICS)
    rows = _table(gated, new, old, champion_label)
    if rest:
        rows += ["", f"<details><summary>Other metrics ({len(rest)}, not gated)</summary>", ""]
        rows += _table(rest, new, old, champion_label) + ["", "</details>"]
    return rows


def _table(names: list[str], new: dict[str, float], old: dict[str, float], champion_label: str) -> list[str]:
    rows = [f"| metric | candidate | {champion_label} | delta |", "|---|---|---|---|"]
    for name in names:
        if name in old:
            delta = _number(name, new[name] - old[name], signed=True)
            rows.append(f"| {name} | {_number(name, new[name])} | {_number(name, old[name])} | {delta} |")
        else:
            rows.append(f"| {name} | {_number(name, new[name])} | - | - |")
    return rows


def _number(name: str, value: float, signed: bool = False) -> str:
    """Counts as integers, everything else with 4 decimals."""
    sign = "+" if signed else ""
    if name in COUNT_METRICS and float(value).is_integer():
        return f"{int(value):{sign}d}"
    return f"{value:{sign}.4f}"


def manifest_diff(before: str, after: str, env: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        f"kubectl kustomize environments/{env} (before)",
        f"kubectl kustomize environments/{env} (after)",
    )
    return "".join(lines) or "(no change in the rendered manifests)\n"


def describe(
    *,
    title: str,
    summary: str,
    trailers: dict[str, str],
    candidate_metrics: dict[str, float],
    champion_metrics: dict[str, float] | None,
    champion_label: str,
    gates: list[str],
    checks: list[str],
    diff: str,
) -> str:
    parts = [f"# {title}", "", summary, "", "## Provenance", ""]
    parts += [f"- **{k}**: {v}" for k, v in trailers.items()]
    parts += ["", f"## Metrics against {champion_label}", ""]
    parts += metrics_table(candidate_metrics, champion_metrics, champion_label)
    parts += ["", "## Gates", ""] + [f"- {g}" for g in gates]
    parts += ["", "## Checks", ""] + [f"- {c}" for c in checks]
    parts += ["", "## Rendered manifest diff", "", "```diff", diff.rstrip("\n"), "```", ""]
    return "\n".join(parts)
