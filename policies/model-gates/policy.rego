# The metric gates a version must pass before it may enter an environment (`readmit gate`).
# input.gate = {"env", "metrics": {name: value}, "champion": null | {"version", "metrics"}}; metric names
# are the registry's test_* metrics without the prefix.
package readmit.model_gates

floors := {
	"dev": {"roc_auc": 0.55, "auprc": 0.10},
	"staging": {"roc_auc": 0.62, "auprc": 0.15},
	"prod": {"roc_auc": 0.64, "auprc": 0.17},
}

ceilings := {
	"dev": {"brier": 0.25, "ece": 0.10},
	"staging": {"brier": 0.12, "ece": 0.05},
	"prod": {"brier": 0.11, "ece": 0.03},
}

# The largest AUC gap between rated subgroups of one attribute is judged by its bootstrap 95% interval
# (subgroup_auc_gap_ci_low/high): the point gap of small groups is noisy and biased upwards. A gap whose
# whole interval lies above the ceiling fails; one whose interval straddles the ceiling warns.
gap_ceiling := {"dev": 0.20, "staging": 0.12, "prod": 0.10}

slope_range := {"dev": [0.5, 1.5], "staging": [0.7, 1.3], "prod": [0.8, 1.2]}

# A gap of 0 says "fair" only if it was measured: how many attributes (sex, age band, race) must have two
# or more groups large enough to rate.
min_attributes_compared := {"dev": 0, "staging": 1, "prod": 1}

deny contains msg if {
	compared := object.get(input.gate.metrics, "subgroup_attributes_compared", 0)
	compared < min_attributes_compared[env]
	msg := sprintf("subgroup AUC gap not measured (%v attributes with two rated groups); %s needs a test split large enough to rate subgroups", [compared, env])
}

# How much worse than the environment's champion a candidate may be.
regression_tolerance := {"roc_auc": 0.01, "auprc": 0.01}

env := input.gate.env

gap_metrics := {"subgroup_auc_gap", "subgroup_auc_gap_ci_low", "subgroup_auc_gap_ci_high"}

required := ((object.keys(floors[env]) | object.keys(ceilings[env])) | gap_metrics) | {"calibration_slope"}

deny contains msg if {
	some name in required
	not is_number(input.gate.metrics[name])
	msg := sprintf("metric %s is missing; evaluate the version before gating it", [name])
}

deny contains msg if {
	some name, floor in floors[env]
	input.gate.metrics[name] < floor
	msg := sprintf("%s %.4f is below the %s floor %.4f", [name, input.gate.metrics[name], env, floor])
}

deny contains msg if {
	some name, ceiling in ceilings[env]
	input.gate.metrics[name] > ceiling
	msg := sprintf("%s %.4f is above the %s ceiling %.4f", [name, input.gate.metrics[name], env, ceiling])
}

deny contains msg if {
	low := input.gate.metrics.subgroup_auc_gap_ci_low
	low > gap_ceiling[env]
	msg := sprintf("subgroup_auc_gap %.4f (95%% CI %.4f-%.4f) lies above the %s ceiling %.2f", [input.gate.metrics.subgroup_auc_gap, low, input.gate.metrics.subgroup_auc_gap_ci_high, env, gap_ceiling[env]])
}

# conftest-compatible warnings: passed, but a reviewer should look
warn contains msg if {
	low := input.gate.metrics.subgroup_auc_gap_ci_low
	high := input.gate.metrics.subgroup_auc_gap_ci_high
	low <= gap_ceiling[env]
	high > gap_ceiling[env]
	msg := sprintf("subgroup_auc_gap %.4f (95%% CI %.4f-%.4f) straddles the %s ceiling %.2f; the test split cannot tell", [input.gate.metrics.subgroup_auc_gap, low, high, env, gap_ceiling[env]])
}

deny contains msg if {
	slope := input.gate.metrics.calibration_slope
	[low, high] := slope_range[env]
	not within(slope, low, high)
	msg := sprintf("calibration_slope %.4f is outside the %s range [%.2f, %.2f]", [slope, env, low, high])
}

within(x, low, high) if {
	x >= low
	x <= high
}

deny contains msg if {
	some name, tolerance in regression_tolerance
	champion := input.gate.champion.metrics[name]
	input.gate.metrics[name] < champion - tolerance
	msg := sprintf("%s %.4f regresses more than %.2f below champion v%v (%.4f)", [name, input.gate.metrics[name], tolerance, input.gate.champion.version, champion])
}

deny contains msg if {
	not floors[env]
	msg := sprintf("no gates are defined for environment %v", [env])
}
