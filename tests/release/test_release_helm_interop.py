"""Helm reads and writes pyhelm's release records: the real helm v4 against the built-in
cluster served over the Kubernetes API."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from pyhelm.cluster.kubeapi.server import start
from pyhelm.cluster.memory import MemoryCluster

NGINX = str(Path(__file__).resolve().parents[2] / "charts" / "nginx")
pytestmark = pytest.mark.helm


def test_helm_lists_reads_and_rolls_back_pyhelm_releases(
    pyhelm,
    helm_bin: str,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    assert pyhelm("install", "web", NGINX, "--set", "replicaCount=2").returncode == 0
    assert pyhelm("upgrade", "web", NGINX, "--set", "replicaCount=4").returncode == 0
    cluster = MemoryCluster(os.environ["PYHELM_STATE"])
    serving = start(cluster, tmp_path / "kubeconfig", port=0, tls_dir=tmp_path / "tls")
    thread = threading.Thread(target=serving.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not (serving.server and serving.server.started):
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.01)

    def helm(*args: str) -> str:
        result = subprocess.run(
            [helm_bin, "--kubeconfig", str(serving.kubeconfig), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    try:
        listed = json.loads(helm("list", "-o", "json"))
        assert [(r["name"], r["revision"], r["status"], r["chart"]) for r in listed] == [
            ("web", "2", "deployed", "nginx-0.1.0")
        ]
        assert helm("get", "values", "web") == "USER-SUPPLIED VALUES:\nreplicaCount: 4\n"
        assert "Upgrade complete" in helm("history", "web")
        helm("rollback", "web", "1", "--force-conflicts")
    finally:
        serving.stop()
        thread.join(5)
        cluster.close()
    history = json.loads(pyhelm("history", "web", "-o", "json").stdout)
    assert [(h["revision"], h["status"], h["description"]) for h in history] == [
        (1, "superseded", "Install complete"),
        (2, "superseded", "Upgrade complete"),
        (3, "deployed", "Rollback to 1"),
    ]
    assert "replicaCount: 2" in pyhelm("get", "values", "web").stdout
