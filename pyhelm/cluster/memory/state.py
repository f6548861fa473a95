"""One transaction's view of the cluster: objects loaded on demand, changes kept in memory.

A ``WorkingSet`` lives for one command. Objects read through it belong to the
transaction: controllers change them in place and call ``put`` to record the
write (a new resourceVersion, a watch event, a note for other controllers).
``flush`` writes only the net result of the whole command, so an object that
changes five times in one command is written once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import orjson

from pyhelm.cluster.memory.clock import Clock, timestamp
from pyhelm.cluster.memory.kinds import KindInfo, KindRegistry
from pyhelm.cluster.memory.placement import placement
from pyhelm.cluster.memory.store import Key, Store

Manifest = dict[str, Any]
#: Events of one reason about one object kept apart per command; more are combined.
SIMILAR_EVENTS = 10
_slow_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str).encode


def json_bytes(obj: Any) -> bytes:
    """Compact JSON of an object as UTF-8 (orjson: several times faster than ``json``).

    Keys that are not strings (YAML allows them) are written as strings, values JSON cannot
    hold (a YAML date, say) as their text, integers beyond 64 bits exactly.
    """
    try:
        return orjson.dumps(obj, default=str)  # the common case: twice as fast as the options
    except TypeError:  # a key that is not a string, or an integer beyond 64 bits
        try:
            return orjson.dumps(obj, default=str, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:
            return _slow_dumps(obj).encode()


def _dumps(obj: Any) -> str:
    """Compact JSON text of an object (see ``json_bytes``)."""
    return json_bytes(obj).decode()


def clone(obj: Any) -> Any:
    """A deep copy of JSON-shaped data (through a C codec: faster than ``copy.deepcopy``).

    Values JSON cannot hold (a YAML date, say) become strings, as the API server stores them.
    """
    return orjson.loads(_dumps(obj))


class Change(NamedTuple):
    """A write seen by controllers: ADDED, MODIFIED or DELETED (or SYNC), with the object."""

    type: str
    key: Key
    obj: Manifest
    owner: tuple[str, str] | None = None  # (kind, name) of the controller, if any


def _controller(obj: Manifest) -> tuple[str, str] | None:
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            return (str(ref.get("kind")), str(ref.get("name")))
    return None


def _stamped(obj: Manifest, rv: int) -> Manifest:
    """``obj`` as its DELETED watch event shows it: with the deletion's resourceVersion."""
    return {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(rv)}}


def key_of(info: KindInfo, obj: Manifest) -> Key:
    meta = obj["metadata"]
    return (info.key, (meta.get("namespace") or "") if info.namespaced else "", meta["name"])


def controller_uid(obj: Manifest, controller_only: bool = False) -> str | None:
    """The uid of ``obj``'s controller; without one, of its first owner (unless
    ``controller_only``)."""
    refs = obj["metadata"].get("ownerReferences") or ()
    for ref in refs:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return str(refs[0].get("uid")) if refs and not controller_only else None


def _add_event(entries: list[list[Any]], entry: list[Any]) -> None:
    """Add ``entry`` ([type, reason, message, component, host, count]) to one object's events;
    past ``SIMILAR_EVENTS`` of its reason it is folded into one combined event."""
    if len(entries) >= SIMILAR_EVENTS:
        same = [e for e in entries if e[1] == entry[1]]
        if len(same) >= SIMILAR_EVENTS:
            last = same[-1]
            entry[2] = f"(combined from similar events): {entry[2]}"
            if last[2].startswith("(combined from similar events): "):
                last[2], last[5] = entry[2], last[5] + 1
                return
    entries.append(entry)


