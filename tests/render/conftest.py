"""Builders for render tests: a chart folder from a dict of files, rendered in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pyhelm.chart.loader import load_chart
from pyhelm.chart.model import Chart
from pyhelm.render import RenderOptions, RenderResult, render_chart

MakeChart = Callable[..., Chart]


def write_chart(
    root: Path, name: str, files: dict[str, str], values: str = "", chart_yaml: str = ""
) -> Path:
    folder = root / name
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "Chart.yaml").write_text(
        chart_yaml or f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n"
    )
    (folder / "values.yaml").write_text(values)
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    return folder


@pytest.fixture
def make_chart(tmp_path: Path) -> MakeChart:
    """``make_chart({"templates/cm.yaml": "..."}, values="a: 1")`` → a loaded Chart named ``demo``."""

    def make(
        files: dict[str, str], values: str = "", name: str = "demo", chart_yaml: str = ""
    ) -> Chart:
        return load_chart(write_chart(tmp_path, name, files, values, chart_yaml))

    return make


@pytest.fixture
def render_one(make_chart: MakeChart) -> Callable[..., str]:
    """Render one template body (as templates/t.yaml) and return its text, without Source lines."""

    def render(body: str, values: str = "", user: dict | None = None, **options: object) -> str:
        chart = make_chart({"templates/t.yaml": body}, values)
        result: RenderResult = render_chart(chart, user or {}, RenderOptions(**options))
        return "\n---\n".join(m.text for m in [*result.manifests, *result.hooks])

    return render


@pytest.fixture
def repo_charts() -> Path:
    """The project's example charts folder."""
    return Path(__file__).resolve().parents[2] / "charts"
