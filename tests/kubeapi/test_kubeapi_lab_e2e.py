"""The Kubernetes lab, step by step, with the real kubectl against `pyhelm cluster serve`."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
import yaml

from tests.conftest import LAB_DEPLOY_YAML, LAB_POD_YAML

pytestmark = pytest.mark.kubectl
Run = Callable[..., subprocess.CompletedProcess[str]]


def pod_yaml(image: str = "nginx") -> str:
    """The lab's pod manifest, with its image changed as lab step 5 does."""
    return LAB_POD_YAML.replace("image: nginx\n", f"image: {image}\n")


def rows(output: str) -> list[list[str]]:
    return [line.split() for line in output.strip().splitlines()[1:]]


def test_lab1_a_pod_applied_described_and_updated_in_place(kctl: Run):
    assert kctl("apply", "-f", "-", input=pod_yaml("nginx")).stdout == \
        "pod/nginx-pod created\n"
    got = kctl("get", "pod").stdout
    assert got.splitlines()[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert rows(got)[0][:3] == ["nginx-pod", "1/1", "Running"]
    described = kctl("describe", "pod/nginx-pod").stdout
    assert "Containers:\n  web:" in described
    assert "Image:          nginx\n" in described
    assert "IP:               10.244." in described
    assert "Scheduled" in described and "Successfully assigned default/nginx-pod" in described
    started = kctl("get", "pod", "nginx-pod", "-o", "jsonpath={.status.startTime}").stdout
    assert kctl("apply", "-f", "-", input=pod_yaml("nginx:1.20.1")).stdout == \
        "pod/nginx-pod configured\n"
    assert kctl("apply", "-f", "-", input=pod_yaml("nginx:1.20.1")).stdout == \
        "pod/nginx-pod unchanged\n"
    image, start = kctl("get", "pod", "nginx-pod", "-o",
                        "jsonpath={.spec.containers[0].image} {.status.startTime}").stdout.split()
    assert (image, start) == ("nginx:1.20.1", started)


def test_lab2_a_deployment_heals_scales_and_is_exposed(kctl: Run):
    kctl("apply", "-f", "-", input=pod_yaml("nginx"))
    assert kctl("apply", "-f", "-", input=LAB_DEPLOY_YAML).stdout == \
        "deployment.apps/nginx-deployment created\n"
    pods = [r for r in rows(kctl("get", "pods").stdout) if r[0].startswith("nginx-deployment-")]
    assert len(pods) == 3 and all(r[1:3] == ["1/1", "Running"] for r in pods)
    assert [r[:4] for r in rows(kctl("get", "deploy").stdout)] == [
        ["nginx-deployment", "3/3", "3", "3"]]
    described = kctl("describe", "deploy", "nginx-deployment").stdout
    assert "3 desired | 3 updated | 3 total | 3 available" in described
    assert "NewReplicaSet:   nginx-deployment-" in described

    victim = pods[0][0]
    assert kctl("delete", "pod", victim).stdout == \
        f'pod "{victim}" deleted from default namespace\n'
    kctl("delete", "pod", "nginx-pod")
    after = [r[0] for r in rows(kctl("get", "pods").stdout)]
    assert len(after) == 3 and victim not in after and "nginx-pod" not in after

    assert kctl("scale", "deploy", "--replicas=10", "nginx-deployment").stdout == \
        "deployment.apps/nginx-deployment scaled\n"
    running = [r for r in rows(kctl("get", "pods").stdout) if r[2] == "Running"]
    assert len(running) == 10
    assert "successfully rolled out" in kctl("rollout", "status",
                                             "deploy/nginx-deployment").stdout

    assert kctl("expose", "deployment", "nginx-deployment", "--name=nginx-service",
                "--port=80").stdout == "service/nginx-service exposed\n"
    svc = next(r for r in rows(kctl("get", "svc").stdout) if r[0] == "nginx-service")
    assert svc[1] == "ClusterIP" and svc[2].startswith("10.96.") and svc[3:5] == ["<none>",
                                                                                  "80/TCP"]


def test_errors_read_as_from_a_real_api_server(kctl: Run):
    missing = kctl("get", "pod", "nope", ok=False)
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Error from server (NotFound): pods "nope" not found'
    again = kctl("create", "-f", "-", input=pod_yaml("nginx"))
    assert again.stdout == "pod/nginx-pod created\n"
    dup = kctl("create", "-f", "-", input=pod_yaml("nginx"), ok=False)
    assert 'Error from server (AlreadyExists)' in dup.stderr
    assert 'pods "nginx-pod" already exists' in dup.stderr


def test_no_token_no_access(served: Path, kubectl_bin: str, tmp_path: Path):
    config = yaml.safe_load(served.read_text())
    server = config["clusters"][0]["cluster"]["server"]
    ca = tmp_path / "ca.crt"
    ca.write_bytes(base64.b64decode(config["clusters"][0]["cluster"]
                                    ["certificate-authority-data"]))
    session = requests.Session()
    session.trust_env = False
    assert session.get(f"{server}/api/v1/namespaces/default/pods",
                       verify=str(ca)).status_code == 401
    config["users"][0]["user"]["token"] = "not-the-token"
    wrong = tmp_path / "wrong-kubeconfig"
    wrong.write_text(yaml.safe_dump(config))
    result = subprocess.run([kubectl_bin, "--kubeconfig", str(wrong), "--cache-dir",
                             str(tmp_path / "c2"), "get", "pods"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "You must be logged in to the server" in result.stderr


def test_typed_clients_protobuf_bodies(kctl: Run):
    assert kctl("create", "secret", "generic", "s1", "--from-literal=a=b").stdout == \
        "secret/s1 created\n"
    assert kctl("create", "configmap", "c1", "--from-literal=x=y").stdout == \
        "configmap/c1 created\n"
    assert kctl("create", "namespace", "demo").stdout == "namespace/demo created\n"
    assert kctl("create", "deployment", "d1", "--image=nginx", "-n", "demo").stdout == \
        "deployment.apps/d1 created\n"
    assert kctl("get", "secret", "s1", "-o", "jsonpath={.data.a}").stdout == "Yg=="
    assert kctl("get", "configmap", "c1", "-o", "jsonpath={.data.x}").stdout == "y"
    assert rows(kctl("get", "deploy", "-n", "demo").stdout)[0][:2] == ["d1", "1/1"]
    assert kctl("create", "service", "clusterip", "s1", "--tcp=80:8080").stdout == \
        "service/s1 created\n"
    svc = kctl("get", "svc", "s1", "-o", "jsonpath={.spec.type} {.spec.ports[0].targetPort}")
    assert svc.stdout == "ClusterIP 8080"
    assert rows(kctl("get", "secret", "s1").stdout)[0][:3] == ["s1", "Opaque", "1"]
    assert kctl("create", "job", "j1", "--image=busybox", "--", "echo", "hi").stdout == \
        "job.batch/j1 created\n"
    job = kctl("get", "job", "j1", "-o", "jsonpath={.spec.template.spec.containers[0].command}")
    assert job.stdout == '["echo","hi"]'
    kctl("create", "role", "r1", "--verb=get,list", "--resource=pods")
    kctl("create", "rolebinding", "rb1", "--role=r1", "--user=ann")
    assert rows(kctl("get", "rolebinding", "rb1", "-o", "wide").stdout)[0][:2] == ["rb1",
                                                                                  "Role/r1"]
    unsupported = kctl("create", "quota", "q1", "--hard=pods=10", ok=False)
    assert "protobuf bodies of kind 'ResourceQuota' are not supported" in unsupported.stderr


def test_apply_of_a_list_validates_on_the_server(kctl: Run):
    items = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "y"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"x": "z"}}]}
    text = json.dumps(items)
    assert kctl("apply", "--server-side", "-f", "-", input=text).stdout == \
        "configmap/a serverside-applied\nconfigmap/b serverside-applied\n"
    assert kctl("get", "cm", "b", "-o", "jsonpath={.data.x}").stdout == "z"


