"""The one seam between pyhelm and a Kubernetes cluster.

Both backends implement ``Cluster``: the built-in one (``cluster.memory``) and
a real cluster through the ``kubectl`` command (``cluster.kubectl``). Nothing
above ``pyhelm.cluster`` knows which one it talks to. Objects go in and come
out as plain dicts (``Manifest``), shaped as the Kubernetes API shapes them.

Errors are the ``ClusterError`` family of ``pyhelm.errors``: ``NotFound``,
``AlreadyExists``, ``Conflict``, ``Invalid``, ``ClusterUnreachable``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

Manifest = dict[str, Any]


@dataclass(frozen=True)
class ObjectRef:
    """Names one object: apiVersion, kind, namespace (None when cluster-scoped) and name."""

    api_version: str
    kind: str
    namespace: str | None
    name: str

    @classmethod
    def of(cls, obj: Mapping[str, Any], default_namespace: str | None = None) -> ObjectRef:
        meta = obj.get("metadata") or {}
        return cls(
            api_version=str(obj.get("apiVersion", "")),
            kind=str(obj.get("kind", "")),
            namespace=meta.get("namespace") or default_namespace,
            name=str(meta.get("name", "")),
        )

    def __str__(self) -> str:
        where = f" in namespace {self.namespace!r}" if self.namespace else ""
        return f"{self.kind}/{self.name}{where}"


@runtime_checkable
class Cluster(Protocol):
    """What pyhelm needs of a cluster. Implementations must be safe to use from one thread."""

    def create(self, obj: Manifest) -> Manifest:
        """Create ``obj``; return it as stored. Raises ``AlreadyExists`` or ``Invalid``."""
        ...

    def get(self, ref: ObjectRef) -> Manifest:
        """Return the live object. Raises ``NotFound``."""
        ...

    def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        selector: Mapping[str, str] | None = None,
    ) -> list[Manifest]:
        """Objects of one kind, in one namespace (``None``: all), matching all labels of ``selector``."""
        ...

    def update(self, obj: Manifest) -> Manifest:
        """Replace an object; with ``metadata.resourceVersion`` set, a stale one raises ``Conflict``."""
        ...

    def apply(
        self,
        objs: Sequence[Manifest],
        field_manager: str = "pyhelm",
        force: bool = False,
        dry_run: bool = False,
    ) -> list[Manifest]:
        """Server-side apply each object in order (create or update); return them as stored.

        A field owned by another manager raises ``Conflict`` unless ``force``.
        ``dry_run`` validates and returns the result without saving anything.
        """
        ...

    def delete(self, ref: ObjectRef, cascade: str = "background") -> None:
        """Delete an object; ``cascade`` is background, foreground or orphan. Raises ``NotFound``."""
        ...
