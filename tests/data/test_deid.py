import hashlib
import hmac

import pytest

from readmit.data import deid
from readmit.errors import InputError


def test_pseudonym_is_hmac_sha256_hex_of_the_value():
    key = b"k" * 32
    assert deid.pseudonym(key, "abc") == hmac.new(key, b"abc", hashlib.sha256).hexdigest()


def test_pseudonym_depends_on_the_key_and_vectorised_form_agrees():
    a, b = b"a" * 32, b"b" * 32
    assert deid.pseudonym(a, "x") != deid.pseudonym(b, "x")
    assert deid.pseudonyms(a, ["x", "y"]) == [deid.pseudonym(a, "x"), deid.pseudonym(a, "y")]


def test_missing_key_error_names_both_ways_to_provide_it(monkeypatch):
    monkeypatch.delenv("READMIT_PSEUDONYM_KEY", raising=False)
    with pytest.raises(InputError) as err:
        deid.load_key(None)
    assert "READMIT_PSEUDONYM_KEY" in str(err.value) and "--key-file" in str(err.value)


def test_key_file_takes_precedence_over_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("READMIT_PSEUDONYM_KEY", "e" * 32)
    path = tmp_path / "key"
    path.write_text("f" * 32 + "\n")
    assert deid.load_key(path) == b"f" * 32


def test_unreadable_key_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read the key file"):
        deid.load_key(tmp_path / "absent")


def test_short_key_is_rejected(monkeypatch):
    monkeypatch.setenv("READMIT_PSEUDONYM_KEY", "short")
    with pytest.raises(InputError, match="shorter than 16 bytes"):
        deid.load_key(None)


@pytest.mark.parametrize(("age", "capped"), [(-1, 0), (45, 45), (89, 89), (90, 90), (104, 90)])
def test_ages_over_89_become_90(age, capped):
    assert deid.cap_age(age) == capped


@pytest.mark.parametrize(
    ("postal", "expected"),
    [
        ("66801", "668"),
        ("66801-1234", "668"),
        ("03601", "000"),
        (None, "000"),
        ("123", "000"),
        ("00000", "000"),
    ],
)
def test_zip3_keeps_three_digits_and_blanks_restricted_or_unknown_areas(postal, expected):
    assert deid.zip3(postal) == expected


@pytest.mark.parametrize(
    ("age", "band"), [(0, "0-17"), (17, "0-17"), (18, "18-29"), (35, "30-39"), (89, "80-89"), (90, "90+")]
)
def test_age_bands_follow_the_schema(age, band):
    assert deid.age_band(age) == band
