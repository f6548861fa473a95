"""Where pods run and what they hold, without reading every pod.

The store keeps each pod's placement (node, pod IP, whether it counts, requests)
in its row and the per-node totals in ``node_usage``. Within a transaction,
``NodeUsage`` starts from those totals and follows only the pods the
transaction changed, so scheduling one pod costs the same with 10 or 10,000
pods in the cluster. (Neither holds on to the transaction: it holds them, in
``WorkingSet.memo``, and a cycle would keep 10,000 pods alive until the next GC.)
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pyhelm.cluster.memory.quantity import pod_requests
from pyhelm.cluster.memory.store import Key, Placement, Store
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


def _current_usage(pod: Manifest) -> Usage | None:
    node = (pod.get("spec") or {}).get("nodeName")
    if not node or not pod_active(pod):
        return None
    cpu, memory = pod_requests(pod["spec"])
    return node, round(cpu * 1000), round(memory)


class NodeUsage:
    """Per-node active pods and requests, as stored plus this transaction's changes."""

    def __init__(self, ws: WorkingSet) -> None:
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

    def follow(self, ws: WorkingSet, key: Key, pod: Manifest | None) -> None:
        """Count ``pod`` (now, or None when gone) instead of what was counted for it."""
        if key in self._counted:
            old = self._counted[key]
        else:
            old = _usage(ws.store.placement(key)) if ws.existed_before(key) else None
        new = _current_usage(pod) if pod is not None else None
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

    def current(self, ws: WorkingSet) -> dict[str, list[int]]:
        """Active pods, millicores and bytes per node, with every noted change counted."""
        for key in self._dirty:
            self.follow(ws, key, ws.get(*key))
        self._dirty.clear()
        return self.totals


class IpPools:
    """Pod IPs per node (10.244.N.M), handed out from a cursor kept in the store.

    As the host-local IPAM plugin does, each node's next IP follows the last one
    given out, wrapping round, skipping those still held. The store also keeps how
    far IPs were ever handed out: beyond that mark none can be held, so giving one
    out costs the same however many pods exist; below it (after wrapping round)
    the stored pods' IPs are read once per command. ``save`` (at flush) keeps both.
    """

    def __init__(self) -> None:
        self._cursors: dict[str, tuple[int, int]] = {}  # node: (next index, fresh from)
        self._held: set[str] | None = None
        self._stored: set[str] | None = None

    @classmethod
    def of(cls, ws: WorkingSet) -> IpPools:
        pools = ws.memo.get("ip-pools")
        if pools is None:
            pools = ws.memo["ip-pools"] = cls()
        return pools

    def allocate(self, ws: WorkingSet, node: Manifest) -> str:
        name = node["metadata"]["name"]
        base = node_index(node)
        size = _range_size(base)
        cursor, fresh = self._cursors.get(name) or _parse_cursor(
            ws.store.meta(f"ipCursor/{name}"), size)
        held = self._held_now(ws)
        stored_too = not ws.fully_loaded("Pod")  # else every pod's IP is in ``held``
        for step in range(size):
            index = (cursor + step) % size
            ip = _nth_ip(base, index)
            if ip in held or (index < fresh and stored_too and ip in self._stored_now(ws)):
                continue
            held.add(ip)
            self._cursors[name] = ((index + 1) % size, max(fresh, index + 1))
            return ip
        raise ClusterError(f"node {name} ran out of pod IPs; add a node with "
                           "'pyhelm cluster nodes add'")

    def _held_now(self, ws: WorkingSet) -> set[str]:
        if self._held is None:  # this transaction's pods, stored or not
            self._held = {ip for pod in ws.loaded("Pod")
                          if (ip := (pod.get("status") or {}).get("podIP"))}
        return self._held

    def _stored_now(self, ws: WorkingSet) -> set[str]:
        if self._stored is None:
            self._stored = ws.store.pod_ips()
        return self._stored

    def save(self, store: Store) -> None:
        for name, (cursor, fresh) in self._cursors.items():
            store.set_meta(f"ipCursor/{name}", f"{cursor} {fresh}")


def _parse_cursor(text: str | None, size: int) -> tuple[int, int]:
    """(next index, fresh from) as saved; without a mark, any IP may be held."""
    parts = (text or "0").split()
    return int(parts[0]), int(parts[1]) if len(parts) > 1 else size


_PER_BLOCK = 253  # .2 to .254 of each 10.244.N.0/24 a node owns (N = base + 16 * block)


@lru_cache(maxsize=64)
def _range_size(base: int) -> int:
    return sum(1 for block in range(16) if base + 16 * block <= 255) * _PER_BLOCK


def _nth_ip(base: int, index: int) -> str:
    block, last = divmod(index, _PER_BLOCK)
    return f"10.244.{base + 16 * block}.{last + 2}"


def node_index(node: Manifest) -> int:
    cidr = (node.get("spec") or {}).get("podCIDR", "10.244.1.0/24")
    return int(cidr.split(".")[2])
