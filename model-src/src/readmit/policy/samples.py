"""`readmit policy test`: every sample against its expectation, reported per policy.

allowed-*.yaml must produce no message; denied-*.yaml must produce at least one, and every message must
contain its `# expect:` text, so the sample breaks exactly the one rule it is named for.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from readmit.policy import documents, engine


@dataclass(frozen=True)
class SampleResult:
    policy: str
    sample: str
    ok: bool
    detail: str


def check_sample(policy: engine.Policy, path: Path) -> SampleResult:
    try:
        messages = engine.evaluate(policy, documents.load(path))
    except engine.PolicyError as exc:
        return SampleResult(policy.name, path.name, False, f"error: {exc}")
    if path.name.startswith("allowed-"):
        return SampleResult(policy.name, path.name, not messages, "; ".join(messages) or "no violations")
    expect = documents.expectation(path)
    if not expect:
        return SampleResult(
            policy.name, path.name, False, "denied sample has no '# expect: <message>' comment"
        )
    ok = bool(messages) and all(expect in m for m in messages)
    detail = "; ".join(messages) if messages else f"no violation, expected {expect!r}"
    return SampleResult(policy.name, path.name, ok, detail)


def run(repo: Path | None = None, names: list[str] | None = None) -> list[SampleResult]:
    chosen = [engine.get(n, repo) for n in names] if names else engine.discover(repo)
    jobs = [(p, s) for p in chosen for s in sorted(p.path.glob("samples/*.yaml"))]
    missing = [
        SampleResult(p.name, "samples/", False, "needs allowed-*.yaml and denied-*.yaml samples")
        for p in chosen
        if not (list(p.path.glob("samples/allowed-*.yaml")) and list(p.path.glob("samples/denied-*.yaml")))
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return missing + list(pool.map(lambda job: check_sample(*job), jobs))


def report(results: list[SampleResult]) -> tuple[list[str], list[str]]:
    """(summary line per policy, failure lines)."""
    summary, failures = [], []
    for name in sorted({r.policy for r in results}):
        mine = [r for r in results if r.policy == name]
        bad = [r for r in mine if not r.ok]
        summary.append(f"{name}: {len(mine) - len(bad)}/{len(mine)} samples as expected")
        failures += [f"{name}: {r.sample}: {r.detail}" for r in bad]
    return summary, failures
