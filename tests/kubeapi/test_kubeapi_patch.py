"""PATCH bodies as kubectl and client libraries send them."""

from __future__ import annotations

import pytest

from pyhelm.cluster.kubeapi.patch import (
    PatchError,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)

POD = {
    "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
    "spec": {"containers": [
        {"name": "a", "image": "nginx", "env": [{"name": "X", "value": "1"},
                                                {"name": "Y", "value": "2"}],
         "ports": [{"containerPort": 80, "protocol": "TCP"}]},
        {"name": "b", "image": "redis"},
    ]},
}


def test_merge_patch_merges_maps_deletes_nulls_and_replaces_lists():
    result = merge_patch(POD, {"metadata": {"labels": {"tier": None, "k": "v"}},
                               "spec": {"containers": [{"name": "c"}]}})
    assert result["metadata"]["labels"] == {"app": "web", "k": "v"}
    assert result["spec"]["containers"] == [{"name": "c"}]
    assert POD["metadata"]["labels"]["tier"] == "front", "the original is untouched"


def test_strategic_merge_patch_merges_containers_by_name():
    result = strategic_merge_patch(POD, {"spec": {
        "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
        "containers": [{"name": "a", "image": "nginx:1.26"}]}})
    images = [(c["name"], c["image"]) for c in result["spec"]["containers"]]
    assert images == [("a", "nginx:1.26"), ("b", "redis")]
    assert result["spec"]["containers"][0]["env"][0] == {"name": "X", "value": "1"}


def test_strategic_merge_patch_deletes_list_items_and_labels_like_kubectl_apply():
    patch = {"metadata": {"labels": {"tier": None}},
             "spec": {"$setElementOrder/containers": [{"name": "a"}],
                      "containers": [{"$setElementOrder/env": [{"name": "Y"}],
                                      "env": [{"$patch": "delete", "name": "X"}], "name": "a"},
                                     {"$patch": "delete", "name": "b"}]}}
    result = strategic_merge_patch(POD, patch)
    assert result["metadata"]["labels"] == {"app": "web"}
    assert [c["name"] for c in result["spec"]["containers"]] == ["a"]
    assert result["spec"]["containers"][0]["env"] == [{"name": "Y", "value": "2"}]


def test_strategic_merge_patch_merges_container_ports_by_container_port():
    patch = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 443}]}]}}
    ports = strategic_merge_patch(POD, patch)["spec"]["containers"][0]["ports"]
    assert [p["containerPort"] for p in ports] == [80, 443]


def test_strategic_merge_patch_set_element_order_reorders():
    patch = {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}}
    result = strategic_merge_patch(POD, patch)
    assert [c["name"] for c in result["spec"]["containers"]] == ["b", "a"]


def test_strategic_merge_patch_replace_directive_and_lists_without_merge_key():
    patch = {"spec": {"containers": [{"name": "z", "image": "busybox"}, {"$patch": "replace"}]},
             "metadata": {"finalizers": ["x"]}}
    result = strategic_merge_patch({**POD, "metadata": {**POD["metadata"], "finalizers": ["w"]}},
                                   patch)
    assert result["spec"]["containers"] == [{"name": "z", "image": "busybox"}]
    assert result["metadata"]["finalizers"] == ["w", "x"], "finalizers merge as a set"
    args = strategic_merge_patch({"args": ["a", "b"]}, {"args": ["c"]})
    assert args == {"args": ["c"]}


def test_strategic_merge_patch_delete_from_primitive_list_and_retain_keys():
    result = strategic_merge_patch({"metadata": {"finalizers": ["a", "b"]}},
                                   {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})
    assert result["metadata"]["finalizers"] == ["b"]
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    result = strategic_merge_patch({"strategy": strategy},
                                   {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}})
    assert result["strategy"] == {"type": "Recreate"}


def test_strategic_merge_patch_restarted_at_annotation_lands_in_template():
    deploy = {"spec": {"template": {"metadata": {"labels": {"app": "api"}}}}}
    patch = {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-11-25T10:00:00Z"}}}}}
    meta = strategic_merge_patch(deploy, patch)["spec"]["template"]["metadata"]
    assert meta == {"labels": {"app": "api"},
                    "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-25T10:00:00Z"}}


def test_strategic_merge_patch_rejects_an_unknown_directive():
    with pytest.raises(PatchError, match="unknown \\$patch directive 'explode'"):
        strategic_merge_patch(POD, {"spec": {"$patch": "explode"}})


def test_json_patch_operations():
    doc = {"a": {"b": [1, 2]}, "c": "x"}
    result = json_patch(doc, [
        {"op": "add", "path": "/a/b/-", "value": 3},
        {"op": "replace", "path": "/c", "value": "y"},
        {"op": "copy", "from": "/c", "path": "/d"},
        {"op": "move", "from": "/a/b/0", "path": "/e"},
        {"op": "remove", "path": "/d"},
        {"op": "test", "path": "/e", "value": 1},
        {"op": "add", "path": "/f~1g", "value": True},
    ])
    assert result == {"a": {"b": [2, 3]}, "c": "y", "e": 1, "f/g": True}
    assert doc == {"a": {"b": [1, 2]}, "c": "x"}


@pytest.mark.parametrize(("ops", "message"), [
    ([{"op": "test", "path": "/c", "value": "nope"}], "test failed"),
    ([{"op": "remove", "path": "/missing"}], "does not exist"),
    ([{"op": "jump", "path": "/c"}], "unknown JSON patch op 'jump'"),
    ([{"path": "/c"}], "needs 'op' and 'path'"),
    ({"op": "add"}, "must be a list"),
    ([{"op": "add", "path": "c", "value": 1}], "not a JSON pointer"),
])
def test_json_patch_errors_name_the_problem(ops, message):
    with pytest.raises(PatchError, match=message):
        json_patch({"c": "x"}, ops)
