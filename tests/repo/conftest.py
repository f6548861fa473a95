"""Builders for the repository tests: small charts, archives, a static HTTP server."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

MakeChart = Callable[..., Path]


def write_chart(
    root: Path,
    name: str = "demo",
    version: str = "0.1.0",
    app_version: str = "1.0.0",
    description: str = "A demo chart",
    extra_yaml: str = "",
    files: dict[str, str] | None = None,
) -> Path:
    """Write a small chart folder at ``root/name`` and return it."""
    chart = root / name
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text(
        f'apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: "{app_version}"\n'
        f"description: {description}\n{extra_yaml}"
    )
    (chart / "values.yaml").write_text("replicaCount: 1\n")
    (chart / "templates" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-cm\n"
    )
    for rel, text in (files or {}).items():
        (chart / rel).parent.mkdir(parents=True, exist_ok=True)
        (chart / rel).write_text(text)
    return chart


@pytest.fixture
def make_chart(tmp_path: Path) -> MakeChart:
    """``make_chart(name=..., version=...)`` writes a chart folder under tmp_path/src."""
    return functools.partial(write_chart, tmp_path / "src")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A plain static HTTP server on 127.0.0.1 (port from the OS) serving tmp_path/www.

    Yields ``(base_url, folder, request_log)``; the log holds "METHOD path status".
    """
    root = tmp_path / "www"
    root.mkdir()
    log: list[str] = []

    class Handler(_QuietHandler):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(root), **kwargs)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            log.append(f"{self.command} {self.path} {code}")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root, log
    finally:
        server.shutdown()
        server.server_close()
