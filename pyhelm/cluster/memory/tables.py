"""kubectl's table columns for each kind, as pure functions of the objects.

``table_for(kind)`` gives a ``Table``: columns (name, priority: 0 always shown,
1 only with ``-o wide``; wide columns come last) and a row function. ``render``
lays rows out as kubectl does (columns padded to the widest cell plus three
spaces). The Kubernetes-API helper may serve the same columns as server-side Tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from pyhelm.cluster.memory.clock import human_duration, parse_timestamp
from pyhelm.cluster.objects import selector_string

Manifest = dict[str, Any]
Row = list[str]


class Column(NamedTuple):  # (NamedTuples: a dataclass costs ~1 ms of start-up each)
    name: str
    priority: int = 0


class Table(NamedTuple):
    columns: tuple[Column, ...]
    row: Callable[[Manifest, datetime], Row]


@lru_cache(maxsize=4096)
def _duration(stamp: str, now: datetime) -> str:
    """kubectl's text for the time from ``stamp`` to ``now`` (cached: the objects of one
    command often share their creation second)."""
    return human_duration((now - parse_timestamp(stamp)).total_seconds())


def age(obj: Manifest, now: datetime, field: str = "creationTimestamp") -> str:
    stamp = obj.get("metadata", {}).get(field)
    return _duration(stamp, now) if stamp else "<unknown>"


def _since(stamp: str | None, now: datetime) -> str:
    return _duration(stamp, now) if stamp else "<none>"


def _containers(spec: Manifest) -> tuple[str, str]:
    cs = spec.get("containers") or []
    return ",".join(str(c.get("name")) for c in cs), ",".join(str(c.get("image")) for c in cs)


def pod_status(pod: Manifest) -> str:
    """The STATUS column: a waiting/terminated reason when there is one, else the phase."""
    return _pod_status(pod["metadata"], pod.get("status") or {})


def _pod_status(meta: Manifest, status: Manifest) -> str:
    if meta.get("deletionTimestamp"):
        return "Terminating"
    reason = ""
    for cs in status.get("containerStatuses") or ():
        state = cs.get("state") or {}
        waiting = state.get("waiting")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif not reason:
            terminated = state.get("terminated")
            if terminated and terminated.get("reason"):
                reason = terminated["reason"]
    if reason:
        return reason
    if status.get("phase") == "Pending":
        for cond in status.get("conditions") or ():
            if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
                return "Pending"
    return status.get("reason") or status.get("phase") or "Pending"


def _restarts(statuses: Sequence[Manifest], restarts: int, now: datetime) -> str:
    """The RESTARTS column: the count, and how long ago a container last finished."""
    text = str(restarts)
    finished = [cs.get("lastState", {}).get("terminated", {}).get("finishedAt")
                for cs in statuses if cs.get("lastState")]
    if any(finished):
        text += f" ({_since(max(f for f in finished if f), now)} ago)"
    return text


def _pod(pod: Manifest, now: datetime) -> Row:
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    statuses = status.get("containerStatuses") or ()
    ready = restarts = 0
    for cs in statuses:
        if cs.get("ready"):
            ready += 1
        restarts += int(cs.get("restartCount", 0))
    stamp = meta.get("creationTimestamp")
    return [meta["name"], f"{ready}/{len(spec.get('containers') or ())}",
            _pod_status(meta, status), _restarts(statuses, restarts, now) if restarts else "0",
            _duration(stamp, now) if stamp else "<unknown>", status.get("podIP") or "<none>",
            spec.get("nodeName") or "<none>", "<none>", "<none>"]


def _deployment(d: Manifest, now: datetime) -> Row:
    s, spec = d.get("status") or {}, d.get("spec") or {}
    names, images = _containers((spec.get("template") or {}).get("spec") or {})
    return [d["metadata"]["name"], f'{s.get("readyReplicas", 0)}/{spec.get("replicas", 1)}',
            str(s.get("updatedReplicas", 0)), str(s.get("availableReplicas", 0)), age(d, now),
            names, images, selector_string(spec.get("selector"))]


def _replicaset(r: Manifest, now: datetime) -> Row:
    s, spec = r.get("status") or {}, r.get("spec") or {}
    names, images = _containers((spec.get("template") or {}).get("spec") or {})
    return [r["metadata"]["name"], str(spec.get("replicas", 1)), str(s.get("replicas", 0)),
            str(s.get("readyReplicas", 0)), age(r, now), names, images,
            selector_string(spec.get("selector"))]


def _statefulset(r: Manifest, now: datetime) -> Row:
    s, spec = r.get("status") or {}, r.get("spec") or {}
    names, images = _containers((spec.get("template") or {}).get("spec") or {})
    return [r["metadata"]["name"], f'{s.get("readyReplicas", 0)}/{spec.get("replicas", 1)}',
            age(r, now), names, images]


def _daemonset(r: Manifest, now: datetime) -> Row:
    s, spec = r.get("status") or {}, r.get("spec") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = _containers(pod_spec)
    selector = ",".join(f"{k}={v}" for k, v in (pod_spec.get("nodeSelector") or {}).items())
    return [r["metadata"]["name"], str(s.get("desiredNumberScheduled", 0)),
            str(s.get("currentNumberScheduled", 0)), str(s.get("numberReady", 0)),
            str(s.get("updatedNumberScheduled", 0)), str(s.get("numberAvailable", 0)),
            selector or "<none>", age(r, now), names, images,
            selector_string(spec.get("selector"))]


def _job(j: Manifest, now: datetime) -> Row:
    s, spec = j.get("status") or {}, j.get("spec") or {}
    names, images = _containers((spec.get("template") or {}).get("spec") or {})
    done = any(c.get("type") == "Complete" for c in s.get("conditions") or ())
    state = "Complete" if done else "Suspended" if spec.get("suspend") else "Running"
    duration = ""
    if s.get("startTime"):
        end = parse_timestamp(s["completionTime"]) if s.get("completionTime") else now
        duration = human_duration((end - parse_timestamp(s["startTime"])).total_seconds())
    return [j["metadata"]["name"], state, f'{s.get("succeeded", 0)}/{spec.get("completions", 1)}',
            duration, age(j, now), names, images, selector_string(spec.get("selector"))]


def _cronjob(c: Manifest, now: datetime) -> Row:
    s, spec = c.get("status") or {}, c.get("spec") or {}
    pod_spec = ((((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {})
                .get("spec") or {})
    names, images = _containers(pod_spec)
    return [c["metadata"]["name"], str(spec.get("schedule")), spec.get("timeZone") or "<none>",
            str(bool(spec.get("suspend"))), str(len(s.get("active") or [])),
            _since(s.get("lastScheduleTime"), now) if s.get("lastScheduleTime") else "<none>",
            age(c, now), names, images, "<none>"]


def service_ports(spec: Manifest) -> str:
    parts = []
    for p in spec.get("ports") or ():
        node = f':{p["nodePort"]}' if p.get("nodePort") else ""
        parts.append(f'{p.get("port")}{node}/{p.get("protocol", "TCP")}')
    return ",".join(parts) or "<none>"


def _service(svc: Manifest, now: datetime) -> Row:
    spec = svc.get("spec") or {}
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    external = ",".join(i.get("ip") or i.get("hostname", "") for i in ingress) or (
        "<pending>" if spec.get("type") == "LoadBalancer" else
        spec.get("externalName") or ",".join(spec.get("externalIPs") or []) or "<none>")
    selector = ",".join(f"{k}={v}" for k, v in (spec.get("selector") or {}).items())
    return [svc["metadata"]["name"], str(spec.get("type", "ClusterIP")),
            str(spec.get("clusterIP") or "<none>"), external, service_ports(spec),
            age(svc, now), selector or "<none>"]


def _endpoints(ep: Manifest, now: datetime) -> Row:
    addresses = [f'{a["ip"]}:{p.get("port")}' for s in ep.get("subsets") or ()
                 for a in s.get("addresses") or () for p in s.get("ports") or [{}]]
    shown = ",".join(addresses[:3]) + (f" + {len(addresses) - 3} more..."
                                       if len(addresses) > 3 else "")
    return [ep["metadata"]["name"], shown or "<none>", age(ep, now)]


def _node(node: Manifest, now: datetime) -> Row:
    status = node.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in status.get("conditions") or ())
    text = "Ready" if ready else "NotReady"
    if (node.get("spec") or {}).get("unschedulable"):
        text += ",SchedulingDisabled"
    labels = node["metadata"].get("labels") or {}
    roles = ",".join(k.rpartition("/")[2] for k in labels
                     if k.startswith("node-role.kubernetes.io/")) or "<none>"
    info = status.get("nodeInfo") or {}
    ip = next((a["address"] for a in status.get("addresses") or ()
               if a.get("type") == "InternalIP"), "<none>")
    return [node["metadata"]["name"], text, roles, age(node, now),
            str(info.get("kubeletVersion", "")), ip, "<none>", str(info.get("osImage", "")),
            str(info.get("kernelVersion", "")), str(info.get("containerRuntimeVersion", ""))]


def _event(ev: Manifest, now: datetime) -> Row:
    obj = ev.get("involvedObject") or {}
    return [_since(ev.get("lastTimestamp"), now), str(ev.get("type")), str(ev.get("reason")),
            f'{str(obj.get("kind", "")).lower()}/{obj.get("name")}', str(ev.get("message"))]


def _simple(*cells: Callable[[Manifest], str]) -> Callable[[Manifest, datetime], Row]:
    def row(obj: Manifest, now: datetime) -> Row:
        return [obj["metadata"]["name"], *[c(obj) for c in cells], age(obj, now)]
    return row


def _cols(*names: str, wide: Sequence[str] = ()) -> tuple[Column, ...]:
    return tuple(Column(n) for n in names) + tuple(Column(n, 1) for n in wide)


_AGE = ("AGE",)
TABLES: dict[str, Table] = {
    "Pod": Table(_cols("NAME", "READY", "STATUS", "RESTARTS", "AGE",
                       wide=("IP", "NODE", "NOMINATED NODE", "READINESS GATES")), _pod),
    "Deployment.apps": Table(_cols("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE",
                                   wide=("CONTAINERS", "IMAGES", "SELECTOR")), _deployment),
    "ReplicaSet.apps": Table(_cols("NAME", "DESIRED", "CURRENT", "READY", "AGE",
                                   wide=("CONTAINERS", "IMAGES", "SELECTOR")), _replicaset),
    "StatefulSet.apps": Table(_cols("NAME", "READY", "AGE", wide=("CONTAINERS", "IMAGES")),
                              _statefulset),
    "DaemonSet.apps": Table(_cols("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE",
                                  "AVAILABLE", "NODE SELECTOR", "AGE",
                                  wide=("CONTAINERS", "IMAGES", "SELECTOR")), _daemonset),
    "Job.batch": Table(_cols("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE",
                             wide=("CONTAINERS", "IMAGES", "SELECTOR")), _job),
    "CronJob.batch": Table(_cols("NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE",
                                 "LAST SCHEDULE", "AGE",
                                 wide=("CONTAINERS", "IMAGES", "SELECTOR")), _cronjob),
    "Service": Table(_cols("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE",
                           wide=("SELECTOR",)), _service),
    "Endpoints": Table(_cols("NAME", "ENDPOINTS", "AGE"), _endpoints),
    "Node": Table(_cols("NAME", "STATUS", "ROLES", "AGE", "VERSION",
                        wide=("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                              "CONTAINER-RUNTIME")), _node),
    "Event": Table(_cols("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"), _event),
    "Namespace": Table(_cols("NAME", "STATUS", "AGE"),
                       _simple(lambda o: str((o.get("status") or {}).get("phase", "Active")))),
    "ConfigMap": Table(_cols("NAME", "DATA", "AGE"), _simple(
        lambda o: str(len(o.get("data") or {}) + len(o.get("binaryData") or {})))),
    "Secret": Table(_cols("NAME", "TYPE", "DATA", "AGE"), _simple(
        lambda o: str(o.get("type", "Opaque")), lambda o: str(len(o.get("data") or {})))),
    "ServiceAccount": Table(_cols("NAME", "SECRETS", "AGE"),
                            _simple(lambda o: str(len(o.get("secrets") or [])))),
    "PersistentVolumeClaim": Table(_cols("NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES",
                                         "STORAGECLASS", "AGE"), _simple(
        lambda o: str((o.get("status") or {}).get("phase", "Pending")),
        lambda o: str((o.get("spec") or {}).get("volumeName", "")),
        lambda o: str(((o.get("status") or {}).get("capacity") or {}).get("storage", "")),
        lambda o: ",".join({"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX",
                            "ReadWriteMany": "RWX"}.get(m, m)
                           for m in (o.get("status") or {}).get("accessModes") or []),
        lambda o: str((o.get("spec") or {}).get("storageClassName") or "<unset>"))),
    "Ingress.networking.k8s.io": Table(_cols("NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS",
                                             "AGE"), _simple(
        lambda o: str((o.get("spec") or {}).get("ingressClassName") or "<none>"),
        lambda o: ",".join(r.get("host", "*") for r in (o.get("spec") or {}).get("rules") or [])
        or "*",
        lambda o: "", lambda o: "443, 80" if (o.get("spec") or {}).get("tls") else "80")),
    "HorizontalPodAutoscaler.autoscaling": Table(_cols(
        "NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"), _simple(
        lambda o: "{kind}/{name}".format(**((o.get("spec") or {}).get("scaleTargetRef") or {
            "kind": "", "name": ""})),
        lambda o: "<unknown>", lambda o: str((o.get("spec") or {}).get("minReplicas", 1)),
        lambda o: str((o.get("spec") or {}).get("maxReplicas", "")),
        lambda o: str((o.get("status") or {}).get("currentReplicas", 0)))),
    "CustomResourceDefinition.apiextensions.k8s.io": Table(
        _cols("NAME", "CREATED AT"),
        lambda o, now: [o["metadata"]["name"], o["metadata"].get("creationTimestamp", "")]),
}
DEFAULT = Table(_cols("NAME", "AGE"), lambda o, now: [o["metadata"]["name"], age(o, now)])


def table_for(kind_key: str) -> Table:
    return TABLES.get(kind_key, DEFAULT)


def render(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Lay out a table as kubectl does: left-aligned, three spaces between columns."""
    return layout([str(h) for h in headers], [list(map(str, row)) for row in rows])


