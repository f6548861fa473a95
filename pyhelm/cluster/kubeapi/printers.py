"""Per-kind Table columns and cells, as the Kubernetes API server prints them.

``columns(kind)`` gives ``(name, type, priority)`` triples; ``cells(kind, obj,
now, age)`` the matching cell values. Kinds without a printer get Name and Age,
as custom resources without printer columns do on a real server.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

Obj = dict[str, Any]
AgeFn = Callable[[str | None, datetime], str]
Cells = Callable[[Obj, datetime, AgeFn], list[Any]]

NONE = "<none>"


def _meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def _name(obj: Obj) -> str:
    return str(_meta(obj).get("name", ""))


def _created(obj: Obj, now: datetime, age: AgeFn) -> str:
    return age(_meta(obj).get("creationTimestamp"), now)


def _containers(obj: Obj) -> list[Obj]:
    spec = obj.get("spec") or {}
    template = ((spec.get("template") or {}).get("spec")) or spec.get("jobTemplate", {}).get(
        "spec", {}).get("template", {}).get("spec", {})
    return template.get("containers") or []


def _names_images(obj: Obj) -> list[str]:
    containers = _containers(obj)
    return [",".join(c.get("name", "") for c in containers),
            ",".join(c.get("image", "") for c in containers)]


def selector_text(selector: Obj | None) -> str:
    """A LabelSelector as text: ``app=web,tier in (a,b)``; ``<none>`` when empty."""
    if not selector:
        return NONE
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        op, key = expr.get("operator", ""), expr.get("key", "")
        values = ",".join(sorted(expr.get("values") or []))
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": key, "DoesNotExist": f"!{key}"}.get(op, key))
    return ",".join(parts) or NONE


def pod_status(pod: Obj) -> str:
    """The STATUS cell of a pod: phase, a container's waiting/terminated reason, Terminating."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"
    running = False
    for cs in reversed(status.get("containerStatuses") or []):
        state = cs.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated and terminated.get("reason"):
            reason = terminated["reason"]
        elif terminated:
            reason = f"ExitCode:{terminated.get('exitCode', 0)}"
        elif cs.get("ready") and state.get("running") is not None:
            running = True
    if reason == "Completed" and running:
        reason = "Running"
    if _meta(pod).get("deletionTimestamp"):
        reason = "Terminating"
    return str(reason)


