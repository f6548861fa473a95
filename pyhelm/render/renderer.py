"""One render of a chart tree: values in, ordered manifests, hooks, CRDs and notes out."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from pyhelm.chart.model import Chart
from pyhelm.errors import ChartError, RenderError
from pyhelm.render import objects
from pyhelm.render.codecache import CodeCache
from pyhelm.render.engine import CACHE_VERSION, ChartScope, RenderEnv
from pyhelm.render.manifests import RenderedManifest, install_sorted, manifests_of, split_documents

if TYPE_CHECKING:
    from pyhelm.render import RenderOptions, RenderResult

NOTES = "templates/NOTES.txt"


class _Unit:
    """One chart of the tree to render: the chart, its values, its Helm path prefix."""

    # A plain class, not a dataclass: making a dataclass costs ~1 ms at import, on every run.
    __slots__ = ("chart", "values", "prefix", "scope")

    def __init__(self, chart: Chart, values: dict[str, Any], prefix: str) -> None:
        self.chart = chart
        self.values = values
        self.prefix = prefix
        self.scope: ChartScope | None = None


def template_cache_dir() -> str | None:
    """Folder of compiled templates (``PYHELM_CACHE_HOME``/templates-vN); None if impossible."""
    if os.environ.get("PYHELM_NO_TEMPLATE_CACHE"):
        return None
    from pyhelm.settings import cache_home

    folder = cache_home() / f"templates-v{CACHE_VERSION}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return str(folder)


def render(
    chart: Chart,
    user_values: dict[str, Any],
    options: RenderOptions,
    errors: list[RenderError] | None = None,
) -> RenderResult:
    """Render the chart tree; with ``errors`` (lint), failing templates are collected there
    and the render goes on with the others, instead of raising at the first."""
    from pyhelm.render import RenderResult
    from pyhelm.values import compute_values

    if chart.metadata.type == "library":
        raise ChartError(
            f"{chart.source or chart.name}: library charts are not installable; "
            "use the chart as a dependency of an application chart"
        )
    values = compute_values(chart, user_values, validate=options.validate_schema)
    units = _units(chart, values, chart.name, values.get("tags"))
    code_cache = CodeCache(template_cache_dir(), f"{chart.source}|{chart.name}")
    env = RenderEnv(options.lookup, code_cache)
    shared = {
        "Release": objects.release_object(
            options.release_name, options.namespace, options.revision, options.is_upgrade
        ),
        "Capabilities": objects.capabilities_object(
            options.kube_version, tuple(options.api_versions)
        ),
    }
    for i, unit in enumerate(units):
        unit.scope = env.add_chart(
            unit.prefix,
            unit.chart.name,
            {
                "Values": unit.values,
                **shared,
                "Chart": objects.chart_object(unit.chart, i == 0),
                "Files": objects.files_object(unit.chart),
            },
        )
        for path, source in unit.chart.templates.items():
            name = f"{unit.prefix}/{path}"
            env.loader.add(name, source, unit.scope)
            if path.rsplit("/", 1)[-1].startswith("_"):
                unit.scope.helpers.append(name)
    notes_name = f"{chart.name}/{NOTES}"
    renderable = _renderable(units)
    _precompile(env, units, renderable, notes_name)
    rendered = sorted((name, _render_one(env, name, errors)) for name in renderable)
    found = [m for name, text in rendered for m in manifests_of(name, text)]
    ordered = install_sorted(found)
    notes = _render_one(env, notes_name, errors) if NOTES in chart.templates else ""
    code_cache.save()
    return RenderResult(
        manifests=[m for m in ordered if not m.hook_events],
        hooks=[m for m in ordered if m.hook_events],
        crds=[c for unit in units for c in _crds(unit)],
        notes=notes,
        values=values,
    )


def _units(
    chart: Chart, values: dict[str, Any], prefix: str, root_tags: Any
) -> list[_Unit]:
    """The chart and its enabled subcharts, depth first. Tags are the root chart's at
    every depth (as in Helm), so ``root_tags`` is passed down unchanged."""
    from pyhelm.values import enabled_subcharts

    units = [_Unit(chart, values, prefix)]
    for alias, sub in enabled_subcharts(chart, values, tags=root_tags):
        section = values.get(alias)
        section = section if isinstance(section, dict) else {}
        units.extend(_units(sub, section, f"{prefix}/charts/{alias}", root_tags))
    return units


def _precompile(env: RenderEnv, units: list[_Unit], renderable: list[str], notes: str) -> None:
    """Compile the templates the render will load that the code cache lacks, on two cores
    when that pays (``parallel``); a warm render only looks them up."""
    sources, cache = env.loader.sources, env.loader.code_cache
    names = [name for unit in units for name in unit.scope.helpers]  # type: ignore[union-attr]
    names += renderable
    if notes in sources:
        names.append(notes)
    missing = [name for name in names if not cache.has(name, sources[name])]
    if missing:
        from pyhelm.render.parallel import precompile

        precompile(env.loader, env.jinja, missing)


def _renderable(units: list[_Unit]) -> list[str]:
    """The Helm path of each template rendered as manifests (helpers, NOTES.txt and
    library charts' templates are not)."""
    out = []
    for unit in units:
        if unit.chart.metadata.type == "library":
            continue
        for path in unit.chart.templates:
            base = path.rsplit("/", 1)[-1]
            if not (base.startswith("_") or path == NOTES):
                out.append(f"{unit.prefix}/{path}")
    return out


def _render_one(env: RenderEnv, name: str, errors: list[RenderError] | None = None) -> str:
    try:
        return env.jinja.get_template(name).render()
    except Exception as exc:  # every template failure becomes one located RenderError
        from pyhelm.render.diagnostics import translate

        error = translate(exc, env.loader.sources, name)
        if errors is None:
            raise error from None
        errors.append(error)
        return ""


def _crds(unit: _Unit) -> list[RenderedManifest]:
    out = []
    for path, content in unit.chart.crds.items():
        text = content.decode("utf-8", "replace")
        out.extend(manifests_of(f"{unit.prefix}/{path}", text) if split_documents(text) else [])
    return out
