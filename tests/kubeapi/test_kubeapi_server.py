"""The API server over HTTPS, as a client library sees it."""

from __future__ import annotations

import json

import requests

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"app": "web"}},
       "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}


def url(api, path: str) -> str:
    return api.base_url + path


def test_requests_without_the_token_are_refused(api_server, api):
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        response = requests.get(url(api, "/api/v1/namespaces/default/pods"), headers=headers,
                                verify=api.verify)
        assert response.status_code == 401
        assert response.json()["reason"] == "Unauthorized"
    assert api.get(url(api, "/version")).json()["minor"] == "35"


def test_create_get_list_and_not_found(api):
    created = api.post(url(api, "/api/v1/namespaces/default/pods"), json=POD)
    assert created.status_code == 201, created.text
    assert created.json()["metadata"]["uid"]
    got = api.get(url(api, "/api/v1/namespaces/default/pods/web")).json()
    assert got["metadata"]["namespace"] == "default"
    listing = api.get(url(api, "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")).json()
    assert listing["kind"] == "PodList" and [p["metadata"]["name"] for p in listing["items"]] == [
        "web"]
    missing = api.get(url(api, "/api/v1/namespaces/default/pods/nope"))
    assert missing.status_code == 404
    assert missing.json()["message"] == 'pods "nope" not found'
    again = api.post(url(api, "/api/v1/namespaces/default/pods"), json=POD)
    assert again.status_code == 409 and again.json()["reason"] == "AlreadyExists"


def test_dry_run_saves_nothing(api):
    response = api.post(url(api, "/api/v1/namespaces/default/pods?dryRun=All"), json=POD)
    assert response.status_code == 201
    assert api.get(url(api, "/api/v1/namespaces/default/pods/web")).status_code == 404


def test_list_pages_with_limit_and_continue(api):
    for n in range(5):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{n}"}}
        assert api.post(url(api, "/api/v1/namespaces/default/configmaps"), json=body).ok
    names, token = [], ""
    while True:
        page = api.get(url(api, "/api/v1/namespaces/default/configmaps"),
                       params={"limit": 2, "continue": token}).json()
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue", "")
        if not token:
            break
    assert [n for n in names if n.startswith("cm-")] == [f"cm-{n}" for n in range(5)]


def test_invalid_object_is_422_with_causes(api):
    bad = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "BAD"}, "spec": {}}
    response = api.post(url(api, "/api/v1/namespaces/default/pods"), json=bad)
    assert response.status_code == 422
    body = response.json()
    assert body["reason"] == "Invalid" and body["details"]["kind"] == "Pod"
    assert body["details"]["causes"] and all("field" in c for c in body["details"]["causes"])


def test_patch_flavours_and_scale_subresource(api):
    deploy = {"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "api", "labels": {"app": "api"}},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "api"}},
                       "template": {"metadata": {"labels": {"app": "api"}},
                                    "spec": {"containers": [{"name": "api", "image": "nginx"}]}}}}
    base = url(api, "/apis/apps/v1/namespaces/default/deployments")
    assert api.post(base, json=deploy).status_code == 201
    smp = {"spec": {"template": {"spec": {"containers": [{"name": "api", "image": "nginx:1.27"}]}}}}
    patched = api.patch(f"{base}/api", data=json.dumps(smp),
                        headers={"Content-Type": "application/strategic-merge-patch+json"}).json()
    assert patched["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    ops = [{"op": "replace", "path": "/metadata/labels/app", "value": "api2"}]
    patched = api.patch(f"{base}/api", data=json.dumps(ops),
                        headers={"Content-Type": "application/json-patch+json"}).json()
    assert patched["metadata"]["labels"]["app"] == "api2"
    scale = api.patch(f"{base}/api/scale", data=json.dumps({"spec": {"replicas": 4}}),
                      headers={"Content-Type": "application/merge-patch+json"})
    assert scale.status_code == 200, scale.text
    assert scale.json()["kind"] == "Scale" and scale.json()["spec"]["replicas"] == 4
    pods = api.get(url(api, "/api/v1/namespaces/default/pods?labelSelector=app%3Dapi")).json()
    assert len(pods["items"]) == 4


def test_server_side_apply_creates_then_updates(api):
    base = url(api, "/api/v1/namespaces/default/configmaps/cfg")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
            "data": {"a": "1"}}
    headers = {"Content-Type": "application/apply-patch+yaml"}
    first = api.patch(base + "?fieldManager=helm&force=false", data=json.dumps(body),
                      headers=headers)
    assert first.status_code == 201, first.text
    body["data"]["a"] = "2"
    second = api.patch(base + "?fieldManager=helm", data=json.dumps(body), headers=headers)
    assert second.status_code == 200 and second.json()["data"] == {"a": "2"}


def test_table_for_kubectl_get(api):
    api.post(url(api, "/api/v1/namespaces/default/pods"), json=POD)
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    body = api.get(url(api, "/api/v1/namespaces/default/pods"),
                   headers={"Accept": accept}).json()
    assert body["kind"] == "Table"
    assert body["rows"][0]["cells"][:3] == ["web", "1/1", "Running"]
    assert body["rows"][0]["object"]["metadata"]["namespace"] == "default"


def test_discovery_content_type_is_exact(api):
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    response = api.get(url(api, "/apis"), headers={"Accept": accept})
    assert response.headers["content-type"] == accept
    assert response.json()["kind"] == "APIGroupDiscoveryList"
    assert api.get(url(api, "/apis")).json()["kind"] == "APIGroupList"
    v2 = api.get(url(api, "/openapi/v2"))
    assert v2.headers["content-type"].endswith("+protobuf") and v2.content.startswith(b"\n\x032.0")


def test_delete_returns_the_object_and_removes_it(api):
    api.post(url(api, "/api/v1/namespaces/default/pods"), json=POD)
    path = url(api, "/api/v1/namespaces/default/pods/web")
    response = api.delete(path, json={"propagationPolicy": "Background"})
    assert response.status_code == 200 and response.json()["metadata"]["name"] == "web"
    assert api.get(path).status_code == 404


def test_bodies_that_do_not_match_the_url_are_bad_requests(api):
    pods = url(api, "/api/v1/namespaces/default/pods")
    other_ns = {**POD, "metadata": {"name": "web", "namespace": "kube-system"}}
    assert api.post(pods, json=other_ns).status_code == 400
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}}
    wrong_kind = api.post(pods, json=service)
    assert wrong_kind.status_code == 400 and "does not match" in wrong_kind.json()["message"]
    assert api.post(url(api, "/api/v1/pods"), json=POD).status_code == 405
    assert api.post(pods, data=b"{not json", headers={
        "Content-Type": "application/json"}).json()["reason"] == "BadRequest"
    assert api.get(url(api, "/api/v1/namespaces/default/widgets")).status_code == 404
