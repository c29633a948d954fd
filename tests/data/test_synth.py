import json

import numpy as np
import pytest
from fhir.resources.R4B import get_fhir_model_class

from readmit.data.synth import drift, generate
from readmit.errors import InputError

TYPES = ("Patient", "Encounter", "Condition", "MedicationRequest", "Observation", "Procedure")


def _resources(directory, rtype):
    return [json.loads(line) for line in (directory / f"{rtype}.000.ndjson").read_text().splitlines()]


def test_export_has_one_ndjson_file_per_resource_type(synth_export):
    names = sorted(p.name for p in synth_export[0].iterdir())
    assert names == sorted(f"{t}.000.ndjson" for t in TYPES)


def test_a_sample_of_every_resource_type_validates_against_fhir_r4b(synth_export):
    rng = np.random.default_rng(0)
    for rtype in TYPES:
        items = _resources(synth_export[0], rtype)
        model = get_fhir_model_class(rtype)
        for i in rng.choice(len(items), size=min(40, len(items)), replace=False):
            model.model_validate(items[i])


def test_patients_carry_realistic_phi(synth_export):
    patient = _resources(synth_export[0], "Patient")[0]
    kinds = {i["type"]["coding"][0]["code"] for i in patient["identifier"]}
    assert kinds == {"MR", "SS", "DL", "PPN"}
    assert patient["name"][0]["family"] and patient["address"][0]["line"][0] and patient["birthDate"]
    assert patient["telecom"][0]["value"].startswith("555-")


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate.run(40, seed, tmp_path / name, None, gz=True)
    for rtype in TYPES:
        a, b, c = ((tmp_path / n / f"{rtype}.000.ndjson.gz").read_bytes() for n in "abc")
        assert a == b and a != c
    assert (tmp_path / "a-ground-truth.csv").read_bytes() == (tmp_path / "b-ground-truth.csv").read_bytes()


def test_ground_truth_is_written_outside_the_export(synth_export):
    export, truth = synth_export
    assert truth.parent == export.parent and truth.is_file()
    assert truth.read_text().splitlines()[0] == "encounter_id,patient_id,probability,label"
    assert not any("probability" in p.read_text()[:100000] for p in export.iterdir())


def test_a_truth_path_inside_the_export_is_refused(tmp_path):
    with pytest.raises(InputError, match="inside the export directory"):
        generate.run(5, 1, tmp_path / "out", None, truth=tmp_path / "out" / "truth.csv")


@pytest.mark.parametrize("history_signal", [True, False])
def test_prevalence_is_between_10_and_15_percent(history_signal):
    _, _, _, stays, _ = generate.simulate(4000, 2, drift.scenario(None), history_signal)
    eligible = stays[~(stays["died"] | stays["hospice"]) & (stays["discharge"] + 30 < 1826)]
    assert 0.10 <= eligible["label"].mean() <= 0.15


def test_history_signal_switches_the_dependence_on_past_readmissions():
    effects = {}
    for signal in (True, False):
        _, _, _, stays, _ = generate.simulate(3000, 2, drift.scenario(None), signal)
        logit = np.log(stays["probability"] / (1 - stays["probability"]))
        had = stays["prior_readmissions"] > 0
        effects[signal] = logit[had].mean() - logit[~had].mean()
    assert effects[True] > effects[False] + 0.4


def test_older_population_drift_raises_age():
    ages = {}
    for name in ("none", "older-population"):
        _, pop, _, _, _ = generate.simulate(2000, 1, drift.scenario(name), True)
        ages[name] = pop["age0"].mean()
    assert ages["older-population"] > ages["none"] + 8


def test_new_coding_practice_drift_shifts_icd10_codes(tmp_path):
    codes = {}
    for name in ("none", "new-coding-practice"):
        generate.run(80, 1, tmp_path / name, name)
        codes[name] = {c["code"]["coding"][0]["code"] for c in _resources(tmp_path / name, "Condition")}
    assert "I50.9" in codes["none"] and "I50.9" not in codes["new-coding-practice"]
    assert "I50.23" in codes["new-coding-practice"]


def test_unknown_drift_scenario_is_an_input_error():
    with pytest.raises(InputError, match="unknown scenario"):
        drift.scenario("martian-invasion")


def test_special_cases_validate_too_open_stay_deceased_patient_emergency_visit(tmp_path):
    # its own export: whether 400 patients hold a stay still open at the end of the data is luck of
    # the seed (seed 11, the shared fixture, has none since the generator's previous-stay risk term)
    generate.run(400, 12, tmp_path / "export", None)
    encounters = _resources(tmp_path / "export", "Encounter")
    patients = _resources(tmp_path / "export", "Patient")
    cases = {
        "open stay": [e for e in encounters if "end" not in e["period"]],
        "deceased patient": [p for p in patients if "deceasedDateTime" in p],
        "emergency visit": [e for e in encounters if e["class"]["code"] == "EMER"],
        "planned stay": [
            e for e in encounters if e.get("priority", {}).get("coding", [{}])[0].get("code") == "EL"
        ],
    }
    for what, items in cases.items():
        assert items, f"the 400-patient export should contain a {what}"
        get_fhir_model_class(items[0]["resourceType"]).model_validate(items[0])
