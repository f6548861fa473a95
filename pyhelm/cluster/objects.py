"""Helpers over manifest dicts that both cluster backends and the CLI use.

Label selectors (``app=web,tier!=db,env in (a,b),!legacy``), LabelSelector
objects (``matchLabels``/``matchExpressions``), field selectors
(``metadata.name=web,status.phase!=Running``) and owner references.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyhelm.errors import UsageError

Manifest = dict[str, Any]

#: Kinds that live outside namespaces (the kubectl backend and release objects use it).
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterRoleList",
        "ClusterRoleBindingList",
        "CustomResourceDefinition",
        "IngressClass",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "PodSecurityPolicy",
        "RuntimeClass",
        "CSIDriver",
        "VolumeAttachment",
    }
)


@dataclass(frozen=True)
class Requirement:
    """One selector term: key, operator (=, !=, in, notin, exists, !) and values."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op in ("=", "=="):
            return present and value == self.values[0]
        if self.op == "!=":
            return not present or value != self.values[0]
        if self.op == "in":
            return present and value in self.values
        if self.op == "notin":
            return not present or value not in self.values
        if self.op == "exists":
            return present
        return not present  # "!"


_SET_RE = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split_terms(text: str) -> list[str]:
    terms, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    terms.append(current)
    return [t.strip() for t in terms if t.strip()]


def parse_label_selector(text: str | None) -> list[Requirement]:
    """Parse kubectl's ``-l`` syntax; raises ``UsageError`` naming the bad term."""
    reqs: list[Requirement] = []
    for term in _split_terms(text or ""):
        found = _SET_RE.match(term)
        if found:
            values = tuple(v.strip() for v in found.group(3).split(",") if v.strip())
            reqs.append(Requirement(found.group(1), found.group(2), values))
        elif "!=" in term:
            key, value = term.split("!=", 1)
            reqs.append(Requirement(key.strip(), "!=", (value.strip(),)))
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            reqs.append(Requirement(key.strip(), "=", (value.strip(),)))
        elif term.startswith("!"):
            reqs.append(Requirement(term[1:].strip(), "!"))
        elif re.fullmatch(r"[A-Za-z0-9_./-]+", term):
            reqs.append(Requirement(term, "exists"))
        else:
            raise UsageError(f"unable to parse requirement {term!r} in label selector {text!r}; "
                             "use forms like app=web, tier!=db, env in (a,b), !legacy")
    return reqs


def selector_requirements(selector: Mapping[str, Any] | None) -> list[Requirement]:
    """A LabelSelector object (matchLabels + matchExpressions) as requirements."""
    if not selector:
        return []
    reqs = [Requirement(k, "=", (str(v),)) for k, v in (selector.get("matchLabels") or {}).items()]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expr in selector.get("matchExpressions") or ():
        reqs.append(Requirement(expr["key"], ops[expr["operator"]],
                                tuple(str(v) for v in expr.get("values") or ())))
    return reqs


def matches(reqs: list[Requirement], labels: Mapping[str, str] | None) -> bool:
    labels = labels or {}
    return all(r.matches(labels) for r in reqs)


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """A LabelSelector as kubectl prints it: ``app=nginx,tier in (a,b)``."""
    parts = []
    for req in selector_requirements(selector):
        if req.op == "=":
            parts.append(f"{req.key}={req.values[0]}")
        elif req.op in ("in", "notin"):
            parts.append(f"{req.key} {req.op} ({','.join(req.values)})")
        else:
            parts.append(req.key if req.op == "exists" else f"!{req.key}")
    return ",".join(parts)


def field_value(obj: Manifest, path: str) -> str:
    node: Any = obj
    for part in path.split("."):
        node = node.get(part) if isinstance(node, Mapping) else None
    return "" if node is None else str(node)


def parse_field_selector(text: str | None) -> list[tuple[str, str, str]]:
    """``metadata.name=web,status.phase!=Running`` -> [(path, op, value)]."""
    terms = []
    for term in _split_terms(text or ""):
        op = "!=" if "!=" in term else "="
        path, _, value = term.replace("==", "=").partition(op)
        if not path or not _:
            raise UsageError(f"invalid field selector term {term!r}; use path=value or path!=value")
        terms.append((path.strip(), op, value.strip()))
    return terms


def field_matches(terms: list[tuple[str, str, str]], obj: Manifest) -> bool:
    return all((field_value(obj, path) == value) == (op == "=") for path, op, value in terms)


def owner_reference(owner: Manifest, controller: bool = True) -> dict[str, Any]:
    """An ownerReference pointing at ``owner`` (blockOwnerDeletion as controllers set it)."""
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"],
            "uid": meta["uid"], "controller": controller, "blockOwnerDeletion": True}


def controller_of(obj: Manifest) -> dict[str, Any] | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return dict(ref)
    return None
