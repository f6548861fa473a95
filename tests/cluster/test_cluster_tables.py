"""`get`'s tables: kubectl's pod columns and layout, from stored pods."""

from __future__ import annotations

from datetime import UTC, datetime

from pyhelm.cluster.memory.tables import build, pod_status, render

NOW = datetime(2026, 1, 2, 12, 0, 0, tzinfo=UTC)


def _pod(name: str, *statuses: dict, phase: str = "Running", node: str | None = "node-1",
         **meta: object) -> dict:
    return {"metadata": {"name": name, "namespace": "default",
                         "creationTimestamp": "2026-01-02T11:00:00Z",
                         "labels": {"app": "web"}, **meta},
            "spec": {"nodeName": node, "containers": [{"name": f"c{i}"}
                                                      for i in range(len(statuses) or 1)]},
            "status": {"phase": phase, "podIP": "10.244.1.2" if node else None,
                       "containerStatuses": list(statuses)}}


RUNNING = {"ready": True, "restartCount": 0, "state": {"running": {}}}


def test_pod_rows_show_ready_status_restarts_and_age():
    restarted = {"ready": True, "restartCount": 2, "state": {"running": {}},
                 "lastState": {"terminated": {"reason": "Completed",
                                              "finishedAt": "2026-01-02T11:59:00Z"}}}
    waiting = {"ready": False, "restartCount": 0,
               "state": {"waiting": {"reason": "ImagePullBackOff"}}}
    pods = [_pod("a", RUNNING, RUNNING), _pod("b", restarted), _pod("c", waiting, RUNNING)]
    headers, rows = build("Pod", pods, NOW)
    assert headers == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert rows == [["a", "2/2", "Running", "0", "60m"],
                    ["b", "1/1", "Running", "2 (60s ago)", "60m"],
                    ["c", "1/2", "ImagePullBackOff", "0", "60m"]]


def test_pod_status_prefers_terminating_then_reasons_then_phase():
    done = {"ready": False, "restartCount": 0,
            "state": {"terminated": {"reason": "Completed"}}}
    unscheduled = _pod("p", phase="Pending", node=None)
    unscheduled["status"]["conditions"] = [{"type": "PodScheduled", "status": "False"}]
    unscheduled["status"]["reason"] = "Unschedulable"
    assert pod_status(_pod("t", RUNNING, deletionTimestamp="2026-01-02T11:00:00Z")) \
        == "Terminating"
    assert pod_status(_pod("d", done, phase="Succeeded")) == "Completed"
    assert pod_status(unscheduled) == "Pending"
    assert pod_status(_pod("e", phase="Failed", node=None)) == "Failed"


def test_wide_namespaced_labelled_and_prefixed_rows():
    pending = _pod("q", phase="Pending", node=None)
    headers, rows = build("Pod", [_pod("a", RUNNING), pending], NOW, wide=True, prefix="pod",
                          namespaces=True, labels=True)
    assert headers == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP",
                       "NODE", "NOMINATED NODE", "READINESS GATES", "LABELS"]
    assert rows[0] == ["default", "pod/a", "1/1", "Running", "0", "60m", "10.244.1.2",
                       "node-1", "<none>", "<none>", "app=web"]
    assert rows[1][1:7] == ["pod/q", "0/1", "Pending", "0", "60m", "<none>"]


def test_render_pads_columns_to_the_widest_cell_plus_three_spaces():
    assert render(["NAME", "AGE"], [["nginx-pod", "5s"], ["a", None]]) == (
        "NAME        AGE\n"
        "nginx-pod   5s\n"
        "a           None\n")
    assert render(["NAME", "DATA"], [["x", ""]]) == "NAME   DATA\nx\n"