def _pod(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    status = obj.get("status") or {}
    statuses = status.get("containerStatuses") or []
    total = len((obj.get("spec") or {}).get("containers") or []) or len(statuses)
    ready = sum(1 for cs in statuses if cs.get("ready"))
    restarts = sum(int(cs.get("restartCount") or 0) for cs in statuses)
    finished = [((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
                for cs in statuses]
    last = max((f for f in finished if f), default=None)
    restart_text = f"{restarts} ({age(last, now)} ago)" if restarts and last else str(restarts)
    gates = (obj.get("spec") or {}).get("readinessGates") or []
    return [_name(obj), f"{ready}/{total}", pod_status(obj), restart_text,
            _created(obj, now, age), status.get("podIP") or NONE,
            (obj.get("spec") or {}).get("nodeName") or NONE,
            status.get("nominatedNodeName") or NONE,
            f"{len(gates)}/{len(gates)}" if gates else NONE]


def _deployment(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired = spec.get("replicas", 1)
    return [_name(obj), f"{status.get('readyReplicas', 0)}/{desired}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0),
            _created(obj, now, age), *_names_images(obj), selector_text(spec.get("selector"))]


def _replicaset(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [_name(obj), spec.get("replicas", 1), status.get("replicas", 0),
            status.get("readyReplicas", 0), _created(obj, now, age), *_names_images(obj),
            selector_text(spec.get("selector"))]


def _statefulset(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [_name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            _created(obj, now, age), *_names_images(obj)]


def _daemonset(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    status = obj.get("status") or {}
    node_selector = ((obj.get("spec") or {}).get("template") or {}).get("spec", {}).get(
        "nodeSelector") or {}
    return [_name(obj), status.get("desiredNumberScheduled", 0),
            status.get("currentNumberScheduled", 0), status.get("numberReady", 0),
            status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0),
            ",".join(f"{k}={v}" for k, v in sorted(node_selector.items())) or NONE,
            _created(obj, now, age), *_names_images(obj),
            selector_text((obj.get("spec") or {}).get("selector"))]


def _duration(status: Obj, now: datetime, age: AgeFn) -> str:
    """A Job's DURATION: start to completion (or to now while it runs)."""
    start, end = status.get("startTime"), status.get("completionTime")
    if not start:
        return ""
    if not end:
        return age(start, now)
    finished = datetime.fromisoformat(end.replace("Z", "+00:00"))
    return age(start, finished)


def _job(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    state = ("Complete" if conditions.get("Complete") == "True" else
             "Failed" if conditions.get("Failed") == "True" else
             "Suspended" if spec.get("suspend") else "Running")
    completions = f"{status.get('succeeded', 0)}/{spec.get('completions', 1)}"
    return [_name(obj), state, completions, _duration(status, now, age), _created(obj, now, age),
            *_names_images(obj),
            selector_text(spec.get("selector"))]


def _cronjob(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    last = status.get("lastScheduleTime")
    return [_name(obj), spec.get("schedule", ""), spec.get("timeZone") or NONE,
            str(bool(spec.get("suspend"))), len(status.get("active") or []),
            age(last, now) if last else NONE, _created(obj, now, age), *_names_images(obj),
            NONE]


def _service_ports(spec: Obj) -> str:
    ports = []
    for port in spec.get("ports") or []:
        node = f":{port['nodePort']}" if port.get("nodePort") else ""
        ports.append(f"{port.get('port')}{node}/{port.get('protocol', 'TCP')}")
    return ",".join(ports) or NONE


def _external_ip(spec: Obj, status: Obj) -> str:
    kind = spec.get("type", "ClusterIP")
    ips = list(spec.get("externalIPs") or [])
    if kind == "ExternalName":
        return str(spec.get("externalName") or NONE)
    if kind == "LoadBalancer":
        ingress = (status.get("loadBalancer") or {}).get("ingress") or []
        ips += [i.get("ip") or i.get("hostname") for i in ingress]
        return ",".join(ips) or "<pending>"
    return ",".join(ips) or NONE


def _service(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    return [_name(obj), spec.get("type", "ClusterIP"), spec.get("clusterIP") or NONE,
            _external_ip(spec, obj.get("status") or {}), _service_ports(spec),
            _created(obj, now, age),
            ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or NONE]


def _namespace(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    return [_name(obj), (obj.get("status") or {}).get("phase", "Active"), _created(obj, now, age)]


def _configmap(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    count = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
    return [_name(obj), count, _created(obj, now, age)]


def _secret(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    return [_name(obj), obj.get("type", "Opaque"), len(obj.get("data") or {}),
            _created(obj, now, age)]


def _serviceaccount(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    return [_name(obj), len(obj.get("secrets") or []), _created(obj, now, age)]


def _event(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    involved = obj.get("involvedObject") or {}
    last = obj.get("lastTimestamp") or obj.get("eventTime") or _meta(obj).get("creationTimestamp")
    source = obj.get("source") or {}
    return [age(last, now), obj.get("type", ""), obj.get("reason", ""),
            f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
            obj.get("message", ""), involved.get("fieldPath", ""),
            ", ".join(v for v in (source.get("component"), source.get("host")) if v),
            age(obj.get("firstTimestamp") or last, now), obj.get("count", 1), _name(obj)]


def _node(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    status = obj.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in status.get("conditions") or [])
    state = "Ready" if ready else "NotReady"
    if (obj.get("spec") or {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    roles = sorted(k.split("/", 1)[1] for k in (_meta(obj).get("labels") or {})
                   if k.startswith("node-role.kubernetes.io/"))
    info = status.get("nodeInfo") or {}
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    return [_name(obj), state, ",".join(roles) or NONE, _created(obj, now, age),
            info.get("kubeletVersion", ""), addresses.get("InternalIP") or NONE,
            addresses.get("ExternalIP") or NONE, info.get("osImage", ""),
            info.get("kernelVersion", ""), info.get("containerRuntimeVersion", "")]


def _endpoints(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    addresses = [f"{a.get('ip')}:{p.get('port')}" for s in obj.get("subsets") or []
                 for a in s.get("addresses") or [] for p in s.get("ports") or [{}]]
    shown = ",".join(addresses[:3]) + (f" + {len(addresses) - 3} more..." if len(addresses) > 3
                                       else "")
    return [_name(obj), shown or NONE, _created(obj, now, age)]


def _created_at(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    return [_name(obj), _meta(obj).get("creationTimestamp", "")]


def _binding(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    ref = obj.get("roleRef") or {}
    subjects = obj.get("subjects") or []

    def named(kind: str) -> str:
        return ", ".join(s.get("name", "") if kind != "ServiceAccount" else
                         f"{s.get('namespace', '')}/{s.get('name', '')}"
                         for s in subjects if s.get("kind") == kind)

    return [_name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}", _created(obj, now, age),
            named("User"), named("Group"), named("ServiceAccount")]


def _default(obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    return [_name(obj), _created(obj, now, age)]


_WORKLOAD_WIDE = [("Containers", "string", 1), ("Images", "string", 1),
                  ("Selector", "string", 1)]

_BINDING_COLUMNS = [("Name", "string", 0), ("Role", "string", 0), ("Age", "string", 0),
                    ("Users", "string", 1), ("Groups", "string", 1),
                    ("ServiceAccounts", "string", 1)]

PRINTERS: dict[str, tuple[list[tuple[str, str, int]], Cells]] = {
    "Pod": ([("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0),
             ("Restarts", "string", 0), ("Age", "string", 0), ("IP", "string", 1),
             ("Node", "string", 1), ("Nominated Node", "string", 1),
             ("Readiness Gates", "string", 1)], _pod),
    "Deployment": ([("Name", "string", 0), ("Ready", "string", 0), ("Up-to-date", "integer", 0),
                    ("Available", "integer", 0), ("Age", "string", 0), *_WORKLOAD_WIDE],
                   _deployment),
    "ReplicaSet": ([("Name", "string", 0), ("Desired", "integer", 0), ("Current", "integer", 0),
                    ("Ready", "integer", 0), ("Age", "string", 0), *_WORKLOAD_WIDE],
                   _replicaset),
    "StatefulSet": ([("Name", "string", 0), ("Ready", "string", 0), ("Age", "string", 0),
                     *_WORKLOAD_WIDE[:2]], _statefulset),
    "DaemonSet": ([("Name", "string", 0), ("Desired", "integer", 0), ("Current", "integer", 0),
                   ("Ready", "integer", 0), ("Up-to-date", "integer", 0),
                   ("Available", "integer", 0), ("Node Selector", "string", 0),
                   ("Age", "string", 0), *_WORKLOAD_WIDE], _daemonset),
    "Job": ([("Name", "string", 0), ("Status", "string", 0), ("Completions", "string", 0),
             ("Duration", "string", 0), ("Age", "string", 0), *_WORKLOAD_WIDE], _job),
    "CronJob": ([("Name", "string", 0), ("Schedule", "string", 0), ("Timezone", "string", 0),
                 ("Suspend", "boolean", 0), ("Active", "integer", 0),
                 ("Last Schedule", "string", 0), ("Age", "string", 0), *_WORKLOAD_WIDE],
                _cronjob),
    "Service": ([("Name", "string", 0), ("Type", "string", 0), ("Cluster-IP", "string", 0),
                 ("External-IP", "string", 0), ("Port(s)", "string", 0), ("Age", "string", 0),
                 ("Selector", "string", 1)], _service),
    "Namespace": ([("Name", "string", 0), ("Status", "string", 0), ("Age", "string", 0)],
                  _namespace),
    "ConfigMap": ([("Name", "string", 0), ("Data", "integer", 0), ("Age", "string", 0)],
                  _configmap),
    "Secret": ([("Name", "string", 0), ("Type", "string", 0), ("Data", "integer", 0),
                ("Age", "string", 0)], _secret),
    "ServiceAccount": ([("Name", "string", 0), ("Secrets", "integer", 0), ("Age", "string", 0)],
                       _serviceaccount),
    "Event": ([("Last Seen", "string", 0), ("Type", "string", 0), ("Reason", "string", 0),
               ("Object", "string", 0), ("Message", "string", 0), ("Subobject", "string", 1),
               ("Source", "string", 1), ("First Seen", "string", 1), ("Count", "integer", 1),
               ("Name", "string", 1)], _event),
    "Node": ([("Name", "string", 0), ("Status", "string", 0), ("Roles", "string", 0),
              ("Age", "string", 0), ("Version", "string", 0), ("Internal-IP", "string", 1),
              ("External-IP", "string", 1), ("OS-Image", "string", 1),
              ("Kernel-Version", "string", 1), ("Container-Runtime", "string", 1)], _node),
    "Endpoints": ([("Name", "string", 0), ("Endpoints", "string", 0), ("Age", "string", 0)],
                  _endpoints),
    "Role": ([("Name", "string", 0), ("Created At", "date", 0)], _created_at),
    "ClusterRole": ([("Name", "string", 0), ("Created At", "date", 0)], _created_at),
    "CustomResourceDefinition": ([("Name", "string", 0), ("Created At", "date", 0)],
                                 _created_at),
    "RoleBinding": (_BINDING_COLUMNS, _binding),
    "ClusterRoleBinding": (_BINDING_COLUMNS, _binding),
}

_DEFAULT = ([("Name", "string", 0), ("Age", "string", 0)], _default)


def columns(kind: str) -> list[tuple[str, str, int]]:
    return PRINTERS.get(kind, _DEFAULT)[0]


def cells(kind: str, obj: Obj, now: datetime, age: AgeFn) -> list[Any]:
    return PRINTERS.get(kind, _DEFAULT)[1](obj, now, age)
