"""Other clients of `pyhelm cluster serve`: pyhelm's kubectl backend, and the real helm v4."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

CHARTS = Path(__file__).resolve().parents[2] / "charts"
Run = Callable[..., subprocess.CompletedProcess[str]]


def names(output: str) -> list[str]:
    return [line.split()[0] for line in output.strip().splitlines()[1:]]


@pytest.mark.kubectl
def test_pyhelm_kubectl_backend_install_upgrade_rollback_uninstall(
        pyhelm, served: Path, kctl: Run, kubectl_bin: str, tmp_path: Path):
    env = {"PATH": f"{Path(kubectl_bin).parent}{os.pathsep}{os.environ['PATH']}",
           "KUBECACHEDIR": str(tmp_path / "kube-cache")}

    def ph(*args: str) -> subprocess.CompletedProcess[str]:
        result = pyhelm("--cluster", "kubectl", "--kubeconfig", str(served), *args, env=env)
        assert result.returncode == 0, result.stderr
        return result

    ph("install", "web", str(CHARTS / "nginx"))
    assert "deployed" in ph("list").stdout
    assert [r[:2] for r in (line.split() for line in kctl("get", "deploy").stdout.splitlines()[1:])
            ] == [["nginx-deployment", "3/3"]]
    assert names(kctl("get", "secrets", "-l", "owner=helm").stdout) == [
        "sh.helm.release.v1.web.v1"]

    ph("upgrade", "web", str(CHARTS / "nginx"), "--set", "replicaCount=5")
    replicas = kctl("get", "deploy", "nginx-deployment", "-o", "jsonpath={.spec.replicas}")
    assert replicas.stdout == "5"
    ph("rollback", "web", "1")
    replicas = kctl("get", "deploy", "nginx-deployment", "-o", "jsonpath={.spec.replicas}")
    assert replicas.stdout == "3"
    history = ph("history", "web").stdout
    assert "Rollback to 1" in history
    assert names(kctl("get", "secrets", "-l", "owner=helm,name=web").stdout) == [
        f"sh.helm.release.v1.web.v{n}" for n in (1, 2, 3)]

    assert 'release "web" uninstalled' in ph("uninstall", "web").stdout
    assert kctl("get", "deploy,secrets", "-l", "owner=helm").stderr.startswith("No resources")
    assert kctl("get", "deploy", "nginx-deployment", ok=False).returncode == 1


@pytest.mark.helm
def test_real_helm_installs_lists_upgrades_and_uninstalls(
        helm_bin: str, served: Path, kctl: Run, tmp_path: Path):
    def helm(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([helm_bin, "--kubeconfig", str(served), *args],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"helm {' '.join(args)}: {result.stderr}"
        return result

    helm("create", str(tmp_path / "mychart"))
    installed = helm("install", "rel", str(tmp_path / "mychart"), "--wait", "--timeout", "60s")
    assert "STATUS: deployed" in installed.stdout
    listed = helm("list").stdout.splitlines()
    assert listed[1].split()[:3] == ["rel", "default", "1"] and "deployed" in listed[1]
    assert names(kctl("get", "secrets").stdout) == ["sh.helm.release.v1.rel.v1"]
    status = helm("status", "rel").stdout
    assert "==> v1/Deployment" in status and "rel-mychart   1/1" in status

    helm("upgrade", "rel", str(tmp_path / "mychart"), "--set", "replicaCount=3", "--wait")
    replicas = kctl("get", "deploy", "rel-mychart", "-o", "jsonpath={.status.readyReplicas}")
    assert replicas.stdout == "3"
    helm("rollback", "rel", "1", "--wait")
    assert "Rollback to 1" in helm("history", "rel").stdout
    assert helm("uninstall", "rel").stdout.strip() == 'release "rel" uninstalled'
    assert helm("list").stdout.strip().splitlines()[1:] == []
