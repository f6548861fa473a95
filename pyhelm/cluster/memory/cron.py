"""Standard five-field cron schedules (and @hourly-style macros) for CronJobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pyhelm.errors import ClusterError

_MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
           "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@hourly": "0 * * * *"}
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


class CronError(ClusterError):
    """A schedule that is not valid cron."""


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]

    def matches(self, t: datetime) -> bool:
        return (t.minute in self.minutes and t.hour in self.hours and t.day in self.days
                and t.month in self.months and (t.weekday() + 1) % 7 in self.weekdays)

    def fire_times(self, after: datetime, until: datetime, limit: int = 100) -> list[datetime]:
        """Minutes in (after, until] the schedule fires at, at most ``limit`` (the latest kept)."""
        t = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        found: list[datetime] = []
        while t <= until:
            if self.matches(t):
                found.append(t)
                found = found[-limit:]
            t += timedelta(minutes=1)
        return found


def _field(text: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            a, b = base.split("-", 1)
            start, end = int(a), int(b)
        else:
            start = int(base)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or step < 1:
            raise CronError(f"{part!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def parse_cron(text: str) -> Schedule:
    """Parse ``*/5 * * * *`` or ``@hourly``; raises ``CronError`` saying what is wrong."""
    fields = _MACROS.get(text.strip(), text).split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: {text!r}")
    try:
        parsed = [_field(f, *_RANGES[i]) for i, f in enumerate(fields)]
    except ValueError as exc:
        raise CronError(f"not a number in {text!r}: {exc}") from None
    parsed[4] = frozenset(v % 7 for v in parsed[4])
    return Schedule(*parsed)
