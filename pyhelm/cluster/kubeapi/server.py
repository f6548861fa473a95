"""The Kubernetes API server of the built-in cluster: an ASGI app served by uvicorn over TLS.

``ApiServer`` answers the subset of the Kubernetes REST API that kubectl,
helm and client libraries use: ``/version``, discovery (aggregated and
legacy), OpenAPI v3 (and an empty v2), access reviews, resource CRUD with
watch, patch and subresources, and health checks. Every request needs the
bearer token (401 otherwise). Errors go back as ``Status`` bodies; a bug in
the server is a 500 ``InternalError`` (logged with its traceback on stderr),
never a dropped connection.

``start`` binds a loopback socket (port 0: the OS chooses), makes the CA,
certificate and token, writes the kubeconfig, and returns a ``Serving`` whose
``run()`` blocks serving until interrupted.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import uvicorn

from pyhelm.cluster.kubeapi import auth, discovery, openapi, routes
from pyhelm.cluster.kubeapi.backend import Backend
from pyhelm.cluster.kubeapi.http import Reply, Request, StreamReply
from pyhelm.cluster.kubeapi.resources import ResourceApi
from pyhelm.cluster.kubeapi.status import from_error, status
from pyhelm.errors import PyHelmError

VERSION = {"major": "1", "minor": "35", "emulationMajor": "1", "emulationMinor": "35",
           "minCompatibilityMajor": "1", "minCompatibilityMinor": "34",
           "gitVersion": "v1.35.0-pyhelm", "gitCommit": "0000000000000000000000000000000000000000",
           "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
           "goVersion": "go1.25.5", "compiler": "gc", "platform": "linux/amd64"}
HEALTH_PATHS = ("/healthz", "/livez", "/readyz")
#: ``kubectl auth can-i``: the one user (the token's holder) may do everything.
ACCESS_REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
ACCESS_REVIEW = {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                 "metadata": {}, "spec": {}, "status": {
                     "allowed": True, "reason": "the built-in cluster has one user, an admin"}}


class ApiServer:
    """The ASGI application. ``dispatch`` is the whole logic and can be called directly."""

    def __init__(self, backend: Backend, token: str, address: str = "127.0.0.1:6443") -> None:
        self.backend = backend
        self.token = token
        self.address = address
        self.resources = ResourceApi(backend)
        self._served: tuple[tuple[Any, ...], list[discovery.Served]] | None = None
        self._openapi: dict[str, Any] = {}
        self.stopping = threading.Event()

    def served(self) -> list[discovery.Served]:
        """The served resources; discovery and OpenAPI documents are rebuilt when they change."""
        kinds = self.backend.kinds()
        key = tuple(kinds)
        if self._served is None or self._served[0] != key:
            self._served = (key, discovery.served(kinds))
            self._openapi = {}
        return self._served[1]

    # -- ASGI ------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                               keep_blank_values=True))
        reply = self.dispatch(Request(scope["method"], scope["path"], query, headers, body))
        if isinstance(reply, StreamReply):
            await _send_stream(reply, receive, send, self.stopping)
            return
        payload = reply.encoded()
        await send({"type": "http.response.start", "status": reply.code, "headers": [
            (b"content-type", reply.content_type.encode()),
            (b"content-length", str(len(payload)).encode()),
            *[(k.encode(), v.encode()) for k, v in reply.headers]]})
        await send({"type": "http.response.body", "body": payload})

    # -- routing ---------------------------------------------------------------
    def dispatch(self, request: Request) -> Reply | StreamReply:
        """Answer one request (auth first)."""
        if not auth.authorized(request.headers.get("authorization"), self.token):
            return Reply(401, status(401, "Unauthorized", "Unauthorized"))
        target = None
        try:
            reply = self._static(request)
            if reply is not None:
                return reply
            target = routes.parse(request.path, self.served())
            return self.resources.handle(request, target)
        except PyHelmError as exc:
            resource = target.info.plural if target else ""
            group = target.info.group if target else ""
            code, body = from_error(exc, resource, (target.name or "") if target else "", group)
            return Reply(code, body)
        except Exception as exc:  # a server bug: answer 500 and log it, keep serving
            traceback.print_exc(file=sys.stderr)
            return Reply(500, status(500, "InternalError", f"internal error: {exc!r}"))

    def _static(self, request: Request) -> Reply | None:
        """Non-resource paths: version, health, discovery, OpenAPI; None for resource paths."""
        path = request.path.rstrip("/") or "/"
        if path == "/version":
            return Reply(200, VERSION)
        if path in HEALTH_PATHS:
            return Reply(200, "ok", content_type="text/plain")
        if path in ("/api", "/apis"):
            return self._discovery_root(request, core=path == "/api")
        if path.startswith("/openapi/"):
            return self._openapi_reply(path)
        if path == ACCESS_REVIEW_PATH and request.method == "POST":
            return Reply(201, ACCESS_REVIEW)
        split = routes.split_group_version(path)
        if split is not None and not split[1]:
            body = discovery.resource_list(self.served(), split[0])
            if body is None:
                return Reply(404, status(404, "NotFound", "the server could not find the "
                                                          "requested resource"))
            return Reply(200, body)
        return None

    def _discovery_root(self, request: Request, core: bool) -> Reply:
        served = self.served()
        if discovery.wants_aggregated(request.accept):
            return Reply(200, discovery.aggregated(served, core),
                         content_type=discovery.AGGREGATED_MEDIA)
        if core:
            return Reply(200, discovery.api_versions(self.address))
        return Reply(200, discovery.api_group_list(served))

    def _openapi_reply(self, path: str) -> Reply:
        served = self.served()
        if path == "/openapi/v3":
            return Reply(200, openapi.root_document(served))
        if path == "/openapi/v2":
            return Reply(200, openapi.V2_DOCUMENT, content_type=openapi.V2_MEDIA)
        prefix = "/openapi/v3/"
        group_version = path[len(prefix):].split("/", 1)[-1] if path.startswith(prefix) else ""
        if group_version not in self._openapi:
            self._openapi[group_version] = openapi.group_version_document(served, group_version)
        document = self._openapi[group_version]
        if document is None:
            return Reply(404, status(404, "NotFound", "the server could not find the requested "
                                                      "resource"))
        return Reply(200, document, headers=[
            ("etag", f'"{openapi.document_hash(document)}"'),
            ("cache-control", "public, immutable"),  # the URL carries the content hash
            ("expires", "Fri, 01 Jan 2100 00:00:00 GMT")])


async def _send_stream(reply: StreamReply, receive: Any, send: Any,
                       stopping: threading.Event) -> None:
    """Send a chunked stream until it ends, the client disconnects or the server stops."""
    gone = asyncio.Event()

    async def watch_disconnect() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()

    async def watch_stopping() -> None:
        while not stopping.is_set():
            await asyncio.sleep(0.1)
        gone.set()

    waiters = [asyncio.ensure_future(watch_disconnect()), asyncio.ensure_future(watch_stopping())]
    await send({"type": "http.response.start", "status": reply.code,
                "headers": [(b"content-type", reply.content_type.encode()),
                            (b"transfer-encoding", b"chunked")]})
    try:
        async for chunk in reply.events(gone):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        for waiter in waiters:
            waiter.cancel()


class _Uvicorn(uvicorn.Server):
    """uvicorn, telling the app when a signal asks it to stop (so watch streams end)."""

    def __init__(self, config: uvicorn.Config, stopping: threading.Event) -> None:
        super().__init__(config)
        self.stopping = stopping

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.stopping.set()
        super().handle_exit(sig, frame)


@dataclass
class Serving:
    """A bound, not yet running, API server; ``run()`` serves until stopped."""

    app: ApiServer
    sock: socket.socket
    cert: Path
    key: Path
    url: str
    kubeconfig: Path
    credentials: auth.Credentials = field(repr=False)
    server: uvicorn.Server | None = field(default=None, repr=False)

    def run(self) -> None:
        config = uvicorn.Config(self.app, ssl_certfile=str(self.cert), ssl_keyfile=str(self.key),
                                log_level="warning", access_log=False, lifespan="off",
                                timeout_keep_alive=30, timeout_graceful_shutdown=2)
        self.server = _Uvicorn(config, self.app.stopping)
        self.server.run(sockets=[self.sock])

    def stop(self) -> None:
        """Ask a running server (in another thread) to stop; open watch streams end."""
        self.app.stopping.set()
        if self.server is not None:
            self.server.should_exit = True


def start(cluster: Any, kubeconfig_out: Path, host: str = "127.0.0.1", port: int = 6443,
          tls_dir: Path | None = None) -> Serving:
    """Bind ``host:port``, make TLS material and a token, write the kubeconfig.

    Raises ``OSError`` when the port is taken. ``tls_dir`` (default: a private
    temporary folder) receives the server certificate and key.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    actual = sock.getsockname()[1]
    credentials = auth.make_credentials((host, "localhost"))
    cert, key = credentials.write_tls_files(tls_dir or Path(tempfile.mkdtemp(prefix="pyhelm-tls-")))
    url = f"https://{host}:{actual}"
    auth.write_kubeconfig(kubeconfig_out, url, credentials)
    app = ApiServer(Backend(cluster), credentials.token, f"{host}:{actual}")
    return Serving(app, sock, cert, key, url, kubeconfig_out, credentials)
