"""diff upgrade / rollback / release: per-object diffs, secrets masked, drift."""

from __future__ import annotations

from pathlib import Path

from release_fakes import CONFIGMAP, DEPLOYMENT, FakeCluster, write_chart

from pyhelm.chart.loader import load_chart
from pyhelm.cluster.base import ObjectRef
from pyhelm.release.actions.config import Configuration
from pyhelm.release.actions.diff import Diff
from pyhelm.release.actions.install import Install
from pyhelm.release.actions.upgrade import Upgrade, UpgradeOptions
from pyhelm.release.diff import format_diffs, mask_secrets

SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: {{ Values.password | default('s3cret') }}
  user: admin
"""


def setup(tmp_path: Path) -> tuple[Configuration, object]:
    chart = load_chart(
        write_chart(
            tmp_path,
            templates={"cm.yaml": CONFIGMAP, "deploy.yaml": DEPLOYMENT, "secret.yaml": SECRET},
        )
    )
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {})
    return cfg, chart


def test_diff_upgrade_shows_only_what_changes(tmp_path: Path) -> None:
    cfg, chart = setup(tmp_path)
    diffs = Diff(cfg).upgrade("web", chart, {"tag": "1.27", "replicas": 4})  # type: ignore[arg-type]
    assert [d.header for d in diffs] == ["default, web, Deployment (apps) has changed:"]
    text = format_diffs(diffs, color=False)
    assert "-  replicas: 1\n+  replicas: 4\n" in text
    assert "-        image: nginx:1.25\n+        image: nginx:1.27\n" in text
    assert text.endswith("Plan: 0 to add, 1 to change, 0 to destroy.\n")
    assert "\x1b[" not in text and "\x1b[32m" in format_diffs(diffs, color=True)
    assert cfg.storage().last("web").version == 1  # nothing was written


def test_diff_masks_secret_values(tmp_path: Path) -> None:
    cfg, chart = setup(tmp_path)
    text = format_diffs(Diff(cfg).upgrade("web", chart, {"password": "hunter22"}), False)  # type: ignore[arg-type]
    assert "s3cret" not in text and "hunter22" not in text
    assert "-  password: '-------- # (6 bytes)'" in text
    assert "+  password: '++++++++ # (8 bytes)'" in text
    assert (
        "   user: '******** # (5 bytes)'" in text and "admin" not in text
    )  # unchanged: masked too


def test_mask_leaves_other_kinds_alone() -> None:
    cm = {"kind": "ConfigMap", "data": {"a": "b"}}
    assert mask_secrets(cm, cm) == (cm, cm)


def test_diff_rollback_and_removed_objects(tmp_path: Path) -> None:
    cfg, chart = setup(tmp_path)
    Upgrade(cfg, UpgradeOptions()).run(
        "web",
        load_chart(write_chart(tmp_path / "v2", templates={"deploy.yaml": DEPLOYMENT})),
        {"replicas": 2},
    )
    diffs = Diff(cfg).rollback("web", 1)
    assert [(d.change, d.header) for d in diffs] == [  # in install order
        ("added", "default, creds, Secret (v1) has been added:"),
        ("added", "default, web-cm, ConfigMap (v1) has been added:"),
        ("changed", "default, web, Deployment (apps) has changed:"),
    ]
    forward = Diff(cfg).upgrade("web", chart, {})  # type: ignore[arg-type]
    assert [d.change for d in forward] == ["added", "added"]


def test_diff_release_shows_drift_of_live_objects(tmp_path: Path) -> None:
    cfg, _ = setup(tmp_path)
    assert Diff(cfg).release("web") == []  # server-side defaults and status are not drift
    ref = ObjectRef("apps/v1", "Deployment", "default", "web")
    live = cfg.cluster.get(ref)
    live["spec"]["replicas"] = 7
    cfg.cluster.update(live)
    cfg.cluster.delete(ObjectRef("v1", "ConfigMap", "default", "web-cm"))
    diffs = Diff(cfg).release("web")
    assert [(d.change, d.header) for d in diffs] == [
        ("changed", "default, web, Deployment (apps) has drifted:"),
        ("removed", "default, web-cm, ConfigMap (v1) has been removed:"),
    ]
    assert "+  replicas: 7" in "".join(diffs[0].lines)
