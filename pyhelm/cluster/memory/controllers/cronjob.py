"""CronJob controller: on ``cluster tick`` (time moved), start the Jobs whose time has come,
honouring suspend, concurrencyPolicy and the history limits."""

from __future__ import annotations

import copy
from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.clock import parse_timestamp, timestamp
from pyhelm.cluster.memory.controllers.common import event, info, live, owned, put
from pyhelm.cluster.memory.state import Change
from pyhelm.cluster.objects import owner_reference

Manifest = dict[str, Any]
KIND = "CronJob.batch"


def sync(api: Api, changes: list[Change]) -> None:
    keys = sorted({c.key for c in changes if c.key[0] == KIND and c.type == "SYNC"})
    for key in keys:
        cron = live(api, key)
        if cron is not None:
            reconcile(api, cron)


def _finished(job: Manifest) -> str:
    for cond in (job.get("status") or {}).get("conditions") or ():
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return str(cond["type"])
    return ""


def reconcile(api: Api, cron: Manifest) -> None:
    spec = cron["spec"]
    status = cron.setdefault("status", {})
    jobs = sorted(owned(api, cron, "Job.batch"),
                  key=lambda j: j["metadata"].get("creationTimestamp", ""))
    running = [j for j in jobs if not _finished(j)]
    now = api.ws.now
    since = parse_timestamp(status.get("lastScheduleTime") or
                            cron["metadata"]["creationTimestamp"])
    from pyhelm.cluster.memory.cron import parse_cron  # only clusters with CronJobs need it

    due = parse_cron(str(spec["schedule"])).fire_times(since, now, limit=1)
    if due and not spec.get("suspend"):
        policy = spec.get("concurrencyPolicy", "Allow")
        if policy == "Replace":
            for job in running:
                api.ws.remove(info("Job.batch"), job)
        if not (policy == "Forbid" and running):
            _start(api, cron, due[-1])
        status["lastScheduleTime"] = timestamp(due[-1])
        put(api, cron)
    _prune(api, cron, jobs)


def _start(api: Api, cron: Manifest, when: Any) -> None:
    template = copy.deepcopy(cron["spec"].get("jobTemplate") or {})
    name = f'{cron["metadata"]["name"]}-{int(when.timestamp()) // 60}'
    ns = cron["metadata"].get("namespace") or "default"
    if api.ws.get("Job.batch", ns, name) is not None:
        return
    meta = template.get("metadata") or {}
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {
        **meta, "name": name, "namespace": ns, "ownerReferences": [owner_reference(cron)],
        "annotations": {**(meta.get("annotations") or {}),
                        "batch.kubernetes.io/cronjob-scheduled-timestamp": timestamp(when)}},
        "spec": template.get("spec") or {}}
    api.create(job, namespace=ns, trusted=True)
    event(api, cron, "SuccessfulCreate", f"Created job {name}", "cronjob-controller")


def _prune(api: Api, cron: Manifest, jobs: list[Manifest]) -> None:
    for kind, limit in (("Complete", cron["spec"].get("successfulJobsHistoryLimit", 3)),
                        ("Failed", cron["spec"].get("failedJobsHistoryLimit", 1))):
        done = [j for j in jobs if _finished(j) == kind]
        for job in done[: max(0, len(done) - int(limit))]:
            api.ws.remove(info("Job.batch"), job)
