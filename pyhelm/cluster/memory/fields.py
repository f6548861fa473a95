"""Field paths, merging and ownership: JSON merge patch and server-side apply (managedFields-lite).

A *path* is a tuple of segments: map keys as themselves, list items that have
a merge key as ``k:{"name":"web"}`` (as FieldsV1 writes them). Lists without a
merge key are atomic: one path for the whole list. ``managedFields`` entries
are stored as the API server stores them (``fieldsType: FieldsV1``) so
``kubectl get -o yaml --show-managed-fields`` looks familiar.
"""

from __future__ import annotations

import copy
import json
from typing import Any

Manifest = dict[str, Any]
Path = tuple[str, ...]

#: List fields merged item by item, and the key that identifies an item: the core
#: types' patch merge keys (k8s.io/api ``patchMergeKey``). ``ports`` is keyed by
#: ``containerPort`` in a container and by ``port`` in a Service (see ``merge_key``).
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "env": "name", "volumes": "name", "imagePullSecrets": "name", "volumeMounts": "mountPath",
    "volumeDevices": "devicePath", "conditions": "type", "ownerReferences": "uid",
    "hostAliases": "ip", "volumeClaimTemplates": "name",
    "topologySpreadConstraints": "topologyKey", "resourceClaims": "name",
}
#: Fields nobody owns: identity, server-set metadata and status.
_UNOWNED_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                 "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: maps merge, ``null`` deletes, everything else replaces.

    Returns a new object; neither argument is changed nor shared with the result.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def merge_key(field: str, items: list[Any]) -> str | None:
    """The key that identifies items of the list ``field`` (None: the list is atomic)."""
    if field == "ports":
        probe = next((i for i in items if isinstance(i, dict)), {})
        return "containerPort" if "containerPort" in probe else "port"
    return MERGE_KEYS.get(field)


def _list_key(field: str, items: list[Any]) -> str | None:
    key = merge_key(field, items)
    if key and all(isinstance(i, dict) and key in i for i in items):
        return key
    return None


def item_segment(key: str, value: Any) -> str:
    return "k:" + json.dumps({key: value}, separators=(",", ":"))


def field_paths(obj: Manifest) -> set[Path]:
    """The leaf paths ``obj`` sets (what an applier of ``obj`` comes to own)."""
    paths: set[Path] = set()
    for key, value in obj.items():
        if key in ("apiVersion", "kind", "status"):
            continue
        if key == "metadata" and isinstance(value, dict):
            for mkey, mvalue in value.items():
                if mkey in _UNOWNED_META:
                    continue
                if isinstance(mvalue, dict) and mvalue and mkey in ("labels", "annotations"):
                    paths.update(("metadata", mkey, k) for k in mvalue)
                else:
                    _walk(("metadata", mkey), mvalue, paths)
            continue
        _walk((key,), value, paths)
    return paths


def _walk(prefix: Path, value: Any, paths: set[Path]) -> None:
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            _walk((*prefix, key), sub, paths)
    elif isinstance(value, list) and value and (key := _list_key(prefix[-1], value)):
        for item in value:
            seg = (*prefix, item_segment(key, item[key]))
            paths.add(seg)
            for k, sub in item.items():
                _walk((*seg, k), sub, paths)
    else:
        paths.add(prefix)


def _child(node: Any, segment: str) -> Any:
    if isinstance(node, list) and segment.startswith("k:"):
        (key, value), = json.loads(segment[2:]).items()
        return next((i for i in node if isinstance(i, dict) and i.get(key) == value), None)
    return node.get(segment) if isinstance(node, dict) else None


def value_at(obj: Any, path: Path) -> Any:
    for segment in path:
        obj = _child(obj, segment)
        if obj is None:
            return None
    return obj


def remove_path(obj: Any, path: Path) -> None:
    """Delete the field or list item at ``path`` if it is there."""
    parent = value_at(obj, path[:-1]) if len(path) > 1 else obj
    last = path[-1]
    if isinstance(parent, list) and last.startswith("k:"):
        item = _child(parent, last)
        if item is not None:
            parent.remove(item)
    elif isinstance(parent, dict):
        parent.pop(last, None)


def apply_merge(live: Any, body: Any, field: str = "") -> Any:
    """Merge an applied configuration over the live object (keyed lists merge by key)."""
    if isinstance(body, dict) and isinstance(live, dict):
        result = dict(live)
        for key, value in body.items():
            result[key] = apply_merge(live.get(key), value, key)
        return result
    if isinstance(body, list) and isinstance(live, list) and body:
        key = _list_key(field, body)
        if key and all(isinstance(i, dict) and key in i for i in live):
            current = {i[key]: i for i in live}
            merged = [apply_merge(current.get(item[key]), item, "") for item in body]
            applied = {item[key] for item in body}
            return merged + [i for i in live if i[key] not in applied]
    return copy.deepcopy(body)


def to_fields_v1(paths: set[Path]) -> Manifest:
    tree: Manifest = {}
    for path in sorted(paths):
        node = tree
        for segment in path:
            name = segment if segment.startswith("k:") else f"f:{segment}"
            node = node.setdefault(name, {})
            if segment.startswith("k:"):
                node.setdefault(".", {})
    return tree


def from_fields_v1(tree: Manifest, prefix: Path = ()) -> set[Path]:
    paths: set[Path] = set()
    for name, sub in tree.items():
        if name == ".":
            continue
        path = (*prefix, name[2:] if name.startswith("f:") else name)
        children = {k: v for k, v in (sub or {}).items() if k != "."}
        if name.startswith("k:"):
            paths.add(path)
        if children:
            paths |= from_fields_v1(children, path)
        elif not name.startswith("k:"):
            paths.add(path)
    return paths


def dotted(path: Path) -> str:
    """A path as kubectl prints it: ``.spec.replicas``, ``.spec.containers[name="web"].image``."""
    text = ""
    for segment in path:
        if segment.startswith("k:"):
            (key, value), = json.loads(segment[2:]).items()
            text += f"[{key}={json.dumps(value)}]"
        else:
            text += f".{segment}"
    return text
