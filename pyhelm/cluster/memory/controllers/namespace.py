"""Namespace controller: a new namespace gets its ``default`` ServiceAccount; a deleted one
takes every object in it along."""

from __future__ import annotations

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.state import Change


def sync(api: Api, changes: list[Change]) -> None:
    for change in changes:
        if change.key[0] != "Namespace":
            continue
        name = change.key[2]
        if change.type == "ADDED":
            if api.ws.get("ServiceAccount", name, "default") is None:
                api.create({"apiVersion": "v1", "kind": "ServiceAccount",
                            "metadata": {"name": "default", "namespace": name}}, trusted=True)
        elif change.type == "DELETED":
            _empty(api, name)


def _empty(api: Api, namespace: str) -> None:
    registry = api.ws.registry
    kinds = api.ws.store.stored_kinds() | {c.key[0] for c in api.ws.changes}
    for key in sorted(kinds):
        try:
            kind = registry.by_key(key)
        except KeyError:
            continue
        if not kind.namespaced:
            continue
        for obj in api.ws.list(key, namespace):
            api.ws.remove(kind, obj)
    api.ws.store.delete_kube_events(namespace)
