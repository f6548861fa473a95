"""Server-side Tables: the columns and cells kubectl prints for `get`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pyhelm.cluster.kubeapi.tables import human_duration, table, wants_table

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def ago(**delta: float) -> str:
    return (NOW - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (95, "95s"), (119, "119s"), (120, "2m"), (250, "4m10s"), (599, "9m59s"),
    (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"), (3 * 3600 + 300, "3h5m"),
    (8 * 3600, "8h"), (47 * 3600, "47h"), (2 * 86400 + 5 * 3600, "2d5h"), (7 * 86400, "7d"),
    (400 * 86400, "400d"), (3 * 365 * 86400 + 10 * 86400, "3y10d"), (9 * 365 * 86400, "9y"),
])
def test_age_reads_like_kubernetes_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_wants_table_reads_kubectls_accept_header():
    assert wants_table("application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
    assert not wants_table("application/json")


def running_pod(name: str, restarts: int = 0) -> dict:
    return {"metadata": {"name": name, "namespace": "default", "creationTimestamp": ago(seconds=42),
                         "labels": {"app": "nginx"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}], "nodeName": "node-1"},
            "status": {"phase": "Running", "podIP": "10.244.1.3", "containerStatuses": [
                {"name": "web", "ready": True, "restartCount": restarts,
                 "state": {"running": {"startedAt": ago(seconds=40)}}}]}}


def test_pod_table_has_kubectls_columns_and_cells():
    body = table("Pod", [running_pod("nginx-pod", restarts=2)], "7", now=NOW)
    names = [(c["name"], c["priority"]) for c in body["columnDefinitions"]]
    assert names[:5] == [("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0)]
    assert ("IP", 1) in names and ("Node", 1) in names
    row = body["rows"][0]
    assert row["cells"][:7] == ["nginx-pod", "1/1", "Running", "2", "42s", "10.244.1.3", "node-1"]
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["metadata"]["labels"] == {"app": "nginx"}
    assert body["metadata"]["resourceVersion"] == "7"


def test_restarts_say_how_long_ago_the_last_one_was():
    pod = running_pod("p", restarts=1)
    pod["status"]["containerStatuses"][0]["lastState"] = {
        "terminated": {"exitCode": 0, "finishedAt": ago(seconds=40)}}
    assert table("Pod", [pod], "1", now=NOW)["rows"][0]["cells"][3] == "1 (40s ago)"


def test_job_duration_runs_from_start_to_completion():
    job = {"metadata": {"name": "j", "creationTimestamp": ago(minutes=5)},
           "spec": {"completions": 1, "template": {"spec": {"containers": []}}},
           "status": {"succeeded": 1, "startTime": ago(minutes=5), "completionTime": ago(minutes=4),
                      "conditions": [{"type": "Complete", "status": "True"}]}}
    assert table("Job", [job], "1", now=NOW)["rows"][0]["cells"][:5] == [
        "j", "Complete", "1/1", "60s", "5m"]


def test_pod_status_shows_waiting_reason_and_terminating():
    pod = running_pod("p")
    pod["status"]["containerStatuses"][0].update(
        ready=False, state={"waiting": {"reason": "ImagePullBackOff"}})
    assert table("Pod", [pod], "1", now=NOW)["rows"][0]["cells"][1:3] == ["0/1", "ImagePullBackOff"]
    pod["metadata"]["deletionTimestamp"] = ago(seconds=1)
    assert table("Pod", [pod], "1", now=NOW)["rows"][0]["cells"][2] == "Terminating"


def test_include_object_returns_the_whole_object():
    pod = running_pod("p")
    assert table("Pod", [pod], "1", include="Object", now=NOW)["rows"][0]["object"] == pod


def test_deployment_and_service_rows():
    deploy = {"metadata": {"name": "nginx-deployment", "creationTimestamp": ago(minutes=5)},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
                       "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
              "status": {"readyReplicas": 3, "updatedReplicas": 3, "availableReplicas": 3}}
    assert table("Deployment", [deploy], "1", now=NOW)["rows"][0]["cells"] == [
        "nginx-deployment", "3/3", 3, 3, "5m", "web", "nginx", "app=nginx"]
    svc = {"metadata": {"name": "nginx-service", "creationTimestamp": ago(hours=3)},
           "spec": {"type": "NodePort", "clusterIP": "10.96.114.184", "selector": {"app": "nginx"},
                    "ports": [{"port": 80, "protocol": "TCP", "nodePort": 31234}]}}
    assert table("Service", [svc], "1", now=NOW)["rows"][0]["cells"] == [
        "nginx-service", "NodePort", "10.96.114.184", "<none>", "80:31234/TCP", "3h", "app=nginx"]


def test_secret_event_and_unknown_kind_rows():
    secret = {"metadata": {"name": "sh.helm.release.v1.web.v1", "creationTimestamp": ago(days=2)},
              "type": "helm.sh/release.v1", "data": {"release": "x"}}
    assert table("Secret", [secret], "1", now=NOW)["rows"][0]["cells"] == [
        "sh.helm.release.v1.web.v1", "helm.sh/release.v1", 1, "2d"]
    event = {"metadata": {"name": "web.1"}, "type": "Normal", "reason": "Scheduled",
             "message": "Successfully assigned default/web to node-1",
             "involvedObject": {"kind": "Pod", "name": "web"}, "lastTimestamp": ago(seconds=30)}
    cells = table("Event", [event], "1", now=NOW)["rows"][0]["cells"]
    assert cells[:5] == ["30s", "Normal", "Scheduled", "pod/web",
                         "Successfully assigned default/web to node-1"]
    widget = {"metadata": {"name": "w1", "creationTimestamp": ago(seconds=5)}}
    body = table("Widget", [widget], "1", now=NOW)
    assert [c["name"] for c in body["columnDefinitions"]] == ["Name", "Age"]
    assert body["rows"][0]["cells"] == ["w1", "5s"]
