"""MODEL_CARD.md for one trained version: readable inside a pull request, built only from aggregates.

The text lives in the Jinja2 template `model_card.md.j2` beside this module; this module only shapes
the numbers (formatting, which limitations apply) and takes the rating rule from evaluation.subgroups.
"""

from __future__ import annotations

import math
from pathlib import Path

import jinja2

from readmit.evaluation import subgroups

TEMPLATE = "model_card.md.j2"
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # Markdown, not HTML; every value is a number or a fixed label
)


def _f(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


_ENV.filters["f"] = _f


def render(doc: dict, context: dict) -> str:
    """`doc` is the metrics.json content; `context` holds data_version, cohort, git_commit, params,
    seed, split, top_features [(name, mean |SHAP|)] and dropped (counts per reason)."""
    return _ENV.get_template(TEMPLATE).render(
        doc=doc,
        m=doc["metrics"],
        ctx=context,
        uci="uci" in context["cohort"],
        rating={
            "min_rows": subgroups.MIN_ROWS,
            "min_positives": subgroups.MIN_POSITIVES,
            "bands": subgroups.RATING_BANDS,
        },
        comparison=doc.get("split_comparison") or {},
        paper=doc.get("paper_comparison"),
    )
