"""Documented, deterministic distribution shifts for the drift tests (`--drift`).

- none: the reference population.
- older-population: age at the start of the data ~ N(76, 9) instead of N(62, 16); risk follows
  the same formula, so prevalence and case mix move with age.
- new-coding-practice: the same clinical events coded more specifically (e.g. I50.9 -> I50.23,
  J44.1 -> J44.0, E11.9 -> E11.65); risk unchanged, only the code distribution shifts.
- lab-unit-change: creatinine reported in umol/L under LOINC 14682-9 (value x 88.42); a correct
  ingest converts it back to mg/dL, a naive one sees an 88-fold shift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from readmit.errors import InputError


@dataclass(frozen=True)
class Scenario:
    name: str = "none"
    age_mean: float = 62.0
    age_sd: float = 16.0
    recode: dict[str, str] = field(default_factory=dict)
    creatinine_umol: bool = False


RECODE = {
    "I50.9": "I50.23",
    "J44.1": "J44.0",
    "E11.9": "E11.65",
    "N39.0": "N30.00",
    "J18.9": "J15.9",
    "A41.9": "A41.51",
    "I48.91": "I48.0",
    "N18.30": "N18.32",
    "I10": "I11.9",
    "I21.4": "I21.A1",
}

SCENARIOS = {
    "none": Scenario(),
    "older-population": Scenario("older-population", age_mean=76.0, age_sd=9.0),
    "new-coding-practice": Scenario("new-coding-practice", recode=RECODE),
    "lab-unit-change": Scenario("lab-unit-change", creatinine_umol=True),
}


def scenario(name: str | None) -> Scenario:
    try:
        return SCENARIOS[name or "none"]
    except KeyError:
        raise InputError(f"--drift {name}: unknown scenario; use one of {', '.join(SCENARIOS)}") from None
