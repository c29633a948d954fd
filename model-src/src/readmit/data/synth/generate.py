"""`readmit data synth`: simulate, then write the FHIR export and the separate ground truth.

Same seed, same arguments -> byte-identical files (one RNG, fixed draw order, sorted output,
gzip without timestamps).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from readmit import atomic
from readmit.data.synth import content, population, resources
from readmit.data.synth import drift as drift_mod
from readmit.data.synth import phi as phi_mod
from readmit.data.synth import stays as stays_mod
from readmit.data.synth import visits as visits_mod
from readmit.data.synth.sink import Sink
from readmit.errors import InputError

START = np.datetime64("2019-01-01T00:00:00", "s")  # UTC
TYPES = ("Patient", "Encounter", "Condition", "MedicationRequest", "Observation", "Procedure")


def _iso(days) -> list[str]:
    seconds = np.round(np.asarray(days, dtype=float) * 86400).astype("int64")
    return [
        t + "Z" for t in np.datetime_as_string(START + seconds.astype("timedelta64[s]"), unit="s").tolist()
    ]


class _Ids:
    """Deterministic UUID-shaped ids drawn from the run's RNG."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def take(self, n: int) -> list[str]:
        h = self.rng.bytes(16 * n).hex()
        return [
            f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-a{h[i + 17 : i + 20]}-"
            f"{h[i + 20 : i + 32]}"
            for i in range(0, 32 * n, 32)
        ]


def truth_path(out: Path, truth: Path | None) -> Path:
    path = Path(truth) if truth else Path(out).parent / f"{Path(out).name}-ground-truth.csv"
    if path.resolve().is_relative_to(Path(out).resolve()):
        raise InputError(
            f"--truth {path}: inside the export directory; the true risk must never ship with "
            "the export, choose a path outside --out"
        )
    return path


def simulate(n: int, seed: int, scenario: drift_mod.Scenario, history_signal: bool):
    rng = np.random.default_rng(seed)
    pop = population.make(rng, n, scenario)
    phi = phi_mod.make(rng, pop["female"].to_numpy())
    stays = stays_mod.simulate(rng, pop, history_signal)
    visits = visits_mod.make(rng, pop, stays)
    return rng, pop, phi, stays, visits


def _stay_resources(rng, ids, pop, stays, scenario, pids, out):
    eids = ids.take(len(stays))
    stays = stays.assign(encounter_id=eids)
    ended = (stays["discharge"] < stays_mod.END_DAY).to_numpy()  # a stay still open at export has no end
    starts, ends = _iso(stays["start"]), _iso(stays["discharge"])
    dispo = content.disposition(rng, stays)
    records = pop.to_dict("records")
    conds, meds, labs, procs = [], [], [], []
    for i, stay in enumerate(stays.itertuples(index=False)):
        p, eid, row = pids[stay.patient], eids[i], records[stay.patient]
        out.add(
            "Encounter",
            resources.encounter(
                eid,
                p,
                "IMP",
                starts[i],
                ends[i] if ended[i] else None,
                stay.acuity,
                dispo[i] if ended[i] else None,
            ),
        )
        conds += [(p, eid, code, starts[i]) for code in content.diagnoses(stay, row, scenario)]
        meds += [(p, eid, code, display, starts[i]) for code, display in content.medications(rng, stay, row)]
        labs += [(p, eid, lab, value, day) for lab, value, day in content.labs(rng, stay, row)]
        procs += [(p, eid, code, display, starts[i]) for code, display in content.procedures(rng, stay)]
    for cid, args in zip(ids.take(len(conds)), conds, strict=True):
        out.add("Condition", resources.condition(cid, *args))
    for mid, args in zip(ids.take(len(meds)), meds, strict=True):
        out.add("MedicationRequest", resources.medication(mid, *args))
    times = _iso([day for *_, day in labs])
    for oid, (p, eid, lab, value, _), when in zip(ids.take(len(labs)), labs, times, strict=True):
        if lab == "creatinine" and scenario.creatinine_umol:
            lab, value = "creatinine_umol", value * 88.42
        out.add("Observation", resources.observation(oid, p, eid, lab, value, when))
    for prid, args in zip(ids.take(len(procs)), procs, strict=True):
        out.add("Procedure", resources.procedure(prid, *args))
    return stays


def build(n: int, seed: int, scenario: drift_mod.Scenario, history_signal: bool, out: Sink) -> pd.DataFrame:
    """Stream every resource into `out`; return the ground-truth frame."""
    rng, pop, phi, stays, visits = simulate(n, seed, scenario, history_signal)
    ids = _Ids(rng)
    pids = ids.take(n)
    stays = _stay_resources(rng, ids, pop, stays, scenario, pids, out)
    death = stays.loc[stays["died"]].set_index("patient")["discharge"]
    births = [d[:10] for d in _iso(pop["birth_offset_days"])]
    deaths = dict(zip(death.index, _iso(death.to_numpy()), strict=True))
    for i in range(n):
        out.add(
            "Patient",
            resources.patient(
                pids[i],
                phi,
                i,
                bool(pop["female"].iat[i]),
                births[i],
                pop["race"].iat[i],
                bool(pop["hispanic"].iat[i]),
                deaths.get(i),
            ),
        )
    vstart, vend = _iso(visits["start"]), _iso(visits["end"])
    veids, vcids = ids.take(len(visits)), ids.take(len(visits))
    for i, (patient, cls, reason) in enumerate(
        zip(visits["patient"], visits["cls"], visits["reason"], strict=True)
    ):
        out.add(
            "Encounter",
            resources.encounter(veids[i], pids[patient], cls, vstart[i], vend[i], reason=reason or None),
        )
        if reason:
            out.add("Condition", resources.condition(vcids[i], pids[patient], veids[i], reason, vstart[i]))
    keep = ~(stays["died"] | stays["hospice"])
    truth = pd.DataFrame(
        {
            "encounter_id": stays["encounter_id"],
            "patient_id": [pids[p] for p in stays["patient"]],
            "probability": stays["probability"].round(6),
            "label": stays["label"],
        }
    )[keep.to_numpy()]
    return truth.reset_index(drop=True)


def run(
    patients: int,
    seed: int,
    out: Path,
    drift: str | None,
    history_signal: bool = True,
    truth: Path | None = None,
    gz: bool = False,
) -> str:
    scenario = drift_mod.scenario(drift)
    truth_file = truth_path(out, truth)
    with atomic.atomic_dir(Path(out)) as tmp:
        sink = Sink(tmp, TYPES, gz)
        try:
            table = build(patients, seed, scenario, history_signal, sink)
        finally:
            sink.close()
        atomic.write_text(truth_file, table.to_csv(index=False, lineterminator="\n"))
    counts = ", ".join(f"{v} {k}" for k, v in sink.counts.items())
    return (
        f"wrote {out}: {counts}\nground truth: {truth_file} ({len(table)} stays, "
        f"30-day prevalence {table['label'].mean():.3f}; drift={scenario.name}, "
        f"history signal {'on' if history_signal else 'off'})"
    )
