"""The node agent (a simulated kubelet): scheduled pods start, get an IP and report status.

Like kwok's "fast" stages: a pod bound to a node becomes Running and Ready at
once, with a pod IP from the node's range (10.244.N.M), container statuses and
the kubelet's events. An image reference that cannot exist (bad syntax, or a
name or tag containing ``doesnotexist``/``nonexistent``) fails with
``ErrImagePull``, then ``ImagePullBackOff`` once time moves (``cluster tick``).
A container with a readinessProbe is Ready after its ``initialDelaySeconds``.
Pods of Jobs run to completion (Succeeded) straight away. Changing a
container's image restarts that container in the same pod.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.clock import parse_timestamp, timestamp
from pyhelm.cluster.memory.controllers.common import active, event, put
from pyhelm.cluster.memory.names import random_hex
from pyhelm.cluster.memory.placement import IpPools
from pyhelm.cluster.memory.state import Change, json_bytes

Manifest = dict[str, Any]
_COMPONENT = "kubelet"
_MISSING = ("doesnotexist", "does-not-exist", "nonexistent", "notexist")


@lru_cache(maxsize=1)
def _reference() -> re.Pattern[str]:
    """An image reference's syntax (compiled when first needed, not at import)."""
    return re.compile(
        r"^(?:(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+(?::[0-9]+)?/|localhost(?::[0-9]+)?/)?"
        r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*"
        r"(?::[\w][\w.-]{0,127})?"
        r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$")


@lru_cache(maxsize=1024)
def image_problem(image: str) -> str:
    """Why the simulated registry cannot pull ``image`` ("" when it can)."""
    if not _reference().match(image):
        return (f'Failed to pull image "{image}": couldn\'t parse image name "{image}": '
                "invalid reference format")
    if any(word in image.lower() for word in _MISSING):
        repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
        return (f'Failed to pull image "{image}": rpc error: code = NotFound desc = failed to '
                f'pull and unpack image "{image}": {repo}: not found')
    return ""


def sync(api: Api, changes: list[Change]) -> None:
    ips: IpPools | None = None
    latest: dict[tuple[str, str, str], bool] = {}  # pod key -> resync asked
    wrote: dict[tuple[str, str, str], str] = api.ws.memo.setdefault("kubelet-wrote", {})
    for change in changes:
        if change.key[0] != "Pod":
            continue
        if change.type == "MODIFIED" and \
                wrote.get(change.key) == change.obj["metadata"]["resourceVersion"]:
            continue  # its own status write, unchanged since
        if change.type == "DELETED":
            pod = change.obj
            if (pod.get("spec") or {}).get("nodeName"):
                for c in pod["spec"].get("containers") or ():
                    event(api, pod, "Killing", f'Stopping container {c.get("name")}', _COMPONENT)
        else:
            latest[change.key] = latest.get(change.key, False) or change.type == "SYNC"
    for key, resync in latest.items():
        pod = api.ws.get(*key)
        if pod is None:
            continue
        node_name = (pod.get("spec") or {}).get("nodeName")
        if not node_name or not active(pod) or (not resync and _settled(pod)):
            continue
        node = api.ws.get("Node", "", node_name)
        if node is None:
            continue
        if ips is None:
            ips = IpPools.of(api.ws)
        reconcile(api, pod, node, ips, resync=resync)


def _settled(pod: Manifest) -> bool:
    """True when the pod already runs what its spec asks (the common no-op case, made cheap)."""
    status = pod.get("status") or {}
    statuses = status.get("containerStatuses")
    containers = pod["spec"].get("containers") or ()
    if not statuses or len(statuses) != len(containers) or not status.get("podIP"):
        return False
    return all(cs.get("ready") and cs.get("image") == c.get("image")
               for cs, c in zip(statuses, containers, strict=True))


def reconcile(api: Api, pod: Manifest, node: Manifest, ips: IpPools,
              resync: bool = False) -> None:
    before = pod.get("status") or {}
    fresh = not resync and not before.get("containerStatuses") and not before.get("podIP")
    status, events = (_start(api, pod, node, before) if fresh
                      else _status(api, pod, node, before, resync))
    if not status.get("podIP"):
        ip = ips.allocate(api.ws, node)
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    if status == before:
        return
    pod["status"] = status
    put(api, pod)
    meta = pod["metadata"]
    api.ws.memo.setdefault("kubelet-wrote", {})[
        ("Pod", meta.get("namespace") or "", meta["name"])] = meta["resourceVersion"]
    api.ws.events(pod, events, _COMPONENT)


Events = list[tuple[str, str, str]]


def _start(api: Api, pod: Manifest, node: Manifest, before: Manifest
           ) -> tuple[Manifest, Events]:
    """A new pod's status: worked out once per command for pods alike (same containers,
    node and status so far), then copied with container IDs of their own.

    The copy shares the parts no writer changes in place (conditions, container states:
    every status change builds new ones) and copies what differs per pod.
    """
    memo: dict[bytes, tuple[Manifest, Events]] = api.ws.memo.setdefault("kubelet-start", {})
    alike = json_bytes([pod["spec"].get("containers"), before, node["metadata"]["name"]])
    if alike not in memo:
        memo[alike] = _status(api, pod, node, before, False)
    shared, events = memo[alike]
    status = dict(shared)
    status["containerStatuses"] = [
        {**cs, "containerID": _container_id(cs["image"])} if "containerID" in cs else dict(cs)
        for cs in shared["containerStatuses"]]
    return status, events


def _status(api: Api, pod: Manifest, node: Manifest, before: Manifest, resync: bool
            ) -> tuple[Manifest, Events]:
    status = dict(before)
    now = api.ws.now
    old = {cs.get("name"): cs for cs in status.get("containerStatuses") or ()}
    new_statuses = []
    events: Events = []
    for c in pod["spec"].get("containers") or ():
        new_statuses.append(_container_status(c, old.get(c.get("name")), now, resync, events))
    status["hostIP"] = _node_ip(node)
    status["hostIPs"] = [{"ip": status["hostIP"]}]
    status.setdefault("startTime", api.ws.stamp)
    status["containerStatuses"] = new_statuses
    _phase_and_conditions(pod, status, new_statuses, now)
    return status, events


def _container_id(image: str) -> str:
    return f"containerd://{_digest(image)[:32]}{random_hex(32)}"


def _container_status(c: Manifest, old: Manifest | None, now: Any, resync: bool,
                      events: list[tuple[str, str, str]]) -> Manifest:
    image = str(c.get("image", ""))
    name = c.get("name")
    base = {"name": name, "image": image, "imageID": "", "restartCount": 0,
            "started": False, "ready": False}
    if old and old.get("image") == image and old.get("state", {}).get("running"):
        return _maybe_ready(c, dict(old), now)
    if old and old.get("image") == image and old.get("state", {}).get("terminated"):
        return old
    problem = image_problem(image)
    if problem:
        waiting = (old or {}).get("state", {}).get("waiting", {})
        if waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff") and old and \
                old.get("image") == image:
            if resync and waiting.get("reason") == "ErrImagePull":
                events.append(("Normal", "BackOff", f'Back-off pulling image "{image}"'))
                events.append(("Warning", "Failed", "Error: ImagePullBackOff"))
                message = f'Back-off pulling image "{image}"'
                return {**base, "state": {"waiting": {"reason": "ImagePullBackOff",
                                                      "message": message}}}
            return old
        events.append(("Normal", "Pulling", f'Pulling image "{image}"'))
        events.append(("Warning", "Failed", problem))
        events.append(("Warning", "Failed", "Error: ErrImagePull"))
        return {**base, "state": {"waiting": {"reason": "ErrImagePull", "message": problem}}}
    restarts = 0
    if old and old.get("state", {}).get("running"):
        restarts = int(old.get("restartCount", 0)) + 1
        events.append(("Normal", "Killing",
                       f"Container {name} definition changed, will be restarted"))
    events.append(("Normal", "Pulled", f'Container image "{image}" already present on machine'))
    events.append(("Normal", "Created", f"Created container: {name}"))
    events.append(("Normal", "Started", f"Started container {name}"))
    image_id = _image_id(image)
    status = {**base, "imageID": image_id, "restartCount": restarts, "started": True,
              "containerID": _container_id(image),
              "state": {"running": {"startedAt": timestamp(now)}}}
    if restarts:
        status["lastState"] = {"terminated": {"exitCode": 0, "reason": "Completed",
                                              "startedAt": old["state"]["running"]["startedAt"],
                                              "finishedAt": timestamp(now)}}
    return _maybe_ready(c, status, now)


@lru_cache(maxsize=1024)
def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=1024)
def _image_id(image: str) -> str:
    return f"docker.io/library/{image.split(':')[0]}@sha256:{_digest(image)}"


