"""The pending lock: a second operation fails fast; a stale one is recovered with a message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from release_fakes import CONFIGMAP, FakeCluster, hook_job, write_chart

from pyhelm.chart.loader import load_chart
from pyhelm.errors import ReleaseLocked
from pyhelm.release.actions.config import Configuration
from pyhelm.release.actions.engine import perform_guarded
from pyhelm.release.actions.install import Install, InstallOptions
from pyhelm.release.actions.rollback import Rollback
from pyhelm.release.actions.uninstall import Uninstall
from pyhelm.release.actions.upgrade import Upgrade
from pyhelm.release.lock import Interrupted, holder_id
from pyhelm.release.model import Info, Lease, Release, Status, now


@pytest.fixture
def cfg(tmp_path: Path) -> Configuration:
    cfg = Configuration(FakeCluster(), clock=lambda: 1_000_000.0)
    Install(cfg).run("web", load_chart(write_chart(tmp_path, templates={"cm.yaml": CONFIGMAP})), {})
    return cfg


def leave_pending(cfg: Configuration, lease: Lease | None) -> None:
    """Store revision 2 as an upgrade in progress, held by ``lease``."""
    last = cfg.storage().last("web")
    assert last is not None
    cfg.storage().create(
        Release(
            "web",
            "default",
            2,
            Info(Status.PENDING_UPGRADE, now(), now()),
            chart=last.chart,
            manifest=last.manifest,
            lease=lease,
        )
    )


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("action", ["upgrade", "rollback", "uninstall", "install"])
def test_a_second_operation_fails_fast_while_one_is_in_progress(
    cfg: Configuration, tmp_path: Path, action: str
) -> None:
    leave_pending(cfg, Lease(holder_id(), "upgrade", 2_000_000.0))
    chart = load_chart(tmp_path / "app")
    run = {
        "upgrade": lambda: Upgrade(cfg).run("web", chart, {}),
        "rollback": lambda: Rollback(cfg).run("web", 1),
        "uninstall": lambda: Uninstall(cfg).run("web"),
        "install": lambda: Install(cfg).run("web", chart, {}),
    }[action]
    with pytest.raises(
        ReleaseLocked,
        match=r"another operation \(upgrade\) is in progress for "
        r"release web",
    ):
        run()
    assert cfg.storage().last("web").status is Status.PENDING_UPGRADE


def test_a_lock_whose_holder_process_is_gone_is_recovered(
    cfg: Configuration, tmp_path: Path
) -> None:
    leave_pending(
        cfg, Lease(f"{holder_id().rpartition(':')[0]}:{dead_pid()}", "upgrade", 2_000_000.0)
    )
    warnings: list[str] = []
    cfg.warn = warnings.append
    release = Upgrade(cfg).run("web", load_chart(tmp_path / "app"), {})
    assert release.version == 3 and release.status is Status.DEPLOYED
    assert cfg.storage().get("web", 2).status is Status.FAILED
    assert "is gone" in cfg.storage().get("web", 2).info.description
    assert (
        len(warnings) == 1
        and "recovered release web: revision 2 was left pending-upgrade" in warnings[0]
    )


def test_an_expired_lease_is_recovered(cfg: Configuration, tmp_path: Path) -> None:
    leave_pending(cfg, Lease("elsewhere:1", "upgrade", 999_999.0))
    warnings: list[str] = []
    cfg.warn = warnings.append
    assert Rollback(cfg).run("web", 1).status is Status.DEPLOYED
    assert "lease (held by elsewhere:1) expired" in warnings[0]


def test_a_pending_record_without_a_lease_stays_locked(cfg: Configuration, tmp_path: Path) -> None:
    leave_pending(cfg, None)  # as Helm writes it: nothing says who holds it
    with pytest.raises(ReleaseLocked):
        Upgrade(cfg).run("web", load_chart(tmp_path / "app"), {})


def test_an_interrupted_operation_marks_its_revision_failed(cfg: Configuration) -> None:
    leave_pending(cfg, Lease(holder_id(), "upgrade", 2_000_000.0))
    release = cfg.storage().get("web", 2)

    def steps() -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(Interrupted) as caught:
        perform_guarded(cfg.storage(), release, "upgrade", steps)
    assert caught.value.exit_code == 128 + signal.SIGTERM
    stored = cfg.storage().get("web", 2)
    assert (stored.status, stored.info.description) == (
        Status.FAILED,
        "Upgrade interrupted by SIGTERM",
    )
    assert stored.lease is None
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


class RacingCluster(FakeCluster):
    """Another writer creates the next revision between our check and our create."""

    def create(self, obj):  # type: ignore[no-untyped-def]
        name = obj["metadata"]["name"]
        if obj["kind"] == "Secret" and name.endswith(".v2") and not self.calls_made:
            self.calls_made = True
            rival = {
                **obj,
                "metadata": {
                    **obj["metadata"],
                    "labels": {**obj["metadata"]["labels"], "status": "pending-upgrade"},
                },
            }
            super().create(rival)
        return super().create(obj)

    calls_made = False


def test_two_upgrades_racing_for_the_same_revision_never_interleave(tmp_path: Path) -> None:
    cfg = Configuration(RacingCluster())
    chart = load_chart(write_chart(tmp_path, templates={"cm.yaml": CONFIGMAP}))
    Install(cfg).run("web", chart, {})
    applies_before = [c for c in cfg.cluster.calls if c[0] == "apply"]
    with pytest.raises(ReleaseLocked, match=r"another operation \(upgrade\) is in progress"):
        Upgrade(cfg).run("web", chart, {"greeting": "hi"})
    assert [c for c in cfg.cluster.calls if c[0] == "apply"] == applies_before  # nothing applied


def test_the_lease_is_renewed_before_each_step_that_may_block(tmp_path: Path) -> None:
    now = [1_000_000.0]
    cfg = Configuration(FakeCluster(), clock=lambda: now[0])
    seen: list[float] = []

    chart = load_chart(
        write_chart(
            tmp_path,
            templates={
                "cm.yaml": CONFIGMAP,
                "a.yaml": hook_job("a", "pre-install"),
                "b.yaml": hook_job("b", "post-install"),
            },
        )
    )
    storage_update = cfg.storage().update

    def update(release):  # type: ignore[no-untyped-def]
        if release.lease is not None:
            seen.append(release.lease.expires)
        now[0] += 100
        storage_update(release)

    cfg.storage().update = update  # type: ignore[method-assign]
    Install(cfg, InstallOptions(timeout=10, wait=True)).run("web", chart, {})
    assert len(seen) == 3 and seen == sorted(seen) and seen[0] > 1_000_000.0 + 10
