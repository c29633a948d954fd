"""De-identification primitives (HIPAA Safe Harbor): keyed pseudonyms, age cap, ZIP3.

The key comes from READMIT_PSEUDONYM_KEY or a key file and is never logged or written out;
the same key maps a source id to the same pseudonym, which is how the synthetic ground truth
joins the ingested tables (`pseudonym(key, source_encounter_id) == encounter_key`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable
from pathlib import Path

from readmit.errors import InputError

KEY_ENV = "READMIT_PSEUDONYM_KEY"
MAX_AGE = 90  # Safe Harbor: every age over 89 is reported as 90
# Safe Harbor: 3-digit ZIPs whose population is <= 20,000 must become 000 (Census 2000 list).
RESTRICTED_ZIP3 = frozenset(
    {
        "036",
        "059",
        "063",
        "102",
        "203",
        "556",
        "692",
        "790",
        "821",
        "823",
        "830",
        "831",
        "878",
        "879",
        "884",
        "890",
        "893",
    }
)


def load_key(key_file: Path | None = None) -> bytes:
    """The pseudonym key from `key_file` if given, else from READMIT_PSEUDONYM_KEY."""
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise InputError(
                f"{key_file}: cannot read the key file ({exc.strerror}); "
                f"pass a readable --key-file or set {KEY_ENV}"
            ) from None
    else:
        key = os.environ.get(KEY_ENV, "").strip().encode()
    if len(key) < 16:
        raise InputError(
            f"pseudonym key missing or shorter than 16 bytes; set {KEY_ENV} "
            "or pass --key-file PATH (e.g. from `openssl rand -hex 32`)"
        )
    return key


def pseudonym(key: bytes, value: str) -> str:
    """HMAC-SHA256 of `value` under `key`, as hex."""
    return hmac.new(key, str(value).encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonyms(key: bytes, values: Iterable) -> list[str]:
    proto = hmac.new(key, digestmod=hashlib.sha256)
    out = []
    for value in values:
        h = proto.copy()
        h.update(str(value).encode("utf-8"))
        out.append(h.hexdigest())
    return out


def cap_age(age: int) -> int:
    return min(max(int(age), 0), MAX_AGE)


def zip3(postal_code: str | None) -> str:
    """First 3 digits of a US ZIP, or "000" when unknown or a restricted low-population area."""
    digits = "".join(ch for ch in str(postal_code or "") if ch.isdigit())
    if len(digits) < 5 or digits[:3] in RESTRICTED_ZIP3:
        return "000"
    return digits[:3]


def age_band(age: int) -> str:
    """Schema bands: 0-17, 18-29, 30-39, ..., 80-89, 90+."""
    if age >= MAX_AGE:
        return "90+"
    if age < 18:
        return "0-17"
    if age < 30:
        return "18-29"
    low = (age // 10) * 10
    return f"{low}-{low + 9}"
