"""Waiting until a release's objects are ready, by the kstatus rules Helm 4 uses.

``readiness(obj)`` judges one live object: Deployments, StatefulSets,
DaemonSets, ReplicaSets, Jobs, Pods, Services and PersistentVolumeClaims have
rules; every other kind is ready once it exists. ``wait_ready`` polls the
cluster until all are ready or the timeout passes, then raises ``WaitTimeout``
naming each object that was not ready and why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pyhelm.cluster.base import Cluster, Manifest, ObjectRef
from pyhelm.errors import NotFound, ReleaseError


class WaitTimeout(ReleaseError):
    """Objects were still not ready when the timeout passed."""


class WaitFailed(ReleaseError):
    """An object reached a state it will not recover from (a failed Job, a stalled rollout)."""


@dataclass(frozen=True)
class Readiness:
    """Whether one object is ready, failed for good, or still on its way (and how far)."""

    ready: bool
    message: str = ""
    failed: bool = False
    progress: str = ""  # "2/3" for workloads


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _condition(obj: Manifest, kind: str) -> dict[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return dict(cond)
    return None


def _generation_seen(obj: Manifest) -> bool:
    status = obj.get("status") or {}
    generation = (obj.get("metadata") or {}).get("generation")
    return generation is None or _int(status.get("observedGeneration")) >= _int(generation)


def _deployment(obj: Manifest) -> Readiness:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    want = _int(spec.get("replicas", 1))
    progress = f"{_int(status.get('readyReplicas'))}/{want}"
    if not _generation_seen(obj):
        return Readiness(False, "the new generation is not yet observed", progress=progress)
    progressing = _condition(obj, "Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Readiness(False, "progress deadline exceeded", failed=True, progress=progress)
    for field, label in (
        ("updatedReplicas", "updated"),
        ("readyReplicas", "ready"),
        ("availableReplicas", "available"),
    ):
        have = _int(status.get(field))
        if have < want:
            return Readiness(False, f"{have}/{want} replicas {label}", progress=progress)
    if _int(status.get("replicas")) > want:
        return Readiness(
            False,
            f"{_int(status.get('replicas')) - want} old replicas pending termination",
            progress=progress,
        )
    available = _condition(obj, "Available")
    if available is not None and available.get("status") != "True":
        return Readiness(False, "not Available", progress=progress)
    return Readiness(True, progress=progress)


def _statefulset(obj: Manifest) -> Readiness:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    want = _int(spec.get("replicas", 1))
    progress = f"{_int(status.get('readyReplicas'))}/{want}"
    if not _generation_seen(obj):
        return Readiness(False, "the new generation is not yet observed", progress=progress)
    for field, label in (("readyReplicas", "ready"), ("currentReplicas", "current")):
        if _int(status.get(field)) < want:
            return Readiness(
                False, f"{_int(status.get(field))}/{want} replicas {label}", progress=progress
            )
    if status.get("updateRevision") and status.get("currentRevision") != status.get(
        "updateRevision"
    ):
        return Readiness(False, "rolling update in progress", progress=progress)
    return Readiness(True, progress=progress)


def _daemonset(obj: Manifest) -> Readiness:
    status = obj.get("status") or {}
    want = _int(status.get("desiredNumberScheduled"))
    progress = f"{_int(status.get('numberReady'))}/{want}"
    if not _generation_seen(obj):
        return Readiness(False, "the new generation is not yet observed", progress=progress)
    for field, label in (
        ("updatedNumberScheduled", "updated"),
        ("numberReady", "ready"),
        ("numberAvailable", "available"),
    ):
        if _int(status.get(field)) < want:
            return Readiness(
                False, f"{_int(status.get(field))}/{want} pods {label}", progress=progress
            )
    return Readiness(True, progress=progress)


def _replicaset(obj: Manifest) -> Readiness:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    want = _int(spec.get("replicas", 1))
    ready = _int(status.get("readyReplicas"))
    progress = f"{ready}/{want}"
    if ready < want:
        return Readiness(False, f"{ready}/{want} replicas ready", progress=progress)
    return Readiness(True, progress=progress)


def _job(obj: Manifest) -> Readiness:
    failed = _condition(obj, "Failed")
    if failed and failed.get("status") == "True":
        return Readiness(
            False,
            f"Job failed: {failed.get('reason') or failed.get('message') or ''}".rstrip(": "),
            failed=True,
        )
    complete = _condition(obj, "Complete")
    if complete and complete.get("status") == "True":
        return Readiness(True)
    return Readiness(
        False, f"Job not complete ({_int((obj.get('status') or {}).get('succeeded'))} succeeded)"
    )


def _pod(obj: Manifest) -> Readiness:
    phase = (obj.get("status") or {}).get("phase", "Pending")
    if phase == "Succeeded":
        return Readiness(True)
    if phase == "Failed":
        return Readiness(False, "Pod failed", failed=True)
    ready = _condition(obj, "Ready")
    if phase == "Running" and ready is not None and ready.get("status") == "True":
        return Readiness(True)
    return Readiness(
        False,
        f"Pod is {phase}" + ("" if phase != "Running" else ", not Ready") + _waiting_reasons(obj),
    )


def _waiting_reasons(pod: Manifest) -> str:
    """`` (web: ImagePullBackOff)`` for containers that wait for a reason; "" otherwise."""
    reasons = [
        f"{cs.get('name')}: {cs['state']['waiting'].get('reason')}"
        for cs in (pod.get("status") or {}).get("containerStatuses") or []
        if (cs.get("state") or {}).get("waiting", {}).get("reason")
    ]
    return f" ({', '.join(reasons)})" if reasons else ""


def _service(obj: Manifest) -> Readiness:
    spec = obj.get("spec") or {}
    if spec.get("type") == "ExternalName":
        return Readiness(True)
    if spec.get("type") == "LoadBalancer":
        ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress")
        return Readiness(bool(ingress), "" if ingress else "no load balancer address yet")
    if not spec.get("clusterIP"):
        return Readiness(False, "no cluster IP yet")
    return Readiness(True)


def _pvc(obj: Manifest) -> Readiness:
    phase = (obj.get("status") or {}).get("phase", "Pending")
    return Readiness(
        phase == "Bound", "" if phase == "Bound" else f"PersistentVolumeClaim is {phase}"
    )


RULES: dict[str, Callable[[Manifest], Readiness]] = {
    "Deployment": _deployment,
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "ReplicaSet": _replicaset,
    "Job": _job,
    "Pod": _pod,
    "Service": _service,
    "PersistentVolumeClaim": _pvc,
}


def readiness(obj: Manifest) -> Readiness:
    """Whether one live object is ready, and if not, why."""
    rule = RULES.get(str(obj.get("kind")))
    return rule(obj) if rule else Readiness(True)


Progress = Callable[[dict[ObjectRef, Readiness]], None]


def completion(obj: Manifest) -> Readiness:
    """Whether a hook has run to its end: a Job complete, a Pod succeeded (Helm's hook rule)."""
    if obj.get("kind") == "Pod":
        phase = (obj.get("status") or {}).get("phase", "Pending")
        return Readiness(
            phase == "Succeeded", f"Pod is {phase}, not Succeeded", failed=phase == "Failed"
        )
    return readiness(obj)


def wait_ready(
    cluster: Cluster,
    refs: Sequence[ObjectRef],
    timeout: float,
    *,
    interval: float = 0.2,
    progress: Progress | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rule: Callable[[Manifest], Readiness] = readiness,
) -> None:
    """Poll until every object in ``refs`` is ready by ``rule``; ``WaitTimeout`` or ``WaitFailed``
    otherwise."""
    deadline = clock() + timeout
    pending = [ref for ref in refs if ref.kind in RULES]
    while True:
        states: dict[ObjectRef, Readiness] = {}
        for ref in pending:
            try:
                states[ref] = rule(cluster.get(ref))
            except NotFound:
                states[ref] = Readiness(False, "does not exist")
        if progress is not None:
            progress(states)
        failed = [f"{ref}: {s.message}" for ref, s in states.items() if s.failed]
        if failed:
            raise WaitFailed("; ".join(failed))
        pending = [ref for ref, s in states.items() if not s.ready]
        if not pending:
            return
        if clock() >= deadline:
            raise WaitTimeout(
                f"timed out after {timeout:g}s waiting for {len(pending)} object(s) to be ready: "
                + "; ".join(f"{ref}: {states[ref].message}" for ref in pending)
                + "; see 'pyhelm cluster describe' for details, or raise --timeout"
            )
        sleep(interval)


def wait_gone(
    cluster: Cluster,
    refs: Sequence[ObjectRef],
    timeout: float,
    *,
    interval: float = 0.2,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll until none of ``refs`` exists any more; ``WaitTimeout`` names those that remain."""
    deadline = clock() + timeout
    remaining = list(refs)
    while True:
        still = []
        for ref in remaining:
            try:
                cluster.get(ref)
                still.append(ref)
            except NotFound:
                pass
        if not still:
            return
        if clock() >= deadline:
            raise WaitTimeout(
                f"timed out after {timeout:g}s waiting for deletion of: "
                + ", ".join(map(str, still))
            )
        remaining = still
        sleep(interval)
