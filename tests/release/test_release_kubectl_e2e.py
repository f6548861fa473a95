"""The kubectl backend end to end: ``pyhelm --cluster kubectl`` drives the real kubectl
against the built-in cluster served over the Kubernetes API."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyhelm.cluster.kubeapi.server import Serving, start
from pyhelm.cluster.memory import MemoryCluster

NGINX = str(Path(__file__).resolve().parents[2] / "charts" / "nginx")
pytestmark = pytest.mark.kubectl


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Serving, MemoryCluster]]:
    cluster = MemoryCluster(tmp_path / "served.db")
    serving = start(cluster, tmp_path / "kubeconfig", port=0, tls_dir=tmp_path / "tls")
    thread = threading.Thread(target=serving.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not (serving.server and serving.server.started):
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.01)
    yield serving, cluster
    serving.stop()
    thread.join(5)
    cluster.close()


def test_install_upgrade_uninstall_through_kubectl(
    served,
    pyhelm,
    kubectl_bin: str,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    serving, cluster = served
    env = {
        "PYHELM_CLUSTER": "kubectl",
        "PYHELM_KUBECTL": kubectl_bin,
        "KUBECACHEDIR": str(tmp_path / "kube-cache"),
    }

    def run(*args: str) -> str:
        result = pyhelm("--kubeconfig", str(serving.kubeconfig), *args, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "STATUS: deployed" in run("install", "web", NGINX)
    pods = cluster.list("v1", "Pod", "default")
    assert len(pods) == 3
    secret = cluster.list("v1", "Secret", "default", {"owner": "helm"})
    assert [s["metadata"]["name"] for s in secret] == ["sh.helm.release.v1.web.v1"]
    deploy = cluster.list("apps/v1", "Deployment", "default")[0]
    assert "pyhelm" in {m["manager"] for m in deploy["metadata"]["managedFields"]}

    run("upgrade", "web", NGINX, "--set", "replicaCount=5", "--wait")
    assert len(cluster.list("v1", "Pod", "default")) == 5
    listed = json.loads(run("list", "-o", "json"))
    assert [(r["name"], r["revision"], r["status"]) for r in listed] == [("web", "2", "deployed")]
    assert run("uninstall", "web") == 'release "web" uninstalled\n'
    assert cluster.list("apps/v1", "Deployment", "default") == []


def test_an_unreachable_cluster_is_one_line(pyhelm, kubectl_bin: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    config.write_text(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
        "    server: https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n"
        "    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user: {token: t}\n"
    )
    result = pyhelm(
        "--cluster",
        "kubectl",
        "--kubeconfig",
        str(config),
        "list",
        env={"PYHELM_KUBECTL": kubectl_bin},
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot reach the cluster through kubectl: ")
    assert result.stderr.count("\n") == 1


def test_a_missing_kubectl_is_one_line(pyhelm) -> None:  # type: ignore[no-untyped-def]
    result = pyhelm("--cluster", "kubectl", "list", env={"PYHELM_KUBECTL": "/nonexistent/kubectl"})
    assert result.stderr == (
        "Error: /nonexistent/kubectl: command not found; install kubectl, or "
        "use the built-in cluster (--cluster memory)\n"
    )
