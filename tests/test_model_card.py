from readmit import model_card

DOC = {
    "metrics": {
        "test_roc_auc": 0.68,
        "test_roc_auc_ci_low": 0.67,
        "test_roc_auc_ci_high": 0.69,
        "test_auprc": 0.24,
        "test_precision": 0.19,
        "test_recall": 0.61,
        "test_f1": 0.29,
        "test_brier": 0.099,
        "test_calibration_slope": 0.95,
        "test_calibration_intercept": -0.05,
        "test_ece": 0.006,
        "test_subgroup_auc_gap": 0.05,
        "lace_test_roc_auc": 0.57,
        "lace_test_auprc": 0.15,
        "test_n": 20000.0,
        "test_prevalence": 0.118,
    },
    "models": {
        "lgbm": {"val_roc_auc": 0.688, "test_roc_auc": 0.680},
        "sequence": {"val_roc_auc": 0.676, "test_roc_auc": 0.669},
        "hybrid": {"val_roc_auc": 0.689, "test_roc_auc": 0.679},
    },
    "subgroups": {
        "test": [
            {
                "attribute": "sex",
                "group": "female",
                "n": 10000,
                "positives": 1200,
                "roc_auc": 0.681,
                "recall": 0.6,
                "precision": 0.2,
                "ece": 0.01,
            },
            {
                "attribute": "race",
                "group": "asian",
                "n": 90,
                "positives": 8,
                "roc_auc": None,
                "recall": 0.5,
                "precision": 0.1,
                "ece": 0.05,
            },
        ]
    },
    "selected": "hybrid",
    "threshold": 0.1167,
    "threshold_target": {"metric": "recall", "min": 0.6},
    "hybrid_weights": {"lgbm": 0.7, "sequence": 0.37, "intercept": 0.16},
}
CONTEXT = {
    "data_version": "sha256:" + "1" * 64,
    "cohort": "source uci; test 20084 rows",
    "split": "grouped",
    "dropped": {},
    "git_commit": "abc1234",
    "seed": 42,
    "params": {"learning_rate": 0.05},
    "top_features": [("prior_inpatient_365d", 0.3), ("hist_n_prior", 0.1)],
}


def test_card_has_every_required_section():
    card = model_card.render(DOC, CONTEXT)
    for heading in (
        "## Intended use",
        "## Data",
        "## Performance",
        "## Subgroups",
        "## Top features",
        "## Limitations",
        "## Training configuration",
    ):
        assert heading in card, heading


def test_card_shows_ci_lace_candidates_subgroups_and_provenance():
    card = model_card.render(DOC, CONTEXT)
    assert "0.680 (0.670-0.690)" in card
    assert "| LACE baseline ROC-AUC / AUPRC | 0.570 / 0.150 |" in card
    assert "| hybrid | 0.689 | 0.679 |" in card
    assert "| race | asian | 90 | 8 | n/a |" in card  # unrated small group shown, not hidden
    assert "sha256:" + "1" * 64 in card and "abc1234" in card
    assert "1. `prior_inpatient_365d`" in card
