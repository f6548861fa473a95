"""Is an object ready? kstatus-like rules over its status (what ``--wait`` waits for)."""

from __future__ import annotations

from typing import Any

Manifest = dict[str, Any]


def _condition(obj: Manifest, type_: str) -> bool:
    return any(c.get("type") == type_ and c.get("status") == "True"
               for c in (obj.get("status") or {}).get("conditions") or ())


def is_ready(obj: Manifest) -> bool:
    kind = obj.get("kind")
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    generation = obj.get("metadata", {}).get("generation")
    if generation and status.get("observedGeneration", generation) < generation:
        return False
    if kind == "Pod":
        return status.get("phase") == "Succeeded" or _condition(obj, "Ready")
    if kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        want = int(spec.get("replicas", 1))
        updated = status.get("updatedReplicas", status.get("replicas", 0))
        return (status.get("readyReplicas", 0) >= want and updated >= want
                and status.get("replicas", 0) == want)
    if kind == "DaemonSet":
        return status.get("numberReady", 0) >= status.get("desiredNumberScheduled", 0)
    if kind == "Job":
        return _condition(obj, "Complete")
    if kind == "PersistentVolumeClaim":
        return status.get("phase") == "Bound"
    if kind == "Service" and spec.get("type") == "LoadBalancer":
        return bool((status.get("loadBalancer") or {}).get("ingress"))
    return True
