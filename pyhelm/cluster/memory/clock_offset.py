"""Time travel for a persisted cluster: the real clock plus an offset kept in the state file.

``pyhelm cluster tick --seconds 3600`` moves the offset, so CronJobs and back-offs
can be exercised from the command line without waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pyhelm.cluster.memory.clock import RealClock


class OffsetClock:
    """The wall clock shifted by ``offset`` seconds (``advance`` moves it further)."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset
        self._real = RealClock()

    def now(self) -> datetime:
        return self._real.now() + timedelta(seconds=self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds
