"""Rendered text → manifests: split documents, read their heads, order them, find hooks.

Reading a document's head (apiVersion, kind, metadata name/namespace and
the ``helm.sh/hook*`` annotations) is a line scan, not a YAML parse: the
rendering figures forbid re-parsing every manifest. The scan understands
block-style YAML as templates write it; anything it is not sure of (flow
style, anchors, tags, block scalars, JSON documents, tabs) falls back to a
real parse of that one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pyhelm import yamlio
from pyhelm.errors import RenderError

#: Helm's install order of kinds (pkg/release/v1/util/kind_sorter.go); unknown kinds last, by name.
INSTALL_ORDER = (
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
)
_RANK = {kind: i for i, kind in enumerate(INSTALL_ORDER)}
HOOK_EVENTS = frozenset(
    (
        "pre-install",
        "post-install",
        "pre-delete",
        "post-delete",
        "pre-upgrade",
        "post-upgrade",
        "pre-rollback",
        "post-rollback",
        "test",
    )
)
_HOOK = "helm.sh/hook"
#: A ``---`` line. Written literal first (``---`` then "it started a line") rather than ``^---``:
#: the regex engine then jumps from one ``---`` to the next instead of trying every position.
_SEPARATOR = re.compile(r"---(?<=^---)[ \t]*(?:#.*)?$", re.MULTILINE)
_AMBIGUOUS_START = tuple("&*!|>{[%@`")


@dataclass(slots=True)
class RenderedManifest:
    """One rendered document, with what the install needs to know about it. Read-only by
    contract; not ``frozen`` because that costs ~2 µs per document (5,000-document charts)."""

    source: str
    text: str
    api_version: str
    kind: str
    name: str
    namespace: str | None
    hook_events: tuple[str, ...] = ()
    hook_weight: int = 0
    hook_delete_policies: tuple[str, ...] = ()

    @property
    def is_hook(self) -> bool:
        return bool(self.hook_events)

    def printed(self) -> str:
        """As ``helm template`` prints it: ``---``, the Source line, the document."""
        return f"---\n# Source: {self.source}\n{self.text}\n"


class _Ambiguous(Exception):
    """The line scan cannot be sure; parse the document instead."""


def split_documents(text: str) -> list[str]:
    """The non-empty documents of a rendered file, stripped, in order."""
    return [doc for part in _SEPARATOR.split(text) if (doc := part.strip())]


def manifests_of(source: str, rendered: str) -> list[RenderedManifest]:
    """Every document of one rendered file; unknown hook events drop the document (as Helm)."""
    out = []
    for doc in split_documents(rendered):
        manifest = _fast(source, doc)
        if manifest is None:
            try:
                head = _scan(doc)
            except _Ambiguous:
                head = _parse(doc, source)
            manifest = _manifest(source, doc, head)
        if manifest is not None:
            out.append(manifest)
    return out


_WORD = r"[A-Za-z0-9][-A-Za-z0-9_./]*"  # a plain scalar, e.g. a Kubernetes name or label
_PLAIN = rf"({_WORD})"
#: The commonest document: metadata is just a plain name (and namespace) and plain labels, then
#: a top-level key.
_SIMPLE = re.compile(
    rf"apiVersion: {_PLAIN}\nkind: {_PLAIN}\nmetadata:\n  name: {_PLAIN}"
    rf"(?:\n  namespace: {_PLAIN})?(?:\n  labels:(?:\n    {_WORD}: {_WORD})+)?(?:\n(?=[^\s#])|\Z)"
)
#: The next commonest, in a few steps. Compiled on first use (re's cache): most documents are
#: simple, and a render that only has those does not pay for compiling these.
_FAST_START = rf"apiVersion: {_PLAIN}\nkind: {_PLAIN}\nmetadata:\n"
_FAST_NAME = rf"(?m)^  name: {_PLAIN}$"
_FAST_NAMESPACE = rf"(?m)^  namespace: {_PLAIN}$"


def _fast(source: str, doc: str) -> RenderedManifest | None:
    """The common shape in one regex pass: ``apiVersion``, ``kind``, ``metadata`` first, plain
    values, no annotations. None when the document is not that simple."""
    simple = _SIMPLE.match(doc)
    if simple is not None:
        if _head_key_after(doc, simple.end()):
            return None
        return RenderedManifest(source, doc, *simple.groups())
    start = re.match(_FAST_START, doc)
    if start is None:
        return None
    following = re.compile(_TOP_LINE).search(doc, start.end())
    block = doc[start.end() : following.start() if following else len(doc)]
    if (
        "annotations" in block
        or "\t" in block
        or (following and re.compile(_TOP_KEY).search(doc, following.start()))
    ):
        return None
    name = re.search(_FAST_NAME, block)
    if name is None or len(re.findall(_FAST_NAME, block)) != 1:
        return None
    namespace = re.search(_FAST_NAMESPACE, block)
    return RenderedManifest(
        source,
        doc,
        start.group(1),
        start.group(2),
        name.group(1),
        namespace.group(1) if namespace else None,
    )


def install_sorted(manifests: list[RenderedManifest]) -> list[RenderedManifest]:
    """Stable sort by Helm's install order of kinds; unknown kinds after, alphabetically."""
    return sorted(manifests, key=sort_key)


