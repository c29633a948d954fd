import pytest

from readmit.errors import InputError
from readmit.training.params import load


def test_file_and_overrides_merge_with_types(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("learning_rate: 0.1\nhidden: 16\n")
    assert load(path, ("hidden=64", "epochs=2")) == {"learning_rate": 0.1, "hidden": 64, "epochs": 2}


@pytest.mark.parametrize(
    "text, match",
    [
        ("nope: 1\n", "unknown parameter 'nope'"),
        ("- a\n- b\n", "expected a mapping"),
        ("hidden: many\n", "not a int"),
    ],
)
def test_bad_parameter_files_name_the_file_and_the_fix(tmp_path, text, match):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=match) as info:
        load(path)
    assert str(path) in str(info.value)


def test_override_without_equals_is_refused():
    with pytest.raises(InputError, match="KEY=VALUE"):
        load(None, ("learning_rate",))


def test_committed_source_defaults_are_valid_parameters_and_optional():
    from readmit.training.params import KNOWN, source_defaults

    uci = source_defaults("uci")
    assert uci and set(uci) <= set(KNOWN)
    assert source_defaults("fhir") == {} and source_defaults(None) == {}
