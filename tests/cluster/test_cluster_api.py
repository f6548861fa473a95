"""The built-in cluster behaves like an API server: stamps, selectors, conflicts, apply, delete."""

from __future__ import annotations

import copy

import pytest

from pyhelm.cluster.base import Cluster, ObjectRef
from pyhelm.cluster.memory import MemoryCluster
from pyhelm.cluster.memory.errors import (
    FieldManagerConflict,
    ObjectExists,
    ObjectInvalid,
    ObjectNotFound,
    StaleObject,
)
from pyhelm.errors import Conflict, Invalid, NotFound


def names(objs: list[dict]) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


CM_REF = ObjectRef("v1", "ConfigMap", "default", "settings")


def configmap(**data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
            "data": dict(data)}


def test_memory_cluster_implements_the_cluster_protocol(cluster: MemoryCluster) -> None:
    assert isinstance(cluster, Cluster)


def test_created_objects_carry_uid_timestamp_resource_version_and_namespace(
        cluster: MemoryCluster) -> None:
    created = cluster.create(configmap(a="1"))
    meta = created["metadata"]
    assert len(meta["uid"]) == 36 and meta["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert meta["namespace"] == "default"
    assert int(meta["resourceVersion"]) == cluster.current_resource_version()


def test_resource_version_grows_across_writes_and_generation_follows_spec(
        cluster: MemoryCluster, deploy: dict) -> None:
    first = cluster.create(deploy)
    scaled = cluster.patch(ObjectRef.of(first), {"spec": {"replicas": 5}})
    assert int(scaled["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    assert scaled["metadata"]["generation"] == 2
    labelled = cluster.patch(ObjectRef.of(first), {"metadata": {"labels": {"tier": "web"}}})
    assert labelled["metadata"]["generation"] == 2


def test_create_of_existing_name_is_already_exists(cluster: MemoryCluster) -> None:
    cluster.create(configmap())
    with pytest.raises(ObjectExists, match='configmaps "settings" already exists'):
        cluster.create(configmap())


def test_get_of_missing_object_names_resource_and_name(cluster: MemoryCluster) -> None:
    with pytest.raises(NotFound, match='deployments.apps "nope" not found'):
        cluster.get(ObjectRef("apps/v1", "Deployment", "default", "nope"))


def test_list_by_label_selector_and_field_selector(cluster: MemoryCluster) -> None:
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": name, "labels": {"tier": tier}}})
    assert names(cluster.list("v1", "ConfigMap", "default", {"tier": "web"})) == ["a", "c"]
    assert names(cluster.list("v1", "ConfigMap", "default", "tier in (db),tier!=web")) == ["b"]
    assert names(cluster.list("v1", "ConfigMap", None, field_selector="metadata.name=c")) == ["c"]


def test_update_with_stale_resource_version_is_a_conflict(cluster: MemoryCluster) -> None:
    stale = cluster.create(configmap(a="1"))
    fresh = copy.deepcopy(stale)
    fresh["data"] = {"a": "2"}
    cluster.update(fresh)
    stale["data"] = {"a": "3"}
    with pytest.raises(StaleObject, match="the object has been modified"):
        cluster.update(stale)
    assert cluster.get(CM_REF)["data"] == {"a": "2"}


def test_merge_patch_null_deletes_a_key(cluster: MemoryCluster) -> None:
    cluster.create(configmap(a="1", b="2"))
    patched = cluster.patch(CM_REF, {"data": {"a": None, "c": "3"}})
    assert patched["data"] == {"b": "2", "c": "3"}


def test_apply_creates_then_updates_and_records_the_field_manager(cluster: MemoryCluster) -> None:
    cluster.apply([configmap(a="1")], field_manager="pyhelm")
    applied = cluster.apply([configmap(a="2")], field_manager="pyhelm")[0]
    assert applied["data"] == {"a": "2"}
    managers = {e["manager"]: e for e in applied["metadata"]["managedFields"]}
    assert managers["pyhelm"]["operation"] == "Apply"
    assert managers["pyhelm"]["fieldsV1"] == {"f:data": {"f:a": {}}}


def test_apply_drops_fields_the_manager_no_longer_sets(cluster: MemoryCluster) -> None:
    cluster.apply([configmap(a="1", b="2")], field_manager="pyhelm")
    applied = cluster.apply([configmap(a="1")], field_manager="pyhelm")[0]
    assert applied["data"] == {"a": "1"}


def test_apply_replaces_a_keyed_list_item_whose_key_changed(cluster: MemoryCluster) -> None:
    """An upgrade that moves a Service from port 80 to 8080 drops the old port item whole."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"selector": {"app": "web"},
                        "ports": [{"name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"}]}}
    cluster.apply([service], field_manager="pyhelm")
    moved = copy.deepcopy(service)
    moved["spec"]["ports"][0]["port"] = 8080
    applied = cluster.apply([moved], field_manager="pyhelm")[0]
    assert [(p["name"], p["port"]) for p in applied["spec"]["ports"]] == [("http", 8080)]


def test_apply_conflicts_with_another_managers_field_unless_forced(
        cluster: MemoryCluster, deploy: dict) -> None:
    cluster.apply([deploy], field_manager="pyhelm")
    cluster.patch(ObjectRef.of(deploy, "default"), {"spec": {"replicas": 7}},
                  field_manager="kubectl-scale")
    with pytest.raises(FieldManagerConflict) as caught:
        cluster.apply([deploy], field_manager="pyhelm")
    assert 'conflict with "kubectl-scale"' in str(caught.value)
    assert ".spec.replicas" in str(caught.value)
    assert isinstance(caught.value, Conflict)
    forced = cluster.apply([deploy], field_manager="pyhelm", force=True)[0]
    assert forced["spec"]["replicas"] == 3


def test_apply_of_the_same_value_shares_ownership_without_conflict(
        cluster: MemoryCluster) -> None:
    cluster.apply([configmap(a="1")], field_manager="one")
    shared = cluster.apply([configmap(a="1")], field_manager="two")[0]
    assert {e["manager"] for e in shared["metadata"]["managedFields"]} == {"one", "two"}


def test_dry_run_apply_validates_but_saves_nothing(cluster: MemoryCluster) -> None:
    result = cluster.apply([configmap(a="1")], dry_run=True)
    assert result[0]["data"] == {"a": "1"}
    with pytest.raises(NotFound):
        cluster.get(CM_REF)


def test_a_failing_object_leaves_the_whole_apply_unapplied(cluster: MemoryCluster) -> None:
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}}
    with pytest.raises(ObjectInvalid):
        cluster.apply([configmap(a="1"), bad])
    with pytest.raises(NotFound):
        cluster.get(CM_REF)


def test_namespace_must_exist(cluster: MemoryCluster) -> None:
    obj = configmap()
    obj["metadata"]["namespace"] = "nowhere"
    with pytest.raises(ObjectNotFound, match='namespaces "nowhere" not found'):
        cluster.create(obj)


def test_deleting_a_namespace_deletes_what_is_in_it(cluster: MemoryCluster) -> None:
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    obj = configmap()
    obj["metadata"]["namespace"] = "team"
    cluster.create(obj)
    assert names(cluster.list("v1", "ServiceAccount", "team")) == ["default"]
    cluster.delete(ObjectRef("v1", "Namespace", None, "team"))
    assert cluster.list("v1", "ConfigMap", "team") == []
    assert cluster.list("v1", "ServiceAccount", "team") == []


@pytest.mark.parametrize("cascade, pods_left, sets_left", [
    ("background", 0, 0), ("foreground", 0, 0), ("orphan", 3, 1)])
def test_delete_cascades_through_owner_references(cluster: MemoryCluster, deploy: dict,
                                                  cascade: str, pods_left: int,
                                                  sets_left: int) -> None:
    cluster.apply([deploy])
    cluster.delete(ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment"), cascade)
    assert len(cluster.list("v1", "Pod", "default")) == pods_left
    sets = cluster.list("apps/v1", "ReplicaSet", "default")
    assert len(sets) == sets_left
    assert all("ownerReferences" not in rs["metadata"] for rs in sets)


def test_delete_of_missing_object_is_not_found(cluster: MemoryCluster) -> None:
    with pytest.raises(NotFound):
        cluster.delete(CM_REF)


def test_secret_string_data_is_stored_base64(cluster: MemoryCluster) -> None:
    secret = cluster.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                             "stringData": {"password": "hunter2"}})
    assert secret["data"] == {"password": "aHVudGVyMg=="} and secret["type"] == "Opaque"


def test_services_get_cluster_ips_from_the_service_range(cluster: MemoryCluster) -> None:
    svc = cluster.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                          "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert svc["spec"]["clusterIP"].startswith("10.96.")
    assert svc["spec"]["ports"][0]["targetPort"] == 80
    node_port = cluster.create({"apiVersion": "v1", "kind": "Service",
                                "metadata": {"name": "np"},
                                "spec": {"type": "NodePort", "ports": [{"port": 80}]}})
    assert 30000 <= node_port["spec"]["ports"][0]["nodePort"] <= 32767


def test_cluster_ip_is_immutable(cluster: MemoryCluster) -> None:
    svc = cluster.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                          "spec": {"ports": [{"port": 80}]}})
    svc["spec"]["clusterIP"] = "10.96.0.99"
    svc["spec"]["clusterIPs"] = ["10.96.0.99"]
    with pytest.raises(Invalid, match="spec.clusterIP: Invalid value.*field is immutable"):
        cluster.update(svc)


def test_watch_events_come_in_resource_version_order(cluster: MemoryCluster) -> None:
    start = cluster.current_resource_version()
    cluster.create(configmap(a="1"))
    after_create = cluster.current_resource_version()
    assert [(t, o["data"]["a"]) for t, o in cluster.events_since(start)] == [("ADDED", "1")]
    cluster.patch(CM_REF, {"data": {"a": "2"}})
    assert [(t, o["data"]["a"]) for t, o in cluster.events_since(after_create)] == [
        ("MODIFIED", "2")]
    cluster.delete(CM_REF)
    events = cluster.events_since(start, "v1", "ConfigMap", "default")
    # History is compacted: superseded states are not replayed, the last one is.
    assert [(t, o["data"]["a"]) for t, o in events] == [("DELETED", "2")]
    assert int(events[0][1]["metadata"]["resourceVersion"]) > after_create


def test_a_deleted_event_carries_the_deletions_resource_version(
        cluster: MemoryCluster) -> None:
    cluster.create(configmap(a="1"))
    created = cluster.current_resource_version()
    cluster.delete(CM_REF)
    deleted = cluster.current_resource_version()
    [(kind, obj)] = cluster.events_since(created, "v1", "ConfigMap", "default")
    assert (kind, obj["metadata"]["resourceVersion"]) == ("DELETED", str(deleted))
    # A watcher resuming from the object it last saw gets nothing twice.
    assert cluster.events_since(deleted, "v1", "ConfigMap", "default") == []


def test_custom_resources_are_served_and_validated_after_their_crd(
        cluster: MemoryCluster) -> None:
    crontab = {"apiVersion": "stable.example.com/v1", "kind": "CronTab",
               "metadata": {"name": "every-minute"}, "spec": {"cronSpec": "* * * * *",
                                                              "replicas": 2}}
    with pytest.raises(Invalid, match='no matches for kind "CronTab"'):
        cluster.create(crontab)
    cluster.apply([{
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "crontabs.stable.example.com"},
        "spec": {"group": "stable.example.com", "scope": "Namespaced",
                 "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab",
                           "shortNames": ["ct"]},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                     "openAPIV3Schema": {"type": "object", "properties": {"spec": {
                         "type": "object", "properties": {
                             "cronSpec": {"type": "string"},
                             "replicas": {"type": "integer"}}}}}}}]}}])
    assert cluster.create(crontab)["spec"]["replicas"] == 2
    bad = copy.deepcopy(crontab)
    bad["metadata"]["name"] = "bad"
    bad["spec"]["replicas"] = "two"
    with pytest.raises(ObjectInvalid, match=r"spec.replicas: Invalid value: 'two' is not of type"):
        cluster.create(bad)
    assert cluster.resolve("ct").kind == "CronTab"


def test_commands_share_one_transaction_all_or_nothing(cluster: MemoryCluster) -> None:
    with pytest.raises(ObjectExists):
        with cluster.transaction() as api:
            api.create(configmap(a="1"))
            api.create(configmap(a="2"))
    with pytest.raises(NotFound):
        cluster.get(CM_REF)


def test_writing_inside_a_read_transaction_is_refused(cluster: MemoryCluster) -> None:
    from pyhelm.errors import UsageError

    with cluster.transaction(write=False):
        with pytest.raises(UsageError, match="read-only transaction"):
            cluster.create(configmap())
    with cluster.transaction():
        with pytest.raises(UsageError, match="dry run cannot be nested"):
            cluster.apply([configmap()], dry_run=True)


def test_generate_name_gets_a_random_suffix(cluster: MemoryCluster) -> None:
    made = cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"generateName": "job-"}})
    assert made["metadata"]["name"].startswith("job-") and len(made["metadata"]["name"]) == 9


def test_a_reference_without_namespace_means_default(cluster: MemoryCluster) -> None:
    cluster.create(configmap(a="1"))
    ref = ObjectRef("v1", "ConfigMap", None, "settings")
    assert cluster.get(ref)["data"] == {"a": "1"}
    cluster.delete(ref)
    with pytest.raises(NotFound):
        cluster.get(CM_REF)


def test_the_default_namespace_cannot_be_deleted(cluster: MemoryCluster) -> None:
    from pyhelm.cluster.memory.errors import Forbidden

    with pytest.raises(Forbidden, match="this namespace may not be deleted"):
        cluster.delete(ObjectRef("v1", "Namespace", None, "default"))
