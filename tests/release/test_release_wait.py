"""Readiness by the kstatus rules, and what a timeout says."""

from __future__ import annotations

import io

import pytest
from release_fakes import FakeCluster

from pyhelm.cluster.base import ObjectRef
from pyhelm.release.wait import WaitFailed, WaitTimeout, readiness, wait_ready


def deployment(**status: int) -> dict:
    return {
        "kind": "Deployment",
        "metadata": {"name": "web", "generation": 2},
        "spec": {"replicas": 3},
        "status": {"observedGeneration": 2, **status},
    }


READY = dict(replicas=3, updatedReplicas=3, readyReplicas=3, availableReplicas=3)


@pytest.mark.parametrize(
    ("obj", "ready", "message"),
    [
        (deployment(**READY), True, ""),
        (deployment(**{**READY, "observedGeneration": 1}), False, "generation is not yet observed"),
        (deployment(**{**READY, "updatedReplicas": 1}), False, "1/3 replicas updated"),
        (deployment(**{**READY, "readyReplicas": 2}), False, "2/3 replicas ready"),
        (deployment(**{**READY, "replicas": 5}), False, "2 old replicas pending termination"),
        (
            {
                "kind": "StatefulSet",
                "spec": {"replicas": 2},
                "metadata": {},
                "status": {"readyReplicas": 2, "currentReplicas": 2},
            },
            True,
            "",
        ),
        (
            {
                "kind": "DaemonSet",
                "metadata": {},
                "status": {
                    "desiredNumberScheduled": 2,
                    "numberReady": 1,
                    "updatedNumberScheduled": 2,
                    "numberAvailable": 1,
                },
            },
            False,
            "1/2 pods ready",
        ),
        (
            {
                "kind": "Job",
                "metadata": {},
                "status": {"conditions": [{"type": "Complete", "status": "True"}]},
            },
            True,
            "",
        ),
        ({"kind": "Job", "metadata": {}, "status": {"active": 1}}, False, "Job not complete"),
        ({"kind": "Service", "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1"}}, True, ""),
        (
            {"kind": "Service", "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.1"}},
            False,
            "no load balancer address yet",
        ),
        (
            {"kind": "PersistentVolumeClaim", "status": {"phase": "Pending"}},
            False,
            "PersistentVolumeClaim is Pending",
        ),
        ({"kind": "PersistentVolumeClaim", "status": {"phase": "Bound"}}, True, ""),
        (
            {
                "kind": "Pod",
                "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
            },
            True,
            "",
        ),
        ({"kind": "ConfigMap"}, True, ""),
    ],
)
def test_readiness_rules(obj: dict, ready: bool, message: str) -> None:
    state = readiness(obj)
    assert state.ready is ready
    assert message in state.message


def test_failed_job_is_failed_not_pending() -> None:
    state = readiness(
        {
            "kind": "Job",
            "status": {
                "conditions": [
                    {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}
                ]
            },
        }
    )
    assert state.failed and "BackoffLimitExceeded" in state.message


def test_timeout_names_each_object_not_ready_and_why() -> None:
    cluster = FakeCluster()
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "default"},
            "status": {"phase": "Pending"},
        }
    )
    ticks = iter(range(100))
    refs = [
        ObjectRef("v1", "PersistentVolumeClaim", "default", "data"),
        ObjectRef("v1", "Service", "default", "gone"),
    ]
    with pytest.raises(WaitTimeout) as caught:
        wait_ready(cluster, refs, 3, clock=lambda: float(next(ticks)), sleep=lambda s: None)
    message = str(caught.value)
    assert "timed out after 3s waiting for 2 object(s)" in message
    assert (
        "PersistentVolumeClaim/data in namespace 'default': PersistentVolumeClaim is Pending"
        in message
    )
    assert "Service/gone in namespace 'default': does not exist" in message


def test_wait_stops_at_a_failure() -> None:
    cluster = FakeCluster(failing_jobs=["j"])
    cluster.create(
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "d"}}
    )
    with pytest.raises(WaitFailed, match="Job/j"):
        wait_ready(cluster, [ObjectRef("batch/v1", "Job", "d", "j")], 60, sleep=lambda s: None)


def test_progress_is_reported_per_poll() -> None:
    cluster = FakeCluster()
    cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": 2},
        }
    )
    seen: list[str] = []
    wait_ready(
        cluster,
        [ObjectRef("apps/v1", "Deployment", "default", "web")],
        5,
        progress=lambda states: seen.extend(s.progress for s in states.values()),
    )
    assert seen == ["2/2"]


def test_a_waiting_pod_says_why() -> None:
    pod = {
        "kind": "Pod",
        "status": {
            "phase": "Pending",
            "containerStatuses": [
                {"name": "web", "state": {"waiting": {"reason": "ImagePullBackOff"}}}
            ],
        },
    }
    assert readiness(pod).message == "Pod is Pending (web: ImagePullBackOff)"


class FakeTerminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_wait_progress_live_on_a_terminal_and_a_summary_otherwise(tty: bool) -> None:
    from pyhelm.release.printer import WaitReporter
    from pyhelm.release.wait import Readiness

    stream = FakeTerminal(tty)
    report = WaitReporter(stream)
    ref = ObjectRef("apps/v1", "Deployment", "default", "web")
    report({ref: Readiness(False, "1/3 replicas ready", progress="1/3")})
    report({ref: Readiness(True, progress="3/3")})
    report.summary()
    text = stream.getvalue()
    assert ("\r\x1b[Kwaiting: Deployment/web 1/3" in text) is tty
    assert text.endswith("waited for 1 object(s), 1 ready: Deployment/web 3/3\n")