def test_a_typo_in_a_manifest_is_caught_as_on_a_real_cluster(kctl: Run):
    typo = pod_yaml("nginx").replace("  containers:",
                                                  "  contianers: []\n  containers:")
    refused = kctl("apply", "-f", "-", input=typo, ok=False)
    assert refused.returncode == 1
    assert 'strict decoding error: unknown field "spec.contianers"' in refused.stderr
    warned = kctl("apply", "--validate=warn", "-f", "-", input=typo)
    assert warned.stdout == "pod/nginx-pod created\n"
    assert 'Warning: unknown field "spec.contianers"' in warned.stderr


def test_cli_and_server_share_the_state_file(kctl: Run, pyhelm):
    kctl("apply", "-f", "-", input=LAB_DEPLOY_YAML)
    listed = pyhelm("cluster", "get", "deploy")
    assert listed.returncode == 0, listed.stderr
    assert "nginx-deployment" in listed.stdout and "3/3" in listed.stdout
    scaled = pyhelm("cluster", "scale", "deploy", "--replicas=5", "nginx-deployment")
    assert scaled.returncode == 0, scaled.stderr
    assert kctl("get", "deploy", "nginx-deployment", "-o",
                "jsonpath={.status.readyReplicas}").stdout == "5"


def test_kubectl_auth_can_i_says_yes_to_the_token_holder(kctl: Run):
    assert kctl("auth", "can-i", "create", "pods").stdout == "yes\n"


TWO_CONTAINERS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: two, labels: {app: two, tier: x}}
spec:
  replicas: 1
  selector: {matchLabels: {app: two}}
  template:
    metadata: {labels: {app: two}}
    spec:
      containers:
      - name: a
        image: nginx
        env: [{name: XA, value: "1"}, {name: YB, value: "2"}]
      - name: b
        image: redis
"""
ONE_CONTAINER = """apiVersion: apps/v1
kind: Deployment
metadata: {name: two, labels: {app: two}}
spec:
  replicas: 1
  selector: {matchLabels: {app: two}}
  template:
    metadata: {labels: {app: two}}
    spec:
      containers:
      - name: a
        image: nginx
        env: [{name: YB, value: "2"}]
"""


def test_reapply_removes_what_the_manifest_no_longer_has(kctl: Run):
    """Client-side apply: a strategic merge patch deletes a label, a container and an env var."""
    kctl("apply", "-f", "-", input=TWO_CONTAINERS)
    reapplied = kctl("apply", "-f", "-", input=ONE_CONTAINER)
    assert reapplied.stdout == "deployment.apps/two configured\n"
    got = kctl("get", "deploy", "two", "-o", "jsonpath={.metadata.labels} "
               "{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[0].env}")
    assert got.stdout == '{"app":"two"} a [{"name":"YB","value":"2"}]'
