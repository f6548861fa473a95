"""The Kubernetes lab of DESIGN.md, step by step, with ``pyhelm cluster`` in kubectl's place."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.cluster.conftest import NGINX_DEPLOY, NGINX_POD


def rows(output: str) -> list[list[str]]:
    """Table rows (without the header) split on kubectl's column gaps."""
    return [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()[1:] if line.strip()]


def test_lab_one_a_pod(pyhelm, tmp_path: Path) -> None:
    manifest = tmp_path / "nginx-pod.yaml"
    manifest.write_text(yaml.safe_dump(NGINX_POD))
    assert pyhelm("cluster", "apply", "-f", str(manifest)).stdout == "pod/nginx-pod created\n"

    got = pyhelm("cluster", "get", "pod")
    assert got.stdout.splitlines()[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert rows(got.stdout)[0][:4] == ["nginx-pod", "1/1", "Running", "0"]

    described = pyhelm("cluster", "describe", "pod/nginx-pod").stdout
    ip = re.search(r"^IP:\s+(10\.244\.\d+\.\d+)$", described, re.M)
    assert ip, described
    assert re.search(r"^  web:$", described, re.M)
    assert re.search(r"^    Image:\s+nginx$", described, re.M)
    assert re.search(r"^Node:\s+node-\d/172\.18\.0\.\d+$", described, re.M)
    assert re.search(r"Normal\s+Started\s+\S+\s+kubelet\s+Started container web", described)
    start = re.search(r"^Start Time:\s+(.+)$", described, re.M).group(1)

    page = pyhelm("cluster", "curl", "pod/nginx-pod")
    assert "<title>Welcome to nginx!</title>" in page.stdout
    assert f"answered by pod/nginx-pod ({ip.group(1)}:80)" in page.stderr

    manifest.write_text(manifest.read_text().replace("image: nginx", "image: nginx:1.20.1"))
    assert pyhelm("cluster", "apply", "-f", str(manifest)).stdout == \
        "pod/nginx-pod configured\n"
    assert pyhelm("cluster", "apply", "-f", str(manifest)).stdout == \
        "pod/nginx-pod unchanged\n"
    again = pyhelm("cluster", "describe", "pod", "nginx-pod").stdout
    assert re.search(r"^    Image:\s+nginx:1.20.1$", again, re.M)
    assert re.search(r"^Start Time:\s+(.+)$", again, re.M).group(1) == start
    assert re.search(r"^    Restart Count:\s+1$", again, re.M)


def test_lab_two_a_deployment(pyhelm, tmp_path: Path) -> None:
    (tmp_path / "nginx-pod.yaml").write_text(yaml.safe_dump(NGINX_POD))
    (tmp_path / "nginx-deploy.yaml").write_text(yaml.safe_dump(NGINX_DEPLOY))
    pyhelm("cluster", "apply", "-f", "nginx-pod.yaml")
    applied = pyhelm("cluster", "apply", "-f", "nginx-deploy.yaml")
    assert applied.stdout == "deployment.apps/nginx-deployment created\n"

    listed = rows(pyhelm("cluster", "get", "pod", "-l", "app=nginx").stdout)
    deploy_pods = [r[0] for r in listed if r[0] != "nginx-pod"]
    assert len(deploy_pods) == 3
    assert all(re.fullmatch(r"nginx-deployment-[a-z0-9]{9,10}-[a-z0-9]{5}", n)
               for n in deploy_pods)
    assert {r[2] for r in listed} == {"Running"}
    assert rows(pyhelm("cluster", "get", "deploy").stdout)[0][:4] == [
        "nginx-deployment", "3/3", "3", "3"]
    described = pyhelm("cluster", "describe", "deploy", "nginx-deployment").stdout
    assert "3 desired | 3 updated | 3 total | 3 available | 0 unavailable" in described
    assert re.search(r"NewReplicaSet:\s+nginx-deployment-\w+ \(3/3 replicas created\)", described)

    deleted = pyhelm("cluster", "delete", "pod", deploy_pods[0])
    assert deleted.stdout == f'pod "{deploy_pods[0]}" deleted from default namespace\n'
    healed = [r[0] for r in rows(pyhelm("cluster", "get", "pods").stdout)]
    assert len([n for n in healed if n.startswith("nginx-deployment-")]) == 3
    assert deploy_pods[0] not in healed

    pyhelm("cluster", "delete", "pod", "nginx-pod")
    assert "nginx-pod" not in pyhelm("cluster", "get", "pods").stdout

    scaled = pyhelm("cluster", "scale", "deploy", "--replicas=10", "nginx-deployment")
    assert scaled.stdout == "deployment.apps/nginx-deployment scaled\n"
    now_running = rows(pyhelm("cluster", "get", "pods").stdout)
    assert len(now_running) == 10 and {r[2] for r in now_running} == {"Running"}

    exposed = pyhelm("cluster", "expose", "deployment", "nginx-deployment",
                     "--name=nginx-service")
    assert exposed.stdout == "service/nginx-service exposed\n"
    (svc,) = [r for r in rows(pyhelm("cluster", "get", "svc").stdout) if r[0] == "nginx-service"]
    assert svc[1] == "ClusterIP" and re.fullmatch(r"10\.96\.\d+\.\d+", svc[2])
    assert svc[3:5] == ["<none>", "80/TCP"]

    served = []
    for _ in range(11):
        answer = pyhelm("cluster", "curl", "svc/nginx-service")
        assert "Welcome to nginx!" in answer.stdout
        served.append(re.search(r"answered by pod/(\S+)", answer.stderr).group(1))
    names = [r[0] for r in now_running]
    assert sorted(served[:10]) == sorted(names), "every pod answers once in ten requests"
    assert served[10] == served[0], "then the round starts again"

    pyhelm("cluster", "expose", "deploy/nginx-deployment", "--name=nginx-lb", "--port=80",
           "--type=LoadBalancer")
    (lb,) = [r for r in rows(pyhelm("cluster", "get", "svc").stdout) if r[0] == "nginx-lb"]
    assert lb[1] == "LoadBalancer" and re.fullmatch(r"172\.18\.255\.\d+", lb[3])
    assert re.fullmatch(r"80:3\d{4}/TCP", lb[4])


def test_get_all_wide_yaml_json_nodes_and_events(pyhelm, tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(NGINX_DEPLOY))
    pyhelm("cluster", "apply", "-f", "d.yaml")
    everything = pyhelm("cluster", "get", "all").stdout
    for expected in ("pod/nginx-deployment-", "service/kubernetes",
                     "deployment.apps/nginx-deployment", "replicaset.apps/nginx-deployment-"):
        assert expected in everything
    wide = pyhelm("cluster", "get", "pods", "-o", "wide").stdout
    assert wide.splitlines()[0].split()[5:7] == ["IP", "NODE"]
    as_yaml = yaml.safe_load(pyhelm("cluster", "get", "deploy", "nginx-deployment",
                                    "-o", "yaml").stdout)
    assert as_yaml["kind"] == "Deployment" and as_yaml["status"]["readyReplicas"] == 3
    assert "managedFields" not in as_yaml["metadata"]
    as_json = yaml.safe_load(pyhelm("cluster", "get", "pods", "-o", "json").stdout)
    assert as_json["kind"] == "List" and len(as_json["items"]) == 3
    nodes = rows(pyhelm("cluster", "get", "nodes").stdout)
    assert [n[:2] for n in nodes] == [["node-1", "Ready"], ["node-2", "Ready"],
                                      ["node-3", "Ready"]]
    events = pyhelm("cluster", "events").stdout
    assert events.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT",
                                              "MESSAGE"]
    assert "ScalingReplicaSet" in events and "Scheduled" in events
    assert pyhelm("cluster", "reset").returncode == 0
    assert "nginx" not in pyhelm("cluster", "get", "all").stdout


def test_rollout_history_and_undo(pyhelm, tmp_path: Path) -> None:
    manifest = tmp_path / "d.yaml"
    manifest.write_text(yaml.safe_dump(NGINX_DEPLOY))
    pyhelm("cluster", "apply", "-f", str(manifest))
    manifest.write_text(manifest.read_text().replace("image: nginx", "image: nginx:1.20.1"))
    pyhelm("cluster", "apply", "-f", str(manifest))
    status = pyhelm("cluster", "rollout", "status", "deployment/nginx-deployment")
    assert status.stdout == 'deployment "nginx-deployment" successfully rolled out\n'
    history = pyhelm("cluster", "rollout", "history", "deploy/nginx-deployment").stdout
    assert [r[0] for r in rows(history.split("\n", 1)[1])] == ["1", "2"]
    undone = pyhelm("cluster", "rollout", "undo", "deploy/nginx-deployment")
    assert undone.stdout == "deployment.apps/nginx-deployment rolled back\n"
    images = pyhelm("cluster", "get", "deploy", "-o", "wide").stdout
    assert rows(images)[0][6] == "nginx"
