"""Diagnosis codes grouped into ICD chapters, so ICD-10 (FHIR) and ICD-9 (UCI) land in the same columns;
and the per-list counts of chapters and vocabulary codes that the tabular and step features are made of."""

from __future__ import annotations

import functools

import numpy as np

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


_CHAPTER_INDEX = {name: j for j, name in enumerate(CHAPTERS)}


def _chapter_columns(codes: list[str], system: str) -> list[int]:
    return [_CHAPTER_INDEX[chapter(code, system)] for code in codes]


def chapter_counts(dx: list[list[str]], icd9: list[bool]) -> tuple[np.ndarray, np.ndarray]:
    """(lists, chapters) counts of each list's codes (ICD-9 where `icd9`, else ICD-10), and a one-hot of
    its first code's chapter."""
    n, width = len(dx), len(CHAPTERS)
    nine = [c for codes, i9 in zip(dx, icd9, strict=True) if i9 for c in codes]
    ten = [c for codes, i9 in zip(dx, icd9, strict=True) if not i9 for c in codes]
    columns = np.empty(len(nine) + len(ten), dtype=np.int64)
    lengths = np.fromiter(map(len, dx), dtype=np.int64, count=n)
    system = np.repeat(np.array(icd9, dtype=bool).reshape(n), lengths)
    columns[system] = _chapter_columns(nine, "icd9")
    columns[~system] = _chapter_columns(ten, "icd10")
    rows = np.repeat(np.arange(n), lengths)
    counts = np.bincount(rows * width + columns, minlength=n * width).astype(np.float64).reshape(n, width)
    primary = np.zeros((n, width))
    has = lengths > 0
    primary[np.flatnonzero(has), columns[(np.cumsum(lengths) - lengths)[has]]] = 1.0
    return counts, primary


def members(lists: list, vocab: list[str]) -> np.ndarray:
    """(lists, vocab) 1.0 where the list holds the vocabulary code."""
    index = {code: j for j, code in enumerate(vocab)}
    out = np.zeros((len(lists), len(vocab)))
    for i, codes in enumerate(lists):
        for code in codes:
            j = index.get(code)
            if j is not None:
                out[i, j] = 1.0
    return out
