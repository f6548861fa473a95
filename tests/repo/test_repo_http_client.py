"""The HTTP side of the repository client: retries, ETag, TLS with a CA file or without checks."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyhelm.chart.package import package_chart
from pyhelm.repo.index import index_directory
from tests.repo.conftest import write_chart


def _repo_folder(tmp_path: Path) -> Path:
    www = tmp_path / "www"
    package_chart(write_chart(tmp_path / "src", name="web"), www)
    index_directory(www).save(www / "index.yaml")
    return www


class _Server:
    """A static server whose handler can fail the first requests and answer with an ETag."""

    def __init__(self, root: Path, failures: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[tuple[str, str, int]] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **k):
                super().__init__(*a, directory=str(root), **k)

            def log_message(self, *a):
                pass

            def do_GET(self):  # noqa: N802
                if outer.failures > 0:
                    outer.failures -= 1
                    outer.requests.append((self.path, self.headers.get("If-None-Match", ""), 503))
                    self.send_error(503)
                    return
                etag = '"v1"'
                if self.headers.get("If-None-Match") == etag:
                    outer.requests.append((self.path, etag, 304))
                    self.send_response(304)
                    self.end_headers()
                    return
                outer.requests.append((self.path, "", 200))
                data = (root / self.path.lstrip("/")).read_bytes()
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.failures = failures
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server_factory() -> Iterator:
    servers: list[_Server] = []

    def make(*args, **kwargs) -> _Server:
        servers.append(_Server(*args, **kwargs))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def test_retries_after_a_503_answer(pyhelm, server_factory, tmp_path) -> None:
    server = server_factory(_repo_folder(tmp_path), failures=1)
    done = pyhelm("repo", "add", "flaky", server.url)
    assert done.returncode == 0, done.stderr
    assert [r[2] for r in server.requests] == [503, 200]


def test_update_sends_the_etag_and_keeps_the_cached_index(pyhelm, server_factory, tmp_path) -> None:
    server = server_factory(_repo_folder(tmp_path))
    assert pyhelm("repo", "add", "tagged", server.url).returncode == 0
    done = pyhelm("repo", "update", "tagged")
    assert done.returncode == 0, done.stderr
    assert server.requests[-1] == ("/index.yaml", '"v1"', 304)
    assert "'web'" not in done.stdout and "Index unchanged" in done.stdout
    assert pyhelm("search", "repo", "web").stdout.count("tagged/web") == 1


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path]:
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_tls_repository_needs_its_ca_file_or_an_explicit_skip(
    pyhelm, server_factory, tls_files, tmp_path
) -> None:
    cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = server_factory(_repo_folder(tmp_path), tls=context)
    refused = pyhelm("repo", "add", "secure", server.url)
    assert (
        refused.returncode == 1 and "pass --ca-file or --insecure-skip-tls-verify" in refused.stderr
    )
    with_ca = pyhelm("repo", "add", "secure", server.url, "--ca-file", str(cert))
    assert with_ca.returncode == 0, with_ca.stderr
    out = tmp_path / "out"
    out.mkdir()
    assert pyhelm("pull", "secure/web", "-d", str(out)).returncode == 0
    skip = pyhelm("repo", "add", "loose", server.url, "--insecure-skip-tls-verify")
    assert skip.returncode == 0 and skip.stderr == "", skip.stderr
