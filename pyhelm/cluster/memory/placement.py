"""Where pods run and what they hold, without reading every pod.

The store keeps each pod's placement (node, pod IP, whether it counts, requests)
in its row and the per-node totals in ``node_usage``. Within a transaction,
``NodeUsage`` starts from those totals and follows only the pods the
transaction changed, so scheduling one pod costs the same with 10 or 10,000
pods in the cluster.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pyhelm.cluster.memory.quantity import pod_requests
from pyhelm.cluster.memory.store import Key, Placement
from pyhelm.errors import ClusterError

if TYPE_CHECKING:
    from pyhelm.cluster.memory.state import WorkingSet

Manifest = dict[str, Any]
Usage = tuple[str, int, int]  # node, millicores, bytes


def pod_active(pod: Manifest) -> bool:
    """Neither finished nor being deleted (it holds its node's resources)."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def placement(pod: Manifest) -> Placement:
    spec = pod.get("spec") or {}
    cpu, memory = pod_requests(spec)
    return Placement(spec.get("nodeName") or None, (pod.get("status") or {}).get("podIP"),
                     pod_active(pod), round(cpu * 1000), round(memory))


def _usage(place: Placement | None) -> Usage | None:
    if place is None or not place.active or not place.node:
        return None
    return place.node, place.cpu, place.memory


class NodeUsage:
    """Per-node active pods and requests, as stored plus this transaction's changes."""

    def __init__(self, ws: WorkingSet) -> None:
        self.ws = ws
        self.totals: dict[str, list[int]] = {
            node: list(values) for node, values in ws.store.node_usage().items()}
        self._counted: dict[Key, Usage | None] = {}
        self._dirty: set[Key] = set()

    @classmethod
    def of(cls, ws: WorkingSet) -> NodeUsage:
        """The transaction's tracker (made on first use)."""
        usage = ws.memo.get("node-usage")
        if usage is None:
            usage = ws.memo["node-usage"] = cls(ws)
        return usage

    def note(self, key: Key) -> None:
        """``key`` (a pod) was written in this transaction: count it again when asked."""
        self._dirty.add(key)

    def follow(self, key: Key, pod: Manifest | None) -> None:
        """Count ``pod`` (now, or None when gone) instead of what was counted for it."""
        if key in self._counted:
            old = self._counted[key]
        else:
            old = _usage(self.ws.store.placement(key)) if self.ws.existed_before(key) else None
        new = _usage(placement(pod)) if pod is not None else None
        self._counted[key] = new
        if old != new:
            self._add(old, -1)
            self._add(new, 1)

    def _add(self, usage: Usage | None, sign: int) -> None:
        if usage is not None:
            node, cpu, memory = usage
            totals = self.totals.setdefault(node, [0, 0, 0])
            totals[0] += sign
            totals[1] += sign * cpu
            totals[2] += sign * memory

    def current(self) -> dict[str, list[int]]:
        """Active pods, millicores and bytes per node, with every noted change counted."""
        for key in self._dirty:
            self.follow(key, self.ws.get(*key))
        self._dirty.clear()
        return self.totals


class IpPools:
    """Pod IPs per node (10.244.N.M), handed out from a cursor kept in the store.

    As the host-local IPAM plugin does, each node's next IP follows the last one
    given out, wrapping round, skipping those still held: so giving one out costs
    the same however many pods exist. ``save`` (at flush) keeps the cursors.
    """

    def __init__(self, ws: WorkingSet) -> None:
        self.ws = ws
        self._cursors: dict[str, int] = {}
        self._held: set[str] | None = None

    @classmethod
    def of(cls, ws: WorkingSet) -> IpPools:
        pools = ws.memo.get("ip-pools")
        if pools is None:
            pools = ws.memo["ip-pools"] = cls(ws)
        return pools

    def allocate(self, node: Manifest) -> str:
        name = node["metadata"]["name"]
        candidates = _candidates(node_index(node))
        cursor = self._cursors.get(name)
        if cursor is None:
            cursor = int(self.ws.store.meta(f"ipCursor/{name}", "0") or 0)
        held = self._held_now()
        stored_too = not self.ws.fully_loaded("Pod")  # else every pod's IP is in ``held``
        for step in range(len(candidates)):
            ip = candidates[(cursor + step) % len(candidates)]
            if ip not in held and not (stored_too and self.ws.store.ip_held(ip)):
                held.add(ip)
                self._cursors[name] = (cursor + step + 1) % len(candidates)
                return ip
        raise ClusterError(f"node {name} ran out of pod IPs; add a node with "
                           "'pyhelm cluster nodes add'")

    def _held_now(self) -> set[str]:
        if self._held is None:  # this transaction's pods, stored or not
            self._held = {ip for pod in self.ws.loaded("Pod")
                          if (ip := (pod.get("status") or {}).get("podIP"))}
        return self._held

    def save(self) -> None:
        for name, cursor in self._cursors.items():
            self.ws.store.set_meta(f"ipCursor/{name}", str(cursor))


@lru_cache(maxsize=64)
def _candidates(base: int) -> tuple[str, ...]:
    return tuple(f"10.244.{base + 16 * block}.{last}" for block in range(16)
                 if base + 16 * block <= 255 for last in range(2, 255))


def node_index(node: Manifest) -> int:
    cidr = (node.get("spec") or {}).get("podCIDR", "10.244.1.0/24")
    return int(cidr.split(".")[2])
