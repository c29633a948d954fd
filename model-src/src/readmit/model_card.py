"""MODEL_CARD.md for one trained version: readable inside a pull request, built only from aggregates."""

from __future__ import annotations

import math


def _f(value, digits: int = 3) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def render(doc: dict, context: dict) -> str:
    """`doc` is the metrics.json content; `context` holds data_version, cohort, git_commit, params,
    seed, split, top_features [(name, mean |SHAP|)] and dropped (counts per reason)."""
    m = doc["metrics"]
    lines = [
        "# Model card: 30-day readmission risk (`readmission`)",
        "",
        "## Intended use",
        (
            "Ranks adult inpatients at discharge by their risk of an unplanned readmission within 30 "
            "days, so a "
            "care team can target follow-up (calls, early clinic visits, medication review). "
            "Decision support "
            "only: not a diagnosis, not for denying care or coverage, not validated for paediatrics "
            "or obstetrics."
        ),
        "",
        "## Data",
        f"- Data version: `{context['data_version']}`",
        f"- Cohort: {context['cohort']}",
        (
            f"- Split: {context['split']} by patient (no patient in two splits); test "
            f"n={int(m.get('test_n', 0))}, prevalence {_f(m.get('test_prevalence'))}"
        ),
        f"- Rows dropped as incomplete: {context.get('dropped') or 'none'}",
        "",
        "## Performance on the held-out test split",
        (
            f"Selected model: **{doc['selected']}** (chosen on validation AUC, never on test). "
            "Decision threshold "
            f"{_f(doc['threshold'], 4)} (target: recall >= {doc['threshold_target'].get('min')} at the best "
            "precision, chosen on validation)."
        ),
        "",
        "| metric | value |",
        "|---|---|",
        (
            f"| ROC-AUC (95% bootstrap CI) | {_f(m['test_roc_auc'])} ({_f(m['test_roc_auc_ci_low'])}-"
            f"{_f(m['test_roc_auc_ci_high'])}) |"
        ),
        f"| AUPRC | {_f(m['test_auprc'])} |",
        (
            f"| precision / recall / F1 at threshold | {_f(m['test_precision'])} / {_f(m['test_recall'])} / "
            f"{_f(m['test_f1'])} |"
        ),
        f"| Brier score | {_f(m['test_brier'], 4)} |",
        (
            f"| calibration slope / intercept | {_f(m['test_calibration_slope'])} / "
            f"{_f(m['test_calibration_intercept'])} |"
        ),
        f"| expected calibration error | {_f(m['test_ece'], 4)} |",
        f"| LACE baseline ROC-AUC / AUPRC | {_f(m.get('lace_test_roc_auc'))} / "
        f"{_f(m.get('lace_test_auprc'))} |",
        "",
        "Candidates side by side (ROC-AUC; the hybrid's validation figure is cross-fitted):",
        "",
        "| model | validation | test |",
        "|---|---|---|",
        *[
            f"| {name} | {_f(v.get('val_roc_auc'))} | {_f(v.get('test_roc_auc'))} |"
            for name, v in doc["models"].items()
        ],
        "",
        "## Subgroups (test) and calibration",
        (
            f"Largest AUC gap between subgroups of one attribute: {_f(m['test_subgroup_auc_gap'])}. "
            if m.get("test_subgroup_attributes_compared", 1) >= 1
            else "Largest AUC gap between subgroups: **not measurable** (no attribute has two rated groups; "
            "the test split is too small to judge fairness). "
        )
        + "Groups under 200 rows or with fewer than 30 events (or non-events) get no AUC.",
        "",
        "| attribute | group | n | events | ROC-AUC | recall | precision | ECE |",
        "|---|---|---|---|---|---|---|---|",
        *[
            f"| {r['attribute']} | {r['group']} | {r['n']} | {r['positives']} | {_f(r['roc_auc'])} | "
            f"{_f(r['recall'])} | {_f(r['precision'])} | {_f(r['ece'])} |"
            for r in doc["subgroups"]["test"]
        ],
        "",
        "Plots: `plots/roc.png`, `plots/pr.png`, `plots/calibration.png`, `plots/shap_lgbm.png`.",
        "",
        "## Top features (LightGBM part, mean |SHAP|)",
        "",
        *[
            f"{i}. `{name}` ({_f(value, 4)})"
            for i, (name, value) in enumerate(context["top_features"][:15], 1)
        ],
        "",
        "## Limitations",
        *(
            [
                (
                    "- UCI data come from 1999-2008 US hospitals and diabetic encounters only; days "
                    "are unknown, so "
                    "windowed history features are empty and the split cannot be temporal."
                )
            ]
            if "uci" in context["cohort"]
            else [
                "- Trained on this cohort only: re-validate before use at another site or on another "
                "EHR extract."
            ]
        ),
        "- Readmissions to other hospitals are invisible in the source data (label noise).",
        "- Race is not a model input; it is used only to measure subgroup gaps. Small groups are not rated.",
        "- Calibration was fitted on the validation split; re-check it on each new site before use.",
        "",
        "## Training configuration",
        f"- Git commit: `{context['git_commit']}`; seed {context['seed']}",
        f"- Parameters: `{context['params']}`",
        f"- Hybrid weights: `{doc.get('hybrid_weights')}`",
        "",
    ]
    return "\n".join(lines)
