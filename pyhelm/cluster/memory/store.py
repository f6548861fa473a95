"""The built-in cluster's durable state: one SQLite file in WAL mode.

Tables: ``objects`` (one row per object: kind key, namespace, name, owner uid,
resourceVersion, JSON body, and for pods their placement; a ``summary`` column holds
the cut-down pods that earlier versions also stored, and is no longer written),
``watch_events`` (ADDED/MODIFIED/DELETED per write, in resourceVersion order,
bounded; the body is kept only for DELETED, the others read the object row, so a
bulk write is stored once), ``event_groups`` (core/v1 Events: one row per object
and command, holding that command's events about it) and ``meta`` (the
resourceVersion counter and small controller state).

Every command is one transaction: ``begin(write=True)`` takes the write lock
up front (``BEGIN IMMEDIATE``) so two processes sharing the file serialise
instead of failing half-way; a process killed before ``commit`` leaves the
previous state untouched (SQLite's journal rolls the half-written one back).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from pyhelm.errors import ClusterUnreachable

#: How many watch events are kept; older resourceVersions are "too old" (HTTP 410).
WATCH_LOG_LIMIT = 50_000
#: How many event groups (one object's events of one command) are kept.
EVENT_GROUP_LIMIT = 50_000
#: Event ids are group id * this + position in the group.
GROUP_SPAN = 1_000_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
    owner TEXT, rv INTEGER NOT NULL, body TEXT NOT NULL, summary TEXT,
    node TEXT, ip TEXT, active INTEGER, cpu INTEGER, memory INTEGER,
    PRIMARY KEY (kind, namespace, name));
DROP INDEX IF EXISTS objects_owner;
CREATE INDEX IF NOT EXISTS objects_owned_kinds ON objects (kind) WHERE owner IS NOT NULL;
CREATE TABLE IF NOT EXISTS node_usage (
    node TEXT PRIMARY KEY, pods INTEGER NOT NULL, cpu INTEGER NOT NULL,
    memory INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS watch_events (
    rv INTEGER PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL,
    namespace TEXT NOT NULL, name TEXT NOT NULL, body TEXT);
CREATE TABLE IF NOT EXISTS event_groups (
    id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, obj_api TEXT, obj_kind TEXT NOT NULL,
    obj_name TEXT NOT NULL, obj_uid TEXT, ts TEXT NOT NULL, entries TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_groups_obj ON event_groups (namespace, obj_name);
"""
#: Pods' placement columns (kept by ``write``, which keeps ``node_usage`` in step: active
#: pods, millicores and bytes requested per node) and the index of pending pods.
_PLACEMENT = """
DROP INDEX IF EXISTS objects_ip;
CREATE INDEX IF NOT EXISTS objects_pending ON objects (kind, namespace, name)
    WHERE active = 1 AND node IS NULL;
CREATE TEMP TABLE IF NOT EXISTS touched_pods (namespace TEXT NOT NULL, name TEXT NOT NULL);
DROP TRIGGER IF EXISTS usage_insert;
DROP TRIGGER IF EXISTS usage_delete;
DROP TRIGGER IF EXISTS usage_update_old;
DROP TRIGGER IF EXISTS usage_update_new;
"""  # (kept for an hour: triggers and an IP index, both costlier than they are worth)
#: Adds (sign 1) or takes away (-1) what the stored pods named in ``touched_pods`` hold.
_COUNT_TOUCHED = """
INSERT INTO node_usage (node, pods, cpu, memory)
SELECT o.node, ? * count(*), ? * sum(o.cpu), ? * sum(o.memory)
FROM touched_pods t JOIN objects o ON o.kind = 'Pod' AND o.namespace = t.namespace
    AND o.name = t.name
WHERE o.active = 1 AND o.node IS NOT NULL GROUP BY o.node
ON CONFLICT (node) DO UPDATE SET pods = pods + excluded.pods, cpu = cpu + excluded.cpu,
    memory = memory + excluded.memory
"""
_COLUMNS = ("summary TEXT", "node TEXT", "ip TEXT", "active INTEGER", "cpu INTEGER",
            "memory INTEGER")

