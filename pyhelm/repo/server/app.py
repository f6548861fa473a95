"""The ASGI application: auth, the static repository files, the API and the page.

A request goes: authentication (when on) -> the static fast path for GET/HEAD
of ``/index.yaml``, ``/health``, ``/info`` and archives (``/charts/<file>`` and
``/<file>``, where Helm-style relative urls point) -> the routes of the
ChartMuseum API and of the browsable page. Archives are served only when the
index lists them, so no request path ever reaches a file outside the
repository folder. Every answer is written to the access log.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pyhelm import __version__
from pyhelm.repo.server.accesslog import AccessLog
from pyhelm.repo.server.api import ApiOptions, ChartMuseumAPI
from pyhelm.repo.server.auth import Authenticator
from pyhelm.repo.server.http import (
    EMPTY_BODY,
    HTTPError,
    Receive,
    Request,
    Resource,
    Response,
    Scope,
    Send,
    accepts_gzip,
    error_response,
    send_response,
)
from pyhelm.repo.server.page import PageRenderer
from pyhelm.repo.server.storage import RepoStorage

#: Paths anyone may read, even when auth is on (as ChartMuseum's).
PUBLIC_PATHS = frozenset({"/health", "/info"})
#: Archives kept in memory, in bytes; past this, archives are read from disk each time.
ARCHIVE_CACHE_BYTES = 256 * 1024 * 1024
ARCHIVE_TYPE = b"application/gzip"
PROV_TYPE = b"application/pgp-signature"
#: The ASGI extension (granian has it) that streams a file named by path.
PATHSEND = "http.response.pathsend"

Handler = Callable[..., Awaitable[Response]]


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: dict[str, Handler]


def _json_resource(data: object) -> Resource:
    return Resource.build(json.dumps(data).encode(), b"application/json")


class RepoApp:
    """The repository server as one ASGI callable."""

    def __init__(
        self,
        storage: RepoStorage,
        auth: Authenticator,
        log: AccessLog,
        options: ApiOptions,
        repo_name: str = "local",
    ) -> None:
        self.storage = storage
        self.auth = auth
        self.log = log
        self.api = ChartMuseumAPI(storage, options)
        self.page = PageRenderer(storage, repo_name)
        #: Answers ready in memory, by request path: health, info, the index, archives.
        self._hot: dict[str, Resource] = {
            "/health": _json_resource({"healthy": True}),
            "/info": _json_resource({"version": __version__}),
            "/index.yaml": storage.index_resource,
        }
        self._archive_bytes = 0
        self._auth_on = auth.enabled
        storage.on_change.append(self._refresh)
        self.routes = self._routes(options)

    def _routes(self, options: ApiOptions) -> list[Route]:
        version_methods: dict[str, Handler] = {"GET": self.api.chart_version}
        if not options.disable_delete:
            version_methods["DELETE"] = self.api.delete
        return [
            Route(
                re.compile(r"^/api/charts/?$"),
                {"GET": self.api.list_charts, "POST": self.api.upload},
            ),
            Route(re.compile(r"^/api/prov/?$"), {"POST": self.api.upload_prov}),
            Route(re.compile(r"^/api/charts/([^/]+)/?$"), {"GET": self.api.chart_versions}),
            Route(re.compile(r"^/api/charts/([^/]+)/([^/]+)/?$"), version_methods),
            Route(
                re.compile(r"^/api/charts/([^/]+)/([^/]+)/values/?$"),
                {"GET": self.api.chart_values},
            ),
            Route(
                re.compile(r"^/api/charts/([^/]+)/([^/]+)/templates/?$"),
                {"GET": self.api.chart_templates},
            ),
            Route(re.compile(r"^/$"), {"GET": self.page.index}),
            Route(re.compile(r"^/chart/([^/]+)/?$"), {"GET": self.page.chart}),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        read = method == "GET" or method == "HEAD"
        authorization = if_none_match = accept_encoding = b""
        for key, value in scope["headers"]:
            if key == b"authorization":
                authorization = value
            elif key == b"if-none-match":
                if_none_match = value
            elif key == b"accept-encoding":
                accept_encoding = value
        user = "-"
        try:
            if (
                self._auth_on
                and path not in PUBLIC_PATHS
                and not (read and self.auth.anonymous_get)
            ):
                user = self.auth.cached(authorization) or await self._authenticate(authorization)
            resource = (self._hot.get(path) or await self._static(path)) if read else None
            if resource is not None:
                status, size = await self._send_resource(
                    resource, scope, send, method == "HEAD", if_none_match, accept_encoding
                )
                self.log.record(scope, user, status, size, started)
                return
            response = await self._route(Request(scope, receive, user), method == "HEAD")
        except HTTPError as exc:
            response = error_response(exc)
        except Exception:  # a bug must not take the server down; the client gets a 500
            traceback.print_exc(file=sys.stderr)
            response = error_response(HTTPError(500, "internal server error; see the server's log"))
        await send_response(
            send, response.status, response.header_list(), response.body, method == "HEAD"
        )
        self.log.record(scope, user, response.status, len(response.body), started)

    async def _authenticate(self, authorization: bytes) -> str:
        if not authorization:
            raise self.auth.unauthorized()
        return await self.auth.verify(authorization)

    async def _static(self, path: str) -> Resource | None:
        """A repository file not in memory yet: an archive (or .prov) the index lists."""
        if path.startswith("/charts/"):
            filename = path[len("/charts/") :]
        elif path.endswith((".tgz", ".tgz.prov")) and path.count("/") == 1:
            filename = path[1:]
        else:
            return None
        path_on_disk = self.storage.archive_path(filename)
        if path_on_disk is None:
            raise HTTPError(404, "not found")
        is_prov = filename.endswith(".prov")
        cv = self.storage.files.get(filename.removesuffix(".prov"))
        try:
            data = await asyncio.to_thread(path_on_disk.read_bytes)
        except OSError:
            raise HTTPError(404, "not found") from None
        etag = None if is_prov or cv is None else cv.digest
        resource = Resource.build(data, PROV_TYPE if is_prov else ARCHIVE_TYPE, etag=etag)
        still_listed = self.storage.files.get(filename.removesuffix(".prov")) is cv
        if still_listed and self._archive_bytes + len(data) <= ARCHIVE_CACHE_BYTES:
            self._hot[f"/charts/{filename}"] = self._hot[f"/{filename}"] = resource
            self._archive_bytes += len(data)
        return resource

    def _refresh(self, filenames: set[str]) -> None:
        """After a write: serve the new index; forget archives that were replaced or deleted."""
        self._hot["/index.yaml"] = self.storage.index_resource
        for name in filenames:
            dropped = self._hot.pop(f"/charts/{name}", None)
            self._hot.pop(f"/{name}", None)
            if dropped is not None:
                self._archive_bytes -= len(dropped.body)

    @staticmethod
    async def _send_resource(
        resource: Resource,
        scope: Scope,
        send: Send,
        head: bool,
        if_none_match: bytes,
        accept_encoding: bytes,
    ) -> tuple[int, int]:
        if if_none_match and resource.matches(if_none_match):
            await send(resource.start_not_modified)
            await send(EMPTY_BODY)
            return 304, 0
        pathsend = PATHSEND in scope.get("extensions", ())
        if (
            resource.start_gzip
            and resource.gzip_message
            and accept_encoding
            and accepts_gzip(accept_encoding)
        ):
            body = (pathsend and resource.gzip_path_message) or resource.gzip_message
            await send(resource.start_gzip)
            await send(EMPTY_BODY if head else body)
            return 200, len(resource.gzip_body or b"")
        await send(resource.start)
        await send(
            EMPTY_BODY if head else (pathsend and resource.path_message) or resource.body_message
        )
        return 200, len(resource.body)

    async def _route(self, request: Request, head: bool) -> Response:
        method = "GET" if head else request.method
        for route in self.routes:
            match = route.pattern.match(request.path)
            if match is None:
                continue
            handler = route.methods.get(method)
            if handler is None:
                allowed = ", ".join(
                    sorted({*route.methods, "HEAD"} if "GET" in route.methods else route.methods)
                )
                raise HTTPError(
                    405,
                    f"method {request.method} not allowed on {request.path}; allowed: {allowed}",
                    [(b"allow", allowed.encode())],
                )
            return await handler(request, *match.groups())
        raise HTTPError(404, "not found")
