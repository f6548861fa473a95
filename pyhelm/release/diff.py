"""Per-object unified diffs between two sets of objects, with Secret values masked.

The header of each entry follows helm-diff: ``<namespace>, <name>, <Kind> (<group>) has
changed:`` / ``has been added:`` / ``has been removed:``. Secret ``data`` and
``stringData`` values never appear: each is replaced by a mark that shows only
whether it changed and its size.
"""

from __future__ import annotations

import base64
import copy
import difflib
from dataclasses import dataclass
from typing import Any

from pyhelm import yamlio
from pyhelm.cluster.base import Manifest
from pyhelm.release.objects import Resource, project  # noqa: F401 - re-exported

RED, GREEN, YELLOW, RESET = "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m"


@dataclass(frozen=True)
class ObjectDiff:
    header: str
    change: str  # added | removed | changed
    lines: tuple[str, ...]


def _header(item: Resource, verb: str) -> str:
    ref = item.ref
    group = ref.api_version.rpartition("/")[0] or ref.api_version
    return f"{ref.namespace or ''}, {ref.name}, {ref.kind} ({group}) {verb}:"


def _secret_size(value: Any, encoded: bool) -> int:
    if encoded:
        try:
            return len(base64.b64decode(str(value)))
        except ValueError:
            return len(str(value))
    return len(str(value).encode())


def mask_secrets(
    old: Manifest | None, new: Manifest | None
) -> tuple[Manifest | None, Manifest | None]:
    """Copies of a Secret pair with values replaced by ``(N bytes)`` marks (changed ones differ)."""
    if (old or new or {}).get("kind") != "Secret":
        return old, new
    old, new = copy.deepcopy(old), copy.deepcopy(new)
    for section, encoded in (("data", True), ("stringData", False)):
        before = (old or {}).get(section) or {}
        after = (new or {}).get(section) or {}
        for key in set(before) | set(after):
            changed = before.get(key) != after.get(key)
            if key in before:
                mark = "--------" if changed else "********"
                before[key] = f"{mark} # ({_secret_size(before[key], encoded)} bytes)"
            if key in after:
                mark = "++++++++" if changed else "********"
                after[key] = f"{mark} # ({_secret_size(after[key], encoded)} bytes)"
    return old, new


def _text(obj: Manifest | None) -> list[str]:
    return yamlio.dump(obj, sort_keys=False).splitlines(keepends=True) if obj else []


def diff_objects(
    old: list[Resource], new: list[Resource], context: int = 3, verb_changed: str = "has changed"
) -> list[ObjectDiff]:
    """Diffs from ``old`` to ``new``, matched by (group, kind, namespace, name), in ``new``'s order
    then removals."""
    before = {r.key: r for r in old}
    after_keys = {r.key for r in new}
    out: list[ObjectDiff] = []
    for item in new:
        prior = before.get(item.key)
        change = "changed" if prior is not None else "added"
        a, b = mask_secrets(prior.obj if prior else None, item.obj)
        if a == b:
            continue
        lines = difflib.unified_diff(_text(a), _text(b), n=context, lineterm="\n")
        out.append(
            ObjectDiff(
                _header(item, verb_changed if prior else "has been added"),
                change,
                tuple(list(lines)[2:]),
            )
        )
    for item in old:
        if item.key not in after_keys:
            a, _ = mask_secrets(item.obj, None)
            lines = difflib.unified_diff(_text(a), [], n=context, lineterm="\n")
            out.append(
                ObjectDiff(_header(item, "has been removed"), "removed", tuple(list(lines)[2:]))
            )
    return out


def format_diffs(diffs: list[ObjectDiff], color: bool) -> str:
    """The diffs as text, coloured for a terminal when ``color``, with a closing plan line."""
    out: list[str] = []
    for entry in diffs:
        out.append(f"{YELLOW}{entry.header}{RESET}\n" if color else f"{entry.header}\n")
        for line in entry.lines:
            line = line if line.endswith("\n") else line + "\n"
            if color and line.startswith("+"):
                line = f"{GREEN}{line[:-1]}{RESET}\n"
            elif color and line.startswith("-"):
                line = f"{RED}{line[:-1]}{RESET}\n"
            out.append(line)
        out.append("\n")
    counts = {c: sum(1 for d in diffs if d.change == c) for c in ("added", "changed", "removed")}
    out.append(
        f"Plan: {counts['added']} to add, {counts['changed']} to change, "
        f"{counts['removed']} to destroy.\n"
    )
    return "".join(out)
