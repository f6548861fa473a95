"""``Status``: one revision of a release (the newest by default), with its live objects."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyhelm.cluster.base import Manifest
from pyhelm.errors import NotFound
from pyhelm.release.actions.config import Configuration
from pyhelm.release.model import Release
from pyhelm.release.objects import parse_manifest
from pyhelm.release.wait import Readiness, readiness


@dataclass
class ReleaseStatus:
    release: Release
    resources: list[tuple[Manifest, Readiness]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def get_release(
    cfg: Configuration, name: str, revision: int = 0, namespace: str | None = None
) -> Release:
    """Revision ``revision`` of ``name`` (0 = newest); raises ``ReleaseNotFound``."""
    storage = cfg.storage(namespace)
    if revision:
        return storage.get(name, revision)
    return storage.require_last(name, namespace or cfg.namespace)


class Status:
    def __init__(self, cfg: Configuration, namespace: str | None = None) -> None:
        self.cfg = cfg
        self.namespace = namespace

    def run(self, name: str, revision: int = 0, show_resources: bool = False) -> ReleaseStatus:
        release = get_release(self.cfg, name, revision, self.namespace)
        result = ReleaseStatus(release)
        if show_resources:
            for item in parse_manifest(release.manifest, release.namespace):
                try:
                    live = self.cfg.cluster.get(item.ref)
                except NotFound:
                    result.missing.append(str(item.ref))
                    continue
                result.resources.append((live, readiness(live)))
        return result
