"""Fixtures for the Kubernetes API server: one running in a thread, a client, and real kubectl."""

from __future__ import annotations

import os
import subprocess
import sys
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
    thread.join(15)
    assert not thread.is_alive(), "the API server did not stop"
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


Run = Callable[..., subprocess.CompletedProcess[str]]


def kubectl_runner(kubectl_bin: str, kubeconfig: Path, cache: Path) -> Run:
    """``run(*args, input=None, ok=True)``: the real kubectl with its own discovery cache.

    With ``ok`` (the default) a non-zero exit fails the test, showing kubectl's stderr.
    """

    argv = [kubectl_bin, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache)]

    def run(*args: str, input: str | None = None, ok: bool = True) -> \
            subprocess.CompletedProcess[str]:
        result = subprocess.run([*argv, *args], input=input, capture_output=True, text=True,
                                timeout=60)
        if ok:
            assert result.returncode == 0, f"kubectl {' '.join(args)}: {result.stderr}"
        return result

    run.argv = argv  # type: ignore[attr-defined]  # for long-running kubectl (get -w)
    return run


@pytest.fixture
def kubectl(kubectl_bin: str, api_server: Serving, tmp_path: Path) -> Run:
    """The real kubectl against the in-thread server."""
    return kubectl_runner(kubectl_bin, api_server.kubeconfig, tmp_path / "kube-cache")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Path]:
    """`pyhelm cluster serve --port 0` as a subprocess; yields the kubeconfig it wrote."""
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pyhelm", "cluster", "serve", "--port", "0",
             "--kubeconfig-out", str(tmp_path / "kubeconfig")],
            stdout=stdout, stderr=stderr, env=dict(os.environ))
    deadline = time.monotonic() + 30
    while "export KUBECONFIG=" not in out.read_text():
        assert proc.poll() is None, f"serve exited: {err.read_text()}"
        assert time.monotonic() < deadline, "serve did not start"
        time.sleep(0.05)
    line = next(x for x in out.read_text().splitlines() if x.startswith("export KUBECONFIG="))
    yield Path(line.split("=", 1)[1])
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def kctl(kubectl_bin: str, served: Path, tmp_path: Path) -> Run:
    """The real kubectl against `pyhelm cluster serve`."""
    return kubectl_runner(kubectl_bin, served, tmp_path / "kube-cache")
