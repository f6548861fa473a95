"""Discovery and OpenAPI documents, and resource URLs, as kubectl needs them."""

from __future__ import annotations

import pytest

from pyhelm.cluster.kubeapi import discovery, openapi, routes
from pyhelm.cluster.kubeapi.status import ApiError
from pyhelm.cluster.memory.kinds import KINDS

SERVED = discovery.served(KINDS)


def resources_of(doc: dict, group: str) -> dict:
    item = next(i for i in doc["items"] if i["metadata"]["name"] == group)
    return {r["resource"]: r for r in item["versions"][0]["resources"]}


def test_aggregated_core_discovery_has_what_kubectl_needs():
    doc = discovery.aggregated(SERVED, core=True)
    assert doc["kind"] == "APIGroupDiscoveryList"
    assert [i["metadata"]["name"] for i in doc["items"]] == [""]
    pods = resources_of(doc, "")["pods"]
    assert pods["responseKind"]["kind"] == "Pod" and pods["scope"] == "Namespaced"
    assert pods["shortNames"] == ["po"] and pods["categories"] == ["all"]
    assert "watch" in pods["verbs"] and "patch" in pods["verbs"]
    assert resources_of(doc, "")["namespaces"]["scope"] == "Cluster"


def test_aggregated_group_discovery_lists_groups_and_scale_subresource():
    doc = discovery.aggregated(SERVED, core=False)
    names = [i["metadata"]["name"] for i in doc["items"]]
    assert names[:3] == ["apps", "autoscaling", "batch"]
    deploy = resources_of(doc, "apps")["deployments"]
    assert deploy["shortNames"] == ["deploy"]
    scale = next(s for s in deploy["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}


def test_wants_aggregated_reads_the_accept_header():
    accept = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
              "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
              "application/json")
    assert discovery.wants_aggregated(accept)
    assert not discovery.wants_aggregated("application/json, */*")


def test_legacy_discovery_documents():
    groups = discovery.api_group_list(SERVED)["groups"]
    apps = next(g for g in groups if g["name"] == "apps")
    assert apps["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    listing = discovery.resource_list(SERVED, "apps/v1")
    names = [r["name"] for r in listing["resources"]]
    assert "deployments" in names and "deployments/scale" in names
    assert discovery.resource_list(SERVED, "nope/v1") is None


def test_openapi_group_version_document_declares_field_validation_on_patch():
    root = openapi.root_document(SERVED)
    assert root["paths"]["api/v1"]["serverRelativeURL"].startswith("/openapi/v3/api/v1?hash=")
    assert "apis/apps/v1" in root["paths"]
    doc = openapi.group_version_document(SERVED, "apps/v1")
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1",
                                                        "kind": "Deployment"}
    assert {"name": "fieldValidation", "in": "query"}.items() <= patch["parameters"][2].items()
    schema = doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]
    assert schema["x-kubernetes-group-version-kind"] == [
        {"group": "apps", "version": "v1", "kind": "Deployment"}]
    cluster_scoped = openapi.group_version_document(SERVED, "v1")["paths"]
    assert "/api/v1/namespaces/{name}" in cluster_scoped


@pytest.mark.parametrize(("path", "expected"), [
    ("/api/v1/namespaces/default/pods", ("Pod", "default", None, None)),
    ("/api/v1/namespaces/default/pods/web", ("Pod", "default", "web", None)),
    ("/api/v1/pods", ("Pod", None, None, None)),
    ("/api/v1/namespaces/demo", ("Namespace", None, "demo", None)),
    ("/api/v1/namespaces/demo/status", ("Namespace", None, "demo", "status")),
    ("/api/v1/namespaces", ("Namespace", None, None, None)),
    ("/apis/apps/v1/namespaces/default/deployments/api/scale",
     ("Deployment", "default", "api", "scale")),
    ("/api/v1/nodes/node-1", ("Node", None, "node-1", None)),
])
def test_resource_urls(path, expected):
    target = routes.parse(path, SERVED)
    assert (target.info.kind, target.namespace, target.name, target.subresource) == expected


@pytest.mark.parametrize("path", [
    "/api/v1/namespaces/default/widgets", "/apis/apps/v1/namespaces/default/deployments/a/b/c",
    "/api/v1/namespaces/default/nodes/n1", "/api/v1/namespaces/default/pods/web/exec",
    "/apis/nope/v1/things",
])
def test_unknown_resource_urls_are_404(path):
    with pytest.raises(ApiError) as caught:
        routes.parse(path, SERVED)
    assert caught.value.code == 404
