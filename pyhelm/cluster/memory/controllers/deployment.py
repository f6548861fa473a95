"""Deployment controller: a ReplicaSet per pod template, rolled with maxSurge/maxUnavailable.

The new ReplicaSet is named ``<deployment>-<pod-template-hash>``; old ones are
scaled down as new pods become available and kept (at 0 replicas) up to
``revisionHistoryLimit`` for ``rollout history``/``undo``. The revision number
lives in the ``deployment.kubernetes.io/revision`` annotation, as kubectl reads it.
"""

from __future__ import annotations

import math
from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import (
    event,
    info,
    live,
    owned,
    put,
    set_status,
    touched,
)
from pyhelm.cluster.memory.names import template_hash
from pyhelm.cluster.memory.state import clone
from pyhelm.cluster.objects import owner_reference

Manifest = dict[str, Any]
KIND = "Deployment.apps"
REVISION = "deployment.kubernetes.io/revision"
HASH = "pod-template-hash"


def sync(api: Api, changes: list) -> None:
    for key in touched(changes, KIND, ("ReplicaSet.apps",)):
        deploy = live(api, key)
        if deploy is not None:
            reconcile(api, deploy)


def revision(obj: Manifest) -> int:
    return int((obj["metadata"].get("annotations") or {}).get(REVISION, "0") or 0)


def scaled_value(value: Any, total: int, round_up: bool) -> int:
    """``25%`` of ``total`` (rounded up for surge, down for unavailable) or a plain number."""
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value or 0)


def _template_without_hash(rs: Manifest) -> Manifest:
    template = clone(rs["spec"].get("template") or {})
    (template.get("metadata") or {}).get("labels", {}).pop(HASH, None)
    return template


def reconcile(api: Api, deploy: Manifest) -> None:
    sets = sorted(owned(api, deploy, "ReplicaSet.apps"), key=revision)
    template = deploy["spec"].get("template") or {}
    pod_hash = template_hash(template)
    new = next((rs for rs in sets if (rs["metadata"].get("labels") or {}).get(HASH) == pod_hash
                and _template_without_hash(rs) == template), None)
    if new is None:
        new = _create_rs(api, deploy, template, sets)
        sets.append(new)
    elif sets and revision(new) < revision(sets[-1]):
        new["metadata"].setdefault("annotations", {})[REVISION] = str(revision(sets[-1]) + 1)
        put(api, new)
    old = [rs for rs in sets if rs is not new]
    if deploy["spec"].get("paused"):
        _status(api, deploy, new, sets)
        return
    strategy = (deploy["spec"].get("strategy") or {}).get("type", "RollingUpdate")
    if strategy == "Recreate":
        _recreate(api, deploy, new, old)
    else:
        _rolling(api, deploy, new, old)
    _prune_history(api, deploy, old)
    _sync_annotation(api, deploy, new)
    _status(api, deploy, new, sets)


def _create_rs(api: Api, deploy: Manifest, template: Manifest, sets: list[Manifest]) -> Manifest:
    pod_hash = template_hash(template)
    template = clone(template)
    template.setdefault("metadata", {}).setdefault("labels", {})[HASH] = pod_hash
    selector = clone(deploy["spec"].get("selector") or {})
    selector.setdefault("matchLabels", {})[HASH] = pod_hash
    meta = deploy["metadata"]
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {
        "name": f'{meta["name"]}-{pod_hash}', "namespace": meta.get("namespace"),
        "labels": dict(template["metadata"]["labels"]),
        "annotations": {REVISION: str(max([revision(s) for s in sets], default=0) + 1),
                        "deployment.kubernetes.io/desired-replicas":
                            str(deploy["spec"].get("replicas", 1))},
        "ownerReferences": [owner_reference(deploy)]},
        "spec": {"replicas": 0, "selector": selector, "template": template}}
    return api.create(rs, namespace=meta.get("namespace") or "default", owned=True,
                      trusted=True).obj


def _scale(api: Api, deploy: Manifest, rs: Manifest, replicas: int) -> None:
    current = int(rs["spec"].get("replicas", 0))
    if current == replicas:
        return
    rs["spec"]["replicas"] = replicas
    rs["metadata"].setdefault("annotations", {})[
        "deployment.kubernetes.io/desired-replicas"] = str(deploy["spec"].get("replicas", 1))
    put(api, rs)
    direction = "up" if replicas > current else "down"
    event(api, deploy, "ScalingReplicaSet",
          f'Scaled {direction} replica set {rs["metadata"]["name"]} from {current} to {replicas}',
          "deployment-controller")


