"""The steps install, upgrade and rollback share: render, take ownership, apply, prune, wait, guard.

``Deployment`` moves a cluster from a release's current objects to its target
objects: objects new to the release are checked for ownership first (an
object that exists and belongs to no release, or another one, is not taken
over silently), every target object is stamped with Helm's ownership metadata
and applied with server-side apply (field manager ``pyhelm``), and objects the
target no longer has are deleted (``helm.sh/resource-policy: keep`` spares them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyhelm.cluster.base import Cluster, Manifest, ObjectRef
from pyhelm.errors import (
    ClusterError,
    Conflict,
    NotFound,
    PyHelmError,
    ReleaseError,
    ReleaseExists,
    ReleaseLocked,
)
from pyhelm.release.actions.config import ChangeOptions, Configuration, DryRun
from pyhelm.release.hooks import HookRunner, hook_from_rendered
from pyhelm.release.lock import Interrupted, new_lease, signals_raise
from pyhelm.release.model import Hook, Release, Status, now
from pyhelm.release.objects import (
    MANAGED_BY,
    Resource,
    keep_on_delete,
    ownership_problem,
    project,
    resource,
    stamp,
    uninstall_order,
)
from pyhelm.release.storage import ReleaseStorage
from pyhelm.release.wait import wait_ready

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart
    from pyhelm.render import RenderResult


class OwnershipError(ReleaseError):
    """Objects exist in the cluster that the release may not take over."""


def cluster_lookup(cluster: Cluster) -> Callable[[str, str, str, str], dict[str, Any]]:
    """The ``lookup`` function templates see: live objects, ``{}`` when there is none."""

    def lookup(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        try:
            if name:
                return cluster.get(ObjectRef(api_version, kind, namespace or None, name))
            items = cluster.list(api_version, kind, namespace or None)
        except ClusterError:
            return {}
        return {"apiVersion": api_version, "kind": f"{kind}List", "items": items}

    return lookup


@dataclass
class Rendered:
    """A chart rendered for a release: its objects, hooks, manifest text and notes."""

    resources: list[Resource]
    hooks: list[Hook]
    manifest: str
    notes: str
    crds: list[Resource] = field(default_factory=list)


def render(
    cfg: Configuration,
    chart: Chart,
    values: dict[str, Any],
    *,
    name: str,
    namespace: str,
    revision: int,
    is_upgrade: bool,
    dry_run: DryRun,
    validate: bool = True,
) -> Rendered:
    """Render ``chart`` for a release; ``lookup`` reads the cluster unless a client dry run."""
    from pyhelm.render import RenderOptions, render_chart

    if chart.metadata.type == "library":
        raise ReleaseError(f"chart {chart.name}: library charts are not installable")
    options = RenderOptions(
        release_name=name,
        namespace=namespace,
        revision=revision,
        is_upgrade=is_upgrade,
        lookup=None if dry_run is DryRun.CLIENT else cluster_lookup(cfg.cluster),
        validate_schema=validate,
    )
    result: RenderResult = render_chart(chart, values, options)
    resources = [r for m in result.manifests if (r := resource(m.source, m.text, namespace))]
    crds = [r for m in result.crds if (r := resource(m.source, m.text, namespace))]
    return Rendered(
        resources,
        [hook_from_rendered(h) for h in result.hooks],
        result.manifest_text(),
        result.notes,
        crds,
    )


@dataclass
class Deployment:
    """Moves the cluster from ``current`` to ``target`` objects for one release."""

    cfg: Configuration
    release: Release
    options: ChangeOptions

    @property
    def hooks(self) -> HookRunner:
        return HookRunner(
            self.cfg.cluster, self.release.namespace, self.options.timeout, sleep=self.cfg.sleep
        )

    def renew_lease(self) -> None:
        """Push the lease's expiry out by a whole timeout before a step that may block."""
        lease = self.release.lease
        if lease is not None:
            self.release.lease = new_lease(lease.operation, self.options.timeout, self.cfg.clock())
            self.cfg.storage(self.release.namespace).update(self.release)

    def run_hooks(self, event: str) -> None:
        if self.options.no_hooks or not any(event in h.events for h in self.release.hooks):
            return
        self.renew_lease()
        self.hooks.run(self.release.hooks, event)

    def check_ownership(self, target: Sequence[Resource], current: Sequence[Resource]) -> None:
        """Raise ``OwnershipError`` naming every new object that exists and is not ours.

        Actions call it before they store the new revision, so a refusal leaves no record;
        ``take_ownership`` skips it.
        """
        if self.options.take_ownership:
            return
        known = {r.key for r in current}
        problems = []
        for item in target:
            if item.key in known:
                continue
            try:
                live = self.cfg.cluster.get(item.ref)
            except NotFound:
                continue
            problem = ownership_problem(live, self.release.name, self.release.namespace)
            if problem:
                problems.append(
                    f"{item.ref} exists and cannot be imported into release "
                    f"{self.release.name!r}: {problem}"
                )
        if problems:
            raise OwnershipError(
                "; ".join(problems)
                + "; delete those objects, or pass --take-ownership to adopt them"
            )

    def apply(self, target: Sequence[Resource], current: Sequence[Resource]) -> None:
        """Apply ``target`` (stamped), then delete what only ``current`` has.

        An object rendered exactly as in ``current`` is applied again only when its live
        copy drifted from it (one ``list`` per kind finds out), so an upgrade that changes
        one object of a thousand applies one.
        """
        for item in target:
            stamp(item.obj, self.release.name, self.release.namespace)
        objs: list[Manifest] = [r.obj for r in self._changed_or_drifted(target, current)]
        if objs:
            try:
                self.cfg.cluster.apply(
                    objs, field_manager="pyhelm", force=self.options.force_conflicts
                )
            except Conflict as exc:
                if "--force-conflicts" in str(exc):
                    raise
                raise Conflict(f"{exc}; pass --force-conflicts to take those fields over") from None
        wanted = {r.key for r in target}
        self.delete([r for r in current if r.key not in wanted])

    def _changed_or_drifted(
        self, target: Sequence[Resource], current: Sequence[Resource]
    ) -> list[Resource]:
        before = {r.key: r.text for r in current}
        same = [r for r in target if before.get(r.key) == r.text]
        if not same:
            return list(target)
        live: dict[tuple[str, str, str | None, str], Manifest] = {}
        for api_version, kind, namespace in sorted(
            {(r.ref.api_version, r.ref.kind, r.ref.namespace) for r in same}, key=str
        ):
            try:
                found = self.cfg.cluster.list(api_version, kind, namespace, {MANAGED_BY: "Helm"})
            except ClusterError:
                continue
            for obj in found:
                ref = ObjectRef.of(obj, namespace)
                live[(api_version.rpartition("/")[0], kind, ref.namespace, ref.name)] = obj
        unchanged = {id(r) for r in same if r.key in live and project(live[r.key], r.obj) == r.obj}
        return [r for r in target if id(r) not in unchanged]

    def delete(self, resources: Sequence[Resource], cascade: str = "background") -> list[str]:
        """Delete objects in Helm's uninstall order, sparing ``keep``; returns the kept ones."""
        kept = []
        for item in uninstall_order(resources):
            if keep_on_delete(item.obj):
                kept.append(str(item.ref))
                continue
            with suppress(NotFound):
                self.cfg.cluster.delete(item.ref, cascade=cascade)
        return kept

    def wait(self, target: Sequence[Resource]) -> None:
        if self.options.wait:
            self.renew_lease()
            wait_ready(
                self.cfg.cluster,
                [r.ref for r in target],
                self.options.timeout,
                progress=self.cfg.progress,
                sleep=self.cfg.sleep,
            )


