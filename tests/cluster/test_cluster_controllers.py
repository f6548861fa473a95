"""Controllers, scheduler and node agent: what a user sees the cluster do after each write."""

from __future__ import annotations

import copy

import pytest

from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.memory import MemoryCluster, nodes_api
from pyhelm.cluster.memory.clock import FakeClock
from pyhelm.cluster.memory.printing import GetOptions, format_objects
from pyhelm.cluster.memory.rollout import history, undo
from pyhelm.cluster.memory.service_proxy import curl

DEPLOY_REF = ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment")


def pods(cluster: MemoryCluster, **labels: str) -> list[dict]:
    return cluster.list("v1", "Pod", "default", labels or None)


def phase_of(pod: dict) -> str:
    return pod["status"]["phase"]


def reasons(cluster: MemoryCluster, name: str) -> list[str]:
    return [e["reason"] for e in cluster.events("default", involved=name)]


def test_a_pod_runs_with_an_ip_on_a_node_and_kubelet_events(cluster: MemoryCluster,
                                                             pod: dict) -> None:
    live = cluster.apply([pod])[0]
    assert phase_of(live) == "Running"
    assert live["status"]["podIP"].startswith("10.244.")
    assert live["spec"]["nodeName"] in {"node-1", "node-2", "node-3"}
    assert live["status"]["containerStatuses"][0]["ready"] is True
    assert reasons(cluster, "nginx-pod") == ["Scheduled", "Pulled", "Created", "Started"]


def test_changing_the_image_restarts_the_container_in_the_same_pod(
        cluster: MemoryCluster, clock: FakeClock, pod: dict) -> None:
    first = cluster.apply([pod])[0]
    clock.advance(30)
    pod["spec"]["containers"][0]["image"] = "nginx:1.20.1"
    second = cluster.apply([pod])[0]
    assert second["metadata"]["uid"] == first["metadata"]["uid"]
    assert second["status"]["startTime"] == first["status"]["startTime"]
    status = second["status"]["containerStatuses"][0]
    assert status["image"] == "nginx:1.20.1" and status["restartCount"] == 1


def test_deployment_pods_are_named_after_the_template_hash(cluster: MemoryCluster,
                                                           deploy: dict) -> None:
    cluster.apply([deploy])
    (rs,) = cluster.list("apps/v1", "ReplicaSet", "default")
    hash_ = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"nginx-deployment-{hash_}"
    found = pods(cluster)
    assert len(found) == 3
    for p in found:
        prefix, suffix = p["metadata"]["name"].rsplit("-", 1)
        assert prefix == rs["metadata"]["name"] and len(suffix) == 5
        assert phase_of(p) == "Running"


def test_a_deleted_deployment_pod_is_replaced_but_a_bare_pod_is_not(
        cluster: MemoryCluster, deploy: dict, pod: dict) -> None:
    cluster.apply([deploy, pod])
    victim = next(p for p in pods(cluster) if p["metadata"]["name"] != "nginx-pod")
    cluster.delete(ObjectRef.of(victim))
    cluster.delete(ObjectRef("v1", "Pod", "default", "nginx-pod"))
    left = [p["metadata"]["name"] for p in pods(cluster)]
    assert len(left) == 3 and victim["metadata"]["name"] not in left
    assert "nginx-pod" not in left


def test_scaling_up_and_down_keeps_status_in_step(cluster: MemoryCluster, deploy: dict) -> None:
    cluster.apply([deploy])
    cluster.patch(DEPLOY_REF, {"spec": {"replicas": 10}})
    assert len(pods(cluster)) == 10
    status = cluster.get(DEPLOY_REF)["status"]
    assert (status["replicas"], status["readyReplicas"], status["availableReplicas"]) == (
        10, 10, 10)
    cluster.patch(DEPLOY_REF, {"spec": {"replicas": 2}})
    assert len(pods(cluster)) == 2


def test_a_new_template_rolls_out_and_can_be_undone(cluster: MemoryCluster,
                                                    deploy: dict) -> None:
    cluster.apply([deploy])
    changed = copy.deepcopy(deploy)
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.20.1"
    cluster.apply([changed])
    images = {p["spec"]["containers"][0]["image"] for p in pods(cluster)}
    assert images == {"nginx:1.20.1"} and len(pods(cluster)) == 3
    sets = {rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]:
            rs["spec"]["replicas"] for rs in cluster.list("apps/v1", "ReplicaSet", "default")}
    assert sets == {"1": 0, "2": 3}
    scaling = [e["message"] for e in cluster.events("default", involved="nginx-deployment")
               if e["reason"] == "ScalingReplicaSet"]
    assert len(scaling) > 2  # a rolling update, step by step
    with cluster.transaction() as api:
        info = api.ws.registry.resolve("deploy")
        assert [r.number for r in history(api, info, "default", "nginx-deployment")] == [1, 2]
        assert undo(api, info, "default", "nginx-deployment") == 1
    assert {p["spec"]["containers"][0]["image"] for p in pods(cluster)} == {"nginx"}
    assert cluster.get(DEPLOY_REF)["metadata"]["annotations"][
        "deployment.kubernetes.io/revision"] == "3"