def _available(rs: Manifest) -> int:
    return int((rs.get("status") or {}).get("availableReplicas", 0))


def _rolling(api: Api, deploy: Manifest, new: Manifest, old: list[Manifest]) -> None:
    want = int(deploy["spec"].get("replicas", 1))
    rolling = (deploy["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    surge = scaled_value(rolling.get("maxSurge", "25%"), want, True)
    unavailable = scaled_value(rolling.get("maxUnavailable", "25%"), want, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    active_old = [rs for rs in old if int(rs["spec"].get("replicas", 0)) > 0]
    if not active_old:
        _scale(api, deploy, new, want)
        return
    total = sum(int(rs["spec"].get("replicas", 0)) for rs in [new, *old])
    new_count = int(new["spec"].get("replicas", 0))
    if new_count < want and total < want + surge:
        _scale(api, deploy, new, min(want, new_count + want + surge - total))
    elif new_count > want:
        _scale(api, deploy, new, want)
    available = sum(_available(rs) for rs in [new, *old])
    removable = available - (want - unavailable)
    for rs in active_old:  # oldest revision first
        if removable <= 0:
            break
        count = int(rs["spec"].get("replicas", 0))
        cut = min(count, removable)
        _scale(api, deploy, rs, count - cut)
        removable -= cut


def _recreate(api: Api, deploy: Manifest, new: Manifest, old: list[Manifest]) -> None:
    for rs in old:
        _scale(api, deploy, rs, 0)
    if all(int((rs.get("status") or {}).get("replicas", 0)) == 0 for rs in old):
        _scale(api, deploy, new, int(deploy["spec"].get("replicas", 1)))


def _prune_history(api: Api, deploy: Manifest, old: list[Manifest]) -> None:
    limit = int(deploy["spec"].get("revisionHistoryLimit", 10))
    idle = [rs for rs in old if int(rs["spec"].get("replicas", 0)) == 0
            and not (rs.get("status") or {}).get("replicas")]
    for rs in idle[: max(0, len(idle) - limit)]:
        api.ws.remove(info("ReplicaSet.apps"), rs)


def _sync_annotation(api: Api, deploy: Manifest, new: Manifest) -> None:
    annotations = deploy["metadata"].setdefault("annotations", {})
    if annotations.get(REVISION) != str(revision(new)):
        annotations[REVISION] = str(revision(new))
        put(api, deploy)


def _status(api: Api, deploy: Manifest, new: Manifest, sets: list[Manifest]) -> None:
    want = int(deploy["spec"].get("replicas", 1))
    stats = [rs.get("status") or {} for rs in sets]
    replicas = sum(int(s.get("replicas", 0)) for s in stats)
    ready = sum(int(s.get("readyReplicas", 0)) for s in stats)
    available = sum(int(s.get("availableReplicas", 0)) for s in stats)
    updated = int((new.get("status") or {}).get("replicas", 0))
    old_status = deploy.get("status") or {}
    now = api.ws.stamp
    done = updated == want and replicas == want and available >= want
    conditions = [
        _condition(old_status, "Available", available >= want - scaled_value(
            ((deploy["spec"].get("strategy") or {}).get("rollingUpdate") or {}).get(
                "maxUnavailable", "25%"), want, False),
            "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
            "Deployment has minimum availability." if available else
            "Deployment does not have minimum availability.", now),
        _condition(old_status, "Progressing", True,
                   "NewReplicaSetAvailable" if done else "ReplicaSetUpdated",
                   f'ReplicaSet "{new["metadata"]["name"]}" '
                   + ("has successfully progressed." if done else "is progressing."), now),
    ]
    status: Manifest = {"observedGeneration": deploy["metadata"].get("generation", 1),
                        "replicas": replicas, "updatedReplicas": updated,
                        "readyReplicas": ready, "availableReplicas": available,
                        "unavailableReplicas": max(0, want - available),
                        "conditions": conditions}
    set_status(api, deploy, {k: v for k, v in status.items() if v != 0 or k in (
        "observedGeneration",)})


def _condition(old_status: Manifest, type_: str, ok: bool, reason: str, message: str,
               now: str) -> Manifest:
    previous = next((c for c in old_status.get("conditions") or () if c.get("type") == type_), {})
    status = "True" if ok else "False"
    same = previous.get("status") == status
    return {"type": type_, "status": status,
            "lastUpdateTime": previous.get("lastUpdateTime", now) if same and
            previous.get("reason") == reason else now,
            "lastTransitionTime": previous.get("lastTransitionTime", now) if same else now,
            "reason": reason, "message": message}