def layout(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """``render`` for cells that are already text, as ``build`` makes them."""
    table = [headers, *rows]
    widths = [max(map(len, column)) for column in zip(*table, strict=True)]
    line = "   ".join([f"{{:<{w}}}" for w in widths[:-1]] + ["{}"])
    return "\n".join([line.format(*row).rstrip() for row in table]) + "\n"


def build(kind_key: str, objs: Iterable[Manifest], now: datetime, wide: bool = False,
          prefix: str = "", namespaces: bool = False, labels: bool = False
          ) -> tuple[list[str], list[Row]]:
    """Headers and rows for ``objs``, read once (``prefix`` names rows as ``get all`` does)."""
    table = table_for(kind_key)
    headers = [c.name for c in table.columns if wide or c.priority == 0]
    shown, row_of = len(headers), table.row
    prefix = prefix if kind_key != "Event" else ""
    if namespaces:
        headers.insert(0, "NAMESPACE")
    if labels:
        headers.append("LABELS")
    if not (prefix or namespaces or labels):
        if shown == len(table.columns):
            return headers, [row_of(obj, now) for obj in objs]
        return headers, [row_of(obj, now)[:shown] for obj in objs]  # wide columns are last
    rows = []
    for obj in objs:
        row = row_of(obj, now)[:shown]
        if prefix:
            row[0] = f"{prefix}/{row[0]}"
        if namespaces:
            row.insert(0, str(obj["metadata"].get("namespace", "")))
        if labels:
            row.append(",".join(f"{k}={v}" for k, v in
                                (obj["metadata"].get("labels") or {}).items()) or "<none>")
        rows.append(row)
    return headers, rows
