"""Installing a chart named ``repo/chart`` with a version constraint, as the issue's example."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_INDEX = Path(__file__).resolve().parents[2] / "repo_index"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def repo_url() -> Iterator[str]:
    """The project's own chart repository (repo_index/) over HTTP on a loopback port."""
    handler = functools.partial(QuietHandler, directory=str(REPO_INDEX))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(5)


def test_install_from_a_repository_into_a_new_namespace_and_wait(pyhelm, repo_url: str) -> None:  # type: ignore[no-untyped-def]
    assert pyhelm("repo", "add", "local", repo_url).returncode == 0
    result = pyhelm(
        "install",
        "web",
        "local/nginx",
        "--version",
        "^0.1",
        "-n",
        "shop",
        "--create-namespace",
        "--wait",
    )
    assert result.returncode == 0, result.stderr
    assert "NAMESPACE: shop\nSTATUS: deployed\n" in result.stdout
    assert (
        "waited for 2 object(s), 2 ready: Service/nginx-service, "
        "Deployment/nginx-deployment 3/3" in result.stderr
    )
    missing = pyhelm("upgrade", "web", "local/nginx", "--version", "^9", "-n", "shop")
    assert missing.returncode == 1 and "has no version matching '^9'" in missing.stderr
