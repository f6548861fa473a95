"""Node usage and pod IPs kept in the store: right across commands, processes and old files."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path
from typing import Any

from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.memory import MemoryCluster, nodes_api
from tests.cluster.conftest import NGINX_DEPLOY, NGINX_POD


def _pod(name: str, cpu: str = "1") -> dict[str, Any]:
    pod = copy.deepcopy(NGINX_POD)
    pod["metadata"]["name"] = name
    pod["spec"]["containers"][0]["resources"] = {"requests": {"cpu": cpu}}
    return pod


def _one_small_node(cluster: MemoryCluster) -> None:
    for name in ("node-1", "node-2", "node-3"):
        nodes_api.remove(cluster, name)
    nodes_api.add(cluster, "small", cpu="2", pods=3)


def _phase(cluster: MemoryCluster, name: str) -> str:
    return cluster.get(ObjectRef("v1", "Pod", "default", name))["status"]["phase"]


def test_requests_are_counted_across_commands_and_freed_by_deletion(
        cluster: MemoryCluster) -> None:
    _one_small_node(cluster)
    for name in ("a", "b"):  # one command each: the usage comes from the store
        cluster.create(_pod(name))
    cluster.create(_pod("c"))
    assert [_phase(cluster, n) for n in "abc"] == ["Running", "Running", "Pending"]
    (event,) = cluster.events("default", involved="c")
    assert "Insufficient cpu" in event["message"]
    cluster.delete(ObjectRef("v1", "Pod", "default", "a"))
    assert _phase(cluster, "c") == "Running"


def test_pod_count_is_counted_across_commands(cluster: MemoryCluster) -> None:
    _one_small_node(cluster)
    for name in "abcd":
        cluster.create(_pod(name, cpu="100m"))
    assert [_phase(cluster, n) for n in "abcd"] == ["Running"] * 3 + ["Pending"]
    (event,) = cluster.events("default", involved="d")
    assert "Too many pods" in event["message"]


def test_pod_ips_stay_unique_and_a_freed_ip_is_not_reused_at_once(
        cluster: MemoryCluster) -> None:
    _one_small_node(cluster)
    ips = [cluster.create(_pod(n, cpu="100m"))["status"]["podIP"] for n in "ab"]
    cluster.delete(ObjectRef("v1", "Pod", "default", "a"))
    ips.append(cluster.create(_pod("c", cpu="100m"))["status"]["podIP"])
    assert len(set(ips)) == 3 and all(ip.startswith("10.244.") for ip in ips)


def test_a_state_file_from_before_placement_columns_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with MemoryCluster(path) as cluster:
        _one_small_node(cluster)
        cluster.create(_pod("a"))
    db = sqlite3.connect(path)  # make it look like a file from the previous release
    db.execute("DROP INDEX objects_pending")
    db.execute("DROP TABLE node_usage")
    for column in ("node", "ip", "active", "cpu", "memory"):
        db.execute(f"ALTER TABLE objects DROP COLUMN {column}")
    db.commit()
    db.close()
    with MemoryCluster(path) as cluster:
        cluster.create(_pod("b"))
        cluster.create(_pod("c"))
        assert [_phase(cluster, n) for n in "abc"] == ["Running", "Running", "Pending"]
        ips = {cluster.get(ObjectRef("v1", "Pod", "default", n))["status"]["podIP"]
               for n in "ab"}
        assert len(ips) == 2


def test_stored_node_usage_matches_the_pods_after_scaling_and_deleting(
        cluster: MemoryCluster) -> None:
    deploy = copy.deepcopy(NGINX_DEPLOY)
    deploy["spec"]["template"]["spec"]["containers"][0]["resources"] = {
        "requests": {"cpu": "100m", "memory": "64Mi"}}
    cluster.apply([deploy])
    ref = ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment")
    for replicas in (40, 7, 25):
        cluster.patch(ref, {"spec": {"replicas": replicas}})
    for pod in cluster.list("v1", "Pod", "default")[:5]:
        cluster.delete(ObjectRef("v1", "Pod", "default", pod["metadata"]["name"]))
    nodes_api.remove(cluster, "node-2")
    expected: dict[str, tuple[int, int, int]] = {}
    for pod in cluster.list("v1", "Pod", "default"):
        node, pods, cpu, memory = pod["spec"]["nodeName"], *expected.get(
            pod["spec"]["nodeName"], (0, 0, 0))
        expected[node] = (pods + 1, cpu + 100, memory + 64 * 2**20)
    assert sum(n for n, _, _ in expected.values()) == 25 and "node-2" not in expected
    assert cluster.store.node_usage() == expected


def test_pod_ips_wrap_round_without_handing_out_one_still_held(cluster: MemoryCluster) -> None:
    _one_small_node(cluster)
    nodes_api.add(cluster, "wide", pods=5000, cpu="64")
    nodes_api.remove(cluster, "small")
    kept = cluster.create(_pod("kept", cpu="1m"))["status"]["podIP"]
    ref = ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment")
    deploy = copy.deepcopy(NGINX_DEPLOY)
    deploy["spec"]["replicas"] = 0
    cluster.apply([deploy])
    for replicas in (4047, 0):  # all 4,048 of the node's IPs handed out: the next wraps round
        cluster.patch(ref, {"spec": {"replicas": replicas}})
    # Only the new pod is read by this command: the held IP is found in the store.
    late = cluster.create(_pod("late", cpu="1m"))["status"]["podIP"]
    cluster.patch(ref, {"spec": {"replicas": 3}})  # every pod read: found in memory
    ips = [p["status"]["podIP"] for p in cluster.list("v1", "Pod", "default")]
    assert late != kept and len(ips) == 5 and len(set(ips)) == 5