def _maybe_ready(c: Manifest, status: Manifest, now: Any) -> Manifest:
    probe = c.get("readinessProbe")
    delay = int((probe or {}).get("initialDelaySeconds", 0) or 0)
    if not delay:
        status["ready"] = True
        return status
    started = parse_timestamp(status["state"]["running"]["startedAt"])
    status["ready"] = (now - started).total_seconds() >= delay
    return status


def _node_ip(node: Manifest) -> str:
    for address in (node.get("status") or {}).get("addresses") or ():
        if address.get("type") == "InternalIP":
            return str(address.get("address"))
    return ""


def _phase_and_conditions(pod: Manifest, status: Manifest, containers: list[Manifest],
                          now: Any) -> None:
    running = all(cs.get("state", {}).get("running") for cs in containers)
    ready = running and all(cs.get("ready") for cs in containers)
    is_job = pod["spec"].get("restartPolicy") in ("Never", "OnFailure") and running
    if is_job:
        for cs in containers:
            started = cs["state"]["running"]["startedAt"]
            cs["state"] = {"terminated": {"exitCode": 0, "reason": "Completed",
                                          "startedAt": started, "finishedAt": timestamp(now)}}
            cs["ready"] = False
            cs["started"] = False
        status["phase"] = "Succeeded"
        ready = False
    else:
        status["phase"] = "Running" if running else "Pending"
    previous = {c.get("type"): c for c in status.get("conditions") or ()}
    stamp = timestamp(now)

    def cond(type_: str, ok: bool, reason: str | None = None) -> Manifest:
        old = previous.get(type_) or {}
        value = "True" if ok else "False"
        entry = {"type": type_, "status": value, "lastProbeTime": None,
                 "lastTransitionTime": old.get("lastTransitionTime", stamp)
                 if old.get("status") == value else stamp}
        if reason and not ok:
            entry["reason"] = reason
        return entry

    reason = "PodCompleted" if is_job else "ContainersNotReady"
    status["conditions"] = [
        cond("PodReadyToStartContainers", True), cond("Initialized", True),
        cond("Ready", ready, reason), cond("ContainersReady", ready, reason),
        previous.get("PodScheduled") or cond("PodScheduled", True)]
