"""Time the stages of `readmit manifests check` on this repo: render, validate, container rules, trivy.

Prints one line per stage. Needs kubectl, the CRD schemas (READMIT_CRD_SCHEMAS) and trivy."""

from __future__ import annotations

import time

from _results import record

from readmit import paths
from readmit.manifests import check as chk
from readmit.manifests.containers import container_problems
from readmit.manifests.trivy import scan
from readmit.manifests.validate import validate


def main() -> None:
    repo = paths.repo_root()
    t0 = time.perf_counter()
    objects, dockerfiles, problems = chk.collect(chk.default_targets(repo, None), repo)
    t1 = time.perf_counter()
    problems += [p for _, o in objects for p in validate(o, paths.crd_schemas())]
    t2 = time.perf_counter()
    problems += [p for _, o in objects for p in container_problems(o)]
    t3 = time.perf_counter()
    distinct = chk.distinct_objects(objects)
    problems += scan(distinct, dockerfiles)
    t4 = time.perf_counter()
    print(f"render+load   {t1 - t0:6.2f} s  ({len(objects)} objects)")
    print(f"validate      {t2 - t1:6.2f} s")
    print(f"containers    {t3 - t2:6.2f} s")
    print(
        f"trivy         {t4 - t3:6.2f} s  ({len(distinct)} distinct objects + {len(dockerfiles)} Dockerfile)"
    )
    print(f"total         {t4 - t0:6.2f} s  ({len(problems)} problems)")
    for stage, seconds in (("render+load", t1 - t0), ("validate", t2 - t1), ("containers", t3 - t2)):
        record(f"manifests check: {stage}", seconds, "s")
    record("manifests check: trivy", t4 - t3, "s")
    record("manifests check: total", t4 - t0, "s", note=f"{len(problems)} problems")


if __name__ == "__main__":
    main()
