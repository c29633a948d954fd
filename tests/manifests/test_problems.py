from __future__ import annotations

from readmit.manifests.problems import Source, field_path, line


def test_field_paths_use_dots_for_keys_and_brackets_for_list_indexes():
    assert (
        field_path(["spec", "template", "spec", "containers", 0, "image"])
        == "spec.template.spec.containers[0].image"
    )
    assert field_path([]) == "."


def test_a_problem_line_is_file_kind_name_field_and_message():
    source = Source.of("apps/x.yaml", {"kind": "Service", "metadata": {"name": "web"}})
    assert line(source, "spec.ports", "bad") == "apps/x.yaml: Service/web: spec.ports: bad"


def test_a_document_that_is_not_an_object_still_gets_a_readable_source():
    assert Source.of("f.yaml", ["a", "list"]) == Source("f.yaml", "?", "?")
    assert Source.of("f.yaml", {"kind": "Pod"}) == Source("f.yaml", "Pod", "?")
