"""``rollout status|history|undo|restart`` for Deployments, as kubectl reads and writes them."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.deployment import HASH, revision
from pyhelm.cluster.memory.kinds import KindInfo
from pyhelm.errors import ClusterError, UsageError

Manifest = dict[str, Any]


class RolloutNotDone(ClusterError):
    """The rollout has not finished (pods cannot start, or are still updating)."""


@dataclass(frozen=True)
class Revision:
    number: int
    change_cause: str
    template: Manifest


def _deployment(api: Api, info: KindInfo, namespace: str, name: str) -> Manifest:
    if info.key != "Deployment.apps":
        raise UsageError(f"rollout works on deployments here, not {info.plural}")
    return api.read(info, namespace, name)


def history(api: Api, info: KindInfo, namespace: str, name: str) -> list[Revision]:
    deploy = _deployment(api, info, namespace, name)
    found = []
    for rs in api.ws.children(deploy["metadata"]["uid"]):
        if rs.get("kind") == "ReplicaSet":
            template = copy.deepcopy(rs["spec"].get("template") or {})
            (template.get("metadata") or {}).get("labels", {}).pop(HASH, None)
            cause = (rs["metadata"].get("annotations") or {}).get("kubernetes.io/change-cause")
            found.append(Revision(revision(rs), cause or "<none>", template))
    return sorted(found, key=lambda r: r.number)


def undo(api: Api, info: KindInfo, namespace: str, name: str, to_revision: int = 0) -> int:
    """Put an earlier revision's pod template back; returns the revision rolled back to."""
    revisions = history(api, info, namespace, name)
    deploy = api.read(info, namespace, name)
    current = revision(deploy)
    if to_revision:
        target = next((r for r in revisions if r.number == to_revision), None)
        if target is None:
            raise UsageError(f"unable to find specified revision {to_revision} in history; "
                             f"see 'pyhelm cluster rollout history deployment/{name}'")
    else:
        earlier = [r for r in revisions if r.number < current]
        if not earlier:
            raise UsageError(f'no rollout history found for deployment "{name}"')
        target = earlier[-1]
    deploy = copy.deepcopy(deploy)
    deploy["spec"]["template"] = copy.deepcopy(target.template)
    api.update(deploy, "kubectl-rollout", namespace)
    return target.number


def restart(api: Api, info: KindInfo, namespace: str, name: str) -> None:
    deploy = copy.deepcopy(_deployment(api, info, namespace, name))
    annotations = deploy["spec"]["template"].setdefault("metadata", {}).setdefault(
        "annotations", {})
    annotations["kubectl.kubernetes.io/restartedAt"] = api.ws.stamp
    api.update(deploy, "kubectl-rollout", namespace)


def status(api: Api, info: KindInfo, namespace: str, name: str) -> str:
    """kubectl's final line; raises ``RolloutNotDone`` with its waiting line otherwise."""
    d = _deployment(api, info, namespace, name)
    s, want = d.get("status") or {}, int(d["spec"].get("replicas", 1))
    updated, replicas = s.get("updatedReplicas", 0), s.get("replicas", 0)
    available = s.get("availableReplicas", 0)
    prefix = f'Waiting for deployment "{name}" rollout to finish: '
    if updated < want:
        waiting = f"{updated} out of {want} new replicas have been updated..."
    elif replicas > updated:
        waiting = f"{replicas - updated} old replicas are pending termination..."
    elif available < updated:
        waiting = f"{available} of {updated} updated replicas are available..."
    else:
        return f'deployment "{name}" successfully rolled out'
    raise RolloutNotDone(prefix + waiting + " (the built-in cluster settles at once, so pods "
                         "that are not ready need a fix: see 'pyhelm cluster get pods')")
