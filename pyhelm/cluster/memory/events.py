"""core/v1 Events: the compact rows the store keeps, shown as the Event objects clients read."""

from __future__ import annotations

from typing import Any

from pyhelm.cluster.memory.store import KubeEventRow

Manifest = dict[str, Any]


def event_object(row_id: int, row: KubeEventRow) -> Manifest:
    """The Event as ``kubectl get events -o yaml`` and ``describe`` read it."""
    source: Manifest = {"component": row.component}
    if row.host:
        source["host"] = row.host
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"{row.obj_name}.{row_id:016x}", "namespace": row.namespace,
                     "uid": f"00000000-0000-4000-8000-{row_id:012x}",
                     "resourceVersion": str(row_id), "creationTimestamp": row.first_ts},
        "involvedObject": {"apiVersion": row.obj_api, "kind": row.obj_kind,
                           "name": row.obj_name, "namespace": row.namespace,
                           "uid": row.obj_uid},
        "reason": row.reason, "message": row.message, "type": row.type, "source": source,
        "firstTimestamp": row.first_ts, "lastTimestamp": row.last_ts, "count": row.count,
        "reportingComponent": row.component, "reportingInstance": row.host,
    }
