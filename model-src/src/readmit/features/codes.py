"""Diagnosis codes grouped into ICD chapters, so ICD-10 (FHIR) and ICD-9 (UCI) land in the same columns."""

from __future__ import annotations

import functools

CHAPTERS = (
    "infectious",
    "neoplasm",
    "blood",
    "endocrine",
    "mental",
    "nervous",
    "eye",
    "ear",
    "circulatory",
    "respiratory",
    "digestive",
    "skin",
    "musculoskeletal",
    "genitourinary",
    "pregnancy",
    "perinatal",
    "congenital",
    "symptoms",
    "injury",
    "external",
    "factors",
    "other",
)

# (first letter, lowest 2-digit number, chapter) in ascending order; a code takes the last start <= it.
_ICD10_STARTS = [
    ("A", 0, "infectious"),
    ("C", 0, "neoplasm"),
    ("D", 50, "blood"),
    ("E", 0, "endocrine"),
    ("F", 0, "mental"),
    ("G", 0, "nervous"),
    ("H", 0, "eye"),
    ("H", 60, "ear"),
    ("I", 0, "circulatory"),
    ("J", 0, "respiratory"),
    ("K", 0, "digestive"),
    ("L", 0, "skin"),
    ("M", 0, "musculoskeletal"),
    ("N", 0, "genitourinary"),
    ("O", 0, "pregnancy"),
    ("P", 0, "perinatal"),
    ("Q", 0, "congenital"),
    ("R", 0, "symptoms"),
    ("S", 0, "injury"),
    ("U", 0, "other"),
    ("V", 0, "external"),
    ("Z", 0, "factors"),
]

# ICD-9 numeric ranges (inclusive lower bounds) mapped to the same chapters as ICD-10.
_ICD9_STARTS = [
    (1, "infectious"),
    (140, "neoplasm"),
    (240, "endocrine"),
    (280, "blood"),
    (290, "mental"),
    (320, "nervous"),
    (360, "eye"),
    (380, "ear"),
    (390, "circulatory"),
    (460, "respiratory"),
    (520, "digestive"),
    (580, "genitourinary"),
    (630, "pregnancy"),
    (680, "skin"),
    (710, "musculoskeletal"),
    (740, "congenital"),
    (760, "perinatal"),
    (780, "symptoms"),
    (800, "injury"),
]


def icd10_chapter(code: str) -> str:
    code = code.strip().upper()
    if len(code) < 3 or not code[0].isalpha() or not code[1:3].isdigit():
        return "other"
    letter, number = code[0], int(code[1:3])
    if letter in "WXY":
        return "external"
    if letter == "T":
        return "injury"
    if letter == "B":
        return "infectious"
    if letter == "D" and number < 50:
        return "neoplasm"
    chapter = "other"
    for start_letter, start_number, name in _ICD10_STARTS:
        if (start_letter, start_number) <= (letter, number):
            chapter = name
    return chapter


def icd9_chapter(code: str) -> str:
    code = code.strip().upper()
    if code.startswith("V"):
        return "factors"
    if code.startswith("E"):
        return "external"
    try:
        number = float(code)
    except ValueError:
        return "other"
    chapter = "other"
    for start, name in _ICD9_STARTS:
        if number >= start:
            chapter = name
    return chapter


@functools.lru_cache(maxsize=65536)
def chapter(code: str, system: str) -> str:
    return icd9_chapter(code) if system == "icd9" else icd10_chapter(code)


def is_diabetes(code: str, system: str) -> bool:
    code = code.strip().upper()
    if system == "icd9":
        return code.startswith("250")
    return code[:3] in {"E08", "E09", "E10", "E11", "E13"}
