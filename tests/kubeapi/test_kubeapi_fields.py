"""fieldValidation: unknown fields are refused (Strict), warned about (Warn) or dropped (Ignore)."""

from __future__ import annotations

import json

from pyhelm.cluster.kubeapi.fields import strict_message, unknown_fields

DEPLOY = {"apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": {"name": "d", "labels": {"anything": "goes"}},
          "spec": {"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                   "template": {"metadata": {"labels": {"a": "b"}}, "spec": {
                       "containers": [{"name": "c", "image": "nginx", "imagePullPolicy": "Always",
                                       "ports": [{"containerPort": 80, "protcol": "TCP"}],
                                       "securityContext": {"whatever": {"deep": 1}}}],
                       "contianers": []}}}}


def test_unknown_fields_are_found_with_their_paths_and_dropped():
    pruned, unknown = unknown_fields("Deployment.apps", DEPLOY)
    assert unknown == ["spec.template.spec.containers[0].ports[0].protcol",
                       "spec.template.spec.contianers"]
    spec = pruned["spec"]["template"]["spec"]
    assert "contianers" not in spec and spec["containers"][0]["ports"] == [{"containerPort": 80}]
    assert spec["containers"][0]["securityContext"] == {"whatever": {"deep": 1}}, \
        "types not described are not checked"
    assert DEPLOY["spec"]["template"]["spec"]["contianers"] == [], "the input is untouched"


def test_kinds_without_a_schema_are_not_checked():
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"x": 1}, "extra": 2}
    assert unknown_fields("Widget.example.com", widget) == (widget, [])


def test_strict_message_reads_like_the_api_servers():
    assert strict_message("Pod", "v1", ["spec.bogus", "spec.x"]) == (
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
        'unknown field "spec.bogus", unknown field "spec.x"')


def test_strict_write_is_refused_warn_is_saved_with_a_warning(api):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}], "bogus": True}}
    base = api.base_url + "/api/v1/namespaces/default/pods"
    strict = api.post(base + "?fieldValidation=Strict", json=pod)
    assert strict.status_code == 400 and 'unknown field "spec.bogus"' in strict.json()["message"]
    warned = api.post(base + "?fieldValidation=Warn", json=pod)
    assert warned.status_code == 201
    assert warned.headers["warning"] == '299 - "unknown field \\"spec.bogus\\""'
    assert "bogus" not in api.get(base + "/p").json()["spec"]
    patch = {"metadata": {"labels": {"x": "y"}}}
    patched = api.patch(base + "/p?fieldValidation=Strict", data=json.dumps(patch),
                        headers={"Content-Type": "application/merge-patch+json"})
    assert patched.status_code == 200 and "warning" not in patched.headers