def test_rolling_update_never_exceeds_max_surge(cluster: MemoryCluster, deploy: dict) -> None:
    deploy["spec"]["replicas"] = 4
    deploy["spec"]["strategy"] = {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    cluster.apply([deploy])
    start = cluster.current_resource_version()
    deploy["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    cluster.apply([deploy])
    # Replay the ReplicaSet writes: old + new desired replicas never pass 4 + 1.
    desired: dict[str, int] = {}
    for _, obj in cluster.events_since(start, "apps/v1", "ReplicaSet", "default"):
        desired[obj["metadata"]["name"]] = obj["spec"]["replicas"]
        assert sum(desired.values()) <= 5


def test_statefulset_pods_have_ordinal_names_and_claims(cluster: MemoryCluster) -> None:
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"replicas": 3, "serviceName": "db",
                    "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}},
                                 "spec": {"containers": [{"name": "pg", "image": "postgres"}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}}}}]}}
    cluster.apply([sts])
    assert sorted(p["metadata"]["name"] for p in pods(cluster)) == ["db-0", "db-1", "db-2"]
    claims = cluster.list("v1", "PersistentVolumeClaim", "default")
    assert [c["metadata"]["name"] for c in claims] == ["data-db-0", "data-db-1", "data-db-2"]
    assert {c["status"]["phase"] for c in claims} == {"Bound"}
    cluster.patch(ObjectRef("apps/v1", "StatefulSet", "default", "db"), {"spec": {"replicas": 1}})
    assert [p["metadata"]["name"] for p in pods(cluster)] == ["db-0"]


def test_daemonset_runs_one_pod_per_node_and_follows_new_nodes(cluster: MemoryCluster) -> None:
    ds = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
          "spec": {"selector": {"matchLabels": {"app": "agent"}},
                   "template": {"metadata": {"labels": {"app": "agent"}},
                                "spec": {"containers": [{"name": "a", "image": "busybox"}]}}}}
    cluster.apply([ds])
    assert sorted(p["spec"]["nodeName"] for p in pods(cluster)) == ["node-1", "node-2", "node-3"]
    nodes_api.add(cluster, "node-4")
    assert len(pods(cluster)) == 4


def test_job_runs_to_its_completions(cluster: MemoryCluster) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"},
           "spec": {"completions": 3, "template": {"spec": {
               "restartPolicy": "Never",
               "containers": [{"name": "pi", "image": "perl"}]}}}}
    cluster.apply([job])
    status = cluster.get(ObjectRef("batch/v1", "Job", "default", "pi"))["status"]
    assert status["succeeded"] == 3
    assert any(c["type"] == "Complete" for c in status["conditions"])
    assert {phase_of(p) for p in pods(cluster)} == {"Succeeded"}


def test_cronjob_starts_jobs_when_time_passes(cluster: MemoryCluster) -> None:
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "t", "image": "busybox"}]}}}}}}
    cluster.apply([cron])
    assert cluster.list("batch/v1", "Job", "default") == []
    cluster.tick(301)
    (job,) = cluster.list("batch/v1", "Job", "default")
    assert job["metadata"]["name"].startswith("tick-")
    assert job["status"]["succeeded"] == 1


@pytest.mark.parametrize("spec_extra, reason", [
    ({"nodeSelector": {"disk": "ssd"}}, "didn't match Pod's node affinity/selector"),
    ({"containers": [{"name": "big", "image": "nginx",
                      "resources": {"requests": {"cpu": "64"}}}]}, "Insufficient cpu"),
])
def test_an_unschedulable_pod_stays_pending_with_failed_scheduling(
        cluster: MemoryCluster, pod: dict, spec_extra: dict, reason: str) -> None:
    pod["spec"].update(spec_extra)
    live = cluster.apply([pod])[0]
    assert phase_of(live) == "Pending" and "nodeName" not in live["spec"]
    (event,) = [e for e in cluster.events("default", involved="nginx-pod")]
    assert event["reason"] == "FailedScheduling"
    assert event["message"].startswith("0/3 nodes are available: 3 ") and reason in \
        event["message"]


def test_taints_keep_pods_away_unless_tolerated(cluster: MemoryCluster, pod: dict) -> None:
    for name in ("node-1", "node-2", "node-3"):
        nodes_api.remove(cluster, name)
    nodes_api.add(cluster, "gpu", taints=[{"key": "gpu", "value": "yes",
                                           "effect": "NoSchedule"}])
    assert phase_of(cluster.apply([pod])[0]) == "Pending"
    cluster.delete(ObjectRef("v1", "Pod", "default", "nginx-pod"))
    pod["spec"]["tolerations"] = [{"key": "gpu", "operator": "Equal", "value": "yes",
                                   "effect": "NoSchedule"}]
    assert cluster.apply([pod])[0]["spec"]["nodeName"] == "gpu"


