"""``describe``: kubectl's human-readable view of one object and the events about it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyhelm.cluster.memory.clock import parse_timestamp
from pyhelm.cluster.memory.tables import _since, pod_status, render
from pyhelm.cluster.objects import selector_string

if TYPE_CHECKING:
    from pyhelm.cluster.memory import MemoryCluster
    from pyhelm.cluster.memory.kinds import KindInfo

Manifest = dict[str, Any]
Pairs = list[tuple[str, Any]]


def _when(stamp: str | None) -> str:
    if not stamp:
        return "<unset>"
    return parse_timestamp(stamp).strftime("%a, %d %b %Y %H:%M:%S +0000")


def _map(values: dict[str, Any] | None, sep: str = "=") -> list[str]:
    if not values:
        return ["<none>"]
    return [f"{k}{sep}{v}" for k, v in sorted(values.items())]


def block(pairs: Pairs, indent: int = 0) -> str:
    """``Label:  value`` lines, values aligned; list values continue on aligned lines."""
    width = max((len(k) for k, _ in pairs), default=0) + 2
    out = []
    pad = " " * indent
    for key, value in pairs:
        values = value if isinstance(value, list) else [value]
        if value == []:
            values = ["<none>"]
        if value is None:
            out.append(f"{pad}{key}:")
            continue
        head = f"{pad}{key}:".ljust(indent + width + 1)
        out.append(head + str(values[0]))
        out.extend(" " * len(head) + str(v) for v in values[1:])
    return "\n".join(out) + "\n"


def events_text(events: Sequence[Manifest], now: datetime) -> str:
    if not events:
        return "Events:                   <none>\n"
    def age(e: Manifest) -> str:
        last = _since(e.get("lastTimestamp"), now)
        count = int(e.get("count") or 1)
        return f"{last} (x{count} over {_since(e.get('firstTimestamp'), now)})" \
            if count > 1 else last

    rows = [[str(e.get("type")), str(e.get("reason")), age(e),
             str((e.get("source") or {}).get("component", "")), str(e.get("message"))]
            for e in events]
    rows.insert(0, ["----", "------", "----", "----", "-------"])
    table = render(["Type", "Reason", "Age", "From", "Message"], rows)
    return "Events:\n" + "".join(f"  {line}\n" for line in table.splitlines())


def _container_lines(c: Manifest, cs: Manifest | None, indent: int) -> str:
    ports = [f'{p.get("containerPort")}/{p.get("protocol", "TCP")}' for p in c.get("ports") or ()]
    pairs: Pairs = []
    if cs and cs.get("containerID"):
        pairs.append(("Container ID", cs["containerID"]))
    pairs.append(("Image", c.get("image")))
    if cs is not None:
        pairs.append(("Image ID", cs.get("imageID") or ""))
    pairs.append(("Port", ", ".join(ports) or "<none>"))
    pairs.append(("Host Port", ", ".join(f"0/{p.split('/')[1]}" for p in ports) or "<none>"))
    if cs is not None:
        state = cs.get("state") or {}
        if "running" in state:
            pairs += [("State", "Running"), ("  Started", _when(state["running"].get("startedAt")))]
        elif "waiting" in state:
            pairs += [("State", "Waiting"), ("  Reason", state["waiting"].get("reason"))]
        elif "terminated" in state:
            term = state["terminated"]
            pairs += [("State", "Terminated"), ("  Reason", term.get("reason")),
                      ("  Exit Code", term.get("exitCode", 0)),
                      ("  Started", _when(term.get("startedAt"))),
                      ("  Finished", _when(term.get("finishedAt")))]
        pairs += [("Ready", str(bool(cs.get("ready")))),
                  ("Restart Count", cs.get("restartCount", 0))]
    resources = c.get("resources") or {}
    for section in ("limits", "requests"):
        if resources.get(section):
            pairs.append((section.capitalize(), None))
            pairs += [(f"  {k}", v) for k, v in resources[section].items()]
    if c.get("readinessProbe"):
        pairs.append(("Readiness", "probe configured"))
    env = [f'{e.get("name")}:  {e.get("value", "<set from a source>")}' for e in c.get("env") or ()]
    pairs.append(("Environment", env or "<none>"))
    mounts = [f'{m.get("mountPath")} from {m.get("name")}' for m in c.get("volumeMounts") or ()]
    pairs.append(("Mounts", mounts or "<none>"))
    return f'{" " * (indent - 2)}{c.get("name")}:\n' + block(pairs, indent)


def describe_pod(pod: Manifest, events: Sequence[Manifest], now: datetime) -> str:
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    node = spec.get("nodeName")
    statuses = {cs.get("name"): cs for cs in status.get("containerStatuses") or ()}
    text = block([
        ("Name", meta["name"]), ("Namespace", meta.get("namespace")),
        ("Priority", spec.get("priority", 0)),
        ("Service Account", spec.get("serviceAccountName", "default")),
        ("Node", f'{node}/{status.get("hostIP", "")}' if node else "<none>"),
        ("Start Time", _when(status.get("startTime"))),
        ("Labels", _map(meta.get("labels"))), ("Annotations", _map(meta.get("annotations"), ": ")),
        ("Status", pod_status(pod) if pod_status(pod) in ("Terminating",) else
         status.get("phase", "Pending")),
        ("IP", status.get("podIP", "")), ("IPs", None if status.get("podIP") else "<none>")])
    if status.get("podIP"):
        text += f'  IP:  {status["podIP"]}\n'
    owner = next((r for r in meta.get("ownerReferences") or () if r.get("controller")), None)
    if owner:
        text += block([("Controlled By", f'{owner["kind"]}/{owner["name"]}')])
    text += "Containers:\n" + "".join(_container_lines(c, statuses.get(c.get("name"), {}), 4)
                                     for c in spec.get("containers") or ())
    conds = [[c.get("type"), c.get("status")] for c in status.get("conditions") or ()]
    if conds:
        table = render(["Type", "Status"], conds)
        text += "Conditions:\n" + "".join(f"  {line}\n" for line in table.splitlines())
    volumes = [v.get("name") for v in spec.get("volumes") or ()]
    text += block([("Volumes", volumes or "<none>"), ("QoS Class", status.get("qosClass", "")),
                   ("Node-Selectors", _map(spec.get("nodeSelector"))),
                   ("Tolerations", [f'{t.get("key", "")}:{t.get("effect", "")} op='
                                    f'{t.get("operator", "Equal")}'
                                    for t in spec.get("tolerations") or ()] or "<none>")])
    return text + events_text(events, now)


def _template_text(template: Manifest) -> str:
    meta, spec = template.get("metadata") or {}, template.get("spec") or {}
    text = "Pod Template:\n" + block([("Labels", _map(meta.get("labels")))], 2)
    text += "  Containers:\n" + "".join(_container_lines(c, None, 4)
                                       for c in spec.get("containers") or ())
    volumes = [v.get("name") for v in spec.get("volumes") or ()]
    text += block([("Volumes", volumes or "<none>"),
                   ("Node-Selectors", _map(spec.get("nodeSelector"))),
                   ("Tolerations", "<none>" if not spec.get("tolerations") else
                    [str(t) for t in spec["tolerations"]])], 2)
    return text


def _conditions(obj: Manifest) -> str:
    conds = [[c.get("type"), c.get("status"), c.get("reason", "")]
             for c in (obj.get("status") or {}).get("conditions") or ()]
    if not conds:
        return ""
    conds.insert(0, ["----", "------", "------"])
    table = render(["Type", "Status", "Reason"], conds)
    return "Conditions:\n" + "".join(f"  {line}\n" for line in table.splitlines())


def describe_deployment(d: Manifest, events: Sequence[Manifest], now: datetime,
                        replica_sets: Sequence[Manifest] = ()) -> str:
    meta, spec, status = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    want = spec.get("replicas", 1)
    text = block([
        ("Name", meta["name"]), ("Namespace", meta.get("namespace")),
        ("CreationTimestamp", _when(meta.get("creationTimestamp"))),
        ("Labels", _map(meta.get("labels"))), ("Annotations", _map(meta.get("annotations"), ": ")),
        ("Selector", selector_string(spec.get("selector"))),
        ("Replicas", f'{want} desired | {status.get("updatedReplicas", 0)} updated | '
                     f'{status.get("replicas", 0)} total | {status.get("availableReplicas", 0)} '
                     f'available | {status.get("unavailableReplicas", 0)} unavailable'),
        ("StrategyType", strategy.get("type", "RollingUpdate")),
        ("MinReadySeconds", spec.get("minReadySeconds", 0))]
        + ([("RollingUpdateStrategy", f'{rolling.get("maxUnavailable", "25%")} max unavailable, '
                                      f'{rolling.get("maxSurge", "25%")} max surge')]
           if strategy.get("type", "RollingUpdate") == "RollingUpdate" else []))
    text += _template_text(spec.get("template") or {}) + _conditions(d)
    revision = (meta.get("annotations") or {}).get("deployment.kubernetes.io/revision")

    def line(rs: Manifest) -> str:
        s = rs.get("status") or {}
        return (f'{rs["metadata"]["name"]} ({s.get("replicas", 0)}/'
                f'{rs["spec"].get("replicas", 0)} replicas created)')

    new = [rs for rs in replica_sets if (rs["metadata"].get("annotations") or {}).get(
        "deployment.kubernetes.io/revision") == revision]
    old = [rs for rs in replica_sets if rs not in new and rs["spec"].get("replicas")]
    text += block([("OldReplicaSets", ", ".join(line(r) for r in old) or "<none>"),
                   ("NewReplicaSet", ", ".join(line(r) for r in new) or "<none>")])
    return text + events_text(events, now)


def describe_service(svc: Manifest, events: Sequence[Manifest], now: datetime,
                     endpoints: Manifest | None = None) -> str:
    meta, spec = svc["metadata"], svc.get("spec") or {}
    pairs: Pairs = [
        ("Name", meta["name"]), ("Namespace", meta.get("namespace")),
        ("Labels", _map(meta.get("labels"))), ("Annotations", _map(meta.get("annotations"), ": ")),
        ("Selector", ",".join(_map(spec.get("selector")))), ("Type", spec.get("type")),
        ("IP Family Policy", spec.get("ipFamilyPolicy", "SingleStack")),
        ("IP Families", ",".join(spec.get("ipFamilies") or ["IPv4"])),
        ("IP", spec.get("clusterIP")), ("IPs", ",".join(spec.get("clusterIPs") or []))]
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        pairs.append(("LoadBalancer Ingress", ", ".join(i.get("ip", "") for i in ingress)))
    addresses = [f'{a["ip"]}' for s in (endpoints or {}).get("subsets") or ()
                 for a in s.get("addresses") or ()]
    for p in spec.get("ports") or ():
        pairs.append(("Port", f'{p.get("name") or "<unset>"}  {p.get("port")}/'
                              f'{p.get("protocol", "TCP")}'))
        pairs.append(("TargetPort", f'{p.get("targetPort")}/{p.get("protocol", "TCP")}'))
        if p.get("nodePort"):
            pairs.append(("NodePort", f'{p.get("name") or "<unset>"}  {p["nodePort"]}/'
                                      f'{p.get("protocol", "TCP")}'))
        shown = ",".join(f"{a}:{p.get('targetPort')}" for a in addresses[:3])
        more = f" + {len(addresses) - 3} more..." if len(addresses) > 3 else ""
        pairs.append(("Endpoints", shown + more))
    pairs += [("Session Affinity", spec.get("sessionAffinity", "None")),
              ("Internal Traffic Policy", spec.get("internalTrafficPolicy", "Cluster"))]
    return block(pairs) + events_text(events, now)


def describe_node(node: Manifest, events: Sequence[Manifest], now: datetime,
                  pods: Sequence[Manifest] = ()) -> str:
    meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    taints = [f'{t.get("key")}={t.get("value", "")}:{t.get("effect")}'
              for t in spec.get("taints") or ()]
    text = block([("Name", meta["name"]), ("Roles", "<none>"), ("Labels", _map(meta.get("labels"))),
                  ("CreationTimestamp", _when(meta.get("creationTimestamp"))),
                  ("Taints", taints or "<none>"), ("Unschedulable", str(bool(spec.get(
                      "unschedulable"))).lower())])
    text += _conditions(node)
    text += "Addresses:\n" + block([(a["type"], a["address"])
                                    for a in status.get("addresses") or ()], 2)
    text += "Capacity:\n" + block(list((status.get("capacity") or {}).items()), 2)
    text += "Allocatable:\n" + block(list((status.get("allocatable") or {}).items()), 2)
    text += block([("PodCIDR", spec.get("podCIDR")),
                   ("Non-terminated Pods", f"({len(pods)} in total)")])
    return text + events_text(events, now)


def describe_generic(obj: Manifest, events: Sequence[Manifest], now: datetime) -> str:
    from pyhelm import yamlio

    meta = obj["metadata"]
    pairs: Pairs = [("Name", meta["name"])]
    if meta.get("namespace"):
        pairs.append(("Namespace", meta["namespace"]))
    pairs += [("Labels", _map(meta.get("labels"))),
              ("Annotations", _map(meta.get("annotations"), ": ")),
              ("API Version", obj.get("apiVersion")), ("Kind", obj.get("kind"))]
    text = block(pairs)
    for section in sorted(k for k in obj if k not in ("apiVersion", "kind", "metadata")):
        body = yamlio.dump(obj[section]).rstrip("\n")
        text += f"{section[0].upper()}{section[1:]}:\n" + "".join(
            f"  {line}\n" for line in body.splitlines())
    return text + events_text(events, now)


def describe_object(cluster: MemoryCluster, info: KindInfo, obj: Manifest) -> str:
    """``describe`` text of one object, with the related objects and events it shows."""
    meta = obj["metadata"]
    ns = meta.get("namespace")
    now = cluster.clock.now()
    events = [e for e in cluster.events(ns or "default", involved=meta["name"])
              if e["involvedObject"].get("uid") == meta.get("uid")]
    if info.key == "Deployment.apps":
        sets = [rs for rs in cluster.list("apps/v1", "ReplicaSet", ns)
                if any(r.get("uid") == meta["uid"]
                       for r in rs["metadata"].get("ownerReferences") or ())]
        return describe_deployment(obj, events, now, sets)
    if info.key == "Service":
        endpoints = next(iter(cluster.list("v1", "Endpoints", ns,
                                           field_selector=f"metadata.name={meta['name']}")), None)
        return describe_service(obj, events, now, endpoints)
    if info.key == "Node":
        pods = cluster.list("v1", "Pod", None, field_selector=f"spec.nodeName={meta['name']}")
        return describe_node(obj, events, now, pods)
    if info.key == "Pod":
        return describe_pod(obj, events, now)
    return describe_generic(obj, events, now)
