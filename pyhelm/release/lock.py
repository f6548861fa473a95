"""The pending lock of a release, its lease, and turning SIGINT/SIGTERM into a failed revision.

A release is locked while its newest revision is pending (pending-install,
-upgrade, -rollback, uninstalling). Creating revision N+1 is the lock's
compare-and-swap: two writers cannot both create it. The pending revision
carries a lease (holder ``host:pid``, operation, expiry). The next operation
that finds a pending revision fails fast (``ReleaseLocked``) unless the lease
has expired or its holder process is gone from this host; then it marks the
stuck revision failed, says so, and goes ahead (helm#8987).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from pyhelm.errors import ReleaseError, ReleaseLocked
from pyhelm.release.model import Lease, Release, Status
from pyhelm.release.storage import ReleaseStorage

#: Extra lease time beyond the operation's own timeout.
LEASE_MARGIN = 60.0

OPERATIONS = {
    Status.PENDING_INSTALL: "install",
    Status.PENDING_UPGRADE: "upgrade",
    Status.PENDING_ROLLBACK: "rollback",
    Status.UNINSTALLING: "uninstall",
}


class Interrupted(ReleaseError):
    """The operation was stopped by SIGINT or SIGTERM."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


def holder_id() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"


def new_lease(operation: str, timeout: float, now: float) -> Lease:
    return Lease(holder_id(), operation, now + timeout + LEASE_MARGIN)


def _holder_gone(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != os.uname().nodename or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def stale_reason(release: Release, now: float) -> str | None:
    """Why the pending ``release``'s lock may be taken over, or None if it is still held."""
    lease = release.lease
    if lease is None:
        return None
    if _holder_gone(lease.holder):
        return f"the process that held it ({lease.holder}) is gone"
    if lease.expires < now:
        return f"its lease (held by {lease.holder}) expired"
    return None


def ensure_unlocked(
    storage: ReleaseStorage, last: Release | None, now: float, warn: Callable[[str], None]
) -> None:
    """Raise ``ReleaseLocked`` if ``last`` is pending and held; recover it if its holder is gone."""
    if last is None or not last.status.is_pending:
        return
    operation = OPERATIONS.get(last.status, last.status.value)
    reason = stale_reason(last, now)
    if reason is None:
        holder = f" by {last.lease.holder}" if last.lease else ""
        raise ReleaseLocked(
            f"another operation ({operation}) is in progress for release {last.name}{holder} "
            f"(revision {last.version} is {last.status.value}); wait for it to finish and retry"
        )
    was = last.status.value
    last.info.status = Status.FAILED
    last.info.description = f"{operation.capitalize()} interrupted: {reason}"
    last.lease = None
    storage.update(last)
    warn(
        f"recovered release {last.name}: revision {last.version} was left {was} "
        f"because {reason}; marked it failed"
    )


@contextmanager
def signals_raise() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise ``Interrupted`` (only in the main thread)."""
    try:
        previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        for signum in previous:
            signal.signal(signum, _raise)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)
