"""Time for the built-in cluster, injected so tests never sleep.

``RealClock`` reads the wall clock; ``FakeClock`` starts where it is told and
moves only when ``advance`` is called (kwok's ``conf.Clock`` idea). Timestamps
are UTC and printed as Kubernetes prints them: ``2026-01-02T03:04:05Z``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class FakeClock:
    """A clock that stands still until ``advance`` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


@lru_cache(maxsize=256)
def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC, whole seconds, as the API server writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)
def parse_timestamp(text: str) -> datetime:
    """``2026-01-02T03:04:05Z`` as an aware datetime; ValueError for any other form."""
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":
        return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)  # (strptime: +3 ms import)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def human_duration(seconds: float) -> str:
    """kubectl's age text (HumanDuration): 95s, 3m20s, 5h, 2d3h, 400d, 3y20d."""
    s = max(0, int(seconds))
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 8:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    years = days // 365
    if years < 8:
        rest = days % 365
        return f"{years}y{rest}d" if rest else f"{years}y"
    return f"{years}y"
