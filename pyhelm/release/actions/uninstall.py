"""``Uninstall``: delete a release's objects and (unless kept) its history."""

from __future__ import annotations

from dataclasses import dataclass

from pyhelm.release.actions.config import DEFAULT_TIMEOUT, ChangeOptions, Configuration
from pyhelm.release.actions.engine import Deployment, perform_guarded
from pyhelm.release.lock import ensure_unlocked, new_lease
from pyhelm.release.model import Release, Status, now
from pyhelm.release.objects import parse_manifest
from pyhelm.release.wait import wait_gone


@dataclass
class UninstallOptions:
    namespace: str | None = None
    keep_history: bool = False
    no_hooks: bool = False
    dry_run: bool = False
    wait: bool = False
    timeout: float = DEFAULT_TIMEOUT
    description: str = ""
    ignore_not_found: bool = False
    cascade: str = "background"  # background, foreground or orphan (dependents stay)


@dataclass
class UninstallResult:
    release: Release | None
    kept: list[str]  # objects spared by helm.sh/resource-policy: keep


class Uninstall:
    def __init__(self, cfg: Configuration, options: UninstallOptions | None = None) -> None:
        self.cfg = cfg
        self.options = options or UninstallOptions()

    @property
    def namespace(self) -> str:
        return self.options.namespace or self.cfg.namespace

    def run(self, name: str) -> UninstallResult:
        """Raises ``ReleaseNotFound`` (unless ``ignore_not_found``) and ``ReleaseLocked``."""
        storage = self.cfg.storage(self.namespace)
        last = storage.last(name)
        if last is None and self.options.ignore_not_found:
            return UninstallResult(None, [])
        last = storage.require_last(name, self.namespace)
        ensure_unlocked(storage, last, self.cfg.clock(), self.cfg.warn)
        last = storage.require_last(name, self.namespace)
        if last.status is Status.UNINSTALLED:
            if not self.options.keep_history:
                self._purge(name)
            return UninstallResult(last, [])
        if self.options.dry_run:
            return UninstallResult(last, [])
        last.info.status = Status.UNINSTALLING
        last.lease = new_lease("uninstall", self.options.timeout, self.cfg.clock())
        storage.update(last)
        options = ChangeOptions(no_hooks=self.options.no_hooks, timeout=self.options.timeout)
        deploy = Deployment(self.cfg, last, options)
        kept: list[str] = []

        def steps() -> None:
            resources = parse_manifest(last.manifest, self.namespace)
            deploy.run_hooks("pre-delete")
            kept.extend(deploy.delete(resources, self.options.cascade))
            if self.options.wait:
                wait_gone(
                    self.cfg.cluster,
                    [r.ref for r in resources],
                    self.options.timeout,
                    sleep=self.cfg.sleep,
                )
            deploy.run_hooks("post-delete")

        perform_guarded(storage, last, "uninstall", steps)
        last.info.status = Status.UNINSTALLED
        last.info.deleted = now()
        last.info.description = self.options.description or "Uninstallation complete"
        last.lease = None
        if self.options.keep_history:
            storage.supersede(name, keep=last.version)
            storage.update(last)
        else:
            self._purge(name)
        return UninstallResult(last, kept)

    def _purge(self, name: str) -> None:
        storage = self.cfg.storage(self.namespace)
        for summary in storage.revisions(name):
            storage.delete(name, summary.revision)
