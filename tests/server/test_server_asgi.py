"""``RepoApp`` as a plain ASGI application, driven in process without any server."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

from pyhelm.repo.server.accesslog import AccessLog
from pyhelm.repo.server.api import ApiOptions
from pyhelm.repo.server.app import RepoApp
from pyhelm.repo.server.auth import Authenticator
from pyhelm.repo.server.storage import RepoStorage


def call(app: RepoApp, method: str, path: str, headers: dict[str, str] | None = None,
         body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One request through the ASGI interface: (status, headers, body)."""
    messages: list[dict[str, Any]] = []
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "http_version": "1.1",
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
             "client": ("127.0.0.1", 1), "scheme": "http", "server": ("127.0.0.1", 8879)}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    async def run() -> None:
        app.storage.start()
        await app(scope, receive, send)
        await app.storage.close()

    asyncio.run(run())
    start, *bodies = messages
    return (start["status"], {k.decode(): v.decode() for k, v in start["headers"]},
            b"".join(m.get("body", b"") for m in bodies))


def make_app(tmp_path, **options: Any) -> RepoApp:
    storage = RepoStorage.open(tmp_path / "repo", log=io.StringIO())
    return RepoApp(storage, Authenticator(), AccessLog(None), ApiOptions(**options))


def test_weak_etag_gives_304_without_body(tmp_path):
    app = make_app(tmp_path)
    status, headers, _ = call(app, "GET", "/index.yaml")
    assert status == 200
    status, _, body = call(app, "GET", "/index.yaml", {"If-None-Match": "W/" + headers["etag"]})
    assert (status, body) == (304, b"")


def test_head_has_headers_but_no_body(tmp_path):
    app = make_app(tmp_path)
    status, headers, body = call(app, "HEAD", "/index.yaml")
    assert (status, body) == (200, b"")
    assert int(headers["content-length"]) > 0
    status, _, body = call(app, "HEAD", "/api/charts/nothing")
    assert (status, body) == (404, b"")


def test_wrong_method_is_405_with_allow(tmp_path):
    app = make_app(tmp_path, disable_delete=True)
    status, headers, body = call(app, "DELETE", "/api/charts/a/1.0.0")
    assert status == 405
    assert headers["allow"] == "GET, HEAD"
    assert "not allowed" in json.loads(body)["error"]
    status, headers, _ = call(app, "PUT", "/api/charts")
    assert (status, headers["allow"]) == (405, "GET, HEAD, POST")
