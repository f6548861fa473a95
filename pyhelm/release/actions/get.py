"""``Get``: the parts of a stored revision: values, manifest, notes, hooks."""

from __future__ import annotations

from typing import Any

from pyhelm.release.actions.config import Configuration
from pyhelm.release.actions.status import get_release
from pyhelm.release.model import Release


def computed_values(release: Release) -> dict[str, Any]:
    """The chart's defaults as stored in the release, with the user's values over them."""
    from pyhelm.values import coalesce

    return coalesce(release.chart.get("values") or {}, release.config)


class Get:
    def __init__(self, cfg: Configuration, namespace: str | None = None) -> None:
        self.cfg = cfg
        self.namespace = namespace

    def run(self, name: str, revision: int = 0) -> Release:
        return get_release(self.cfg, name, revision, self.namespace)
