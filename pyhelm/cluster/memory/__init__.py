"""The built-in cluster: a simulated Kubernetes control plane in one SQLite file.

``MemoryCluster(path)`` implements ``pyhelm.cluster.base.Cluster``. Each public
call is one transaction: the API server's rules (defaults, validation,
resourceVersion, managed fields), then every controller until nothing changes,
then one commit. Several calls can share one transaction::

    with cluster.transaction() as api:      # one command, all or nothing
        api.apply(obj, "pyhelm")

``":memory:"`` gives a throw-away cluster; a path persists it, and two
processes may share the file (writes serialise on SQLite's lock).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from pyhelm.cluster.base import Manifest, ObjectRef
from pyhelm.cluster.memory.clock import Clock
from pyhelm.cluster.memory.clock_offset import OffsetClock
from pyhelm.cluster.memory.errors import ObjectNotFound, ResourceExpired
from pyhelm.cluster.memory.kinds import KindInfo, KindRegistry
from pyhelm.cluster.memory.store import Store
from pyhelm.cluster.objects import (
    Requirement,
    field_matches,
    matches,
    parse_field_selector,
    parse_label_selector,
)
from pyhelm.errors import UsageError

if TYPE_CHECKING:
    from pyhelm.cluster.memory.api import Api

__all__ = ["MemoryCluster"]
EVENT_KEY = "Event"
CRD_KEY = "CustomResourceDefinition.apiextensions.k8s.io"


class MemoryCluster:
    """A Kubernetes-like cluster whose state lives in a SQLite file (or in memory)."""

    def __init__(self, path: str | Path = ":memory:", clock: Clock | None = None,
                 nodes: int = 3) -> None:
        self.store = Store(path)
        self.clock = clock or OffsetClock(float(self.store.meta("clockOffset", "0") or 0))
        self.registry = KindRegistry()
        self._api: Api | None = None
        self._writing = self._dry_run = self._reading = False
        if self.store.meta("bootstrapped") is None:
            from pyhelm.cluster.memory.bootstrap import bootstrap

            with self.transaction() as api:
                if api.ws.store.meta("bootstrapped") is None:  # another process may have won
                    bootstrap(api, nodes)
                    api.ws.store.set_meta("bootstrapped", "1")

    # -- transactions ----------------------------------------------------------
    @contextmanager
    def transaction(self, write: bool = True, dry_run: bool = False) -> Iterator[Api]:
        """One all-or-nothing unit of work; nested uses join the outer transaction.

        A nested write needs a writing outer transaction, and a dry run cannot be
        nested in one that writes: both raise ``UsageError`` rather than lose or leak work.
        """
        if self._api is not None:
            if write and not self._writing:
                raise UsageError("cannot write inside a read-only transaction; open it with "
                                 "transaction(write=True)")
            if dry_run and not self._dry_run:
                raise UsageError("a dry run cannot be nested in a transaction that writes")
            yield self._api
            return
        if self._reading:  # inside a snapshot: it gets the API server's machinery from now on
            if write:
                raise UsageError("cannot write inside a read-only snapshot")
            self._api, self._writing, self._dry_run = self._new_api(), False, False
            yield self._api
            return
        self.store.begin(write)
        api = self._new_api()
        self._api, self._writing, self._dry_run = api, write, dry_run
        collecting = gc.isenabled()
        gc.disable()  # a command builds many short-lived dicts: no cycle scans meanwhile
        try:
            yield api
            if write and not dry_run:
                from pyhelm.cluster.memory.controllers import settle  # (reads need none)

                settle(api)
                if api.ws.dirty:
                    api.ws.flush()
                self.store.commit()
            else:
                self.store.rollback()
        except BaseException:
            self.store.rollback()
            raise
        finally:
            self._api = None
            api.ws.release()  # freed before the collector resumes, so it never traces them
            if collecting:
                gc.enable()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read-only transaction for printing: ``transaction(write=False)`` without the
        API server's machinery until a call inside needs it (listing pods never does, so
        ``get pods`` imports no validation or schemas). Joins any open transaction."""
        if self._api is not None or self._reading:
            yield
            return
        self.store.begin(False)
        self._reading = True
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.registry.add_custom(_custom_kinds(self.store))
            yield
        finally:
            api, self._api, self._reading = self._api, None, False
            self.store.rollback()
            if api is not None:
                api.ws.release()
            if collecting:
                gc.enable()

    def _new_api(self) -> Api:
        from pyhelm.cluster.memory.api import Api
        from pyhelm.cluster.memory.state import WorkingSet

        return Api(WorkingSet(self.store, self.registry, self.clock))

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> MemoryCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the Cluster protocol -----------------------------------------------------
    def create(self, obj: Manifest, field_manager: str | None = None,
               dry_run: bool = False) -> Manifest:
        with self.transaction(dry_run=dry_run) as api:
            return api.create(obj, field_manager).obj

    def get(self, ref: ObjectRef) -> Manifest:
        with self.transaction(write=False) as api:
            info = self.registry.for_object(ref.api_version, ref.kind)
            if info.key == EVENT_KEY:
                return self._event(ref)
            return api.read(info, ref.namespace, ref.name)

    def list(self, api_version: str, kind: str, namespace: str | None = None,
             selector: Mapping[str, str] | str | None = None,
             field_selector: str | None = None, summaries: bool = False) -> list[Manifest]:
        """Objects of one kind; ``selector`` is a label map or kubectl's ``-l`` syntax.

        ``summaries``: for printing: pods are read straight from the store, and may come
        cut down to what ``get pods`` shows (a state file from an earlier version keeps
        such summaries): much faster for thousands of pods.
        """
        reqs = _requirements(selector)
        terms = parse_field_selector(field_selector)
        with self.transaction(write=False) as api:
            info = self.registry.for_object(api_version, kind)
            if info.key == EVENT_KEY:
                return self.events(namespace, reqs, terms)
            if summaries and info.key == "Pod" and not api.ws.dirty:
                return list(self._stored_pods(namespace, reqs, terms))
            return api.list(info, namespace, reqs, terms)

    def stream(self, api_version: str, kind: str, namespace: str | None = None,
               selector: Mapping[str, str] | str | None = None,
               field_selector: str | None = None) -> Iterator[Manifest]:
        """``list(..., summaries=True)`` one object at a time, inside a snapshot (or transaction).

        For printing thousands of pods: each is decoded, used and let go in turn, so
        memory is reused while the CPU still caches it (half the time of holding them all).
        Consume it before the snapshot ends.
        """
        if self._api is None and not self._reading:
            raise UsageError("stream() reads inside a transaction: iterate it within "
                             "'with cluster.snapshot():'")
        reqs = _requirements(selector)
        terms = parse_field_selector(field_selector)
        info = self.registry.for_object(api_version, kind)
        if info.key == "Pod" and (self._api is None or not self._api.ws.dirty):
            return self._stored_pods(namespace, reqs, terms)
        return iter(self.list(api_version, kind, namespace, selector, field_selector, True))

    def _stored_pods(self, namespace: str | None, reqs: list[Requirement],
                     terms: list[tuple[str, str, str]]) -> Iterator[Manifest]:
        """Stored pods (decoded as they are read) that match the selectors."""
        loads = orjson.loads
        found = (loads(text) for text in self.store.load_kind("Pod", True, namespace))
        if not reqs and not terms:
            return found
        return (o for o in found if matches(reqs, o["metadata"].get("labels"))
                and field_matches(terms, o))

    def update(self, obj: Manifest, field_manager: str | None = None,
               dry_run: bool = False, subresource: str | None = None) -> Manifest:
        with self.transaction(dry_run=dry_run) as api:
            return api.update(obj, field_manager, subresource=subresource).obj

    def patch(self, ref: ObjectRef, patch: dict[str, Any], patch_type: str = "merge",
              field_manager: str | None = None, dry_run: bool = False) -> Manifest:
        """RFC 7386 merge patch of one object."""
        with self.transaction(dry_run=dry_run) as api:
            return api.patch(ref, patch, patch_type, field_manager).obj

    def apply(self, objs: Sequence[Manifest], field_manager: str = "pyhelm",
              force: bool = False, dry_run: bool = False,
              namespace: str = "default") -> list[Manifest]:
        """Server-side apply of every object, in order, in one transaction."""
        with self.transaction(dry_run=dry_run) as api:
            return [api.apply(obj, field_manager, force, namespace).obj for obj in objs]

    def delete(self, ref: ObjectRef, cascade: str = "background",
               dry_run: bool = False) -> None:
        with self.transaction(dry_run=dry_run) as api:
            api.delete(ref, cascade)

    def ready(self, ref: ObjectRef) -> bool:
        """Whether the object is ready by kstatus-like rules (see ``readiness``)."""
        from pyhelm.cluster.memory.readiness import is_ready

        return is_ready(self.get(ref))

    # -- watch support ---------------------------------------------------------------
    def current_resource_version(self) -> int:
        with self.transaction(write=False) as api:
            return api.ws.rv

    def events_since(self, resource_version: int, api_version: str | None = None,
                     kind: str | None = None, namespace: str | None = None
                     ) -> list[tuple[str, Manifest]]:
        """Watch events after ``resource_version``, oldest first. Raises ``ResourceExpired``.

        Each object carries the resourceVersion of its event — a DELETED one the
        deletion's, as the API server sends it — so a watcher resuming from the last
        object it saw gets no event twice. Superseded states are left out (compacted).
        """
        with self.transaction(write=False):
            key = self.registry.for_object(api_version, kind).key if kind and api_version \
                else None
            pruned = int(self.store.meta("watchPrunedThrough", "0") or 0)
            if resource_version < pruned:
                raise ResourceExpired(f"too old resource version: {resource_version} "
                                      f"({pruned})")
            rows = self.store.log_since(resource_version, key, namespace)
        events = []
        for log_rv, type_, body in rows:
            obj = orjson.loads(body)
            obj["metadata"]["resourceVersion"] = str(log_rv)  # state files from before stamping
            events.append((type_, obj))
        return events

    # -- beyond the protocol: what `pyhelm cluster` needs ------------------------------
    def resolve(self, name: str) -> KindInfo:
        with self.snapshot():
            return self.registry.resolve(name)

    def events(self, namespace: str | None = None, labels: Sequence[Requirement] = (),
               fields: Sequence[tuple[str, str, str]] = (), involved: str | None = None
               ) -> list[Manifest]:
        """core/v1 Events (oldest first), optionally about one object name."""
        from pyhelm.cluster.memory.events import event_object

        rows = self.store.kube_events(namespace, involved)
        objs = [event_object(i, row) for i, row in rows]
        return [o for o in objs if field_matches(list(fields), o)] if fields else objs

    def _event(self, ref: ObjectRef) -> Manifest:
        for obj in self.events(ref.namespace):
            if obj["metadata"]["name"] == ref.name:
                return obj
        raise ObjectNotFound("events", ref.name)

    def tick(self, seconds: float = 0) -> int:
        """Let time pass (FakeClock only moves by ``seconds``) and reconcile everything."""
        from pyhelm.cluster.memory.controllers import resync

        advance = getattr(self.clock, "advance", None)
        if seconds and advance is not None:
            advance(seconds)
        with self.transaction() as api:
            if isinstance(self.clock, OffsetClock):
                api.ws.store.set_meta("clockOffset", str(self.clock.offset))
            return resync(api)

    def reset(self) -> None:
        """Forget everything and start again from a fresh cluster."""
        with self.transaction() as api:
            api.ws.store.reset()
        self.registry = KindRegistry()
        from pyhelm.cluster.memory.bootstrap import bootstrap

        with self.transaction() as api:
            bootstrap(api)
            api.ws.store.set_meta("bootstrapped", "1")


def _custom_kinds(store: Store) -> list[KindInfo]:
    """The kinds the stored CRDs add (as an ``Api`` learns them when it is built)."""
    from pyhelm.cluster.memory.crds import custom_kinds

    return custom_kinds(orjson.loads(body) for body in store.load_kind(CRD_KEY))


def _requirements(selector: Mapping[str, str] | str | None) -> list[Requirement]:
    if selector is None:
        return []
    if isinstance(selector, str):
        return parse_label_selector(selector)
    return [Requirement(k, "=", (str(v),)) for k, v in selector.items()]
