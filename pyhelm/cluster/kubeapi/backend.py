"""What the API server needs of the built-in cluster, in one place.

``Backend`` wraps a ``MemoryCluster`` (``pyhelm.cluster.memory``): the
``Cluster`` protocol (create/get/list/update/apply/delete), its event log
(``events_since``) and its kind registry, plus
what the HTTP layer wants beyond it (``exists``, dry runs, the status
subresource). Every call is one transaction of the cluster, so a CLI process
sharing the state file sees each write whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyhelm.cluster.base import Manifest, ObjectRef
from pyhelm.cluster.memory import MemoryCluster
from pyhelm.cluster.memory.kinds import KindInfo
from pyhelm.errors import NotFound


class Backend:
    """The built-in cluster as the API server uses it."""

    def __init__(self, cluster: MemoryCluster) -> None:
        self.cluster = cluster

    # -- the Cluster protocol --------------------------------------------------
    def get(self, ref: ObjectRef) -> Manifest:
        return self.cluster.get(ref)

    def list(self, api_version: str, kind: str, namespace: str | None,
             selector: Mapping[str, str] | None) -> list[Manifest]:
        return self.cluster.list(api_version, kind, namespace, selector)

    def create(self, obj: Manifest, field_manager: str | None, dry_run: bool) -> Manifest:
        return self.cluster.create(obj, field_manager, dry_run=dry_run)

    def update(self, obj: Manifest, field_manager: str | None = None, dry_run: bool = False,
               subresource: str | None = None) -> Manifest:
        return self.cluster.update(obj, field_manager, dry_run=dry_run, subresource=subresource)

    def apply(self, objs: Sequence[Manifest], field_manager: str, force: bool = False,
              dry_run: bool = False) -> list[Manifest]:
        return self.cluster.apply(objs, field_manager=field_manager, force=force,
                                  dry_run=dry_run)

    def delete(self, ref: ObjectRef, cascade: str, dry_run: bool = False) -> None:
        self.cluster.delete(ref, cascade=cascade, dry_run=dry_run)

    # -- watch support ---------------------------------------------------------
    def events_since(self, resource_version: int, api_version: str, kind: str,
                     namespace: str | None) -> tuple[int, list[tuple[str, Manifest]]]:
        """Watch events of one kind after ``resource_version``, and the position reached.

        Every event's object carries its event's resourceVersion (a DELETED one the
        deletion's: see ``MemoryCluster.events_since``), so the position reached is the
        last event's. Raises ``ResourceExpired`` (410) when ``resource_version`` is
        older than the kept log.
        """
        events = self.cluster.events_since(resource_version, api_version, kind, namespace)
        reached = int(events[-1][1]["metadata"]["resourceVersion"]) if events \
            else resource_version
        return reached, events

    def current_resource_version(self) -> int:
        return int(self.cluster.current_resource_version())

    # -- conveniences ----------------------------------------------------------
    def kinds(self) -> list[KindInfo]:
        """Built-in kinds plus those that applied CustomResourceDefinitions add."""
        with self.cluster.transaction(write=False):
            return self.cluster.registry.all()

    def exists(self, ref: ObjectRef) -> bool:
        try:
            self.cluster.get(ref)
        except NotFound:
            return False
        return True
