"""The objects of a release: parsing stored manifests, ownership metadata, deletion order."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pyhelm import yamlio
from pyhelm.cluster.base import Manifest, ObjectRef
from pyhelm.cluster.objects import CLUSTER_SCOPED
from pyhelm.errors import ReleaseError

MANAGED_BY = "app.kubernetes.io/managed-by"
RELEASE_NAME = "meta.helm.sh/release-name"
RELEASE_NAMESPACE = "meta.helm.sh/release-namespace"
RESOURCE_POLICY = "helm.sh/resource-policy"

#: Helm's UninstallOrder (helm-facts §2.8); unknown kinds go first, Namespaces last.
UNINSTALL_ORDER = (
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
)
_UNINSTALL_RANK = {kind: i for i, kind in enumerate(UNINSTALL_ORDER)}

_DOC_SPLIT = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass
class Resource:
    """One object of a release: where it came from, its dict, and its text as rendered.

    ``ref`` and ``key`` are read once: stamping ownership metadata does not change them.
    """

    source: str
    obj: Manifest
    text: str

    @cached_property
    def ref(self) -> ObjectRef:
        return ObjectRef.of(self.obj)

    @cached_property
    def key(self) -> tuple[str, str, str | None, str]:
        """Identity across API versions: (group, kind, namespace, name)."""
        ref = self.ref
        group = ref.api_version.rpartition("/")[0]
        return (group, ref.kind, ref.namespace, ref.name)


def default_namespace(obj: Manifest, namespace: str) -> Manifest:
    """Give a namespaced object the release namespace when it names none (in place)."""
    meta = obj.setdefault("metadata", {})
    if obj.get("kind") not in CLUSTER_SCOPED and not meta.get("namespace"):
        meta["namespace"] = namespace
    return obj


def resource(source: str, text: str, namespace: str) -> Resource | None:
    """Parse one rendered document; None for an empty one."""
    obj = yamlio.load(text, source, ReleaseError)
    if obj is None:
        return None
    if not isinstance(obj, dict) or not obj.get("kind") or not obj.get("apiVersion"):
        raise ReleaseError(f"{source}: a manifest must be a mapping with apiVersion and kind")
    if not (obj.get("metadata") or {}).get("name"):
        raise ReleaseError(f"{source}: {obj['kind']} has no metadata.name")
    return Resource(source, default_namespace(obj, namespace), text.strip("\n"))


def split_manifest(text: str) -> list[tuple[str, str]]:
    """(source, document) for each document of a stored manifest, without parsing any."""
    out: list[tuple[str, str]] = []
    for doc in _DOC_SPLIT.split(text):
        source = "manifest"
        body = doc.strip("\n")
        if body.startswith("# Source: "):
            first, _, body = body.partition("\n")
            source = first[len("# Source: ") :]
        body = body.strip("\n")
        if body.strip():
            out.append((source, body))
    return out


def parse_manifest(text: str, namespace: str, known: Sequence[Resource] = ()) -> list[Resource]:
    """The objects of a stored manifest (``---\\n# Source: ...`` documents), in order.

    A document whose text equals that of a ``known`` resource is that resource, not parsed
    again (an upgrade re-renders most objects unchanged).
    """
    by_text = {r.text: r for r in known}
    out: list[Resource] = []
    for source, body in split_manifest(text):
        found = by_text.get(body) or resource(source, body, namespace)
        if found is not None:
            out.append(found)
    return out


def stamp(obj: Manifest, release: str, namespace: str) -> Manifest:
    """Add Helm's ownership metadata (in place): the managed-by label, release annotations."""
    meta = obj.setdefault("metadata", {})
    labels = meta.get("labels") or {}
    labels[MANAGED_BY] = "Helm"
    meta["labels"] = labels
    annotations = meta.get("annotations") or {}
    annotations[RELEASE_NAME] = release
    annotations[RELEASE_NAMESPACE] = namespace
    meta["annotations"] = annotations
    return obj


def ownership_problem(live: Manifest, release: str, namespace: str) -> str | None:
    """Why ``live`` may not be taken into ``release``; None when it already belongs to it."""
    meta = live.get("metadata") or {}
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    problems = []
    if labels.get(MANAGED_BY) != "Helm":
        problems.append(f'label {MANAGED_BY} must be "Helm", is {labels.get(MANAGED_BY)!r}')
    if annotations.get(RELEASE_NAME) != release:
        problems.append(
            f"annotation {RELEASE_NAME} must be {release!r}, is {annotations.get(RELEASE_NAME)!r}"
        )
    if annotations.get(RELEASE_NAMESPACE) != namespace:
        problems.append(
            f"annotation {RELEASE_NAMESPACE} must be {namespace!r}, is "
            f"{annotations.get(RELEASE_NAMESPACE)!r}"
        )
    return "; ".join(problems) or None


def keep_on_delete(obj: Manifest) -> bool:
    """``helm.sh/resource-policy: keep``: uninstall and upgrade leave the object alone."""
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return annotations.get(RESOURCE_POLICY) == "keep"


def uninstall_order(resources: Iterable[Resource]) -> list[Resource]:
    """Sorted for deletion: Helm's UninstallOrder, unknown kinds first, stable otherwise."""
    items = list(resources)
    items.reverse()
    return sorted(items, key=lambda r: _UNINSTALL_RANK.get(r.ref.kind, -1))


def project(live: Any, desired: Any) -> Any:
    """``live`` cut down to the fields ``desired`` sets (drift: defaults and status drop out)."""
    if isinstance(desired, dict) and isinstance(live, dict):
        return {k: project(live[k], v) for k, v in desired.items() if k in live}
    if isinstance(desired, list) and isinstance(live, list) and len(desired) == len(live):
        return [project(a, b) for a, b in zip(live, desired, strict=True)]
    return live
