"""Service controller: Endpoints follow the ready pods a Service selects; LoadBalancers get an
external address (from 172.18.255.200 up, as a laptop load balancer would give)."""

from __future__ import annotations

from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import info, put, ready_condition
from pyhelm.cluster.memory.names import template_hash
from pyhelm.cluster.memory.state import Change
from pyhelm.cluster.objects import owner_reference

Manifest = dict[str, Any]


def sync(api: Api, changes: list[Change]) -> None:
    services: set[tuple[str, str]] = set()
    pod_namespaces: set[str] = set()
    for change in changes:
        kind, namespace, name = change.key
        if kind == "Service":
            if change.type == "DELETED":
                endpoints = api.ws.get("Endpoints", namespace, name)
                if endpoints is not None:
                    api.ws.remove(info("Endpoints"), endpoints)
            else:
                services.add((namespace, name))
        elif kind == "Pod":
            pod_namespaces.add(namespace)
    for namespace in sorted(pod_namespaces):
        for svc in api.ws.list("Service", namespace):
            if (svc.get("spec") or {}).get("selector"):
                services.add((namespace, svc["metadata"]["name"]))
    index = PodIndex(api)
    for namespace, name in sorted(services):
        svc = api.ws.get("Service", namespace, name)
        if svc is not None:
            reconcile(api, svc, index)


class PodIndex:
    """Pods of a namespace by label pair, built once per sync (selectors then look up, not scan)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self._by_label: dict[str, dict[tuple[str, str], list[Manifest]]] = {}

    def selected(self, namespace: str, selector: dict[str, Any]) -> list[Manifest]:
        if namespace not in self._by_label:
            table: dict[tuple[str, str], list[Manifest]] = {}
            for pod in self.api.ws.list("Pod", namespace):
                for pair in (pod["metadata"].get("labels") or {}).items():
                    table.setdefault(pair, []).append(pod)
            self._by_label[namespace] = table
        table = self._by_label[namespace]
        pairs = [(str(k), str(v)) for k, v in selector.items()]
        first = min(pairs, key=lambda p: len(table.get(p, ())))
        return [p for p in table.get(first, ()) if all(
            (p["metadata"].get("labels") or {}).get(k) == v for k, v in pairs)]


def reconcile(api: Api, svc: Manifest, index: PodIndex | None = None) -> None:
    spec = svc.get("spec") or {}
    if spec.get("type") == "LoadBalancer":
        _load_balancer(api, svc)
    selector = spec.get("selector")
    if not selector:
        return
    meta = svc["metadata"]
    ready, not_ready = [], []
    for pod in (index or PodIndex(api)).selected(meta["namespace"], selector):
        status = pod.get("status") or {}
        if not status.get("podIP") or pod["metadata"].get("deletionTimestamp") or \
                status.get("phase") in ("Succeeded", "Failed"):
            continue
        address = {"ip": status["podIP"], "nodeName": pod["spec"].get("nodeName"),
                   "targetRef": {"kind": "Pod", "name": pod["metadata"]["name"],
                                 "namespace": meta["namespace"], "uid": pod["metadata"]["uid"]}}
        (ready if ready_condition(pod) else not_ready).append((pod, address))
    pods = [p for p, _ in ready + not_ready]
    subset: Manifest = {}
    if ready:
        subset["addresses"] = [a for _, a in ready]
    if not_ready:
        subset["notReadyAddresses"] = [a for _, a in not_ready]
    if subset:
        subset["ports"] = [_port(p, pods) for p in spec.get("ports") or ()]
    subsets = [subset] if subset else []
    current = api.ws.get("Endpoints", meta["namespace"], meta["name"])
    if current is None:
        api.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {
            "name": meta["name"], "namespace": meta["namespace"],
            "labels": dict(meta.get("labels") or {})}, "subsets": subsets},
            owned=True, trusted=True)
    elif current.get("subsets", []) != subsets:
        current["subsets"] = subsets
        put(api, current)
    _slice(api, svc, ready, not_ready, subset.get("ports") or [])


def _slice(api: Api, svc: Manifest, ready: list[tuple[Manifest, Manifest]],
           not_ready: list[tuple[Manifest, Manifest]], ports: list[Manifest]) -> None:
    """The Service's EndpointSlice (one per Service here, whatever its size)."""
    meta = svc["metadata"]
    endpoints = [{"addresses": [a["ip"]], "conditions": {
        "ready": ok, "serving": ok, "terminating": False},
        "nodeName": a["nodeName"], "targetRef": a["targetRef"]}
        for group, ok in ((ready, True), (not_ready, False)) for _, a in group]
    name = f'{meta["name"]}-{template_hash(meta["uid"])[:5]}'
    current = api.ws.get("EndpointSlice.discovery.k8s.io", meta["namespace"], name)
    if current is None:
        api.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {
            "name": name, "namespace": meta["namespace"], "ownerReferences": [
                owner_reference(svc)],
            "labels": {**(meta.get("labels") or {}), "kubernetes.io/service-name": meta["name"],
                       "endpointslice.kubernetes.io/managed-by":
                           "endpointslice-controller.k8s.io"}},
            "addressType": "IPv4", "endpoints": endpoints, "ports": ports},
            owned=True, trusted=True)
    elif (current.get("endpoints"), current.get("ports")) != (endpoints, ports):
        current["endpoints"], current["ports"] = endpoints, ports
        put(api, current)


def target_port(port: Manifest, pod: Manifest) -> int | None:
    """The container port a Service port reaches on ``pod`` (named ports are looked up)."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    for c in (pod.get("spec") or {}).get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == target:
                return int(p["containerPort"])
    return int(target) if str(target).isdigit() else None


def _port(port: Manifest, pods: list[Manifest]) -> Manifest:
    number = next((n for p in pods if (n := target_port(port, p)) is not None), None)
    entry = {"port": number or port.get("port"), "protocol": port.get("protocol", "TCP")}
    if port.get("name"):
        entry["name"] = port["name"]
    return entry


def _load_balancer(api: Api, svc: Manifest) -> None:
    status = svc.setdefault("status", {})
    if (status.get("loadBalancer") or {}).get("ingress"):
        return
    taken = {i.get("ip") for s in api.ws.iter_kind("Service")
             for i in ((s.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ()}
    ip = next(f"172.18.255.{n}" for n in range(200, 255) if f"172.18.255.{n}" not in taken)
    status["loadBalancer"] = {"ingress": [{"ip": ip, "ipMode": "VIP"}]}
    put(api, svc)