#: Bytes of the file SQLite reads through a memory map (address space only): listing
#: 10,000 pods walks ~30 MB of rows in index order, twice as fast as through read().
MMAP_SIZE = 1 << 30

Key = tuple[str, str, str]  # (kind key, namespace or "", name)


class Placement(NamedTuple):
    """What the scheduler and node agent need of a stored pod, kept in its row."""

    node: str | None  # spec.nodeName
    ip: str | None  # status.podIP
    active: bool  # neither finished nor being deleted: counts against its node
    cpu: int  # millicores requested
    memory: int  # bytes requested


#: One object row as ``write`` takes it: kind, namespace, name, owner uid, resourceVersion,
#: JSON body, summary (None: no longer written), then for pods their placement.
Row = tuple[str, str, str, str | None, int, str, str | None, Placement | None]
_NO_PLACEMENT = (None, None, None, None, None)


class KubeEventRow(NamedTuple):
    """One core/v1 Event as stored (a group of them shares the object and the time)."""

    namespace: str
    obj_api: str
    obj_kind: str
    obj_name: str
    obj_uid: str
    type: str
    reason: str
    message: str
    component: str
    host: str
    first_ts: str
    last_ts: str
    count: int = 1


def _counted(place: Placement | None, gained: dict[str, list[int]]) -> tuple[object, ...]:
    """``place`` as row columns, adding what it holds to its node's ``gained`` totals."""
    if place is None:
        return _NO_PLACEMENT
    if place.active and place.node:
        sums = gained.get(place.node)
        if sums is None:
            sums = gained[place.node] = [0, 0, 0]
        sums[0] += 1
        sums[1] += place.cpu
        sums[2] += place.memory
    return place


