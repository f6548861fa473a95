"""Job controller: run pods until ``completions`` have succeeded, ``parallelism`` at a time."""

from __future__ import annotations

from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import (
    PodFactory,
    event,
    live,
    owned,
    set_status,
    touched,
)
from pyhelm.cluster.memory.names import random_suffix
from pyhelm.cluster.memory.state import Change

Manifest = dict[str, Any]
KIND = "Job.batch"


def sync(api: Api, changes: list[Change]) -> None:
    for key in touched(changes, KIND):
        job = live(api, key)
        if job is not None:
            reconcile(api, job)


def reconcile(api: Api, job: Manifest) -> None:
    spec = job["spec"]
    status = dict(job.get("status") or {})
    if any(c.get("type") == "Complete" for c in status.get("conditions") or ()):
        return
    pods = owned(api, job, "Pod")
    phases = [(p.get("status") or {}).get("phase") for p in pods]
    succeeded = phases.count("Succeeded")
    failed = phases.count("Failed")
    running = len(pods) - succeeded - failed
    completions = int(spec.get("completions") or 1)
    now = api.ws.stamp
    status.setdefault("startTime", now)
    if not spec.get("suspend"):
        missing = min(int(spec.get("parallelism", 1)), completions - succeeded) - running
        if missing > 0:
            factory = PodFactory(api, job, spec.get("template") or {})
            for _ in range(missing):
                name = f'{job["metadata"]["name"]}-{random_suffix()}'
                factory.create(name)
                running += 1
                event(api, job, "SuccessfulCreate", f"Created pod: {name}", "job-controller")
    status.update(active=running, succeeded=succeeded, failed=failed, ready=0,
                  terminating=0)
    if succeeded >= completions:
        status["active"] = 0
        status["completionTime"] = now
        status["conditions"] = [
            {"type": "SuccessCriteriaMet", "status": "True", "lastProbeTime": now,
             "lastTransitionTime": now},
            {"type": "Complete", "status": "True", "lastProbeTime": now,
             "lastTransitionTime": now}]
        event(api, job, "Completed", "Job completed", "job-controller")
    set_status(api, job, {k: v for k, v in status.items() if v or k == "active"})
