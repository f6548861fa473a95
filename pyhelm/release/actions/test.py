"""``Test``: run a release's ``test`` hooks and record how they went."""

from __future__ import annotations

from pyhelm.release.actions.config import DEFAULT_TIMEOUT, Configuration
from pyhelm.release.actions.status import get_release
from pyhelm.release.hooks import HookFailed, HookRunner
from pyhelm.release.model import Release


class ReleaseTest:
    def __init__(
        self, cfg: Configuration, namespace: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.cfg = cfg
        self.namespace = namespace
        self.timeout = timeout

    def run(self, name: str) -> Release:
        """Run the test hooks of the newest revision; raises ``HookFailed`` when one fails.

        The hooks' ``last_run`` is saved with the revision either way.
        """
        release = get_release(self.cfg, name, 0, self.namespace)
        runner = HookRunner(self.cfg.cluster, release.namespace, self.timeout, sleep=self.cfg.sleep)
        try:
            runner.run(release.hooks, "test")
        except HookFailed:
            self.cfg.storage(self.namespace).update(release)
            raise
        self.cfg.storage(self.namespace).update(release)
        return release
