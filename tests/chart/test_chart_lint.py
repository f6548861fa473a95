"""Lint findings as data: YAML 1.1 surprises, manifest shape, metadata advice; the scaffold lints clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyhelm.chart.create import create_chart
from pyhelm.chart.lint import LintOptions, Severity, lint_chart, manifest_findings, yaml11_findings
from pyhelm.errors import ChartError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: yes\n", ["values.yaml:1: unquoted value 'yes' is read as the boolean true"]),
        ("on: 1\n", ["values.yaml:1: unquoted key 'on' is read as the boolean true"]),
        ("a:\n  - Off\n", ["values.yaml:2: unquoted value 'Off' is read as the boolean false"]),
        (
            "list: [y, N]\n",
            [
                "values.yaml:1: unquoted value 'y' is read as a boolean by Helm",
                "values.yaml:1: unquoted value 'N' is read as a boolean by Helm",
            ],
        ),
        ("a: 'yes'\nb: \"no\"\nc: true\nd: yesterday\n# no: comment\ne: !!str on\n", []),
    ],
)
def test_yaml11_booleans_are_warned_about(text, expected):
    found = yaml11_findings(text, "values.yaml")
    assert all(f.severity is Severity.WARNING for f in found)
    assert [f"{f.where}: {f.message}".split(" (")[0] for f in found] == expected
    assert all("quote it" in f.message for f in found)


def test_lint_warns_about_yaml11_booleans_in_values_and_rendered_manifests(tmp_path):
    folder = tmp_path / "demo"
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 0.1.0\nicon: x.png\n")
    (folder / "values.yaml").write_text("debug: yes\n")
    (folder / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  on: x\n"
    )
    found = lint_chart(folder, LintOptions())
    assert [(f.severity, f.where, f.message.split(" is read")[0]) for f in found] == [
        (Severity.WARNING, "values.yaml:1", "unquoted value 'yes'"),
        (Severity.WARNING, "templates/cm.yaml:6", "unquoted key 'on'"),
    ]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("kind: ConfigMap\nmetadata:\n  name: x\n", "object has no apiVersion"),
        ("apiVersion: v1\nmetadata:\n  name: x\n", "object has no kind"),
        ("apiVersion: v1\nkind: ConfigMap\n", "object has no metadata.name"),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Big_Name\n",
            "metadata.name 'Big_Name' is invalid",
        ),
        ("- a\n- b\n", "a manifest must be a YAML mapping"),
        ("a: [\n", "YAML parse error"),
    ],
)
def test_manifest_shape_errors(doc, message):
    found = manifest_findings("c/templates/x.yaml", doc)
    assert found and found[0].severity is Severity.ERROR and message in found[0].message
    assert found[0].where == "templates/x.yaml"


def test_a_good_manifest_has_no_findings():
    assert (
        manifest_findings(
            "c/templates/x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a.b-c\n"
        )
        == []
    )


def test_scaffold_lints_without_warnings_or_errors(tmp_path):
    chart = create_chart(tmp_path / "fresh")
    findings = lint_chart(chart, LintOptions())
    assert [f for f in findings if f.severity is not Severity.INFO] == []


def test_folder_name_must_match_chart_name(tmp_path):
    chart = create_chart(tmp_path / "fresh")
    chart.rename(tmp_path / "renamed")
    messages = [f.message for f in lint_chart(tmp_path / "renamed", LintOptions())]
    assert "directory name (renamed) and chart name (fresh) must match" in messages


def test_unloadable_chart_is_one_error(tmp_path):
    (tmp_path / "x").mkdir()
    (findings,) = [lint_chart(tmp_path / "x", LintOptions())]
    assert len(findings) == 1 and findings[0].severity is Severity.ERROR
    assert "Chart.yaml is missing" in findings[0].message


def test_create_writes_the_name_everywhere(tmp_path):
    chart = create_chart(tmp_path / "shop-api")
    assert "name: shop-api" in (chart / "Chart.yaml").read_text()
    assert 'include("shop-api.fullname", ctx)' in (chart / "templates" / "service.yaml").read_text()
    assert "<CHARTNAME>" not in "".join(
        p.read_text() for p in Path(chart).rglob("*") if p.is_file()
    )


def test_create_refuses_a_file_in_the_way(tmp_path):
    (tmp_path / "taken").write_text("x")
    with pytest.raises(ChartError, match="already exists"):
        create_chart(tmp_path / "taken")
