"""Rendering charts: sandboxed Jinja2 templates → ordered Kubernetes manifests.

``render_chart(chart, user_values, RenderOptions(...))`` is the entry point;
it returns a ``RenderResult``: manifests in Helm's install order, hooks, CRDs,
the rendered NOTES.txt and the computed values. Errors: ``RenderError`` /
``SandboxError`` (naming chart, file and line, with the offending line and a
caret), ``ValuesError`` (schema), ``ChartError`` (e.g. a library chart as root).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyhelm.render.manifests import RenderedManifest

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart

__all__ = ["RenderOptions", "RenderResult", "RenderedManifest", "render_chart"]


# Options and results are never compared by value: no generated __eq__ (each generated method
# is compiled at import, on every run).
@dataclass(eq=False)
class RenderOptions:
    """What the render knows about the release and the cluster."""

    release_name: str = "release-name"
    namespace: str = "default"
    revision: int = 1
    is_upgrade: bool = False
    kube_version: str = "v1.35.0"
    api_versions: tuple[str, ...] = ()
    #: ``(apiVersion, kind, namespace, name) -> object or {}``; None = offline: ``lookup`` is ``{}``
    lookup: Callable[[str, str, str, str], dict[str, Any]] | None = None
    #: False = ``--skip-schema-validation``.
    validate_schema: bool = True


@dataclass(eq=False, repr=False)
class RenderResult:
    """The output of one render; see ``render_chart``."""

    manifests: list[RenderedManifest] = field(default_factory=list)
    hooks: list[RenderedManifest] = field(default_factory=list)
    crds: list[RenderedManifest] = field(default_factory=list)
    notes: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    def manifest_text(self) -> str:
        """The manifests exactly as ``helm template`` prints them (hooks and CRDs not included)."""
        return "".join(m.printed() for m in self.manifests)


def render_chart(
    chart: Chart, user_values: dict[str, Any], options: RenderOptions | None = None
) -> RenderResult:
    """Render ``chart`` (and its enabled subcharts) with ``user_values`` merged over its defaults.

    Manifests and hooks come in Helm's install order of kinds (stable over the
    sorted template paths); documents are found without re-parsing YAML.
    """
    from pyhelm.render.renderer import render

    return render(chart, user_values, options or RenderOptions())
