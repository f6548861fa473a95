"""What a fresh built-in cluster starts with: namespaces, three nodes, the ``kubernetes`` Service.

Nodes are kind-like: ``node-1``.. with InternalIP 172.18.0.N+1, podCIDR
10.244.N.0/24 and, by default, 8 CPUs, 32Gi memory and room for 4000 pods
(well above a real kubelet's 110, so 10,000 replicas fit on three nodes).
"""

from __future__ import annotations

from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import info
from pyhelm.errors import UsageError

Manifest = dict[str, Any]
NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
KUBE_VERSION = "v1.35.0"
MAX_NODES = 15


def node_manifest(name: str, index: int, cpu: str = "8", memory: str = "32Gi",
                  pods: int = 4000, labels: dict[str, str] | None = None,
                  taints: list[Manifest] | None = None) -> Manifest:
    capacity = {"cpu": cpu, "memory": memory, "pods": str(pods), "ephemeral-storage": "100Gi"}
    node: Manifest = {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
            "beta.kubernetes.io/arch": "amd64", **(labels or {})}},
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]},
        "status": {
            "capacity": capacity, "allocatable": dict(capacity),
            "addresses": [{"type": "InternalIP", "address": f"172.18.0.{index + 1}"},
                          {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": KUBE_VERSION, "kubeProxyVersion": KUBE_VERSION,
                         "containerRuntimeVersion": "containerd://2.1.0",
                         "operatingSystem": "linux", "architecture": "amd64",
                         "osImage": "pyhelm simulated node", "kernelVersion": "6.1.0"},
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                            "message": "kubelet is posting ready status"}]}}
    if taints:
        node["spec"]["taints"] = taints
    return node


def add_node(api: Api, name: str, **options: Any) -> Manifest:
    """Add a node with the first free index; raises ``UsageError`` past ``MAX_NODES``."""
    used = {int(n["spec"]["podCIDR"].split(".")[2]) for n in api.ws.list("Node")}
    free = [i for i in range(1, MAX_NODES + 1) if i not in used]
    if not free:
        raise UsageError(f"the built-in cluster holds at most {MAX_NODES} nodes; remove one first")
    node = node_manifest(name, free[0], **options)
    status = node.pop("status")
    created = api.create(node).obj
    created["status"] = status
    api.ws.put(info("Node"), created)
    return created


def bootstrap(api: Api, nodes: int = 3) -> None:
    for name in NAMESPACES:
        api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    for index in range(1, nodes + 1):
        add_node(api, f"node-{index}")
    _kubernetes_service(api)


def _kubernetes_service(api: Api) -> None:
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {
        "name": "kubernetes", "namespace": "default",
        "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP",
                            "targetPort": 6443}]}}
    created = api.create(svc).obj
    created["spec"]["clusterIP"] = "10.96.0.1"
    created["spec"]["clusterIPs"] = ["10.96.0.1"]
    api.ws.put(info("Service"), created)
    api.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {
        "name": "kubernetes", "namespace": "default",
        "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": "172.18.0.2"}],
                     "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]})
