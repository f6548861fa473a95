"""Pieces the controllers share: which owners a batch of changes touches, writing, pods."""

from __future__ import annotations

from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.defaults import default_object
from pyhelm.cluster.memory.kinds import KindInfo, KindRegistry
from pyhelm.cluster.memory.names import new_uid
from pyhelm.cluster.memory.placement import pod_active
from pyhelm.cluster.memory.state import Change, Key, clone
from pyhelm.cluster.objects import owner_reference

Manifest = dict[str, Any]
_INFOS: dict[str, KindInfo] = {}


def info(key: str) -> KindInfo:
    if key not in _INFOS:
        _INFOS[key] = KindRegistry().by_key(key)
    return _INFOS[key]


def touched(changes: list[Change], kind: str, child_kinds: tuple[str, ...] = ("Pod",)
            ) -> list[Key]:
    """Keys of ``kind`` objects that changed, or whose controlled children changed (sorted)."""
    keys: set[Key] = set()
    owner_kind = kind.partition(".")[0]
    for _, key, _, owner in changes:  # unpacked: this loop runs over every change
        if key[0] == kind:
            keys.add(key)
        elif owner is not None and owner[0] == owner_kind and key[0] in child_kinds:
            keys.add((kind, key[1], owner[1]))
    return sorted(keys)


def live(api: Api, key: Key) -> Manifest | None:
    obj = api.ws.get(*key)
    if obj is None or obj["metadata"].get("deletionTimestamp"):
        return None
    return obj


def owned(api: Api, owner: Manifest, kind: str) -> list[Manifest]:
    """Live objects of ``kind`` that ``owner`` controls."""
    return api.ws.controlled(owner["metadata"]["uid"], kind)


_INFOS_BY_TYPE: dict[tuple[str, str], KindInfo] = {}  # (apiVersion, kind) -> info


def put(api: Api, obj: Manifest) -> None:
    type_ = (obj["apiVersion"], obj["kind"])
    kind_info = _INFOS_BY_TYPE.get(type_)
    if kind_info is None:
        kind_info = _INFOS_BY_TYPE[type_] = info(_key_of_kind(obj))
    api.ws.put(kind_info, obj)


def _key_of_kind(obj: Manifest) -> str:
    group = str(obj["apiVersion"]).rpartition("/")[0]
    return f'{obj["kind"]}.{group}' if group else str(obj["kind"])


def set_status(api: Api, obj: Manifest, status: Manifest) -> bool:
    """Write ``status`` if it differs; returns whether it did (no-op syncs write nothing)."""
    if obj.get("status") == status:
        return False
    obj["status"] = status
    put(api, obj)
    return True


def event(api: Api, obj: Manifest, reason: str, message: str, component: str,
          type_: str = "Normal") -> None:
    api.ws.event(obj, type_, reason, message, component)


class PodFactory:
    """Builds pods from one template quickly.

    The pods of one factory share the nested parts of the template's spec (containers,
    volumes, ...) for the rest of the command: nothing edits those in place (a writer
    replaces a part, as ``nodeName`` or ``status``), and each pod is stored as its own JSON.
    """

    def __init__(self, api: Api, owner: Manifest, template: Manifest,
                 extra_labels: dict[str, str] | None = None) -> None:
        self.api = api
        self.owner_ref = owner_reference(owner)
        self.namespace = owner["metadata"].get("namespace") or "default"
        template = clone(template)
        meta = template.setdefault("metadata", {})
        meta.pop("creationTimestamp", None)
        meta.setdefault("labels", {}).update(extra_labels or {})
        body = {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
                "spec": template.get("spec") or {}}
        default_object("Pod", body)
        self._body = body
        self._info = info("Pod")

    def create(self, name: str) -> Manifest:
        body = self._body
        meta = {key: dict(value) if isinstance(value, dict) else value
                for key, value in body["metadata"].items()}  # labels, annotations: its own
        meta.update(name=name, namespace=self.namespace, uid=new_uid(),
                    creationTimestamp=self.api.ws.stamp,
                    ownerReferences=[dict(self.owner_ref)])
        pod = {**body, "metadata": meta, "spec": dict(body["spec"])}
        if "status" in body:
            pod["status"] = dict(body["status"])
        self.api.ws.put(self._info, pod)
        return pod


def ready_condition(obj: Manifest) -> bool:
    for cond in (obj.get("status") or {}).get("conditions") or ():
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


#: Neither finished nor being deleted (one definition, shared with node usage).
active = pod_active
