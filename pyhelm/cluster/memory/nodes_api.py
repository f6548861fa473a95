"""Adding, removing and cordoning simulated nodes (``pyhelm cluster nodes ...``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyhelm.cluster.memory.bootstrap import add_node
from pyhelm.cluster.memory.controllers.common import info, put
from pyhelm.cluster.memory.errors import ObjectNotFound
from pyhelm.errors import UsageError

if TYPE_CHECKING:
    from pyhelm.cluster.memory import MemoryCluster

Manifest = dict[str, Any]


def parse_label(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError(f"invalid label {text!r}: use KEY=VALUE")
    return key, value


def parse_taint(text: str) -> Manifest:
    """``dedicated=gpu:NoSchedule`` (or ``key:NoSchedule``) as a taint."""
    body, sep, effect = text.rpartition(":")
    if not sep or effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
        raise UsageError(f"invalid taint {text!r}: use KEY[=VALUE]:EFFECT with EFFECT one of "
                         "NoSchedule, PreferNoSchedule, NoExecute")
    key, _, value = body.partition("=")
    taint = {"key": key, "effect": effect}
    if value:
        taint["value"] = value
    return taint


def add(cluster: MemoryCluster, name: str, **options: Any) -> Manifest:
    with cluster.transaction() as api:
        return add_node(api, name, **options)


def remove(cluster: MemoryCluster, name: str) -> int:
    """Delete a node; its pods are evicted (owned ones come back elsewhere). Returns how many."""
    with cluster.transaction() as api:
        node = api.ws.get("Node", "", name)
        if node is None:
            raise ObjectNotFound("nodes", name)
        evicted = sum(1 for p in api.ws.iter_kind("Pod")
                      if (p.get("spec") or {}).get("nodeName") == name)
        api.ws.remove(info("Node"), node)
        return evicted


def cordon(cluster: MemoryCluster, name: str, on: bool) -> None:
    with cluster.transaction() as api:
        node = api.ws.get("Node", "", name)
        if node is None:
            raise ObjectNotFound("nodes", name)
        if bool((node.get("spec") or {}).get("unschedulable")) != on:
            node["spec"]["unschedulable"] = on
            if not on:
                del node["spec"]["unschedulable"]
            put(api, node)
