"""Controllers: small reconcile functions run after every write until nothing changes.

Each controller is ``sync(api, changes)``: it maps the changes it cares about to
the objects it owns, and for each one reads desired and observed state, writes
the difference, and returns early when there is none. ``settle`` runs them in a
fixed order, as a pipeline: each controller is handed every change it has not
seen yet, including those the controllers before it made in the same pass (so
a pod created by its ReplicaSet is scheduled and started in that same pass).
It stops when no controller has anything new: deterministic, no threads, no
sleeping.
"""

from __future__ import annotations

from collections.abc import Callable

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers import (
    crd,
    cronjob,
    daemonset,
    deployment,
    endpoints,
    garbage,
    job,
    namespace,
    nodes,
    replicaset,
    statefulset,
)
from pyhelm.cluster.memory.node_agent import sync as node_agent_sync
from pyhelm.cluster.memory.scheduler import sync as scheduler_sync
from pyhelm.cluster.memory.state import Change
from pyhelm.errors import ClusterError

Controller = Callable[[Api, list[Change]], None]

#: Run order within a round: owners before what they own, then placement and status.
CONTROLLERS: tuple[Controller, ...] = (
    namespace.sync, crd.sync, garbage.sync, nodes.sync, cronjob.sync, deployment.sync,
    statefulset.sync, daemonset.sync, job.sync, replicaset.sync, scheduler_sync,
    node_agent_sync, endpoints.sync,
)
MAX_ROUNDS = 500


def settle(api: Api) -> int:
    """Run the controllers until none has unseen changes; returns the number of passes."""
    log: list[Change] = []
    seen = [0] * len(CONTROLLERS)
    for passes in range(1, MAX_ROUNDS + 1):
        busy = False
        for index, controller in enumerate(CONTROLLERS):
            log.extend(api.ws.take_changes())
            if seen[index] < len(log):
                batch, seen[index] = log[seen[index]:], len(log)
                controller(api, batch)
                busy = True
        done = min(seen)
        if done:
            del log[:done]
            seen = [s - done for s in seen]
        if not busy and not api.ws.changes:
            return passes - 1
    raise ClusterError(f"controllers did not settle after {MAX_ROUNDS} rounds; this is a bug "
                       "in the built-in cluster (please report it with the manifests used)")


def resync(api: Api) -> int:
    """Reconcile everything once (after time moved: CronJobs, image pull back-off), then settle."""
    from pyhelm.cluster.memory.state import Change as C

    for kind in ("CronJob.batch", "Job.batch", "Pod", "Deployment.apps", "ReplicaSet.apps",
                 "StatefulSet.apps", "DaemonSet.apps", "Service"):
        for obj in api.ws.iter_kind(kind):
            meta = obj["metadata"]
            api.ws.changes.append(C("SYNC", (kind, meta.get("namespace") or "", meta["name"]),
                                    obj))
    return settle(api)