class Store:
    """SQLite access with explicit transactions; no object semantics here."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0,
                                      check_same_thread=False)
            self.db.execute("PRAGMA page_size=16384")  # a new file only: pods are ~2 KB each
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=30000")
            self.db.execute(f"PRAGMA mmap_size={MMAP_SIZE}")  # reads: no copy per page
            self.db.executescript(_SCHEMA)
            if not self._columns() >= {column.split()[0] for column in _COLUMNS}:
                self._upgrade()
            self.db.executescript(_PLACEMENT)
        except sqlite3.Error as exc:
            raise ClusterUnreachable(f"cannot open the cluster state file {self.path}: {exc}; "
                                     "check the path or choose another with --state") from exc

    def _columns(self) -> set[str]:
        return {r[1] for r in self.db.execute("PRAGMA table_info(objects)")}

    def _upgrade(self) -> None:
        """Add the columns a state file from before them lacks and fill them in, under the
        write lock (two processes opening the file together do it once, whole)."""
        self.begin(write=True)
        try:
            columns = self._columns()
            for column in _COLUMNS:
                if column.split()[0] not in columns:
                    self.db.execute(f"ALTER TABLE objects ADD COLUMN {column}")
            if "active" not in columns:
                self._fill_placements()
            self.commit()
        except BaseException:
            self.rollback()
            raise

    def _fill_placements(self) -> None:
        """Give the pods of a state file written before placement columns theirs."""
        from pyhelm.cluster.memory.placement import placement

        rows = self.db.execute("SELECT namespace, name, body FROM objects WHERE kind='Pod'")
        self.db.executemany(
            "UPDATE objects SET node=?, ip=?, active=?, cpu=?, memory=? "
            "WHERE kind='Pod' AND namespace=? AND name=?",
            [(*placement(json.loads(body)), ns, name) for ns, name, body in rows.fetchall()])
        self.db.execute("DELETE FROM node_usage")
        self.db.execute("INSERT INTO node_usage SELECT node, count(*), sum(cpu), sum(memory) "
                        "FROM objects WHERE kind='Pod' AND active=1 AND node IS NOT NULL "
                        "GROUP BY node")

    # -- transactions -------------------------------------------------------
    def begin(self, write: bool) -> None:
        self.db.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def close(self) -> None:
        self.rollback()
        self.db.close()

    # -- meta ----------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def resource_version(self) -> int:
        return int(self.meta("resourceVersion", "0") or 0)

    # -- objects -------------------------------------------------------------
    def load_one(self, key: Key) -> str | None:
        row = self.db.execute("SELECT body FROM objects WHERE kind=? AND namespace=? AND name=?",
                              key).fetchone()
        return row[0] if row else None

    def load_kind(self, kind: str, summaries: bool = False, namespace: str | None = None
                  ) -> Iterator[str]:
        """Bodies of the objects of ``kind``, streamed in namespace/name order; with
        ``summaries``, the cut-down pods earlier versions stored where a row has one."""
        column = "coalesce(summary, body)" if summaries else "body"
        where, params = ("kind=?", [kind]) if namespace is None else \
            ("kind=? AND namespace=?", [kind, namespace])
        return (r[0] for r in self.db.execute(
            f"SELECT {column} FROM objects WHERE {where} ORDER BY namespace, name", params))

    def kinds_owned_by_any(self) -> set[str]:
        """Kind keys that have at least one object with an owner (where dependents live)."""
        return {r[0] for r in self.db.execute(
            "SELECT DISTINCT kind FROM objects WHERE owner IS NOT NULL")}

    def stored_kinds(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT kind FROM objects")}

    def write(self, upserts: Iterable[Row], deletes: Iterable[Key],
              log: Iterable[tuple[int, str, str, str, str, str | None]],
              resource_version: int, stored_pods: Sequence[tuple[str, str]] = ()) -> None:
        """Persist one transaction's net changes and advance the resourceVersion counter.

        ``stored_pods`` names (namespace, name) the pods written or deleted that were
        stored before: node usage loses what they held and gains what the written pods
        hold, so reading it never needs the pods.
        """
        if stored_pods:
            self.db.execute("DELETE FROM touched_pods")
            self.db.executemany("INSERT INTO touched_pods VALUES (?, ?)", stored_pods)
            self.db.execute(_COUNT_TOUCHED, (-1, -1, -1))
        self.db.executemany("DELETE FROM objects WHERE kind=? AND namespace=? AND name=?",
                            list(deletes))
        gained: dict[str, list[int]] = {}
        self.db.executemany(
            "INSERT INTO objects (kind, namespace, name, owner, rv, body, summary, node, ip, "
            "active, cpu, memory) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, namespace, name) DO UPDATE SET owner=excluded.owner, "
            "rv=excluded.rv, body=excluded.body, summary=excluded.summary, node=excluded.node, "
            "ip=excluded.ip, active=excluded.active, cpu=excluded.cpu, memory=excluded.memory",
            ((*row[:7], *_counted(row[7], gained)) for row in upserts))
        self.db.executemany(
            "INSERT INTO node_usage VALUES (?, ?, ?, ?) ON CONFLICT (node) DO UPDATE SET "
            "pods = pods + excluded.pods, cpu = cpu + excluded.cpu, "
            "memory = memory + excluded.memory", [(node, *sums) for node, sums in gained.items()])
        self.db.executemany(
            "INSERT INTO watch_events (rv, type, kind, namespace, name, body) "
            "VALUES (?, ?, ?, ?, ?, ?)", list(log))
        self.set_meta("resourceVersion", str(resource_version))
        self._prune("watch_events", "rv", WATCH_LOG_LIMIT)

    def _prune(self, table: str, column: str, limit: int) -> None:
        row = self.db.execute(f"SELECT (SELECT max({column}) FROM {table}) - (SELECT min("
                              f"{column}) FROM {table}), (SELECT max({column}) FROM {table})"
                              ).fetchone()  # each min/max alone: an index lookup, no scan
        if row[0] is not None and row[0] > limit * 2:
            self.db.execute(f"DELETE FROM {table} WHERE {column} <= ?", (row[1] - limit,))
            if table == "watch_events":
                self.set_meta("watchPrunedThrough", str(row[1] - limit))

    # -- placement -------------------------------------------------------------
    def node_usage(self) -> dict[str, tuple[int, int, int]]:
        """Active pods, millicores and bytes requested, per node, as stored."""
        return {node: (pods, cpu, memory) for node, pods, cpu, memory in self.db.execute(
            "SELECT node, pods, cpu, memory FROM node_usage WHERE pods > 0")}

    def placement(self, key: Key) -> Placement | None:
        """The stored placement of one pod (None when there is no such pod)."""
        row = self.db.execute("SELECT node, ip, active, cpu, memory FROM objects "
                              "WHERE kind=? AND namespace=? AND name=?", key).fetchone()
        return Placement(row[0], row[1], bool(row[2]), row[3] or 0, row[4] or 0) \
            if row and row[2] is not None else None

    def pending_pods(self) -> list[tuple[str, str]]:
        """(namespace, name) of the stored active pods no node runs yet."""
        return self.db.execute("SELECT namespace, name FROM objects WHERE kind='Pod' AND "
                               "active = 1 AND node IS NULL").fetchall()

    def pod_ips(self) -> set[str]:
        """The pod IPs stored pods hold (a scan: for when IPs wrap round)."""
        return {r[0] for r in self.db.execute(
            "SELECT ip FROM objects WHERE kind='Pod' AND ip IS NOT NULL")}

    # -- watch log -----------------------------------------------------------
    def log_since(self, rv: int, kind: str | None, namespace: str | None
                  ) -> list[tuple[int, str, str]]:
        """(rv, type, body) after ``rv``; an ADDED/MODIFIED whose object changed again since
        is left out (the later event carries the object), as a compacted etcd history."""
        sql = ("SELECT w.rv, w.type, coalesce(w.body, o.body) FROM watch_events w "
               "LEFT JOIN objects o ON o.kind = w.kind AND o.namespace = w.namespace "
               "AND o.name = w.name AND o.rv = w.rv WHERE w.rv > ?")
        params: list[object] = [rv]
        if kind is not None:
            sql += " AND w.kind=?"
            params.append(kind)
        if namespace is not None:
            sql += " AND w.namespace=?"
            params.append(namespace)
        return [r for r in self.db.execute(sql + " ORDER BY w.rv", params) if r[2] is not None]

    # -- core/v1 Events -------------------------------------------------------
    def add_event_groups(self, groups: Sequence[tuple[str, str, str, str, str, str, str]]
                         ) -> None:
        """(namespace, apiVersion, kind, name, uid, timestamp, JSON list of
        [type, reason, message, component, host, count]) per object and command."""
        self.db.executemany(
            "INSERT INTO event_groups (namespace, obj_api, obj_kind, obj_name, obj_uid, ts, "
            "entries) VALUES (?,?,?,?,?,?,?)", groups)
        if groups:
            self._prune("event_groups", "id", EVENT_GROUP_LIMIT)

    def kube_events(self, namespace: str | None, obj_name: str | None = None
                    ) -> list[tuple[int, KubeEventRow]]:
        """Events (oldest first) with their ids, in one namespace or all, about one name."""
        sql = ("SELECT id, namespace, obj_api, obj_kind, obj_name, obj_uid, ts, entries "
               "FROM event_groups WHERE 1=1")
        params: list[object] = []
        if namespace is not None:
            sql += " AND namespace=?"
            params.append(namespace)
        if obj_name is not None:
            sql += " AND obj_name=?"
            params.append(obj_name)
        found = []
        for gid, ns, api, kind, name, uid, ts, entries in self.db.execute(sql + " ORDER BY id",
                                                                        params):
            for index, (type_, reason, message, component, host, *count) in enumerate(
                    json.loads(entries)):
                found.append((gid * GROUP_SPAN + index, KubeEventRow(
                    ns, api, kind, name, uid, type_, reason, message, component, host, ts, ts,
                    count[0] if count else 1)))
        return found

    def delete_kube_events(self, namespace: str) -> None:
        self.db.execute("DELETE FROM event_groups WHERE namespace=?", (namespace,))

    def reset(self) -> None:
        for table in ("objects", "watch_events", "event_groups", "meta", "node_usage"):
            self.db.execute(f"DELETE FROM {table}")
