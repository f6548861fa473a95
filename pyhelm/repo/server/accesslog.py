"""The access log: one line a request, written in batches.

Lines follow the Combined Log Format's first part plus the time taken::

    127.0.0.1 - alice [25/Nov/2026:18:50:06 +0000] "GET /index.yaml HTTP/1.1" 200 1532 0.21ms

Formatting a line is all a request pays; a background task writes what has
gathered every ``interval`` seconds (and ``close`` writes the rest), so
logging costs no system call per request. The same task refreshes the time
stamp, which has a resolution of one second.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import MutableMapping
from typing import Any, TextIO


class AccessLog:
    """Collects access-log lines and writes them to ``stream`` in batches."""

    def __init__(self, stream: TextIO | None, interval: float = 0.2) -> None:
        self.stream = stream
        self.interval = interval
        self._lines: list[str] = []
        self._stamp = ""
        self._tick()
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def open(cls, target: str | None) -> AccessLog:
        """``None`` or ``"-"``: standard error; ``"off"``: no log; else a file, appended to."""
        if target == "off":
            return cls(None)
        if target in (None, "-"):
            return cls(sys.stderr)
        return cls(open(target, "a", encoding="utf-8", buffering=1 << 16))  # noqa: SIM115

    def record(
        self, scope: MutableMapping[str, Any], user: str, status: int, size: int, started: float
    ) -> None:
        """Log one answered request (``started``: its ``time.perf_counter()``)."""
        if self.stream is None:
            return
        took = (time.perf_counter() - started) * 1000
        client = scope.get("client")
        path = scope["path"]
        query = scope.get("query_string")
        if query:
            path = f"{path}?{query.decode('latin-1')}"
        self._lines.append(
            f'{client[0] if client else "-"} - {user} [{self._stamp}] "{scope["method"]} {path} '
            f'HTTP/{scope.get("http_version", "1.1")}" {status} {size} {took:.2f}ms\n'
        )

    def _tick(self) -> None:
        """Refresh the time stamp lines carry (second resolution, so once per flush is enough)."""
        self._stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())

    def start(self) -> None:
        """Begin flushing in the running event loop."""
        if self.stream is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._flusher())

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self._tick()
            self.flush()

    def flush(self) -> None:
        if self._lines and self.stream is not None:
            lines, self._lines = self._lines, []
            self.stream.write("".join(lines))
            self.stream.flush()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.flush()
        if self.stream not in (None, sys.stderr, sys.stdout):
            assert self.stream is not None
            self.stream.close()
