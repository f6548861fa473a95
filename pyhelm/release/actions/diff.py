"""``diff upgrade|rollback|release``: what an operation would change, or how the cluster drifted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyhelm.errors import NotFound
from pyhelm.release.actions.config import Configuration, DryRun
from pyhelm.release.actions.engine import render
from pyhelm.release.actions.status import get_release
from pyhelm.release.actions.upgrade import UpgradeOptions, upgrade_values
from pyhelm.release.diff import ObjectDiff, diff_objects, project
from pyhelm.release.objects import Resource, parse_manifest

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart


class Diff:
    """Computes diffs; nothing is written anywhere."""

    def __init__(self, cfg: Configuration, namespace: str | None = None, context: int = 3) -> None:
        self.cfg = cfg
        self.namespace = namespace or cfg.namespace
        self.context = context

    def upgrade(
        self, name: str, chart: Chart, values: dict[str, Any], options: UpgradeOptions | None = None
    ) -> list[ObjectDiff]:
        """The current release's objects against what ``upgrade`` would apply (all added when the
        release does not exist yet)."""
        options = options or UpgradeOptions()
        storage = self.cfg.storage(self.namespace)
        current = storage.deployed(name) or storage.last(name)
        if current is None and not options.install:
            storage.require_last(name, self.namespace)  # raises ReleaseNotFound
        new_values = upgrade_values(current.config if current else {}, values, options)
        rendered = render(
            self.cfg,
            chart,
            new_values,
            name=name,
            namespace=self.namespace,
            revision=(current.version + 1) if current else 1,
            is_upgrade=current is not None,
            dry_run=DryRun.SERVER,
            validate=not options.skip_schema_validation,
        )
        old = []
        if current is not None:
            old = parse_manifest(current.manifest, self.namespace, rendered.resources)
        return diff_objects(old, rendered.resources, self.context)

    def rollback(self, name: str, revision: int = 0) -> list[ObjectDiff]:
        """The current release's objects against those of ``revision`` (0 = the previous one)."""
        current = get_release(self.cfg, name, 0, self.namespace)
        target = get_release(
            self.cfg, name, revision or max(current.version - 1, 1), self.namespace
        )
        return diff_objects(
            parse_manifest(current.manifest, self.namespace),
            parse_manifest(target.manifest, self.namespace),
            self.context,
        )

    def release(self, name: str, revision: int = 0) -> list[ObjectDiff]:
        """Drift: the live objects (cut to the fields the chart sets) against the release."""
        stored = get_release(self.cfg, name, revision, self.namespace)
        desired = parse_manifest(stored.manifest, self.namespace)
        live: list[Resource] = []
        for item in desired:
            try:
                obj = self.cfg.cluster.get(item.ref)
            except NotFound:
                continue
            live.append(Resource(item.source, project(obj, item.obj), ""))
        return diff_objects(desired, live, self.context, verb_changed="has drifted")
