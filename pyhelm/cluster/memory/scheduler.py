"""The scheduler: places pending pods on nodes, or leaves them Pending with FailedScheduling.

Filters (as kube-scheduler's): node unschedulable (cordoned), taints the pod
does not tolerate, nodeSelector, required node affinity, pod count, CPU and
memory requests against allocatable. Score: the least-loaded node (fewest pods
relative to capacity), ties by name, so placement is deterministic.

Node usage comes from ``placement.NodeUsage`` (stored totals plus this
command's changes) and pending pods from the store's index of them, so one
write costs the same however many pods the cluster holds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import active, event, put
from pyhelm.cluster.memory.placement import NodeUsage
from pyhelm.cluster.memory.quantity import parse_quantity, pod_requests
from pyhelm.cluster.memory.state import Change

Manifest = dict[str, Any]


@dataclass
class NodeLoad:
    """One node as the scheduler ranks it: what its pods already request of what it has."""

    node: Manifest
    pods: int = 0
    cpu: float = 0.0
    memory: float = 0.0
    allocatable: dict[str, float] = field(default_factory=dict)
    plain_unfit: str | None = None  # why a pod with no placement constraints cannot go here


def sync(api: Api, changes: list[Change]) -> None:
    usage = NodeUsage.of(api.ws)
    retry_all = False
    latest: dict[tuple[str, str, str], Manifest] = {}
    for c in changes:
        if c.key[0] == "Pod":
            usage.note(c.key)
            if c.type == "DELETED":
                retry_all = True
            else:
                latest[c.key] = c.obj
        elif c.key[0] == "Node":
            retry_all = True
    if retry_all:
        latest.update((("Pod", ns, name), pod) for ns, name in api.ws.store.pending_pods()
                      if (pod := api.ws.get("Pod", ns, name)) is not None)
        latest.update((("Pod", p["metadata"].get("namespace") or "", p["metadata"]["name"]), p)
                      for p in api.ws.loaded("Pod"))
    candidates = sorted((key, pod) for key, pod in latest.items()
                        if _pending(pod) and api.ws.get(*key) is pod)
    if not candidates:
        return
    loads = _loads(api, usage)  # a pod placed now is counted by its change, next time
    for _, pod in candidates:
        schedule(api, pod, loads)


def _pending(pod: Manifest) -> bool:
    spec = pod.get("spec") or {}
    return not spec.get("nodeName") and active(pod) and \
        spec.get("schedulerName", "default-scheduler") == "default-scheduler"


def _loads(api: Api, usage: NodeUsage) -> dict[str, NodeLoad]:
    loads = {}
    totals = usage.current(api.ws)
    for node in api.ws.list("Node"):
        alloc = (node.get("status") or {}).get("allocatable") or {}
        name = node["metadata"]["name"]
        pods, millicores, memory = totals.get(name, (0, 0, 0))
        loads[name] = NodeLoad(node, pods, millicores / 1000, float(memory), allocatable={
            "cpu": parse_quantity(alloc.get("cpu", 0)),
            "memory": parse_quantity(alloc.get("memory", 0)),
            "pods": parse_quantity(alloc.get("pods", 0))})
    return loads


def _add(load: NodeLoad, pod: Manifest, requests: tuple[float, float] | None = None) -> None:
    cpu, memory = requests or pod_requests(pod.get("spec") or {})
    load.pods += 1
    load.cpu += cpu
    load.memory += memory


def schedule(api: Api, pod: Manifest, loads: dict[str, NodeLoad]) -> None:
    """Bind ``pod`` to the best node that fits, or mark it unschedulable."""
    spec = pod.get("spec") or {}
    plain = not (spec.get("nodeSelector") or spec.get("affinity") or spec.get("tolerations"))
    requests = pod_requests(spec)
    whys = []
    best: NodeLoad | None = None
    best_rank: tuple[float, str] = (0.0, "")
    for name, load in loads.items():
        if plain:
            if load.plain_unfit is None:
                load.plain_unfit = _placement_unfit({"spec": {}}, load)
            why = load.plain_unfit or _capacity_unfit(load, requests)
        else:
            why = unfit(pod, load, requests)
        if why:
            whys.append(why)
            continue
        rank = (load.pods / max(load.allocatable["pods"], 1), name)  # the least loaded
        if best is None or rank < best_rank:
            best, best_rank = load, rank
    meta = pod["metadata"]
    if best is None:
        detail = ", ".join(f"{n} {r}" for r, n in sorted(Counter(whys).items()))
        message = (f"0/{len(loads)} nodes are available: {detail}." if loads
                   else "no nodes available to schedule pods")
        _unschedulable(api, pod, message)
        return
    node_name = best.node["metadata"]["name"]
    pod["spec"]["nodeName"] = node_name
    status = pod.setdefault("status", {})
    status["conditions"] = [c for c in status.get("conditions") or ()
                            if c.get("type") != "PodScheduled"] + [
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
         "lastTransitionTime": meta["creationTimestamp"]}]
    put(api, pod)
    _add(best, pod, requests)
    event(api, pod, "Scheduled",
          f'Successfully assigned {meta.get("namespace")}/{meta["name"]} to {node_name}',
          "default-scheduler")


def _unschedulable(api: Api, pod: Manifest, message: str) -> None:
    status = pod.setdefault("status", {})
    current = next((c for c in status.get("conditions") or () if c.get("type") ==
                    "PodScheduled"), None)
    if current and current.get("message") == message:
        return
    status["conditions"] = [c for c in status.get("conditions") or ()
                            if c.get("type") != "PodScheduled"] + [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
         "message": message, "lastProbeTime": None,
         "lastTransitionTime": pod["metadata"]["creationTimestamp"]}]
    put(api, pod)
    event(api, pod, "FailedScheduling", message, "default-scheduler", "Warning")


def unfit(pod: Manifest, load: NodeLoad, requests: tuple[float, float] | None = None) -> str:
    """Why ``pod`` cannot go on this node (kube-scheduler's wording), or "" when it fits."""
    return _placement_unfit(pod, load) or _capacity_unfit(
        load, requests or pod_requests(pod.get("spec") or {}))


def _placement_unfit(pod: Manifest, load: NodeLoad) -> str:
    node = load.node
    spec = pod.get("spec") or {}
    node_spec = node.get("spec") or {}
    if node_spec.get("unschedulable"):
        return "node(s) were unschedulable"
    untolerated = [t for t in node_spec.get("taints") or ()
                   if t.get("effect") in ("NoSchedule", "NoExecute")
                   and not tolerated(t, spec.get("tolerations") or ())]
    if untolerated:
        t = untolerated[0]
        value = f': {t.get("value")}' if t.get("value") else ""
        return f"node(s) had untolerated taint {{{t.get('key')}{value}}}"
    selector = spec.get("nodeSelector")
    if selector or spec.get("affinity"):
        labels = node["metadata"].get("labels") or {}
        if any(labels.get(k) != str(v) for k, v in (selector or {}).items()) or \
                not _affinity_ok(spec, node):
            return "node(s) didn't match Pod's node affinity/selector"
    return ""


def _capacity_unfit(load: NodeLoad, requests: tuple[float, float]) -> str:
    cpu, memory = requests
    if load.pods + 1 > load.allocatable["pods"]:
        return "Too many pods"
    if cpu and load.cpu + cpu > load.allocatable["cpu"]:
        return "Insufficient cpu"
    if memory and load.memory + memory > load.allocatable["memory"]:
        return "Insufficient memory"
    return ""


def tolerated(taint: Manifest, tolerations: Any) -> bool:
    for tol in tolerations:
        if tol.get("effect") and tol.get("effect") != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists":
            if not tol.get("key") or tol.get("key") == taint.get("key"):
                return True
        elif tol.get("key") == taint.get("key") and \
                str(tol.get("value", "")) == str(taint.get("value", "")):
            return True
    return False


def _affinity_ok(spec: Manifest, node: Manifest) -> bool:
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = required.get("nodeSelectorTerms") or ()
    if not terms:
        return True
    labels = node["metadata"].get("labels") or {}
    fields = {"metadata.name": node["metadata"]["name"]}
    return any(all(_expr_ok(e, labels) for e in t.get("matchExpressions") or ()) and
               all(_expr_ok(e, fields) for e in t.get("matchFields") or ()) for t in terms)


def _expr_ok(expr: Manifest, labels: dict[str, str]) -> bool:
    key, op = expr.get("key"), expr.get("operator")
    values = [str(v) for v in expr.get("values") or ()]
    value = labels.get(str(key))
    if op == "In":
        return value in values
    if op == "NotIn":
        return value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and values:
        try:
            return int(value) > int(values[0]) if op == "Gt" else int(value) < int(values[0])
        except ValueError:
            return False
    return False
