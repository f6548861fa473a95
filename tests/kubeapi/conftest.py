"""Fixtures for the Kubernetes API server: one running in a thread, a client, and real kubectl."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from pyhelm.cluster.kubeapi.server import Serving, start
from pyhelm.cluster.memory import MemoryCluster


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[Serving]:
    """The API server over a fresh built-in cluster, on an OS-chosen loopback port."""
    cluster = MemoryCluster(tmp_path / "state.db")
    serving = start(cluster, tmp_path / "kubeconfig", port=0, tls_dir=tmp_path / "tls")
    thread = threading.Thread(target=serving.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not (serving.server and serving.server.started):
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.01)
    yield serving
    serving.stop()
    thread.join(5)
    cluster.close()


@pytest.fixture
def api(api_server: Serving, tmp_path: Path) -> Iterator[requests.Session]:
    """A requests session that trusts the server's CA and sends its token."""
    ca = tmp_path / "ca.crt"
    ca.write_bytes(api_server.credentials.ca_pem)
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
    session.verify = str(ca)
    session.headers["Authorization"] = f"Bearer {api_server.credentials.token}"
    session.base_url = api_server.url  # type: ignore[attr-defined]
    yield session
    session.close()


Kubectl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kubectl(kubectl_bin: str, api_server: Serving, tmp_path: Path) -> Kubectl:
    """Run the real kubectl against the server (own discovery cache per test)."""

    def run(*args: str, input: str | None = None, timeout: float = 60) -> \
            subprocess.CompletedProcess[str]:
        return subprocess.run(
            [kubectl_bin, "--kubeconfig", str(api_server.kubeconfig),
             "--cache-dir", str(tmp_path / "kube-cache"), *args],
            input=input, capture_output=True, text=True, timeout=timeout)

    return run
