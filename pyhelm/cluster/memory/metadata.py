"""``label`` and ``annotate``: kubectl's ``key=value`` / ``key-`` edits of an object's metadata."""

from __future__ import annotations

from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.kinds import KindInfo
from pyhelm.errors import UsageError


def split_changes(words: list[str], field: str) -> tuple[list[str], dict[str, str | None]]:
    """(resource words, {key: value or None to remove}); raises ``UsageError`` when unusable."""
    targets = [w for w in words if "=" not in w and not w.endswith("-")]
    changes: dict[str, str | None] = {}
    for word in words[len(targets):]:
        key, sep, value = word.partition("=")
        if sep:
            changes[key] = value
        elif word.endswith("-"):
            changes[word[:-1]] = None
        else:
            raise UsageError(f"put {field} after the object: pod web key=value other-")
    if not changes:
        raise UsageError(f"give at least one of the {field}: key=value to set, key- to remove")
    return targets, changes


def edit_metadata(api: Api, info: KindInfo, namespace: str, name: str, field: str,
                  changes: dict[str, str | None], overwrite: bool) -> bool:
    """Apply the edits as a merge patch; returns whether anything changed."""
    current = api.read(info, namespace, name)["metadata"].get(field) or {}
    clash = [k for k, v in changes.items() if v is not None and current.get(k, v) != v]
    if clash and not overwrite:
        raise UsageError(f"'{clash[0]}' already has a value ({current[clash[0]]}), and "
                         "--overwrite is false")
    ref = ObjectRef(info.api_version, info.kind, namespace if info.namespaced else None, name)
    verb = "label" if field == "labels" else "annotate"
    return api.patch(ref, {"metadata": {field: changes}}, manager=f"kubectl-{verb}").changed