def store_pending(cfg: Configuration, release: Release, operation: str, timeout: float) -> None:
    """Store the new pending revision with a lease: the lock. ``ReleaseLocked`` if another
    writer stored that revision first."""
    release.lease = new_lease(operation, timeout, cfg.clock())
    try:
        cfg.storage(release.namespace).create(release)
    except ReleaseExists:
        raise ReleaseLocked(
            f"another operation ({operation}) is in progress for release {release.name}; "
            "wait for it to finish and retry"
        ) from None


def perform_guarded(
    storage: ReleaseStorage, release: Release, operation: str, steps: Callable[[], None]
) -> None:
    """Run ``steps``; on any failure or SIGINT/SIGTERM mark ``release`` failed, then re-raise."""
    try:
        with signals_raise():
            steps()
    except BaseException as exc:
        release.info.status = Status.FAILED
        release.lease = None
        if isinstance(exc, Interrupted):
            release.info.description = f"{operation.capitalize()} {exc}"
        else:
            release.info.description = f"Release {release.name!r} failed: {exc}"
        with suppress(PyHelmError):
            storage.update(release)
        if isinstance(exc, KeyboardInterrupt):
            raise Interrupted(2) from None
        raise


def finish(storage: ReleaseStorage, release: Release, description: str, history_max: int) -> None:
    """Mark ``release`` deployed, supersede earlier deployed revisions, prune history."""
    storage.supersede(release.name, keep=release.version)
    release.info.status = Status.DEPLOYED
    release.info.description = description
    release.info.last_deployed = now()
    release.lease = None
    storage.update(release)
    storage.prune(release.name, history_max)
