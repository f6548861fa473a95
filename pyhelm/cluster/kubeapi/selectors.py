"""Label and field selectors in their query-string form (``labelSelector=``, ``fieldSelector=``).

Label selectors: comma-separated requirements, all of which must hold:
``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``, ``k`` (exists)
and ``!k`` (does not exist). Field selectors: ``path=v``, ``path==v`` and
``path!=v`` over dotted paths (``metadata.name``, ``involvedObject.uid``,
``status.phase``, ...). A malformed selector raises ``SelectorError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pyhelm.errors import ClusterError


class SelectorError(ClusterError):
    """A label or field selector cannot be parsed."""

    code, reason = 400, "BadRequest"


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # "=", "!=", "in", "notin", "exists", "!exists"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        match self.operator:
            case "=" | "in":
                return present and value in self.values
            case "!=" | "notin":
                return not present or value not in self.values
            case "exists":
                return present
            case _:
                return not present


_SET_RE = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$")
_EQ_RE = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_./-]*)\s*$")


def _split(selector: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(selector):
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(selector[start:index])
            start = index + 1
    parts.append(selector[start:])
    return [p for p in parts if p.strip()]


def parse_label_selector(selector: str | None) -> list[Requirement]:
    """Parse ``labelSelector``; an empty or missing selector matches everything."""
    requirements = []
    for part in _split(selector or ""):
        eq = _EQ_RE.match(part)
        if eq:
            op = "!=" if eq.group(2) == "!=" else "="
            requirements.append(Requirement(eq.group(1), op, (eq.group(3),)))
            continue
        found = _SET_RE.match(part)
        if not found or (found.group(1) and found.group(3)):
            raise SelectorError(f"unable to parse requirement {part.strip()!r} of label selector "
                                f"{selector!r}: use k=v, k!=v, k in (a,b), k notin (a,b), k or !k")
        if found.group(3):
            values = tuple(v.strip() for v in found.group(4).split(",") if v.strip())
            requirements.append(Requirement(found.group(2), found.group(3), values))
        else:
            operator = "!exists" if found.group(1) else "exists"
            requirements.append(Requirement(found.group(2), operator))
    return requirements


def equality_labels(requirements: list[Requirement]) -> dict[str, str]:
    """The ``k=v`` requirements as a dict (what a store can index on)."""
    return {r.key: r.values[0] for r in requirements if r.operator == "="}


def label_matcher(selector: str | None) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate over objects for ``labelSelector``."""
    requirements = parse_label_selector(selector)

    def matches(obj: Mapping[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(r.matches(labels) for r in requirements)

    return matches


def _field(obj: Mapping[str, Any], path: str) -> str:
    node: Any = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    if node is None:
        return ""
    if isinstance(node, bool):
        return "true" if node else "false"
    return str(node)


def field_matcher(selector: str | None) -> Callable[[Mapping[str, Any]], bool]:
    """A predicate over objects for ``fieldSelector``."""
    terms = []
    for part in _split(selector or ""):
        found = _EQ_RE.match(part)
        if not found:
            raise SelectorError(f"invalid field selector {selector!r}: "
                                "use path=value or path!=value")
        terms.append((found.group(1), found.group(2) != "!=", found.group(3)))

    def matches(obj: Mapping[str, Any]) -> bool:
        return all((_field(obj, path) == value) == equal for path, equal, value in terms)

    return matches


def field_value(selector: str | None, path: str) -> str | None:
    """The value an equality term of ``fieldSelector`` requires of ``path``, if any."""
    for part in _split(selector or ""):
        found = _EQ_RE.match(part)
        if found and found.group(1) == path and found.group(2) != "!=":
            return found.group(3)
    return None