def test_pending_pods_are_placed_when_a_node_arrives(cluster: MemoryCluster, pod: dict) -> None:
    pod["spec"]["nodeSelector"] = {"disk": "ssd"}
    cluster.apply([pod])
    nodes_api.add(cluster, "fast", labels={"disk": "ssd"})
    assert cluster.get(ObjectRef("v1", "Pod", "default", "nginx-pod"))["spec"]["nodeName"] == \
        "fast"


def test_removing_a_node_reschedules_owned_pods(cluster: MemoryCluster, deploy: dict) -> None:
    deploy["spec"]["replicas"] = 6
    cluster.apply([deploy])
    nodes_api.remove(cluster, "node-1")
    found = pods(cluster)
    assert len(found) == 6 and all(p["spec"]["nodeName"] != "node-1" for p in found)
    assert all(phase_of(p) == "Running" for p in found)


def test_an_image_that_cannot_exist_fails_to_pull_then_backs_off(
        cluster: MemoryCluster, pod: dict) -> None:
    pod["spec"]["containers"][0]["image"] = "nginx:doesnotexist"
    live = cluster.apply([pod])[0]
    assert live["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == \
        "ErrImagePull"
    cluster.tick(10)
    after = cluster.get(ObjectRef("v1", "Pod", "default", "nginx-pod"))
    assert after["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == \
        "ImagePullBackOff"
    text = format_objects([(cluster.resolve("pods"), [after])], GetOptions(), FakeClock().now())
    assert "0/1     ImagePullBackOff" in text


def test_readiness_probe_delays_ready_until_time_passes(cluster: MemoryCluster,
                                                        pod: dict) -> None:
    pod["spec"]["containers"][0]["readinessProbe"] = {
        "httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 5}
    live = cluster.apply([pod])[0]
    assert phase_of(live) == "Running" and not live["status"]["containerStatuses"][0]["ready"]
    cluster.tick(6)
    after = cluster.get(ObjectRef("v1", "Pod", "default", "nginx-pod"))
    assert after["status"]["containerStatuses"][0]["ready"] is True


def test_service_endpoints_follow_ready_pods_and_curl_round_robins(
        cluster: MemoryCluster, deploy: dict) -> None:
    deploy["spec"]["replicas"] = 4
    cluster.apply([deploy, {"apiVersion": "v1", "kind": "Service",
                            "metadata": {"name": "web"},
                            "spec": {"selector": {"app": "nginx"}, "ports": [
                                {"port": 8080, "targetPort": "web"}]}}])
    (subset,) = cluster.get(ObjectRef("v1", "Endpoints", "default", "web"))["subsets"]
    assert len(subset["addresses"]) == 4 and subset["ports"][0]["port"] == 80
    (slice_,) = cluster.list("discovery.k8s.io/v1", "EndpointSlice", "default",
                             {"kubernetes.io/service-name": "web"})
    assert len(slice_["endpoints"]) == 4 and slice_["ports"][0]["port"] == 80
    assert all(e["conditions"]["ready"] for e in slice_["endpoints"])
    answered = []
    for _ in range(8):
        with cluster.transaction() as api:
            response = curl(api, "svc/web:8080", "default")
        answered.append(response.pod)
        assert "Welcome to nginx!" in response.body
    assert answered[:4] == sorted(answered[:4]) and answered[4:] == answered[:4]


def test_load_balancer_services_get_an_external_address(cluster: MemoryCluster) -> None:
    svc = cluster.apply([{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb"},
                          "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}])[0]
    assert svc["status"]["loadBalancer"]["ingress"][0]["ip"].startswith("172.18.255.")


def test_a_rollout_to_a_broken_image_stalls_but_keeps_old_pods_serving(
        cluster: MemoryCluster, deploy: dict) -> None:
    from pyhelm.cluster.memory.rollout import RolloutNotDone, status

    deploy["spec"]["replicas"] = 4
    cluster.apply([deploy])
    deploy["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:doesnotexist"
    cluster.apply([deploy])
    by_image: dict[str, list[str]] = {}
    for p in pods(cluster):
        by_image.setdefault(p["spec"]["containers"][0]["image"], []).append(phase_of(p))
    # 25% surge and 25% unavailable of 4: one old pod goes, two new ones cannot start.
    assert by_image == {"nginx": ["Running"] * 3, "nginx:doesnotexist": ["Pending"] * 2}
    with cluster.transaction(write=False) as api, pytest.raises(
            RolloutNotDone, match="2 out of 4 new replicas have been updated"):
        status(api, api.ws.registry.resolve("deploy"), "default", "nginx-deployment")


def test_many_similar_events_are_combined_with_a_count(cluster: MemoryCluster,
                                                       deploy: dict) -> None:
    deploy["spec"]["replicas"] = 25
    cluster.apply([deploy])
    (rs,) = cluster.list("apps/v1", "ReplicaSet", "default")
    events = cluster.events("default", involved=rs["metadata"]["name"])
    assert [e["count"] for e in events] == [1] * 10 + [15]
    assert events[-1]["message"].startswith("(combined from similar events): Created pod: ")
