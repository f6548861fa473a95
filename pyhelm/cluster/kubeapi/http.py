"""The HTTP shapes the API layer works with, independent of the ASGI server.

A ``Request`` is what arrived (method, path, first value of each query
parameter, lower-cased headers, body); handlers answer a ``Reply`` (JSON or
text with a status code) or a ``StreamReply`` (a chunked watch stream).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from pyhelm import yamlio
from pyhelm.cluster.kubeapi import protobuf
from pyhelm.cluster.kubeapi.status import ApiError
from pyhelm.errors import PyHelmError

JSON = "application/json"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def accept(self) -> str:
        return self.headers.get("accept", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", JSON).split(";")[0].strip().lower()

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() in ("true", "1")

    @property
    def dry_run(self) -> bool:
        return self.query.get("dryRun") == "All"

    def decoded_body(self) -> Any:
        """The body as JSON-shaped data: JSON, YAML (server-side apply) or Kubernetes protobuf.

        An empty body decodes to None; a malformed one raises ``ApiError`` 400.
        """
        if not self.body:
            return None
        try:
            if self.content_type == protobuf.MEDIA_TYPE:
                return protobuf.decode(self.body)
            if self.content_type == "application/apply-patch+yaml":
                return yamlio.load(self.body, "the apply patch")
            return json.loads(self.body)
        except (ValueError, protobuf.ProtobufError) as exc:
            raise ApiError(400, "BadRequest", f"the body of the request was in an unknown "
                                              f"format: {self.content_type}: {exc}") from None
        except PyHelmError as exc:  # yamlio names the line
            raise ApiError(400, "BadRequest", str(exc)) from None


@dataclass
class Reply:
    code: int
    body: Any
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, separators=(",", ":")).encode()


@dataclass
class StreamReply:
    """A chunked response; ``events(gone)`` yields chunks until ``gone`` is set."""

    events: Callable[[asyncio.Event], AsyncIterator[bytes]]
    code: int = 200
    content_type: str = JSON
