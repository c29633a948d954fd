"""readmit.yaml_c: the fast loader and dumper are libyaml's in the pinned PyYAML, and read and write what the
pure-Python ones do (a PyYAML built without libyaml would still work, only slower: this test says so)."""

from __future__ import annotations

import yaml

from readmit.yaml_c import DUMPER, LOADER

TEXT = "a: 1\nb: [x, 'y', 2020-01-01]\nc: {d: null, e: 1.5}\n---\nf: true\n"


def test_the_pinned_pyyaml_brings_libyaml_and_the_fast_pair_uses_it():
    assert yaml.__with_libyaml__, "PyYAML was built without libyaml: renders and histories load ~10x slower"
    assert (LOADER, DUMPER) == (yaml.CSafeLoader, yaml.CSafeDumper)


def test_the_fast_pair_reads_and_writes_what_the_safe_pair_does():
    docs = list(yaml.load_all(TEXT, Loader=LOADER))
    assert docs == list(yaml.safe_load_all(TEXT))
    assert yaml.dump_all(docs, Dumper=DUMPER) == yaml.safe_dump_all(docs)
