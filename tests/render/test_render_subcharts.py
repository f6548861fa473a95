"""End to end: which subcharts `pyhelm template` renders, at every depth of the chart tree."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-{{ Chart.Name }}
"""


def _write(folder: Path, chart_yaml: str, values: str = "") -> None:
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text(chart_yaml)
    (folder / "values.yaml").write_text(values)
    (folder / "templates" / "cm.yaml").write_text(CONFIGMAP)


@pytest.fixture
def nested_chart(tmp_path: Path) -> Path:
    """web → mid → leaf, where mid declares leaf behind the tag ``extra`` (on by mid's default)."""
    root = tmp_path / "web"
    mid = root / "charts" / "mid"
    leaf = mid / "charts" / "leaf"
    _write(
        root,
        "apiVersion: v2\nname: web\nversion: 0.1.0\ndependencies:\n- name: mid\n  version: 0.1.0\n",
    )
    _write(
        mid,
        "apiVersion: v2\nname: mid\nversion: 0.1.0\ndependencies:\n"
        "- name: leaf\n  version: 0.1.0\n  tags: [extra]\n",
        "tags:\n  extra: true\n",
    )
    _write(leaf, "apiVersion: v2\nname: leaf\nversion: 0.1.0\n")
    return root


def test_root_tag_disables_a_nested_dependency(pyhelm, nested_chart):
    on = pyhelm("template", "rel", str(nested_chart))
    assert on.returncode == 0, on.stderr
    assert "# Source: web/charts/mid/charts/leaf/templates/cm.yaml" in on.stdout
    assert "name: rel-leaf" in on.stdout

    off = pyhelm("template", "rel", str(nested_chart), "--set", "tags.extra=false")
    assert off.returncode == 0, off.stderr
    assert "name: rel-mid" in off.stdout
    assert "leaf" not in off.stdout


def test_root_values_file_tags_reach_every_depth(pyhelm, nested_chart, tmp_path):
    values = tmp_path / "off.yaml"
    values.write_text("tags:\n  extra: false\n")
    run = pyhelm("template", "rel", str(nested_chart), "-f", str(values))
    assert run.returncode == 0, run.stderr
    assert "rel-web" in run.stdout and "rel-mid" in run.stdout
    assert "rel-leaf" not in run.stdout
