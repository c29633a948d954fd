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


def test_rating_rule_in_the_text_comes_from_the_subgroup_constants(monkeypatch):
    from readmit.evaluation import subgroups

    monkeypatch.setattr(subgroups, "MIN_ROWS", 321)
    monkeypatch.setattr(subgroups, "MIN_POSITIVES", 17)
    card = model_card.render(DOC, CONTEXT)
    assert "Groups under 321 rows or with fewer than 17 events" in card
    assert "(<40, 40-59, 60-79, 80+)" in card


def test_card_shows_gap_interval_group_intervals_both_splits_and_the_paper():
    doc = {
        **DOC,
        "metrics": DOC["metrics"]
        | {"test_subgroup_auc_gap_ci_low": 0.01, "test_subgroup_auc_gap_ci_high": 0.09},
        "subgroups": {
            "test": [DOC["subgroups"]["test"][0] | {"roc_auc_ci_low": 0.66, "roc_auc_ci_high": 0.70}]
        },
        "split_comparison": {
            "grouped": {
                "available": True,
                "selected_test_roc_auc": 0.68,
                "lgbm_test_roc_auc": 0.68,
                "lace_test_roc_auc": 0.57,
                "test_n": 20000,
                "test_prevalence": 0.118,
            },
            "temporal": {
                "available": True,
                "lgbm_test_roc_auc": 0.66,
                "lace_test_roc_auc": 0.56,
                "test_n": 19000,
                "test_prevalence": 0.12,
            },
        },
        "paper_comparison": {
            "target_recall": 0.79,
            "threshold": 0.08,
            "precision": 0.16,
            "recall": 0.8,
            "f1": 0.27,
        },
    }
    card = model_card.render(doc, CONTEXT | {"split": "temporal"})
    assert "0.050 (95% bootstrap CI 0.010-0.090" in card
    assert "| sex | female | 10000 | 1200 | 0.681 (0.660-0.700) |" in card
    assert "| LightGBM ROC-AUC | 0.680 | 0.660 |" in card and "| LACE ROC-AUC | 0.570 | 0.560 |" in card
    assert "| registered model (hybrid) ROC-AUC | 0.680 | n/a |" in card
    assert "ordered by `encounter_id`" in card
    assert "| precision at that recall | 0.82 | 0.160 |" in card and "not comparable" in card


def test_an_unavailable_split_says_why():
    doc = DOC | {
        "split_comparison": {
            "grouped": {
                "available": True,
                "selected_test_roc_auc": 0.68,
                "lgbm_test_roc_auc": 0.68,
                "lace_test_roc_auc": 0.57,
                "test_n": 20000,
                "test_prevalence": 0.118,
            },
            "temporal": {"available": False, "reason": "index.parquet: 5 rows carry no global time order"},
        }
    }
    card = model_card.render(doc, CONTEXT)
    assert (
        "The temporal split is not available here: index.parquet: 5 rows carry no global time order." in card
    )


def test_card_shows_ci_lace_candidates_subgroups_and_provenance():
    card = model_card.render(DOC, CONTEXT)
    assert "0.680 (0.670-0.690)" in card
    assert "| LACE baseline ROC-AUC / AUPRC | 0.570 / 0.150 |" in card
    assert "| hybrid | 0.689 | 0.679 |" in card
    assert "| race | asian | 90 | 8 | n/a |" in card  # unrated small group shown, not hidden
    assert "sha256:" + "1" * 64 in card and "abc1234" in card
    assert "1. `prior_inpatient_365d`" in card
