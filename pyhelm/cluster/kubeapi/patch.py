"""The three PATCH flavours of the Kubernetes API, as pure functions over dicts.

- ``json_patch`` (``application/json-patch+json``, RFC 6902): a list of
  operations add/remove/replace/move/copy/test addressed by JSON pointers.
- ``merge_patch`` (``application/merge-patch+json``, RFC 7386): maps merge
  recursively, ``null`` deletes a key, any other value (lists included)
  replaces.
- ``strategic_merge_patch`` (``application/strategic-merge-patch+json``):
  a merge patch where lists of the core types merge element by element on
  their patch merge key (containers by ``name``, volumeMounts by
  ``mountPath``, ...), with the directives ``$patch`` (replace/delete/merge),
  ``$setElementOrder/<list>``, ``$deleteFromPrimitiveList/<list>`` and
  ``$retainKeys``. This is what ``kubectl apply`` (client-side) sends.

None of them mutates its arguments. A malformed patch raises ``PatchError``.
"""

from __future__ import annotations

import copy
from typing import Any

from pyhelm.cluster.memory.fields import merge_key, merge_patch
from pyhelm.errors import ClusterError

__all__ = ["PatchError", "json_patch", "merge_patch", "strategic_merge_patch"]


class PatchError(ClusterError):
    """A patch document is malformed or cannot apply (a JSON patch ``test`` failed, a bad path)."""

    code, reason = 422, "Invalid"


#: Lists of scalars whose patch strategy is ``merge`` (a set union), not replace.
MERGED_PRIMITIVE_LISTS = frozenset({"finalizers"})


# --- strategic merge patch ---------------------------------------------------------------

def strategic_merge_patch(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Apply a strategic merge patch to ``original``; return the result."""
    if not isinstance(patch, dict):
        raise PatchError("a strategic merge patch must be a JSON object")
    return _smp_map(original if isinstance(original, dict) else {}, patch)


def _smp_map(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    directive = patch.get("$patch")
    if directive == "replace":
        return _strip({k: v for k, v in patch.items() if k != "$patch"})
    if directive == "delete":
        return {}
    if directive not in (None, "merge"):
        raise PatchError(f"unknown $patch directive {directive!r}: use replace, delete or merge")
    result = copy.deepcopy(original)
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            current = result.get(key)
            result[key] = _smp_map(current if isinstance(current, dict) else {}, value)
        elif isinstance(value, list):
            result[key] = _smp_list(key, result.get(key), value)
        else:
            result[key] = value
    for key, value in patch.items():
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in value]
        elif key.startswith("$setElementOrder/"):
            field = key.split("/", 1)[1]
            if isinstance(result.get(field), list):
                result[field] = _ordered(field, result[field], value)
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _smp_list(field: str, original: Any, patch: list[Any]) -> list[Any]:
    current = original if isinstance(original, list) else []
    def replaces(item: Any) -> bool:
        return isinstance(item, dict) and item.get("$patch") == "replace"

    if any(replaces(i) for i in patch):
        return [_strip(i) for i in patch if not replaces(i)]
    if field in MERGED_PRIMITIVE_LISTS:
        return current + [v for v in patch if v not in current]
    key = merge_key(field, current + patch)
    if key is None or not all(isinstance(i, dict) for i in patch):
        return [_strip(i) for i in patch]
    result = copy.deepcopy(current)
    for item in patch:
        if key not in item:
            raise PatchError(f"an element of {field} has no merge key {key!r}")
        index = next((n for n, old in enumerate(result)
                      if isinstance(old, dict) and old.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
        elif index is None:
            result.append(_strip(item))
        else:
            result[index] = _smp_map(result[index], item)
    return result


def _ordered(field: str, items: list[Any], order: list[Any]) -> list[Any]:
    key = merge_key(field, items)
    wanted = [o.get(key) if isinstance(o, dict) and key else o for o in order]
    ident = [i.get(key) if isinstance(i, dict) and key else i for i in items]
    rank = {value: n for n, value in enumerate(wanted)}
    positions = sorted(range(len(items)), key=lambda n: (rank.get(ident[n], len(rank)), n))
    return [items[n] for n in positions]


def _strip(value: Any) -> Any:
    """Drop every ``$`` directive from a value that is added whole."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$") and v is not None}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


# --- RFC 6902 ---------------------------------------------------------------------------

def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise PatchError(f"JSON patch path {path!r} is not a JSON pointer (it must start with '/')")
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]


def _parent(doc: Any, parts: list[str], path: str) -> tuple[Any, str]:
    node = doc
    for part in parts[:-1]:
        node = _child(node, part, path)
    return node, parts[-1]


def _child(node: Any, part: str, path: str) -> Any:
    try:
        if isinstance(node, list):
            return node[int(part)]
        return node[part]
    except (KeyError, IndexError, ValueError, TypeError):
        raise PatchError(f"JSON patch path {path!r} does not exist") from None


def _add(doc: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    node, last = _parent(doc, parts, path)
    if isinstance(node, list):
        index = len(node) if last == "-" else _index(last, len(node) + 1, path)
        node.insert(index, value)
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise PatchError(f"JSON patch path {path!r}: parent is not an object or list")
    return doc


def _remove(doc: Any, path: str) -> tuple[Any, Any]:
    parts = _pointer(path)
    if not parts:
        raise PatchError("JSON patch cannot remove the whole document")
    node, last = _parent(doc, parts, path)
    old = _child(node, last, path)
    if isinstance(node, list):
        del node[int(last)]
    else:
        del node[last]
    return doc, old


def _index(part: str, size: int, path: str) -> int:
    if not part.isdigit() or int(part) >= size:
        raise PatchError(f"JSON patch path {path!r}: index {part!r} out of range")
    return int(part)


def json_patch(original: Any, operations: Any) -> Any:
    """Apply an RFC 6902 JSON patch; return the result."""
    if not isinstance(operations, list):
        raise PatchError("a JSON patch must be a list of operations")
    doc = copy.deepcopy(original)
    for number, op in enumerate(operations):
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError(f"JSON patch operation {number} needs 'op' and 'path'")
        doc = _apply_op(doc, op)
    return doc


def _apply_op(doc: Any, op: dict[str, Any]) -> Any:
    kind, path = op["op"], op["path"]
    if kind in ("add", "replace", "test") and "value" not in op:
        raise PatchError(f"JSON patch {kind} at {path!r} needs a 'value'")
    if kind == "add":
        return _add(doc, path, copy.deepcopy(op["value"]))
    if kind == "remove":
        return _remove(doc, path)[0]
    if kind == "replace":
        doc, _ = _remove(doc, path) if _pointer(path) else (doc, None)
        return _add(doc, path, copy.deepcopy(op["value"]))
    if kind in ("move", "copy"):
        source = op.get("from")
        value = _resolve(doc, source)
        if kind == "move":
            doc, value = _remove(doc, source)
        return _add(doc, path, copy.deepcopy(value))
    if kind == "test":
        if _resolve(doc, path) != op["value"]:
            raise PatchError(f"JSON patch test failed: the value at {path!r} differs")
        return doc
    raise PatchError(f"unknown JSON patch op {kind!r}: "
                     "use add, remove, replace, move, copy or test")


def _resolve(doc: Any, path: Any) -> Any:
    node = doc
    for part in _pointer(path):
        node = _child(node, part, path)
    return node
