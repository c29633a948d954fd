import pytest

from readmit.features.charlson import charlson_index
from readmit.features.codes import CHAPTERS, chapter, icd9_chapter, icd10_chapter, is_diabetes


@pytest.mark.parametrize(
    "icd10, icd9, expected",
    [
        ("I50.9", "428.0", "circulatory"),
        ("E11.65", "250.83", "endocrine"),
        ("J44.1", "491.21", "respiratory"),
        ("N18.3", "585", "genitourinary"),
        ("C34.90", "162.9", "neoplasm"),
        ("D64.9", "285.9", "blood"),
        ("F32.9", "296.2", "mental"),
        ("Z79.4", "V58.67", "factors"),
        ("S72.001A", "820.8", "injury"),
        ("R07.9", "786.50", "symptoms"),
        ("A41.9", "038.9", "infectious"),
    ],
)
def test_icd10_and_icd9_codes_of_one_condition_share_a_chapter(icd10, icd9, expected):
    assert icd10_chapter(icd10) == expected
    assert icd9_chapter(icd9) == expected


def test_unparseable_codes_fall_into_other_and_every_chapter_is_listed():
    assert chapter("?", "icd9") == "other"
    assert chapter("", "icd10") == "other"
    assert {icd10_chapter(c) for c in ["A00", "H65.9", "H25.9", "W19", "T78.4"]} <= set(CHAPTERS)
    assert icd10_chapter("H65.9") == "ear" and icd10_chapter("H25.9") == "eye"


def test_diabetes_is_recognised_in_both_systems():
    assert is_diabetes("250.02", "icd9") and is_diabetes("E11.9", "icd10")
    assert not is_diabetes("251.0", "icd9") and not is_diabetes("E03.9", "icd10")


def test_charlson_counts_each_condition_once_with_its_weight():
    assert charlson_index(["428.0", "428.1"], "icd9") == 1  # CHF twice counts once
    assert charlson_index(["I50.9", "N18.3", "C78.0"], "icd10") == 1 + 2 + 6
    assert charlson_index([], "icd10") == 0