def sort_key(manifest: RenderedManifest) -> tuple[int, str]:
    rank = _RANK.get(manifest.kind)
    return (rank, "") if rank is not None else (len(INSTALL_ORDER), manifest.kind)


def _manifest(source: str, doc: str, head: dict[str, Any]) -> RenderedManifest | None:
    annotations = head.get("annotations")
    if not annotations:
        namespace = head.get("namespace")
        return RenderedManifest(
            source,
            doc,
            str(head.get("apiVersion") or ""),
            str(head.get("kind") or ""),
            str(head.get("name") or ""),
            str(namespace) if namespace else None,
        )
    events: tuple[str, ...] = ()
    hook = annotations.get(_HOOK)
    if hook is not None:
        named = [e.strip().lower() for e in str(hook).split(",") if e.strip()]
        events = tuple(dict.fromkeys("test" if e == "test-success" else e for e in named))
        events = tuple(e for e in events if e in HOOK_EVENTS)
        if not events:
            return None
    weight = str(annotations.get(_HOOK + "-weight", "0")).strip()
    policies = str(annotations.get(_HOOK + "-delete-policy", "") or "")
    return RenderedManifest(
        source=source,
        text=doc,
        api_version=str(head.get("apiVersion") or ""),
        kind=str(head.get("kind") or ""),
        name=str(head.get("name") or ""),
        namespace=str(head["namespace"]) if head.get("namespace") else None,
        hook_events=events,
        hook_weight=int(weight) if re.fullmatch(r"[-+]?\d+", weight) else 0,
        hook_delete_policies=tuple(p.strip() for p in policies.split(",") if p.strip()),
    )


def _parse(doc: str, source: str) -> dict[str, Any]:
    try:
        data = yamlio.load(doc, source, RenderError)
    except RenderError as exc:
        raise RenderError(_yaml_error(doc, source, exc)) from None
    if not isinstance(data, dict):
        return {}
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
    return {
        "apiVersion": data.get("apiVersion"),
        "kind": data.get("kind"),
        "name": meta.get("name"),
        "namespace": meta.get("namespace"),
        "annotations": annotations,
    }


#: A top-level ``apiVersion``, ``kind`` or ``metadata`` line; and any top-level line. Compiled on
#: first use (re's cache), like the patterns above: a render of simple documents needs neither.
_TOP_KEY = r"(?m)^(apiVersion|kind|metadata)[ \t]*:(.*)$"
_TOP_LINE = r"(?m)^[^\s#]"


def _head_key_after(doc: str, start: int) -> bool:
    """Whether a line from ``start`` on (a line start) is a top-level apiVersion, kind or metadata
    key. Plain ``find`` first: it rules out the usual document faster than the regex."""
    line = start - 1
    if doc.find("\napiVersion", line) < 0 and doc.find("\nkind", line) < 0 and doc.find("\nmetadata", line) < 0:
        return False
    return re.compile(_TOP_KEY).search(doc, start) is not None


