"""Protobuf request bodies (helm's release Secrets, kubectl create secret|configmap|deployment)."""

from __future__ import annotations

import base64

import pytest
from google.protobuf import json_format

from pyhelm.cluster.kubeapi import protobuf


def encode(api_version: str, kind: str, body: dict) -> bytes:
    """Frame a message as client-go does: magic, then runtime.Unknown{typeMeta, raw}."""
    classes = protobuf._classes()
    raw = json_format.ParseDict(body, classes[kind]()).SerializeToString()
    envelope = classes["Unknown"](raw=raw)
    envelope.typeMeta.apiVersion, envelope.typeMeta.kind = api_version, kind
    return protobuf.MAGIC + envelope.SerializeToString()


def test_helm_release_secret_decodes_to_its_json_shape():
    release = b"H4sIAAAAAAAA/wEAAP//AAAAAAAAAAA="
    body = encode("v1", "Secret", {
        "metadata": {"name": "sh.helm.release.v1.rel.v1", "namespace": "default",
                     "labels": {"name": "rel", "owner": "helm", "status": "pending-install",
                                "version": "1"},
                     "creationTimestamp": {"seconds": 1764072000}},
        "data": {"release": base64.b64encode(release).decode()},
        "type": "helm.sh/release.v1"})
    secret = protobuf.decode(body)
    assert secret["apiVersion"] == "v1" and secret["kind"] == "Secret"
    assert secret["metadata"]["labels"]["owner"] == "helm"
    assert secret["metadata"]["creationTimestamp"] == "2025-11-25T12:00:00Z"
    assert base64.b64decode(secret["data"]["release"]) == release
    assert secret["type"] == "helm.sh/release.v1"


def test_deployment_keeps_zero_replicas_and_int_or_string():
    body = encode("apps/v1", "Deployment", {
        "metadata": {"name": "d", "labels": {"app": "d"}},
        "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "d"}},
                 "strategy": {"rollingUpdate": {"maxSurge": {"type": 1, "strVal": "25%"},
                                                "maxUnavailable": {"type": 0, "intVal": 1}}},
                 "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [
                     {"name": "nginx", "image": "nginx", "ports": [{"containerPort": 80}],
                      "resources": {"limits": {"cpu": {"string": "500m"}}}}]}}}})
    deploy = protobuf.decode(body)
    assert deploy["spec"]["replicas"] == 0
    assert deploy["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": 1}
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"] == [{"containerPort": 80}]
    assert container["resources"] == {"limits": {"cpu": "500m"}}


def test_delete_options_and_configmap():
    options = protobuf.decode(encode("v1", "DeleteOptions", {"propagationPolicy": "Background"}))
    assert options["propagationPolicy"] == "Background"
    cm = protobuf.decode(encode("v1", "ConfigMap", {"metadata": {"name": "c"},
                                                    "data": {"k": "v"}}))
    assert cm["data"] == {"k": "v"}


def test_bad_bodies_are_refused_with_a_reason():
    with pytest.raises(protobuf.ProtobufError, match="magic"):
        protobuf.decode(b"{}")
    with pytest.raises(protobuf.ProtobufError, match="cannot be decoded"):
        protobuf.decode(protobuf.MAGIC + b"\x0a\xff\xff")
    envelope = protobuf._classes()["Unknown"]()
    envelope.typeMeta.kind = "Ingress"
    with pytest.raises(protobuf.ProtobufError, match="send the object as JSON"):
        protobuf.decode(protobuf.MAGIC + envelope.SerializeToString())


def test_zero_values_go_clients_always_send_are_dropped_unless_meaningful():
    body = encode("v1", "Secret", {"metadata": {"name": "s1", "generateName": "",
                                                "generation": "0"},
                                   "type": "", "immutable": False})
    secret = protobuf.decode(body)
    assert secret["metadata"] == {"name": "s1"}
    assert "type" not in secret
    assert secret["immutable"] is False


def test_service_from_kubectl_create_service_and_unset_values_go_sends():
    body = encode("v1", "Service", {
        "metadata": {"name": "s1", "labels": {"app": "s1"},
                     "creationTimestamp": {"seconds": "0"}},
        "spec": {"ports": [{"name": "80-8080", "protocol": "TCP", "port": 80,
                            "targetPort": {"type": 0, "intVal": 8080}},
                           {"name": "x", "port": 81, "targetPort": {"type": 0, "intVal": 0}}],
                 "selector": {"app": "s1"}, "type": "ClusterIP", "clusterIP": ""}})
    svc = protobuf.decode(body)
    assert svc["metadata"] == {"name": "s1", "labels": {"app": "s1"}}
    assert svc["spec"] == {"ports": [{"name": "80-8080", "protocol": "TCP", "port": 80,
                                      "targetPort": 8080}, {"name": "x", "port": 81}],
                           "selector": {"app": "s1"}, "type": "ClusterIP"}
