"""Hooks: order by weight, delete policies, a failing hook Job fails the operation; tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from release_fakes import CONFIGMAP, FakeCluster, hook_job, write_chart

from pyhelm.chart.loader import load_chart
from pyhelm.release.actions.config import Configuration
from pyhelm.release.actions.install import Install, InstallOptions
from pyhelm.release.actions.test import ReleaseTest
from pyhelm.release.actions.uninstall import Uninstall
from pyhelm.release.actions.upgrade import Upgrade
from pyhelm.release.hooks import HookFailed
from pyhelm.release.model import Status


def created(cluster: FakeCluster) -> list[str]:
    return [
        what
        for call, what in cluster.calls
        if call in ("create", "apply") and not what.startswith("Secret/")
    ]


def test_hooks_run_around_the_install_in_weight_order(tmp_path: Path) -> None:
    chart = load_chart(
        write_chart(
            tmp_path,
            templates={
                "cm.yaml": CONFIGMAP,
                "b.yaml": hook_job("migrate-b", "pre-install", weight=5),
                "a.yaml": hook_job("migrate-a", "pre-install", weight=-1),
                "post.yaml": hook_job("announce", "post-install"),
            },
        )
    )
    cluster = FakeCluster()
    release = Install(Configuration(cluster)).run("web", chart, {})
    assert created(cluster) == [
        "Job/migrate-a in namespace 'default'",
        "Job/migrate-b in namespace 'default'",
        "ConfigMap/web-cm in namespace 'default'",
        "Job/announce in namespace 'default'",
    ]
    assert {h.name: h.last_run.phase for h in release.hooks} == {
        "migrate-a": "Succeeded",
        "migrate-b": "Succeeded",
        "announce": "Succeeded",
    }
    assert "migrate-a" not in release.manifest  # hooks are not part of the manifest


def test_a_failing_hook_job_fails_the_install(tmp_path: Path) -> None:
    chart = load_chart(
        write_chart(
            tmp_path,
            templates={"cm.yaml": CONFIGMAP, "job.yaml": hook_job("migrate", "pre-install")},
        )
    )
    cfg = Configuration(FakeCluster(failing_jobs=["migrate"]))
    with pytest.raises(
        HookFailed,
        match=r"pre-install hook Job/migrate in namespace 'default' "
        r"failed: .*Job failed: BackoffLimitExceeded",
    ):
        Install(cfg).run("web", chart, {})
    assert cfg.storage().last("web").status is Status.FAILED
    assert cfg.cluster.names("ConfigMap") == []  # nothing after the failed hook ran


def test_delete_policies(tmp_path: Path) -> None:
    chart = load_chart(
        write_chart(
            tmp_path,
            templates={
                "ok.yaml": hook_job("ok", "pre-upgrade", policy="hook-succeeded"),
                "keep.yaml": hook_job("keep", "pre-upgrade"),
                "bad.yaml": hook_job("bad", "post-upgrade", policy="hook-failed"),
            },
        )
    )
    cluster = FakeCluster(failing_jobs=["bad"])
    cfg = Configuration(cluster)
    Install(cfg).run("web", chart, {})
    assert cluster.names("Job") == []  # no install hooks
    with pytest.raises(HookFailed):
        Upgrade(cfg).run("web", chart, {"x": 1})
    # hook-succeeded: deleted after success; default before-hook-creation: kept until next run;
    # hook-failed: deleted when it failed
    assert cluster.names("Job") == ["keep"]


def test_hooks_are_skipped_with_no_hooks(tmp_path: Path) -> None:
    chart = load_chart(
        write_chart(
            tmp_path,
            templates={"cm.yaml": CONFIGMAP, "job.yaml": hook_job("migrate", "pre-install")},
        )
    )
    cluster = FakeCluster(failing_jobs=["migrate"])
    assert (
        Install(Configuration(cluster), InstallOptions(no_hooks=True)).run("web", chart, {}).status
        is Status.DEPLOYED
    )


def test_delete_hooks_run_on_uninstall_and_hook_objects_stay(tmp_path: Path) -> None:
    chart = load_chart(
        write_chart(
            tmp_path,
            templates={"cm.yaml": CONFIGMAP, "job.yaml": hook_job("cleanup", "pre-delete")},
        )
    )
    cluster = FakeCluster()
    cfg = Configuration(cluster)
    Install(cfg).run("web", chart, {})
    Uninstall(cfg).run("web")
    assert cluster.names("Job") == ["cleanup"] and cluster.names("ConfigMap") == []


def test_release_test_runs_test_hooks_and_records_the_result(tmp_path: Path) -> None:
    chart = load_chart(
        write_chart(
            tmp_path, templates={"cm.yaml": CONFIGMAP, "t.yaml": hook_job("web-test", "test")}
        )
    )
    cfg = Configuration(FakeCluster())
    Install(cfg).run("web", chart, {})
    ReleaseTest(cfg).run("web")
    [hook] = cfg.storage().last("web").hooks
    assert hook.last_run.phase == "Succeeded" and hook.last_run.completed_at


def test_a_failing_test_hook_fails_and_is_recorded(tmp_path: Path) -> None:
    chart = load_chart(write_chart(tmp_path, templates={"t.yaml": hook_job("web-test", "test")}))
    cfg = Configuration(FakeCluster(failing_jobs=["web-test"]))
    Install(cfg).run("web", chart, {})
    with pytest.raises(HookFailed, match="test hook Job/web-test"):
        ReleaseTest(cfg).run("web")
    assert cfg.storage().last("web").hooks[0].last_run.phase == "Failed"
