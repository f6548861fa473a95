"""ReplicaSet controller: keep ``spec.replicas`` pods alive (self-healing), report status."""

from __future__ import annotations

from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import (
    PodFactory,
    active,
    live,
    owned,
    ready_condition,
    set_status,
    touched,
)
from pyhelm.cluster.memory.names import random_suffix
from pyhelm.cluster.memory.state import Change

Manifest = dict[str, Any]
KIND = "ReplicaSet.apps"


def sync(api: Api, changes: list[Change]) -> None:
    """Reconcile every ReplicaSet whose pods or self changed — except when the only change
    is the status it wrote itself (a second scan of 10,000 pods would find nothing)."""
    own_writes: dict[tuple[str, str, str], str] = api.ws.memo.setdefault("rs-status", {})
    pods_of = {(c.key[1], c.owner[1]) for c in changes
               if c.owner is not None and c.owner[0] == "ReplicaSet" and c.key[0] == "Pod"}
    for key in touched(changes, KIND):
        rs = live(api, key)
        if rs is None or (own_writes.get(key) == rs["metadata"]["resourceVersion"] and
                          key[1:] not in pods_of):
            continue
        if reconcile(api, rs):
            own_writes[key] = rs["metadata"]["resourceVersion"]


def _deletion_order(pods: list[Manifest]) -> list[Manifest]:
    """Unscheduled, then not-ready, then the newest pods first (as Kubernetes deletes)."""
    newest_first = sorted(pods, key=lambda p: p["metadata"].get("creationTimestamp", ""),
                          reverse=True)
    return sorted(newest_first, key=lambda p: (bool((p.get("spec") or {}).get("nodeName")),
                                               ready_condition(p)))


def reconcile(api: Api, rs: Manifest) -> bool:
    """Create or delete pods to match ``spec.replicas``; returns whether the status was
    written."""
    pods = [p for p in owned(api, rs, "Pod") if active(p)]
    want = int(rs["spec"].get("replicas", 1))
    name = rs["metadata"]["name"]
    if len(pods) < want:
        factory = PodFactory(api, rs, rs["spec"].get("template") or {})
        taken = {p["metadata"]["name"] for p in pods}
        created = []
        for _ in range(want - len(pods)):
            pod_name = f"{name}-{random_suffix()}"
            while pod_name in taken or api.ws.get("Pod", factory.namespace, pod_name):
                pod_name = f"{name}-{random_suffix()}"
            taken.add(pod_name)
            pods.append(factory.create(pod_name))
            created.append(("Normal", "SuccessfulCreate", f"Created pod: {pod_name}"))
        api.ws.events(rs, created, "replicaset-controller")
    elif len(pods) > want:
        doomed = _deletion_order(pods)[: len(pods) - want]
        pod_info = api.ws.registry.by_key("Pod")
        for pod in doomed:
            api.ws.remove(pod_info, pod)
        api.ws.events(rs, [("Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}")
                           for p in doomed], "replicaset-controller")
        gone = {id(p) for p in doomed}
        pods = [p for p in pods if id(p) not in gone]
    ready = sum(1 for p in pods if ready_condition(p))
    status = {"replicas": len(pods), "fullyLabeledReplicas": len(pods), "readyReplicas": ready,
              "availableReplicas": ready,
              "observedGeneration": rs["metadata"].get("generation", 1)}
    return set_status(api, rs, {k: v for k, v in status.items() if v or k in (
        "replicas", "observedGeneration")})
