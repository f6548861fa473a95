"""``ReleaseStorage``: Helm's convenience layer over a driver (history, last, deployed, pruning)."""

from __future__ import annotations

from pyhelm.errors import ReleaseNotFound
from pyhelm.release.drivers import Driver
from pyhelm.release.model import Release, Status, Summary


class ReleaseStorage:
    """The revisions of releases in one namespace (or all, for listing)."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver

    def create(self, release: Release) -> None:
        """Store a new revision; ``ReleaseExists`` if another writer stored it first (the lock)."""
        self.driver.create(release)

    def update(self, release: Release) -> None:
        self.driver.update(release)

    def get(self, name: str, version: int) -> Release:
        return self.driver.get(name, version)

    def history(self, name: str) -> list[Release]:
        """Every revision of ``name``, oldest first (each record decoded)."""
        return sorted(self.driver.history(name), key=lambda r: r.version)

    def revisions(self, name: str) -> list[Summary]:
        """What each revision of ``name`` is, oldest first, without decoding records."""
        return sorted(self.driver.summaries(name), key=lambda s: s.revision)

    def last(self, name: str) -> Release | None:
        """The newest revision, whatever its status; None if the release has none."""
        revisions = self.revisions(name)
        return self.get(name, revisions[-1].revision) if revisions else None

    def require_last(self, name: str, namespace: str) -> Release:
        last = self.last(name)
        if last is None:
            raise ReleaseNotFound(
                f"release {name!r} not found in namespace {namespace!r}; "
                "run 'pyhelm list -A' to see the releases of every namespace"
            )
        return last

    def deployed(self, name: str) -> Release | None:
        """The newest revision with status deployed, if any."""
        found = [s for s in self.revisions(name) if s.status is Status.DEPLOYED]
        return self.get(name, found[-1].revision) if found else None

    def delete(self, name: str, version: int) -> None:
        self.driver.delete(name, version)

    def prune(self, name: str, max_history: int) -> list[int]:
        """Delete the oldest revisions beyond ``max_history`` (0 = keep all), but never the
        last deployed one.

        Returns the revisions deleted.
        """
        if max_history <= 0:
            return []
        revisions = self.revisions(name)
        deployed = [s.revision for s in revisions if s.status is Status.DEPLOYED]
        keep_deployed = deployed[-1] if deployed else None
        excess = len(revisions) - max_history
        removed: list[int] = []
        for summary in revisions:
            if excess <= 0:
                break
            if summary.revision == keep_deployed:
                continue
            self.driver.delete(name, summary.revision)
            removed.append(summary.revision)
            excess -= 1
        return removed

    def supersede(self, name: str, keep: int) -> None:
        """Mark every deployed revision but ``keep`` superseded."""
        for summary in self.revisions(name):
            if summary.revision != keep and summary.status is Status.DEPLOYED:
                old = self.get(name, summary.revision)
                old.info.status = Status.SUPERSEDED
                self.update(old)

    def latest_summaries(self) -> list[Summary]:
        """The newest revision of every release, sorted by namespace then name."""
        latest: dict[tuple[str, str], Summary] = {}
        for summary in self.driver.summaries():
            key = (summary.namespace, summary.name)
            if key not in latest or latest[key].revision < summary.revision:
                latest[key] = summary
        return [latest[k] for k in sorted(latest)]
