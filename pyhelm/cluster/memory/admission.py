"""What the API server adds on create: ClusterIPs and NodePorts for Services.

ClusterIPs come from 10.96.0.0/12 (10.96.0.1 is the ``kubernetes`` Service,
10.96.0.10 is kept for DNS); NodePorts from 30000-32767. Choices are spread by
a hash of the Service's name, so they look like a real cluster's, and never
repeat one in use.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from pyhelm.cluster.memory.errors import Cause, ObjectInvalid
from pyhelm.cluster.memory.state import WorkingSet

Manifest = dict[str, Any]
SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
RESERVED = {"10.96.0.1", "10.96.0.10"}
NODE_PORTS = range(30000, 32768)


def _seed(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _in_use(ws: WorkingSet) -> tuple[set[str], set[int]]:
    """ClusterIPs and NodePorts taken (computed once per transaction, then kept up to date)."""
    if "service-allocations" in ws.memo:
        return ws.memo["service-allocations"]
    ips, ports = set(RESERVED), set()
    for svc in ws.iter_kind("Service"):
        spec = svc.get("spec") or {}
        ips.update(spec.get("clusterIPs") or [spec.get("clusterIP")])
        ports.update(p.get("nodePort") for p in spec.get("ports") or () if p.get("nodePort"))
    ws.memo["service-allocations"] = (ips, ports)
    return ips, ports


def allocate_service(ws: WorkingSet, svc: Manifest) -> None:
    """Give a new Service its clusterIP(s) and nodePorts; raises ``ObjectInvalid`` on clashes."""
    spec = svc.setdefault("spec", {})
    kind = spec.get("type", "ClusterIP")
    if kind == "ExternalName":
        return
    ips, ports = _in_use(ws)
    name = f'{svc["metadata"].get("namespace")}/{svc["metadata"]["name"]}'
    wanted = spec.get("clusterIP")
    if wanted in (None, ""):
        spec["clusterIP"] = _free_ip(_seed(name), ips)
    elif wanted != "None":
        if wanted in ips:
            raise ObjectInvalid("Service", svc["metadata"]["name"], [Cause(
                "spec.clusterIPs", f'Invalid value: ["{wanted}"]: failed to allocate IP '
                f"{wanted}: provided IP is already allocated")])
        try:
            if ipaddress.ip_address(wanted) not in SERVICE_CIDR:
                raise ValueError
        except ValueError:
            raise ObjectInvalid("Service", svc["metadata"]["name"], [Cause(
                "spec.clusterIPs", f'Invalid value: ["{wanted}"]: failed to allocate IP '
                f"{wanted}: the provided IP ({wanted}) is not in the valid range. The range of "
                f"valid IPs is {SERVICE_CIDR}")]) from None
    spec["clusterIPs"] = [spec["clusterIP"]]
    ips.add(spec["clusterIP"])
    if kind in ("NodePort", "LoadBalancer"):
        for i, port in enumerate(spec.get("ports") or ()):
            if port.get("nodePort"):
                if port["nodePort"] in ports or port["nodePort"] not in NODE_PORTS:
                    raise ObjectInvalid("Service", svc["metadata"]["name"], [Cause(
                        f"spec.ports[{i}].nodePort", f"Invalid value: {port['nodePort']}: "
                        "provided port is already allocated or outside 30000-32767")])
            else:
                port["nodePort"] = _free_port(_seed(f"{name}:{i}"), ports)
            ports.add(port["nodePort"])
        spec.setdefault("externalTrafficPolicy", "Cluster")


def _free_ip(seed: int, used: set[str]) -> str:
    size = 65536  # choose within 10.96.0.0/16, as small clusters show
    for step in range(size):
        candidate = str(SERVICE_CIDR[(seed + step) % (size - 2) + 1])
        if candidate not in used:
            return candidate
    raise ObjectInvalid("Service", "", [Cause("spec.clusterIP", "range is full")])


def _free_port(seed: int, used: set[int]) -> int:
    for step in range(len(NODE_PORTS)):
        candidate = NODE_PORTS[(seed + step) % len(NODE_PORTS)]
        if candidate not in used:
            return candidate
    raise ObjectInvalid("Service", "", [Cause("spec.ports", "no free node port")])
