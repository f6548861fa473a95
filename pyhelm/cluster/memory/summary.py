"""The small summary stored beside each pod (what ``get pods`` shows), kept light to import:
every write imports it, while the table printers are only needed to print."""

from __future__ import annotations

from typing import Any

Manifest = dict[str, Any]


def pod_summary(pod: Manifest) -> Manifest:
    """The pod cut down to what its table row, selectors and ``-o name`` read."""
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    keep_meta = ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "labels",
                 "resourceVersion")
    statuses = [{k: cs[k] for k in ("ready", "restartCount", "state", "lastState") if k in cs}
                for cs in status.get("containerStatuses") or ()]
    summary_status = {k: status[k] for k in ("phase", "podIP", "reason") if k in status}
    if statuses:
        summary_status["containerStatuses"] = statuses
    scheduled = [c for c in status.get("conditions") or () if c.get("type") == "PodScheduled"]
    if scheduled:
        summary_status["conditions"] = scheduled
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {k: meta[k] for k in keep_meta if k in meta},
            "spec": {"nodeName": spec.get("nodeName"),
                     "containers": [{"name": c.get("name")} for c in spec.get("containers") or ()]},
            "status": summary_status}
