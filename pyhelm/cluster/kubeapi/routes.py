"""Resource URLs of the Kubernetes REST API, parsed into a ``Target``.

::

    /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
    /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]

``/api/v1/namespaces/{name}`` (and ``.../{name}/status|finalize``) address the
Namespace object itself. A path that names no served resource raises
``ApiError`` 404, the way a real server answers an unknown URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyhelm.cluster.kubeapi.discovery import Served
from pyhelm.cluster.kubeapi.status import ApiError
from pyhelm.cluster.memory.kinds import KindInfo

NAMESPACE_SUBRESOURCES = ("status", "finalize")


@dataclass(frozen=True)
class Target:
    """What a resource URL addresses."""

    info: KindInfo
    version: str
    namespace: str | None  # None: cluster-scoped, or every namespace for a list
    name: str | None  # None: the collection
    subresource: str | None = None

    @property
    def api_version(self) -> str:
        return f"{self.info.group}/{self.version}" if self.info.group else self.version

    @property
    def resource(self) -> str:
        """``pods`` or ``deployments.apps``, as Status messages name it."""
        return self.info.resource


def _not_found() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def split_group_version(path: str) -> tuple[str, list[str]] | None:
    """(group/version, remaining segments) of a resource path, or None."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        return parts[1], parts[2:]
    if len(parts) >= 3 and parts[0] == "apis":
        return f"{parts[1]}/{parts[2]}", parts[3:]
    return None


def parse(path: str, resources: list[Served]) -> Target:
    """The ``Target`` of a resource path; raises ``ApiError`` 404 for anything else."""
    split = split_group_version(path)
    if split is None or not split[1]:
        raise _not_found()
    group_version, rest = split
    served = {s.info.plural: s for s in resources if s.group_version == group_version}
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3 and not (
            len(rest) == 3 and rest[2] in NAMESPACE_SUBRESOURCES):
        namespace, rest = rest[1], rest[2:]
    item = served.get(rest[0])
    if item is None or len(rest) > 3:
        raise _not_found()
    if namespace is not None and not item.info.namespaced:
        raise _not_found()
    name = rest[1] if len(rest) >= 2 else None
    sub = rest[2] if len(rest) == 3 else None
    if sub is not None and sub not in item.info.subresources and not (
            item.info.kind == "Namespace" and sub in NAMESPACE_SUBRESOURCES):
        raise _not_found()
    return Target(item.info, item.version, namespace, name, sub)
