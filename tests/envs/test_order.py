"""environments/order.yaml is the one list of environments: equal to the overlay folders, and what every
`--env` accepts. That it is the order Argo CD rolls out in is tests/clusters/test_sync_design.py's."""

from __future__ import annotations

import pytest

from readmit import envs
from readmit.errors import InputError


def test_the_order_file_lists_exactly_the_overlay_folders(repo_root):
    folders = {p.name for p in (repo_root / "environments").iterdir() if p.is_dir()}
    assert set(envs.names(repo_root)) == folders


def test_all_means_every_environment_in_order_and_one_name_means_itself(repo_root):
    assert envs.resolve(None, repo_root) == envs.resolve("all", repo_root) == envs.names(repo_root)
    first = envs.names(repo_root)[0]
    assert envs.resolve(first, repo_root) == [first]
    assert envs.choices(repo_root) == [*envs.names(repo_root), "all"]


def test_an_unknown_environment_is_one_input_error_listing_the_known_ones(repo_root):
    with pytest.raises(
        InputError, match=r"^--env qa: unknown environment; use one of " + ", ".join(envs.names(repo_root))
    ):
        envs.require("qa", repo_root)


@pytest.mark.parametrize("text", ["environments: []\n", "environments: [dev, dev]\n", "other: 1\n", "[: x\n"])
def test_a_broken_order_file_is_one_input_error_naming_it(tmp_path, text):
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments/order.yaml").write_text(text)
    with pytest.raises(InputError, match="order.yaml"):
        envs.names(tmp_path)


def test_a_missing_order_file_says_what_it_is_for(tmp_path):
    with pytest.raises(InputError, match="order.yaml: missing; it lists the environments in promotion order"):
        envs.names(tmp_path)
