"""DaemonSet controller: one pod per node the pod fits on (nodeSelector, taints), following
nodes as they come and go."""

from __future__ import annotations

from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import (
    PodFactory,
    active,
    event,
    info,
    live,
    owned,
    ready_condition,
    set_status,
    touched,
)
from pyhelm.cluster.memory.names import random_suffix, template_hash
from pyhelm.cluster.memory.scheduler import NodeLoad, unfit
from pyhelm.cluster.memory.state import Change

Manifest = dict[str, Any]
KIND = "DaemonSet.apps"
_DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


def sync(api: Api, changes: list[Change]) -> None:
    keys = set(touched(changes, KIND))
    if any(c.key[0] == "Node" for c in changes):
        keys |= {(KIND, d["metadata"]["namespace"], d["metadata"]["name"])
                 for d in api.ws.iter_kind(KIND)}
    for key in sorted(keys):
        ds = live(api, key)
        if ds is not None:
            reconcile(api, ds)


def reconcile(api: Api, ds: Manifest) -> None:
    template = ds["spec"].get("template") or {}
    revision = template_hash(template)
    pods = [p for p in owned(api, ds, "Pod") if active(p)]
    by_node: dict[str, Manifest] = {}
    for pod in pods:
        node_name = pod["spec"].get("nodeName", "")
        stale = pod["metadata"].get("labels", {}).get("controller-revision-hash") != revision
        if node_name in by_node or stale or api.ws.get("Node", "", node_name) is None:
            api.ws.remove(info("Pod"), pod)
        else:
            by_node[node_name] = pod
    wanted = []
    for node in api.ws.list("Node"):
        probe = {"spec": {**(template.get("spec") or {}), "tolerations": [
            *((template.get("spec") or {}).get("tolerations") or ()), *_DAEMON_TOLERATIONS]}}
        load = NodeLoad(node, allocatable={"pods": 1e9, "cpu": 1e9, "memory": 1e18})
        if not unfit(probe, load):
            wanted.append(node["metadata"]["name"])
    factory = PodFactory(api, ds, template, {"controller-revision-hash": revision})
    for node_name in wanted:
        if node_name not in by_node:
            pod = factory.create(f'{ds["metadata"]["name"]}-{random_suffix()}')
            pod["spec"]["nodeName"] = node_name
            pod["spec"]["tolerations"] = [*(pod["spec"].get("tolerations") or ()),
                                          *_DAEMON_TOLERATIONS]
            by_node[node_name] = pod
            event(api, ds, "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}",
                  "daemonset-controller")
    for node_name in set(by_node) - set(wanted):
        api.ws.remove(info("Pod"), by_node.pop(node_name))
    ready = sum(1 for p in by_node.values() if ready_condition(p))
    set_status(api, ds, {
        "currentNumberScheduled": len(by_node), "desiredNumberScheduled": len(wanted),
        "numberMisscheduled": 0, "numberReady": ready, "numberAvailable": ready,
        "updatedNumberScheduled": len(by_node),
        "observedGeneration": ds["metadata"].get("generation", 1)})
