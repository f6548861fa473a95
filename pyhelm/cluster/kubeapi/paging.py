"""``limit``/``continue``: paged lists served from one snapshot, as etcd serves them.

The first page of a list takes the whole (filtered, sorted) result; what does
not fit is kept under a random ``continue`` token, so later pages cost nothing
and stay consistent with the first even while objects change. A few paged
lists are kept at a time; an unknown or evicted token is ``410 Expired``, and
the client lists again.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pyhelm.cluster.kubeapi.status import ApiError

Obj = dict[str, Any]
Snapshot = tuple[int, list[Obj]]


class Pager:
    """Cuts lists into pages and remembers the rest of each, ``keep`` lists at most."""

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._rest: OrderedDict[str, Snapshot] = OrderedDict()

    def page(self, limit: str | None, token: str | None,
             fetch: Callable[[], Snapshot]) -> tuple[int, list[Obj], str]:
        """(resourceVersion, this page's items, the next page's token or "")."""
        if token:
            snapshot = self._rest.pop(token, None)
            if snapshot is None:
                raise ApiError(410, "Expired", "The provided continue parameter is too old to "
                                               "display a consistent list result. You can start "
                                               "a new list without the continue parameter.")
        else:
            snapshot = fetch()
        rv, items = snapshot
        size = int(limit) if limit and limit.isdigit() and int(limit) > 0 else len(items)
        if len(items) <= size:
            return rv, items, ""
        following = secrets.token_urlsafe(12)
        self._rest[following] = (rv, items[size:])
        while len(self._rest) > self.keep:
            self._rest.popitem(last=False)
        return rv, items[:size], following
