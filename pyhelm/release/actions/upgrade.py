"""``Upgrade``: a new revision of a release from a chart and values (Helm's ``action.Upgrade``).

Values, as Helm 4 with one deliberate change: ``reset_values`` takes only the
values given now; ``reuse_values`` layers the values given now over those of
the last revision, on top of the NEW chart's defaults (Helm's
``--reset-then-reuse-values``, so an upgrade that adds a value does not break
on reuse); with neither flag, the last revision's values are reused when no
values are given now, and dropped otherwise.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyhelm.errors import PyHelmError, ReleaseError, ReleaseNotFound
from pyhelm.release.actions.config import Configuration, DryRun
from pyhelm.release.actions.engine import (
    Deployment,
    Rendered,
    finish,
    perform_guarded,
    render,
    store_pending,
)
from pyhelm.release.actions.install import Install, InstallOptions
from pyhelm.release.lock import ensure_unlocked
from pyhelm.release.model import Info, Release, Status, chart_record, now, validate_name
from pyhelm.release.objects import parse_manifest

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart


@dataclass
class UpgradeOptions(InstallOptions):
    install: bool = False
    reuse_values: bool = False
    reset_values: bool = False
    cleanup_on_fail: bool = False  # delete the objects this upgrade added when it fails


def upgrade_values(
    previous: dict[str, Any], given: dict[str, Any], options: UpgradeOptions
) -> dict[str, Any]:
    """The user values of the new revision (see the module docstring)."""
    if options.reset_values:
        return given
    if options.reuse_values:
        from pyhelm.values import coalesce

        return coalesce(previous, given)
    return given if given else previous


class Upgrade:
    """Upgrade a release to a chart; ``run`` returns the new revision."""

    def __init__(self, cfg: Configuration, options: UpgradeOptions | None = None) -> None:
        self.cfg = cfg
        self.options = options or UpgradeOptions()
        self.installed = False  # set when ``install`` made a new release instead
        if self.options.reuse_values and self.options.reset_values:
            raise ReleaseError("--reuse-values and --reset-values cannot be used together")

    @property
    def namespace(self) -> str:
        return self.options.namespace or self.cfg.namespace

    def run(self, name: str, chart: Chart, values: dict[str, Any]) -> Release:
        """Raises ``ReleaseNotFound`` when there is nothing to upgrade (unless ``install``),
        ``ReleaseLocked`` when another operation holds the release, ``ReleaseError`` when a
        step fails (the revision is marked failed; with ``atomic`` it is rolled back)."""
        validate_name(name)
        storage = self.cfg.storage(self.namespace)
        last = storage.last(name)
        if self.options.dry_run is not DryRun.CLIENT:
            ensure_unlocked(storage, last, self.cfg.clock(), self.cfg.warn)
            last = storage.last(name)
        if last is None or (last.status is Status.UNINSTALLED and self.options.install):
            if not self.options.install:
                raise ReleaseNotFound(
                    f"{name!r} has no deployed releases in namespace {self.namespace!r}; "
                    "install it first, or pass --install"
                )
            self.cfg.warn(f'Release "{name}" does not exist. Installing it now.')
            self.installed = True
            options = copy.copy(self.options)
            options.replace = last is not None  # an uninstalled release's name is reused
            return Install(self.cfg, options).run(name, chart, values)
        if last.status is Status.UNINSTALLED:
            raise ReleaseNotFound(
                f"{name!r} has no deployed releases (it was uninstalled); "
                "install it again, or pass --install"
            )
        current = storage.deployed(name) or last
        release, rendered = self._prepare(last, current, chart, values)
        if self.options.dry_run is not DryRun.NONE:
            release.info.description = "Dry run complete"
            return release
        return self._perform(release, current, rendered)

    def _prepare(
        self, last: Release, current: Release, chart: Chart, given: dict[str, Any]
    ) -> tuple[Release, Rendered]:
        values = upgrade_values(current.config, given, self.options)
        revision = last.version + 1
        rendered = render(
            self.cfg,
            chart,
            values,
            name=last.name,
            namespace=self.namespace,
            revision=revision,
            is_upgrade=True,
            dry_run=self.options.dry_run,
            validate=not self.options.skip_schema_validation,
        )
        labels = {**current.labels, **self.options.labels}
        release = Release(
            name=last.name,
            namespace=self.namespace,
            version=revision,
            info=Info(
                Status.PENDING_UPGRADE,
                first_deployed=current.info.first_deployed,
                last_deployed=now(),
                description="Preparing upgrade",
                notes=rendered.notes,
            ),
            chart=chart_record(chart),
            config=values,
            manifest=rendered.manifest,
            hooks=rendered.hooks,
            labels={k: v for k, v in labels.items() if v is not None},
        )
        return release, rendered

    def _perform(self, release: Release, current: Release, rendered: Rendered) -> Release:
        storage = self.cfg.storage(self.namespace)
        deploy = Deployment(self.cfg, release, self.options)
        existing = parse_manifest(current.manifest, self.namespace, rendered.resources)
        deploy.check_ownership(rendered.resources, existing)
        store_pending(self.cfg, release, "upgrade", self.options.timeout)

        def steps() -> None:
            deploy.run_hooks("pre-upgrade")
            deploy.apply(rendered.resources, existing)
            deploy.wait(rendered.resources)
            deploy.run_hooks("post-upgrade")
            finish(
                storage,
                release,
                self.options.description or "Upgrade complete",
                self.options.history_max,
            )

        try:
            perform_guarded(storage, release, "upgrade", steps)
        except PyHelmError as exc:
            if release.status is not Status.FAILED:
                raise
            if self.options.cleanup_on_fail:
                known = {r.key for r in existing}
                deploy.delete([r for r in rendered.resources if r.key not in known])
            if self.options.atomic:
                self._roll_back(release, exc)
            raise
        return release

    def _roll_back(self, release: Release, exc: PyHelmError) -> None:
        from pyhelm.release.actions.rollback import Rollback, RollbackOptions

        target = self.cfg.storage(self.namespace).deployed(release.name)
        if target is None:
            exc.args = (f"{exc}; no deployed revision to roll back to",)
            return
        try:
            Rollback(
                self.cfg,
                RollbackOptions(
                    namespace=self.namespace,
                    wait=self.options.wait,
                    timeout=self.options.timeout,
                    history_max=self.options.history_max,
                ),
            ).run(release.name, target.version)
        except ReleaseError as rollback_exc:
            exc.args = (
                f"{exc}; and the rollback to revision {target.version} failed too: {rollback_exc}",
            )
            return
        exc.args = (
            f"{exc}; rolled back to revision {target.version} because "
            "--rollback-on-failure (--atomic) was set",
        )
