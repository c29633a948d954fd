"""The Argo CD sync design of clusters/ (clusters/README.md), read from what `kubectl kustomize` renders:
dev and staging are synced, pruned and healed by Argo CD itself, staging only after dev (sync waves), and
prod only by an approver inside its sync window. environments/order.yaml stays equal to what is deployed."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from readmit import envs
from readmit.manifests import render

WAVE = "argocd.argoproj.io/sync-wave"


@pytest.fixture(scope="module")
def hub(repo_root: Path) -> list[dict]:
    """Everything the hub's Argo CD runs for readmit, as its root Application renders it."""
    return render.render(repo_root / "clusters/hub")


@pytest.fixture(scope="module")
def apps(hub: list[dict]) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in hub if o["kind"] == "Application" and _deploys_readmission(o)}


@pytest.fixture(scope="module")
def deployed(apps: dict[str, dict], repo_root: Path) -> dict[str, list[list[str]]]:
    """Per Application, the environments it deploys grouped by sync wave, lowest wave first."""
    out = {}
    for name, app in apps.items():
        waves: dict[int, set[str]] = defaultdict(set)
        for obj in render.render(repo_root / app["spec"]["source"]["path"]):
            meta = obj["metadata"]
            waves[int((meta.get("annotations") or {}).get(WAVE, "0"))].add(_env(obj))
        out[name] = [sorted(waves[w]) for w in sorted(waves)]
    return out


def _env(obj: dict) -> str:
    """The environment an object belongs to: the `env` label every overlay puts on every object."""
    env = (obj["metadata"].get("labels") or {}).get("env")
    assert env, f"{obj['kind']}/{obj['metadata']['name']} has no env label (environments/README.md)"
    return env


def _deploys_readmission(app: dict) -> bool:
    return app["spec"]["project"] == "readmission"


def _automated(app: dict) -> dict | None:
    """The automated policy Argo CD acts on: absent, or `enabled: false`, means no automated sync."""
    automated = (app["spec"].get("syncPolicy") or {}).get("automated")
    if automated is None or automated.get("enabled", True) is False:
        return None
    return automated


def _order(repo_root: Path) -> list[str]:
    return envs.names(repo_root)


def test_every_environment_is_deployed_by_exactly_one_application_wave(deployed, repo_root):
    groups = [env for waves in deployed.values() for wave in waves for env in wave]
    assert sorted(groups) == sorted(set(groups)), f"an environment is deployed twice: {deployed}"
    assert sorted(groups) == sorted(_order(repo_root))


def test_non_prod_applications_sync_prune_and_self_heal_by_themselves(apps, deployed):
    non_prod = [name for name, waves in deployed.items() if "prod" not in sum(waves, [])]
    assert non_prod, "no Application deploys dev or staging"
    for name in non_prod:
        automated = _automated(apps[name])
        assert automated is not None, f"{name}: no automated sync, so nothing syncs it without a person"
        assert automated.get("prune") is True, f"{name}: retired model versions would stay live"
        assert automated.get("selfHeal") is True, f"{name}: drift in the cluster would never be reverted"
        assert "PruneLast=true" in apps[name]["spec"]["syncPolicy"]["syncOptions"]


def test_prod_does_not_sync_by_itself_and_only_an_approver_in_its_window_may_sync_it(apps, deployed, hub):
    (prod,) = [name for name, waves in deployed.items() if "prod" in sum(waves, [])]
    assert deployed[prod] == [["prod"]]
    assert _automated(apps[prod]) is None, f"{prod} would sync (and prune) without an approver"
    (project,) = [o for o in hub if o["kind"] == "AppProject" and o["metadata"]["name"] == "readmission"]
    windows = [w for w in project["spec"]["syncWindows"] if prod in w.get("applications", [])]
    assert [w["kind"] for w in windows] == ["allow"]
    # manualSync on an allow window would let manual syncs run outside it (SyncWindows.CanSync).
    assert not windows[0].get("manualSync", False)
    syncers = {
        role["name"]
        for role in project["spec"]["roles"]
        for rule in role["policies"]
        if f"applications, sync, readmission/{prod}," in rule or "applications, sync, readmission/*," in rule
    }
    assert syncers == {"approver"}


def test_no_applicationset_turns_the_automated_sync_off(hub):
    # RollingSync forces autosync off on every Application it generates (Progressive-Syncs.md).
    rolling = [
        o["metadata"]["name"]
        for o in hub
        if o["kind"] == "ApplicationSet" and (o["spec"].get("strategy") or {}).get("type") == "RollingSync"
    ]
    assert rolling == []


def test_order_yaml_lists_the_environment_folders_in_the_order_argo_cd_rolls_them_out(deployed, repo_root):
    folders = sorted(p.parent.name for p in (repo_root / "environments").glob("*/kustomization.yaml"))
    order = _order(repo_root)
    assert sorted(order) == folders
    # Automated Applications first (their waves in order), then the ones an approver syncs.
    automatic = [n for n in deployed if "prod" not in sum(deployed[n], [])]
    manual = [n for n in deployed if n not in automatic]
    rollout = [env for n in automatic + manual for wave in deployed[n] for env in wave]
    assert rollout == order


def test_staging_objects_wait_for_every_dev_object(deployed):
    (nonprod,) = [waves for waves in deployed.values() if "dev" in sum(waves, [])]
    assert nonprod == [["dev"], ["staging"]]


def test_both_applications_treat_seldon_objects_alike(apps):
    # The operator scales Servers and Models; a retired Model goes only after the rest is applied and Healthy.
    shapes = {
        name: (app["spec"]["ignoreDifferences"], app["spec"]["syncPolicy"]["syncOptions"])
        for name, app in apps.items()
    }
    assert len({repr(shape) for shape in shapes.values()}) == 1, shapes
