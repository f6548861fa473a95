"""``List``: the newest revision of each release, filtered like ``helm list``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyhelm.errors import UsageError
from pyhelm.release.actions.config import Configuration
from pyhelm.release.model import Status, Summary


@dataclass
class ListOptions:
    all_namespaces: bool = False
    namespace: str | None = None
    statuses: set[Status] = field(default_factory=set)  # empty = every status (Helm 4)
    filter: str = ""  # a regular expression over release names
    sort_by_date: bool = False
    reverse: bool = False
    max: int = 256  # 0 = no limit
    offset: int = 0


class List:
    def __init__(self, cfg: Configuration, options: ListOptions | None = None) -> None:
        self.cfg = cfg
        self.options = options or ListOptions()

    def run(self) -> list[Summary]:
        o = self.options
        try:
            pattern = re.compile(o.filter) if o.filter else None
        except re.error as exc:
            raise UsageError(
                f"--filter {o.filter!r} is not a valid regular expression: {exc}"
            ) from None
        storage = self.cfg.storage(o.namespace, all_namespaces=o.all_namespaces)
        found = [
            s
            for s in storage.latest_summaries()
            if (not o.statuses or s.status in o.statuses)
            and (pattern is None or pattern.search(s.name))
        ]
        if o.sort_by_date:
            found.sort(key=lambda s: (s.updated is None, s.updated))
        if o.reverse:
            found.reverse()
        found = found[o.offset :]
        return found[: o.max] if o.max else found
