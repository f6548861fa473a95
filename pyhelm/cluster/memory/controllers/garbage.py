"""Garbage collector: when an owner is deleted, its dependents lose the reference and, with no
owner left, are deleted too (cascading down: Deployment -> ReplicaSets -> Pods)."""

from __future__ import annotations

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import info
from pyhelm.cluster.memory.state import Change


def sync(api: Api, changes: list[Change]) -> None:
    for change in changes:
        if change.type != "DELETED":
            continue
        uid = change.obj["metadata"].get("uid")
        for child in api.ws.children(str(uid)):
            refs = [r for r in child["metadata"].get("ownerReferences") or ()
                    if r.get("uid") != uid]
            kind = info(_kind_key(child))
            if refs:
                child["metadata"]["ownerReferences"] = refs
                api.ws.put(kind, child)
            else:
                api.ws.remove(kind, child)


def _kind_key(obj: dict) -> str:
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    return f'{obj["kind"]}.{group}' if group else str(obj["kind"])
