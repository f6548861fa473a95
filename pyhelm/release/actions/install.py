"""``Install``: a new release, revision 1 (Helm's ``action.Install``)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyhelm.cluster.base import ObjectRef
from pyhelm.errors import (
    AlreadyExists,
    NotFound,
    PyHelmError,
    ReleaseError,
    ReleaseExists,
)
from pyhelm.release.actions.config import ChangeOptions, Configuration, DryRun
from pyhelm.release.actions.engine import (
    Deployment,
    Rendered,
    finish,
    perform_guarded,
    render,
    store_pending,
)
from pyhelm.release.lock import ensure_unlocked
from pyhelm.release.model import Info, Release, Status, chart_record, now, validate_name

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart


@dataclass
class InstallOptions(ChangeOptions):
    """The flags of ``pyhelm install`` beyond those every release change has."""

    namespace: str | None = None
    generate_name: bool = False
    create_namespace: bool = False
    replace: bool = False
    skip_crds: bool = False
    skip_schema_validation: bool = False
    labels: dict[str, str] = field(default_factory=dict)


class Install:
    """Render a chart and create a release of it; ``run`` returns the release record."""

    def __init__(self, cfg: Configuration, options: InstallOptions | None = None) -> None:
        self.cfg = cfg
        self.options = options or InstallOptions()

    @property
    def namespace(self) -> str:
        return self.options.namespace or self.cfg.namespace

    def run(self, name: str, chart: Chart, values: dict[str, Any]) -> Release:
        """Install ``chart`` as release ``name`` with the user's ``values``.

        Raises ``ReleaseExists`` if the name is in use, ``ReleaseLocked`` if another
        operation holds it, ``ReleaseError`` when a step fails (the revision is then
        marked failed; with ``atomic`` the release is uninstalled again).
        """
        if self.options.generate_name:
            name = f"{chart.name}-{int(time.time())}"
        validate_name(name)
        release, rendered = self._prepare(name, chart, values)
        if self.options.dry_run is not DryRun.NONE:
            return self._dry_run(release, rendered)
        return self._perform(release, rendered)

    def _prepare(self, name: str, chart: Chart, values: dict[str, Any]) -> tuple[Release, Rendered]:
        storage = self.cfg.storage(self.namespace)
        if self.options.dry_run is not DryRun.CLIENT:
            self._check_name(storage.last(name))
        rendered = render(
            self.cfg,
            chart,
            values,
            name=name,
            namespace=self.namespace,
            revision=1,
            is_upgrade=False,
            dry_run=self.options.dry_run,
            validate=not self.options.skip_schema_validation,
        )
        stamp_now = now()
        release = Release(
            name=name,
            namespace=self.namespace,
            version=1,
            info=Info(
                Status.PENDING_INSTALL,
                first_deployed=stamp_now,
                last_deployed=stamp_now,
                description="Initial install underway",
                notes=rendered.notes,
            ),
            chart=chart_record(chart),
            config=values,
            manifest=rendered.manifest,
            hooks=rendered.hooks,
            labels=dict(self.options.labels),
        )
        return release, rendered

    def _check_name(self, last: Release | None) -> None:
        if last is None:
            return
        ensure_unlocked(self.cfg.storage(self.namespace), last, self.cfg.clock(), self.cfg.warn)
        if last.status in (Status.UNINSTALLED, Status.FAILED) and self.options.replace:
            return
        fix = (
            "pass --replace to reuse it"
            if last.status in (Status.UNINSTALLED, Status.FAILED)
            else f"use 'pyhelm upgrade', or 'pyhelm uninstall {last.name}' first"
        )
        raise ReleaseExists(
            f"cannot reuse the name {last.name!r}: a release of that name is "
            f"{last.status.value} in namespace {self.namespace!r} (revision {last.version}); {fix}"
        )

    def _dry_run(self, release: Release, rendered: Rendered) -> Release:
        if self.options.dry_run is DryRun.SERVER:
            objs = [r.obj for r in rendered.resources]
            if objs:
                self.cfg.cluster.apply(objs, field_manager="pyhelm", dry_run=True)
        release.info.description = "Dry run complete"
        return release

    def _ensure_namespace(self) -> None:
        ref = ObjectRef("v1", "Namespace", None, self.namespace)
        try:
            self.cfg.cluster.get(ref)
        except NotFound:
            if not self.options.create_namespace:
                raise ReleaseError(
                    f"namespace {self.namespace!r} not found; create it, or pass --create-namespace"
                ) from None
            try:
                self.cfg.cluster.create(
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace}}
                )
            except AlreadyExists:
                pass

    def _perform(self, release: Release, rendered: Rendered) -> Release:
        storage = self.cfg.storage(self.namespace)
        self._ensure_namespace()
        previous = storage.last(release.name)
        if previous is not None:  # --replace of an uninstalled or failed release
            release.version = previous.version + 1
        deploy = Deployment(self.cfg, release, self.options)
        deploy.check_ownership(rendered.resources, [])
        store_pending(self.cfg, release, "install", self.options.timeout)

        def steps() -> None:
            if not self.options.skip_crds:
                self._install_crds(rendered)
            deploy.run_hooks("pre-install")
            deploy.apply(rendered.resources, [])
            deploy.wait(rendered.resources)
            deploy.run_hooks("post-install")
            finish(
                storage,
                release,
                self.options.description or "Install complete",
                self.options.history_max,
            )

        try:
            perform_guarded(storage, release, "install", steps)
        except PyHelmError as exc:
            if self.options.atomic and release.status is Status.FAILED:
                self._roll_back_install(release, exc)
            raise
        return release

    def _install_crds(self, rendered: Rendered) -> None:
        """CRDs from ``crds/`` are created when missing and never upgraded or deleted."""
        for crd in rendered.crds:
            try:
                self.cfg.cluster.create(crd.obj)
            except AlreadyExists:
                pass

    def _roll_back_install(self, release: Release, exc: PyHelmError) -> None:
        from pyhelm.release.actions.uninstall import Uninstall, UninstallOptions

        Uninstall(
            self.cfg, UninstallOptions(namespace=self.namespace, timeout=self.options.timeout)
        ).run(release.name)
        exc.args = (
            f"{exc}; the release was uninstalled because --rollback-on-failure (--atomic) was set",
        )
