"""``History``: the revisions of a release, oldest first."""

from __future__ import annotations

from pyhelm.release.actions.config import Configuration
from pyhelm.release.model import Summary


class History:
    def __init__(
        self, cfg: Configuration, namespace: str | None = None, max_revisions: int = 256
    ) -> None:
        self.cfg = cfg
        self.namespace = namespace
        self.max_revisions = max_revisions

    def run(self, name: str) -> list[Summary]:
        """Raises ``ReleaseNotFound`` when the release has no revision."""
        storage = self.cfg.storage(self.namespace)
        revisions = storage.revisions(name)
        if not revisions:
            storage.require_last(name, self.namespace or self.cfg.namespace)
        return revisions[-self.max_revisions :]