def _yaml_error(doc: str, source: str, exc: RenderError) -> str:
    """Helm's "YAML parse error on <file>", with the offending line of the *rendered* document."""
    import yaml

    message = f"YAML parse error on {source}: {exc}".replace(f": {source}:", ": rendered line ", 1)
    try:
        yaml.safe_load(doc)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        if mark is not None:
            line = doc.split("\n")[mark.line] if mark.line < doc.count("\n") + 1 else ""
            message += f"\n    | {line}\n    | {' ' * mark.column}^"
    except yaml.YAMLError:
        pass
    return (
        message
        + "\n  (the template renders text that is not YAML: check indentation, e.g. nindent)"
    )


def _scan(doc: str) -> dict[str, Any]:
    """The document's head from its lines; raises ``_Ambiguous`` when unsure.

    Top-level keys are found with one regex over the document (a key at
    column 0 is always a top-level key of a block mapping); only the
    ``metadata:`` block is walked line by line.
    """
    if doc[0] in "-{[" or doc.startswith("\t") or "\n\t" in doc:
        raise _Ambiguous
    head: dict[str, Any] = {}
    metadata_end = -1
    for match in re.compile(_TOP_KEY).finditer(doc):
        key, value = match.group(1), match.group(2)
        if key in head:
            raise _Ambiguous
        if key == "metadata":
            if _scalar(value, allow_empty=True) != "":
                raise _Ambiguous
            head[key] = None
            metadata_end = match.end()
        else:
            head[key] = _scalar(value)
    if ("kind" not in head or "apiVersion" not in head) and re.compile(_TOP_LINE).search(doc):
        raise _Ambiguous
    head.pop("metadata", None)
    annotations: dict[str, str] = {}
    if metadata_end >= 0:
        following = re.compile(_TOP_LINE).search(doc, metadata_end + 1)
        _scan_metadata(
            doc[metadata_end + 1 : following.start() if following else len(doc)], head, annotations
        )
    head["annotations"] = annotations
    return head


def _scan_metadata(block: str, head: dict[str, Any], annotations: dict[str, str]) -> None:
    meta_indent = sub_indent = -1
    sub = ""
    for line in block.split("\n"):
        stripped = line.lstrip(" ")
        if not stripped or stripped[0] == "#":
            continue
        indent = len(line) - len(stripped)
        if meta_indent < 0:
            meta_indent = indent
        if indent == meta_indent:
            sub, value = _pair(stripped)
            sub_indent = -1
            if sub in ("name", "namespace"):
                head[sub] = _scalar(value)
            elif sub == "annotations" and _scalar(value, allow_empty=True) != "":
                raise _Ambiguous
        elif indent < meta_indent:
            raise _Ambiguous
        elif sub == "annotations":
            if sub_indent < 0:
                sub_indent = indent
            if indent == sub_indent:
                key, value = _pair(stripped)
                if key.startswith(_HOOK):
                    annotations[key] = _scalar(value)


def _pair(text: str) -> tuple[str, str]:
    if text[0] in "\"'":
        quote = text[0]
        end = text.find(quote, 1)
        if end < 0 or not text[end + 1 :].startswith(":"):
            raise _Ambiguous
        return text[1:end], text[end + 2 :]
    key, sep, value = text.partition(":")
    if not sep or (value and value[0] not in " "):
        raise _Ambiguous
    return key.rstrip(), value


def _scalar(value: str, allow_empty: bool = False) -> str:
    text = value.strip()
    if not text:
        if allow_empty:
            return ""
        raise _Ambiguous
    if text.startswith(_AMBIGUOUS_START):
        raise _Ambiguous
    if text[0] in "\"'":
        quote = text[0]
        end = text.rfind(quote)
        inner = text[1:end] if end > 0 else ""
        rest = text[end + 1 :].strip() if end > 0 else "x"
        if (rest and not rest.startswith("#")) or "\\" in inner or (quote == "'" and "''" in inner):
            raise _Ambiguous
        return inner
    if " #" in text:
        text = text.split(" #", 1)[0].rstrip()
    if ": " in text or text.endswith(":"):
        raise _Ambiguous  # not a plain scalar: let the parser say what is wrong
    return text
