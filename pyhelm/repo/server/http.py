"""The few HTTP primitives the repository server needs, on bare ASGI.

The server answers most requests from bytes prepared in advance: a
``Resource`` holds a body, its gzip form, its ETag and the header lists of
every answer it can give (200, 200 gzipped, 304), so serving it is a dict
lookup and one ``send``. Everything else goes through ``Request`` and a
``Response``; an ``HTTPError`` anywhere becomes ChartMuseum's JSON error body
``{"error": "..."}`` with its status.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

#: Bodies smaller than this are not worth gzipping.
GZIP_MIN_SIZE = 1024
SERVER_HEADER = (b"server", b"pyhelm")


class HTTPError(Exception):
    """An answer other than success: ``status`` and a message for ``{"error": ...}``."""

    def __init__(self, status: int, message: str, headers: Headers | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


@dataclass(slots=True)
class Response:
    """A complete answer: status, headers and a body held in memory."""

    status: int
    body: bytes = b""
    content_type: bytes = b"application/json"
    headers: Headers = field(default_factory=list)

    def header_list(self) -> Headers:
        return [
            (b"content-type", self.content_type),
            (b"content-length", str(len(self.body)).encode()),
            SERVER_HEADER,
            *self.headers,
        ]


def json_response(status: int, data: Any, headers: Headers | None = None) -> Response:
    return Response(status, json.dumps(data, separators=(",", ":")).encode(), headers=headers or [])


def error_response(exc: HTTPError) -> Response:
    return json_response(exc.status, {"error": exc.message}, exc.headers)


#: The body message of a HEAD answer, a 304, or any other empty body.
EMPTY_BODY: dict[str, Any] = {"type": "http.response.body", "body": b""}


def _start(status: int, headers: Headers) -> dict[str, Any]:
    return {"type": "http.response.start", "status": status, "headers": headers}


@dataclass(slots=True)
class Resource:
    """Bytes served as they are, with an ETag; gzip and 304 answers prepared too.

    The ASGI messages of every answer are built once (``start``/``body``,
    ``start_gzip``/``body_gzip``, ``start_not_modified``) and only sent per
    request; ``etag`` is the quoted validator a client sends back in
    ``If-None-Match``.
    """

    body: bytes
    etag: bytes
    start: dict[str, Any]
    body_message: dict[str, Any]
    start_not_modified: dict[str, Any]
    gzip_body: bytes | None = None
    start_gzip: dict[str, Any] | None = None
    gzip_message: dict[str, Any] | None = None
    #: For large bodies: ``http.response.pathsend`` messages naming immutable copies on
    #: disk, which the server streams without passing the bytes through Python.
    path_message: dict[str, Any] | None = None
    gzip_path_message: dict[str, Any] | None = None

    def attach_files(self, path: str, gzip_path: str | None) -> None:
        """Serve the body (and its gzip form) from these files, where the server can."""
        self.path_message = {"type": "http.response.pathsend", "path": path}
        if gzip_path is not None:
            self.gzip_path_message = {"type": "http.response.pathsend", "path": gzip_path}

    @classmethod
    def build(
        cls,
        body: bytes,
        content_type: bytes,
        etag: str | None = None,
        compress: bool = False,
        cache_control: bytes = b"no-cache",
    ) -> Resource:
        """Prepare ``body``; ``etag`` defaults to a hash of the body."""
        tag = f'"{etag or hashlib.sha256(body).hexdigest()[:32]}"'.encode()
        common = [(b"etag", tag), (b"cache-control", cache_control), SERVER_HEADER]
        ok = [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            *common,
        ]
        resource = cls(
            body,
            tag,
            _start(200, ok),
            {"type": "http.response.body", "body": body},
            _start(304, common),
        )
        if compress and len(body) >= GZIP_MIN_SIZE:
            gz = gzip.compress(body, compresslevel=6, mtime=0)
            ok.append((b"vary", b"accept-encoding"))
            resource.gzip_body = gz
            resource.start_gzip = _start(
                200,
                [
                    (b"content-type", content_type),
                    (b"content-length", str(len(gz)).encode()),
                    (b"content-encoding", b"gzip"),
                    (b"vary", b"accept-encoding"),
                    *common,
                ],
            )
            resource.gzip_message = {"type": "http.response.body", "body": gz}
        return resource

    def matches(self, if_none_match: bytes) -> bool:
        """Whether a client's ``If-None-Match`` names this version (or ``*``)."""
        if if_none_match.strip() == b"*":
            return True
        tags = (t.strip().removeprefix(b"W/") for t in if_none_match.split(b","))
        return self.etag in tags


def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (and does not refuse it with q=0)."""
    for part in accept_encoding.lower().split(b","):
        coding, _, params = part.strip().partition(b";")
        if coding.strip() in (b"gzip", b"*"):
            q = params.strip().removeprefix(b"q=")
            return q not in (b"0", b"0.0", b"0.00", b"0.000")
    return False


class Request:
    """The parts of an ASGI HTTP request the routes read."""

    __slots__ = ("scope", "receive", "method", "path", "user", "_headers")

    def __init__(self, scope: Scope, receive: Receive, user: str = "-") -> None:
        self.scope = scope
        self.receive = receive
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.user = user
        self._headers: dict[bytes, bytes] | None = None

    def header(self, name: bytes, default: bytes = b"") -> bytes:
        if self._headers is None:
            self._headers = dict(self.scope["headers"])
        return self._headers.get(name, default)

    def query(self) -> dict[str, list[str]]:
        return parse_qs(
            self.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
        )

    def base_url(self) -> str:
        """The URL a client used to reach the server, from Host and the scheme."""
        host = self.header(b"host").decode("latin-1")
        if not host:
            server = self.scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{self.scope.get('scheme', 'http')}://{host}"

    async def body(self, limit: int) -> bytes:
        """The whole body; ``HTTPError(413)`` past ``limit`` bytes."""
        declared = self.header(b"content-length")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise HTTPError(400, "client disconnected before the body was complete")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _too_large(limit: int) -> HTTPError:
    return HTTPError(
        413,
        f"request body is larger than the server's limit of {limit} bytes "
        "(pyhelm serve --max-upload-size)",
    )


async def send_response(send: Send, status: int, headers: Headers, body: bytes, head: bool) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})
