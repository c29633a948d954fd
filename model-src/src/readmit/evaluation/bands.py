"""Fixed, non-overlapping age bands for rating subgroups, and the map from any ingested band onto them.

Ingest writes 10-year bands (UCI), finer FHIR bands, or bands that k-anonymity widened ("0-39", "80+")
or removed ("any"). Rating mixed bands side by side would compare overlapping groups, so each band is
mapped onto one RATING_BANDS entry when its whole range lies inside it; a band that straddles two
rating bands, or says nothing ("any", "unknown"), is reported as unmapped and never split or guessed.
"""

from __future__ import annotations

import math
import re

# (label, lowest age, highest age) - ages are whole years, Safe Harbor caps them at 90
RATING_BANDS = (("<40", 0, 39), ("40-59", 40, 59), ("60-79", 60, 79), ("80+", 80, math.inf))
UNMAPPED_PREFIX = "unmapped: "


def _range(band: str) -> tuple[float, float] | None:
    text = band.strip()
    if m := re.fullmatch(r"(\d+)\s*-\s*(\d+)", text):
        low, high = int(m.group(1)), int(m.group(2))
        return (low, high) if low <= high else None
    if m := re.fullmatch(r"(\d+)\+", text):
        return int(m.group(1)), math.inf
    if m := re.fullmatch(r"<\s*(\d+)", text):
        return 0, int(m.group(1)) - 1
    return None


def rating_band(band) -> str | None:
    """The rating band holding every age of `band`, or None when no single one does."""
    span = _range(str(band)) if band is not None else None
    if span is None:
        return None
    for label, low, high in RATING_BANDS:
        if low <= span[0] and span[1] <= high:
            return label
    return None


def rating_group(band) -> str:
    """The subgroup label used for rating: a rating band, or "unmapped: <band>" (never rated)."""
    return rating_band(band) or f"{UNMAPPED_PREFIX}{band if band not in (None, '') else 'unknown'}"
