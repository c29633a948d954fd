"""The pull-request description: everything a reviewer needs to approve an environment change."""

from __future__ import annotations

import difflib

from readmit.gates import gate_metrics


def metrics_table(
    candidate: dict[str, float], champion: dict[str, float] | None, champion_label: str
) -> list[str]:
    new, old = gate_metrics(candidate), gate_metrics(champion or {})
    rows = [f"| metric | candidate | {champion_label} | delta |", "|---|---|---|---|"]
    for name in sorted(new):
        if name in old:
            rows.append(f"| {name} | {new[name]:.4f} | {old[name]:.4f} | {new[name] - old[name]:+.4f} |")
        else:
            rows.append(f"| {name} | {new[name]:.4f} | - | - |")
    return rows


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
