"""``expose``: the Service kubectl would create for a Deployment, ReplicaSet, Pod or Service."""

from __future__ import annotations

from typing import Any

from pyhelm.errors import UsageError

Manifest = dict[str, Any]


def _selector(source: Manifest) -> dict[str, str]:
    kind = source.get("kind")
    if kind == "Pod":
        return dict(source["metadata"].get("labels") or {})
    if kind == "Service":
        return dict((source.get("spec") or {}).get("selector") or {})
    selector = (source.get("spec") or {}).get("selector") or {}
    if selector.get("matchExpressions"):
        raise UsageError(f'couldn\'t retrieve selectors via --selector flag or introspection: '
                         f'{kind} "{source["metadata"]["name"]}" uses matchExpressions, which a '
                         "Service cannot select by")
    return dict(selector.get("matchLabels") or {})


def _container_ports(source: Manifest) -> list[Manifest]:
    if source.get("kind") == "Service":
        return [{"containerPort": p.get("port"), "protocol": p.get("protocol", "TCP"),
                 "name": p.get("name")} for p in (source.get("spec") or {}).get("ports") or ()]
    spec = source.get("spec") or {}
    pod_spec = spec if source.get("kind") == "Pod" else (spec.get("template") or {}).get("spec")
    return [p for c in (pod_spec or {}).get("containers") or () for p in c.get("ports") or ()]


def service_for(source: Manifest, name: str, port: int | None, target_port: str | None,
                type_: str = "ClusterIP", protocol: str = "TCP") -> Manifest:
    """The Service (not yet created) that ``expose`` makes; raises ``UsageError`` without ports."""
    selector = _selector(source)
    if not selector:
        raise UsageError(f'couldn\'t find a selector for {source.get("kind")} '
                         f'"{source["metadata"]["name"]}"; give the object labels first')
    if port is not None:
        target: Any = int(target_port) if target_port and target_port.isdigit() else \
            (target_port or port)
        ports = [{"port": port, "protocol": protocol, "targetPort": target}]
    else:
        found = _container_ports(source)
        if not found:
            raise UsageError(f'couldn\'t find port via --port flag or introspection: '
                             f'{source.get("kind")} "{source["metadata"]["name"]}" declares no '
                             "container ports; pass --port=80")
        ports = [{"port": p["containerPort"], "protocol": p.get("protocol", "TCP"),
                  "targetPort": p["containerPort"]} for p in found]
        if len(ports) > 1:
            for index, p in enumerate(ports, 1):
                p["name"] = f"port-{index}"
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "labels": dict(source["metadata"].get("labels") or {})},
            "spec": {"ports": ports, "selector": selector, "type": type_}}
