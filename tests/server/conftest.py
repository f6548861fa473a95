"""Fixtures of the repository-server tests: chart archives and a real ``pyhelm serve``.

``serve_repo(tmp_dir, *flags)`` starts ``python -m pyhelm serve --port 0`` in a
subprocess, waits for its "serving ... at URL" line, and returns a
``ServerProcess``; every server started is stopped at the end of the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pyhelm.chart.package import archive_bytes

README = """# {name}

A **test** chart. <script>alert('x')</script>

| key | default |
| --- | ------- |
| replicas | 1 |
"""


def write_chart(root: Path, name: str, version: str = "0.1.0", app_version: str = "1.0.0",
                icon: str = "") -> Path:
    """A small valid chart folder at ``root/name``."""
    chart = root / name
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    icon_line = f"icon: {icon}\n" if icon else ""
    (chart / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"{app_version}\"\n"
        f"description: The {name} test chart\n{icon_line}"
    )
    (chart / "values.yaml").write_text("replicas: 1\nimage: nginx  # the web server\n")
    (chart / "README.md").write_text(README.format(name=name))
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}\n"
    )
    return chart


@pytest.fixture(scope="session")
def make_archive(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., bytes]:
    """``make_archive("web", "1.2.3")`` -> the bytes of a packaged chart."""
    root = tmp_path_factory.mktemp("charts")

    def make(name: str, version: str = "0.1.0", **kwargs: str) -> bytes:
        chart = write_chart(root, name, **kwargs)
        return archive_bytes(chart, version=version)[1]

    return make


@dataclass
class ServerProcess:
    """A running ``pyhelm serve``: its URL, folder, process and what it printed."""

    url: str
    directory: Path
    proc: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def stop(self) -> int:
        """SIGTERM (graceful) and wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=20)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=20)


def start_server(directory: Path, *flags: str) -> ServerProcess:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyhelm", "serve", "--dir", str(directory), "--port", "0", *flags],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ},
    )
    assert proc.stderr is not None
    output: list[str] = []
    url = ""
    for line in proc.stderr:
        output.append(line)
        if " at http" in line and "serving" in line:
            url = line.split(" at ", 1)[1].split("/ (", 1)[0]
            break
    if not url:
        proc.wait(timeout=20)
        raise AssertionError("pyhelm serve did not start:\n" + "".join(output))
    stream = proc.stderr
    threading.Thread(target=lambda: output.extend(stream), daemon=True).start()
    return ServerProcess(url, directory, proc, output)


@pytest.fixture
def serve_repo() -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def start(directory: Path, *flags: str) -> ServerProcess:
        server = start_server(directory, *flags)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture
def server(serve_repo: Callable[..., ServerProcess], tmp_path: Path) -> ServerProcess:
    """A server with default flags over an empty folder, for this test alone."""
    return serve_repo(tmp_path / "repo", "--access-log", str(tmp_path / "access.log"))


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., ServerProcess]]:
    """``module_server(*flags)``: a server over a fresh folder, kept for the whole module."""
    started: list[ServerProcess] = []

    def start(*flags: str) -> ServerProcess:
        root = tmp_path_factory.mktemp("module-repo")
        server = start_server(root / "repo", "--access-log", str(root / "access.log"), *flags)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture(scope="module")
def shared_server(module_server: Callable[..., ServerProcess]) -> ServerProcess:
    """One server with default flags for a whole module: tests use chart names of their own."""
    return module_server()