class WorkingSet:
    """Cache + dirty tracking over a ``Store`` inside one open transaction.

    Time stands still within a transaction: ``now``/``stamp`` are read once, so
    every object and event of one command carries the same timestamp.
    """

    def __init__(self, store: Store, registry: KindRegistry, clock: Clock) -> None:
        self.store = store
        self.registry = registry
        self.clock = clock
        self.rv = store.resource_version()
        self.now = clock.now()
        self.stamp = timestamp(self.now)
        self._kinds: dict[str, dict[tuple[str, str], Manifest | None]] = {}
        self._full: set[str] = set()
        self._existed: dict[Key, bool] = {}
        self._deleted: dict[Key, tuple[int, Manifest]] = {}
        self._children: dict[str, set[Key]] = {}
        self._owner_kinds: set[str] | None = None
        self.changes: list[Change] = []
        self.kube_events: dict[tuple[str, str, str, str, str], list[list[str]]] = {}
        self.memo: dict[str, Any] = {}  # per-transaction caches of controllers and admission

    # -- reading -------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> Manifest | None:
        bucket = self._kinds.setdefault(kind, {})
        if (namespace, name) in bucket:
            return bucket[(namespace, name)]
        if kind in self._full:
            return None
        text = self.store.load_one((kind, namespace, name))
        obj = orjson.loads(text) if text is not None else None
        bucket[(namespace, name)] = obj
        if obj is not None:
            self._index(kind, obj)
        return obj

    def list(self, kind: str, namespace: str | None = None) -> list[Manifest]:
        """Objects of one kind (in one namespace, or all), sorted by namespace and name."""
        bucket = self._load_kind(kind)
        items = sorted((k, v) for k, v in bucket.items() if v is not None
                       and (namespace is None or k[0] == namespace))
        return [v for _, v in items]

    def iter_kind(self, kind: str) -> Iterator[Manifest]:
        return (v for v in self._load_kind(kind).values() if v is not None)

    def loaded(self, kind: str) -> Iterator[Manifest]:
        """The objects of ``kind`` this transaction has read or written so far."""
        return (v for v in self._kinds.get(kind, {}).values() if v is not None)

    def fully_loaded(self, kind: str) -> bool:
        """Whether every stored object of ``kind`` has been read into this transaction."""
        return kind in self._full

    def existed_before(self, key: Key) -> bool:
        """Whether ``key`` was stored when this transaction began."""
        if key in self._existed:
            return self._existed[key]
        return self.store.load_one(key) is not None

    def ensure_loaded(self, kind: str) -> None:
        """Read every object of ``kind`` now, so later lookups never touch the file."""
        self._load_kind(kind)

    def _load_kind(self, kind: str) -> dict[tuple[str, str], Manifest | None]:
        bucket = self._kinds.setdefault(kind, {})
        if kind not in self._full:
            self._full.add(kind)
            for text in self.store.load_kind(kind):
                obj = orjson.loads(text)
                meta = obj["metadata"]
                k = (meta.get("namespace") or "", meta["name"])
                if k not in bucket:
                    bucket[k] = obj
                    self._index(kind, obj)
        return bucket

    def children(self, uid: str) -> list[Manifest]:
        """Objects whose ownerReferences name ``uid``, in key order."""
        found = []
        for kind, namespace, name in self._child_keys(uid):
            obj = self._kinds[kind].get((namespace, name))
            if obj is not None and any(r.get("uid") == uid
                                       for r in obj["metadata"].get("ownerReferences") or ()):
                found.append(obj)
        return found

    def controlled(self, uid: str, kind: str) -> list[Manifest]:
        """Objects of ``kind`` whose controller (ownerReference with controller: true) is
        ``uid``, in key order."""
        self._load_kind(kind)
        found = []
        for child_kind, namespace, name in self._child_keys(uid):
            if child_kind != kind:
                continue
            obj = self._kinds[kind].get((namespace, name))
            if obj is not None and controller_uid(obj, controller_only=True) == uid:
                found.append(obj)
        return found

    def _child_keys(self, uid: str) -> list[Key]:
        if self._owner_kinds is None:  # first use: every stored dependent gets indexed
            self._owner_kinds = self.store.kinds_owned_by_any()
            for kind in sorted(self._owner_kinds):
                self._load_kind(kind)
        return sorted(self._children.get(uid, ()))

    def _index(self, kind: str, obj: Manifest) -> tuple[str, str] | None:
        """Note ``obj`` under each owner's uid; returns its controller's (kind, name)."""
        meta = obj["metadata"]
        controller = None
        for ref in meta.get("ownerReferences") or ():
            self._children.setdefault(str(ref.get("uid")), set()).add(
                (kind, meta.get("namespace") or "", meta["name"]))
            if ref.get("controller") and controller is None:
                controller = (str(ref.get("kind")), str(ref.get("name")))
        return controller

    # -- writing ---------------------------------------------------------------
    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def put(self, info: KindInfo, obj: Manifest) -> Manifest:
        """Record ``obj`` (new or changed) as written now; gives it the next resourceVersion."""
        meta = obj["metadata"]
        kind = info.key
        where = (meta.get("namespace") or "", meta["name"])
        key = (kind, *where)
        bucket = self._kinds.setdefault(kind, {})
        previous = bucket[where] if where in bucket else self.get(*key)
        if key not in self._existed:
            self._existed[key] = previous is not None and key not in self._deleted
        self.rv += 1
        meta["resourceVersion"] = str(self.rv)
        bucket[where] = obj
        if self._deleted:
            self._deleted.pop(key, None)
        owner = None
        if meta.get("ownerReferences"):
            if previous is obj:  # changed in place: already indexed (refs only ever shrink so)
                owner = _controller(obj)
            else:
                owner = self._index(kind, obj)
        self.changes.append(Change("MODIFIED" if previous is not None else "ADDED", key, obj,
                                   owner))
        return obj

    def remove(self, info: KindInfo, obj: Manifest) -> None:
        meta = obj["metadata"]
        key = (info.key, meta.get("namespace") or "", meta["name"])
        if key not in self._existed:
            self._existed[key] = True
        self._kinds.setdefault(info.key, {})[key[1:]] = None
        self._deleted[key] = (self.next_rv(), obj)
        self.changes.append(Change("DELETED", key, obj, _controller(obj)))

    def take_changes(self) -> list[Change]:
        changes, self.changes = self.changes, []
        return changes

    def event(self, obj: Manifest, type_: str, reason: str, message: str, component: str,
              host: str = "") -> None:
        """Record a core/v1 Event about ``obj`` (as kubectl describe lists them).

        Like the API server's event correlator, similar events (same object and reason)
        beyond ``SIMILAR_EVENTS`` in one command become one event with a count,
        "(combined from similar events): <latest message>".
        """
        self.events(obj, ((type_, reason, message),), component, host)

    def events(self, obj: Manifest, events: Iterable[tuple[str, str, str]], component: str,
               host: str = "") -> None:
        """Record several events (type, reason, message) about ``obj`` from one component."""
        meta = obj["metadata"]
        key = (meta.get("namespace") or "default", obj.get("apiVersion", ""),
               obj.get("kind", ""), meta["name"], meta.get("uid", ""))
        entries = self.kube_events.get(key)
        if entries is None:
            entries = self.kube_events[key] = []
        for type_, reason, message in events:
            _add_event(entries, [type_, reason, message, component, host, 1])

    def release(self) -> None:
        """Let go of every object this transaction holds (called with the cycle collector
        still paused: a collection run before they are freed would trace them all)."""
        self._kinds, self._full, self._existed, self._deleted = {}, set(), {}, {}
        self._children, self._owner_kinds, self.changes = {}, None, []
        self.kube_events, self.memo = {}, {}

    @property
    def dirty(self) -> bool:
        return bool(self._existed) or bool(self.kube_events)

    def flush(self) -> None:
        """Write the net changes of this transaction to the store (the caller commits).

        Bodies are serialised as SQLite consumes them, so a bulk write never holds a
        second copy of every object in memory.
        """
        deletes: list[Key] = []
        log: list[tuple[int, str, str, str, str, str | None]] = []
        live: list[tuple[Key, Manifest]] = []
        for key, existed in self._existed.items():
            obj = self._kinds[key[0]].get(key[1:])
            if obj is None:
                if existed:
                    rv, last = self._deleted[key]
                    deletes.append(key)
                    log.append((rv, "DELETED", *key, _dumps(_stamped(last, rv))))
                continue
            live.append((key, obj))
            log.append((int(obj["metadata"]["resourceVersion"]),
                        "MODIFIED" if existed else "ADDED", *key, None))
        log.sort(key=lambda entry: entry[0])
        rows = ((*key, controller_uid(obj), int(obj["metadata"]["resourceVersion"]), _dumps(obj),
                 None, placement(obj) if key[0] == "Pod" else None) for key, obj in live)
        stored_pods = [key[1:] for key, existed in self._existed.items()
                       if existed and key[0] == "Pod"]
        self.store.write(rows, deletes, log, self.rv, stored_pods)
        pools = self.memo.get("ip-pools")
        if pools is not None:
            pools.save(self.store)
        self.store.add_event_groups([(*key, self.stamp, _dumps(entries))
                                     for key, entries in self.kube_events.items()])
