"""Charlson comorbidity index from ICD-9/ICD-10 code prefixes (Quan 2005, abridged), used by LACE."""

from __future__ import annotations

import functools

# condition -> (weight, ICD-9 prefixes, ICD-10 prefixes)
_CONDITIONS = {
    "mi": (1, ("410", "412"), ("I21", "I22", "I252")),
    "chf": (1, ("428", "4254", "4255", "4257", "4258", "4259"), ("I50", "I110", "I130", "I132", "I43")),
    "pvd": (1, ("440", "441", "4439", "7854", "V434"), ("I70", "I71", "I731", "I738", "I739", "K551")),
    "cvd": (1, ("430", "431", "432", "433", "434", "435", "436", "437", "438"), ("I6", "G45", "G46")),
    "dementia": (1, ("290", "2941", "3312"), ("F00", "F01", "F02", "F03", "G30", "F051")),
    "copd": (
        1,
        ("490", "491", "492", "493", "494", "495", "496", "500", "501", "502", "503", "504", "505"),
        ("J40", "J41", "J42", "J43", "J44", "J45", "J46", "J47", "J6"),
    ),
    "rheum": (1, ("710", "714", "725"), ("M05", "M06", "M32", "M33", "M34", "M353")),
    "pud": (1, ("531", "532", "533", "534"), ("K25", "K26", "K27", "K28")),
    "mild_liver": (1, ("5712", "5714", "5715", "5716", "070"), ("B18", "K70", "K73", "K74")),
    "diabetes": (
        1,
        ("2500", "2501", "2502", "2503", "2508", "2509"),
        ("E100", "E101", "E109", "E110", "E111", "E119", "E130", "E131", "E139"),
    ),
    "diabetes_compl": (
        2,
        ("2504", "2505", "2506", "2507"),
        ("E102", "E103", "E104", "E105", "E112", "E113", "E114", "E115", "E132", "E133", "E134", "E135"),
    ),
    "hemiplegia": (2, ("342", "343", "3441"), ("G81", "G82", "G041")),
    "renal": (2, ("582", "583", "585", "586", "588"), ("N18", "N19", "N03", "N05", "Z49", "Z992")),
    "cancer": (
        2,
        tuple(str(n) for n in range(140, 196))
        + ("200", "201", "202", "203", "204", "205", "206", "207", "208"),
        ("C0", "C1", "C2", "C3", "C4", "C5", "C6", "C70", "C71", "C8", "C9"),
    ),
    "severe_liver": (
        3,
        ("4560", "4561", "4562", "5722", "5723", "5724", "5728"),
        ("I850", "I859", "K704", "K711", "K721", "K729"),
    ),
    "metastatic": (6, ("196", "197", "198", "199"), ("C77", "C78", "C79", "C80")),
    "aids": (6, ("042", "043", "044"), ("B20", "B21", "B22", "B24")),
}


@functools.lru_cache(maxsize=65536)
def _conditions(code: str, system: str) -> frozenset[str]:
    code = code.replace(".", "").strip().upper()
    return frozenset(
        name
        for name, (_, icd9, icd10) in _CONDITIONS.items()
        if code.startswith(icd9 if system == "icd9" else icd10)
    )


def charlson_index(codes: list[str], system: str) -> int:
    """Sum of the weights of the distinct Charlson conditions present in `codes`."""
    present = set().union(*(_conditions(c, system) for c in codes)) if codes else set()
    return sum(_CONDITIONS[name][0] for name in present)
