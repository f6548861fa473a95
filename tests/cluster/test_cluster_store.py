"""Durability: state persists between processes, a killed command changes nothing, and two
processes can share one state file."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.memory import MemoryCluster
from pyhelm.cluster.memory.errors import ResourceExpired

DEPLOY_REF = ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment")


def test_state_persists_between_cluster_instances(tmp_path: Path, deploy: dict) -> None:
    path = tmp_path / "state.db"
    with MemoryCluster(path) as first:
        first.apply([deploy])
        pods = {p["metadata"]["name"] for p in first.list("v1", "Pod", "default")}
    with MemoryCluster(path) as second:
        assert {p["metadata"]["name"] for p in second.list("v1", "Pod", "default")} == pods
        assert second.get(DEPLOY_REF)["status"]["readyReplicas"] == 3


def _spawn(code: str, state: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), str(state)],
                            stdout=subprocess.PIPE, text=True)


def test_a_process_killed_mid_command_leaves_the_previous_state(tmp_path: Path,
                                                                deploy: dict) -> None:
    state = tmp_path / "state.db"
    with MemoryCluster(state) as cluster:
        cluster.apply([deploy])
        before = cluster.current_resource_version()
    child = _spawn("""
        import sys, time
        from pyhelm.cluster.base import ObjectRef
        from pyhelm.cluster.memory import MemoryCluster
        from pyhelm.cluster.memory.controllers import settle
        cluster = MemoryCluster(sys.argv[1])
        with cluster.transaction() as api:
            api.patch(ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment"),
                      {"spec": {"replicas": 500}})
            settle(api)
            api.ws.flush()          # 500 pods written, not yet committed
            print("written", flush=True)
            time.sleep(60)
    """, state)
    assert child.stdout is not None and child.stdout.readline() == "written\n"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with MemoryCluster(state) as cluster:
        assert cluster.current_resource_version() == before
        assert len(cluster.list("v1", "Pod", "default")) == 3
        assert cluster.get(DEPLOY_REF)["spec"]["replicas"] == 3


@pytest.mark.parametrize("delay", [0.2, 0.5, 0.8])
def test_a_killed_cli_command_is_all_or_nothing(pyhelm, tmp_path: Path, deploy: dict,
                                                delay: float) -> None:
    state = tmp_path / "state.db"
    with MemoryCluster(state) as cluster:
        cluster.apply([deploy])
    command = [sys.executable, "-m", "pyhelm", "cluster", "--state", str(state), "scale",
               "deploy/nginx-deployment", "--replicas=3000"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    with MemoryCluster(state) as cluster:
        replicas = cluster.get(DEPLOY_REF)["spec"]["replicas"]
        pods = cluster.list("v1", "Pod", "default")
        assert replicas in (3, 3000)
        assert len(pods) == replicas
        assert {p["status"]["phase"] for p in pods} == {"Running"}


def test_two_processes_share_one_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    MemoryCluster(state).close()
    code = """
        import sys
        from pyhelm.cluster.memory import MemoryCluster
        cluster = MemoryCluster(sys.argv[1])
        for i in range(25):
            cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": f"%s-{i}"}, "data": {"i": str(i)}})
        print("done", flush=True)
    """
    children = [_spawn(code % who, state) for who in ("left", "right")]
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert out == "done\n" and child.returncode == 0
    with MemoryCluster(state) as cluster:
        maps = cluster.list("v1", "ConfigMap", "default")
        assert len(maps) == 50
        versions = [int(m["metadata"]["resourceVersion"]) for m in maps]
        assert len(set(versions)) == 50


def test_a_watch_from_before_the_kept_log_is_expired(cluster: MemoryCluster,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from pyhelm.cluster.memory import store

    monkeypatch.setattr(store, "WATCH_LOG_LIMIT", 5)
    for i in range(20):
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": f"m{i}"}})
    with pytest.raises(ResourceExpired, match="too old resource version"):
        cluster.events_since(1)
    assert cluster.events_since(cluster.current_resource_version()) == []
