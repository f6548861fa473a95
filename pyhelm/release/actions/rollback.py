"""``Rollback``: a new revision that restores an earlier one (Helm's ``action.Rollback``)."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from pyhelm.errors import ReleaseError, ReleaseNotFound
from pyhelm.release.actions.config import ChangeOptions, Configuration, DryRun
from pyhelm.release.actions.engine import Deployment, finish, perform_guarded, store_pending
from pyhelm.release.lock import ensure_unlocked
from pyhelm.release.model import Info, Release, Status, now
from pyhelm.release.objects import parse_manifest


@dataclass
class RollbackOptions(ChangeOptions):
    namespace: str | None = None


class Rollback:
    """Roll a release back to ``revision`` (0 = the one before the newest)."""

    def __init__(self, cfg: Configuration, options: RollbackOptions | None = None) -> None:
        self.cfg = cfg
        self.options = options or RollbackOptions()

    @property
    def namespace(self) -> str:
        return self.options.namespace or self.cfg.namespace

    def run(self, name: str, revision: int = 0) -> Release:
        """Raises ``ReleaseNotFound`` for an unknown release or revision, ``ReleaseLocked`` when
        another operation holds the release, ``ReleaseError`` when a step fails."""
        storage = self.cfg.storage(self.namespace)
        last = storage.require_last(name, self.namespace)
        ensure_unlocked(storage, last, self.cfg.clock(), self.cfg.warn)
        last = storage.require_last(name, self.namespace)
        target_version = revision or last.version - 1
        if target_version <= 0:
            raise ReleaseError(
                f"release {name!r} has no revision before {last.version} to roll back to"
            )
        try:
            target = storage.get(name, target_version)
        except ReleaseNotFound:
            raise ReleaseNotFound(
                f"release {name!r} has no revision {target_version}; run 'pyhelm history {name}' "
                "to see its revisions"
            ) from None
        current = storage.deployed(name) or last
        release = Release(
            name=name,
            namespace=self.namespace,
            version=last.version + 1,
            info=Info(
                Status.PENDING_ROLLBACK,
                first_deployed=current.info.first_deployed,
                last_deployed=now(),
                description="Rollback in progress",
                notes=target.info.notes,
            ),
            chart=copy.deepcopy(target.chart),
            config=copy.deepcopy(target.config),
            manifest=target.manifest,
            hooks=copy.deepcopy(target.hooks),
            labels=dict(target.labels),
        )
        if self.options.dry_run is not DryRun.NONE:
            release.info.description = "Dry run complete"
            return release
        return self._perform(release, current, target_version)

    def _perform(self, release: Release, current: Release, target_version: int) -> Release:
        storage = self.cfg.storage(self.namespace)
        deploy = Deployment(self.cfg, release, self.options)
        target = parse_manifest(release.manifest, self.namespace)
        existing = parse_manifest(current.manifest, self.namespace, target)
        deploy.check_ownership(target, existing)
        store_pending(self.cfg, release, "rollback", self.options.timeout)

        def steps() -> None:
            deploy.run_hooks("pre-rollback")
            deploy.apply(target, existing)
            deploy.wait(target)
            deploy.run_hooks("post-rollback")
            finish(
                storage,
                release,
                self.options.description or f"Rollback to {target_version}",
                self.options.history_max,
            )

        perform_guarded(storage, release, "rollback", steps)
        return release
