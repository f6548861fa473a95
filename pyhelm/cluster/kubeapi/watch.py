"""Watch streams: one JSON event per chunk, ``{"type": ..., "object": ...}\\n``.

Three ways to start, as client-go and kubectl use them:

- ``resourceVersion=N``: events after N (``kubectl get -w`` after its list);
- ``resourceVersion`` empty or ``0``: synthetic ``ADDED`` events for what exists
  now, then what changes (``kubectl get pod web -w``);
- ``sendInitialEvents=true`` (the watch-list of client-go informers:
  ``delete``, ``rollout status``, ``wait``, ``helm --wait``): the same ``ADDED``
  events, then one ``BOOKMARK`` annotated ``k8s.io/initial-events-end`` —
  without it those clients hang.

The stream stays open until the client goes away or ``timeoutSeconds`` pass
(``kubectl get -w`` exits when a stream closes). Changes are found by polling
the store's event log, so writes by other processes sharing the state file
show up too.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from pyhelm.cluster.kubeapi.status import status
from pyhelm.errors import PyHelmError

Obj = dict[str, Any]

#: How often the event log is polled for changes, in seconds.
POLL_INTERVAL = 0.1
#: Longest a watch stays open without a timeoutSeconds of its own (a real server: 30-60 min).
DEFAULT_TIMEOUT = 1800.0


@dataclass(frozen=True)
class WatchSource:
    """What a watch reads: the current state and the changes after a resourceVersion.

    ``snapshot()`` returns (resourceVersion, matching objects); ``changes(rv)``
    the resourceVersion read up to and the matching (type, object) events after
    ``rv``, oldest first (raising ``ResourceExpired`` when rv is older than the
    kept log); ``render(obj)`` turns an
    object into what the client asked for (the object, or a one-row Table).
    """

    snapshot: Callable[[], tuple[int, list[Obj]]]
    changes: Callable[[int], tuple[int, list[tuple[str, Obj]]]]
    render: Callable[[Obj], Obj]


@dataclass(frozen=True)
class WatchOptions:
    resource_version: str = ""
    send_initial_events: bool = False
    timeout: float = DEFAULT_TIMEOUT
    kind: str = ""
    api_version: str = ""


def frame(event_type: str, obj: Obj) -> bytes:
    """One watch event as its line on the wire."""
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


def initial_events_end(api_version: str, kind: str, resource_version: int) -> Obj:
    """The BOOKMARK that ends a watch-list's initial events."""
    return {"kind": kind, "apiVersion": api_version, "metadata": {
        "resourceVersion": str(resource_version),
        "annotations": {"k8s.io/initial-events-end": "true"}}}


async def stream(source: WatchSource, options: WatchOptions,
                 gone: asyncio.Event) -> AsyncIterator[bytes]:
    """Yield the watch's event lines until ``gone`` is set or the timeout passes."""
    deadline = time.monotonic() + options.timeout
    if options.send_initial_events or options.resource_version in ("", "0"):
        rv, objects = source.snapshot()
        for obj in objects:
            yield frame("ADDED", source.render(obj))
        if options.send_initial_events:
            yield frame("BOOKMARK", initial_events_end(options.api_version, options.kind, rv))
    else:
        rv = int(options.resource_version)
    while not gone.is_set() and time.monotonic() < deadline:
        try:
            rv, events = source.changes(rv)
        except PyHelmError as exc:  # ResourceExpired (410) ends the stream with an ERROR event
            code = getattr(exc, "code", 500)
            yield frame("ERROR", status(code, getattr(exc, "reason", "InternalError"), str(exc)))
            return
        for event_type, obj in events:
            yield frame(event_type, source.render(obj))
        if not events:
            try:
                await asyncio.wait_for(gone.wait(), POLL_INTERVAL)
            except TimeoutError:
                pass
