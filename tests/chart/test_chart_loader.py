"""Loading charts from folders and archives: what is read, what is refused, and how errors read."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from pyhelm.chart.loader import load_archive_bytes, load_chart
from pyhelm.errors import ChartError


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def tgz(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


BASIC = {
    "Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.2.3\nappVersion: '2.0'\ndescription: d\n",
    "values.yaml": "replicas: 2\n",
    "values.schema.json": '{"type": "object"}',
    "templates/deploy.yaml": "kind: Deployment\n",
    "templates/_helpers.tpl": "{% macro x() %}{% endmacro %}",
    "templates/NOTES.txt": "hi",
    "crds/crd.yaml": "kind: CustomResourceDefinition\n",
    "files/a.conf": "a",
    "README.md": "# app",
    "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    "charts/sub/templates/cm.yaml": "kind: ConfigMap\n",
}


def test_folder_chart_loads_every_part(tmp_path):
    chart = load_chart(write(tmp_path / "app", BASIC))
    assert (chart.name, chart.version, chart.metadata.app_version) == ("app", "1.2.3", "2.0")
    assert chart.values == {"replicas": 2}
    assert chart.schema == {"type": "object"}
    assert sorted(chart.templates) == [
        "templates/NOTES.txt",
        "templates/_helpers.tpl",
        "templates/deploy.yaml",
    ]
    assert sorted(chart.files) == ["README.md", "crds/crd.yaml", "files/a.conf"]
    assert list(chart.crds) == ["crds/crd.yaml"]
    assert chart.notes_template == "hi"
    assert [s.name for s in chart.subcharts] == ["sub"]
    assert list(chart.subcharts[0].templates) == ["templates/cm.yaml"]


def test_archive_loads_the_same_chart_as_the_folder(tmp_path):
    folder = load_chart(write(tmp_path / "app", BASIC))
    archive = tmp_path / "app-1.2.3.tgz"
    archive.write_bytes(tgz({f"app/{p}": t for p, t in BASIC.items()}))
    packed = load_chart(archive)
    assert (packed.metadata, packed.values, packed.templates, packed.files) == (
        folder.metadata,
        folder.values,
        folder.templates,
        folder.files,
    )
    assert [s.name for s in packed.subcharts] == ["sub"]


def test_subchart_archives_under_charts_load(tmp_path):
    files = dict(BASIC)
    del files["charts/sub/Chart.yaml"], files["charts/sub/templates/cm.yaml"]
    root = write(tmp_path / "app", files)
    (root / "charts").mkdir()
    (root / "charts" / "db-1.0.0.tgz").write_bytes(
        tgz({"db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 1.0.0\n"})
    )
    assert [s.name for s in load_chart(root).subcharts] == ["db"]


def test_helmignore_leaves_files_out(tmp_path):
    root = write(
        tmp_path / "app",
        {
            **BASIC,
            ".helmignore": "*.md\nfiles/\n!files/keep.conf\n",
            "files/keep.conf": "k",
            "notes.bak": "x",
        },
    )
    chart = load_chart(root)
    assert "README.md" not in chart.files and "files/a.conf" not in chart.files


@pytest.mark.parametrize(
    ("chart_yaml", "message"),
    [
        ("name: app\nversion: 1.0.0\n", "field 'apiVersion' is required"),
        ("apiVersion: v2\nversion: 1.0.0\n", "field 'name' is required"),
        ("apiVersion: v2\nname: app\n", "field 'version' is required"),
        ("apiVersion: v2\nname: app\nversion: 1.0\n", "must be a string but is float"),
        ("apiVersion: v2\nname: app\nversion: '1.0'\n", "is not a valid SemVer 2 version"),
        (
            "apiVersion: v2\nname: app\nversion: 1.0.0\ntype: plugin\n",
            "field 'type' must be application or library",
        ),
        ("apiVersion: v3\nname: app\nversion: 1.0.0\n", "field 'apiVersion' must be v2"),
        ("apiVersion: v2\nname: a/b\nversion: 1.0.0\n", "field 'name' 'a/b' is invalid"),
        (
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies: [{name: x}, {name: x}]\n",
            "use 'alias'",
        ),
        (
            "apiVersion: v2\nname: app\nversion: 1.0.0\nmaintainers: [{email: a}]\n",
            "maintainers[0]",
        ),
        (
            "apiVersion: v2\nname: app\nversion: 1.0.0\nkeywords: a\n",
            "field 'keywords' must be a list",
        ),
        ("- a\n", "must be a YAML mapping"),
        ("apiVersion: v2\nname: [\n", "invalid YAML"),
    ],
)
def test_chart_yaml_errors_name_the_file_and_field(tmp_path, chart_yaml, message):
    root = write(tmp_path / "app", {"Chart.yaml": chart_yaml})
    with pytest.raises(ChartError, match="Chart.yaml") as info:
        load_chart(root)
    assert message in str(info.value)


def test_missing_chart_yaml_says_what_to_do(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ChartError, match="Chart.yaml is missing.*pyhelm create"):
        load_chart(tmp_path / "empty")


def test_no_such_path(tmp_path):
    with pytest.raises(ChartError, match="no such chart folder or archive"):
        load_chart(tmp_path / "nope")


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("values.yaml", "- a\n", "values.yaml: must be a mapping"),
        ("values.yaml", "a: [\n", "values.yaml:2:1: invalid YAML"),
        ("values.schema.json", "{nope", "values.schema.json:1:2: invalid JSON"),
        ("values.schema.json", "[]", "a JSON schema must be an object"),
    ],
)
def test_bad_values_and_schema_files(tmp_path, name, text, message):
    root = write(tmp_path / "app", {**BASIC, name: text})
    with pytest.raises(ChartError) as info:
        load_chart(root)
    assert message in str(info.value)


def test_template_that_is_not_utf8_is_refused(tmp_path):
    root = write(tmp_path / "app", BASIC)
    (root / "templates" / "bin.yaml").write_bytes(b"\xff\xfe")
    with pytest.raises(ChartError, match="templates/bin.yaml: not UTF-8"):
        load_chart(root)


def test_symlink_leaving_the_chart_is_refused(tmp_path):
    root = write(tmp_path / "app", BASIC)
    (tmp_path / "secret").write_text("s")
    os.symlink(tmp_path / "secret", root / "files" / "link")
    with pytest.raises(ChartError, match="symbolic link points outside"):
        load_chart(root)


def test_symlink_loop_inside_the_chart_is_refused(tmp_path):
    root = write(tmp_path / "app", BASIC)
    os.symlink(root / "files", root / "files" / "again")
    with pytest.raises(ChartError, match="files/again: symbolic link loop"):
        load_chart(root)


def test_values_alias_bomb_is_refused(tmp_path):
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True)
    )
    root = write(tmp_path / "app", {**BASIC, "values.yaml": bomb})
    with pytest.raises(ChartError, match="alias"):
        load_chart(root)


def test_archive_bytes_with_a_bad_chart_name_the_archive(tmp_path):
    data = tgz({"app/Chart.yaml": "apiVersion: v2\nname: app\n"})
    with pytest.raises(ChartError, match="upload.tgz/Chart.yaml: field 'version' is required"):
        load_archive_bytes(data, "upload.tgz")


@pytest.mark.parametrize(
    ("version", "valid"),
    [
        ("1.2.3", True),
        ("0.0.0", True),
        ("10.20.30", True),
        ("1.0.0-rc.1", True),
        ("1.0.0-0", True),
        ("1.0.0-alpha-1.x-y", True),
        ("1.0.0+build.5", True),
        ("1.0.0-rc.1+exp.sha.5114f85", True),
        ("1.2", False),
        ("v1.2.3", False),
        ("01.2.3", False),
        ("1.02.3", False),
        ("1.2.3-01", False),
        ("1.2.3-", False),
        ("1.2.3+", False),
        ("1.2.3-a..b", False),
        ("1.2.3-a_b", False),
        ("1.2.3.4", False),
        ("", False),
        ("1.2.x", False),
        ("１.2.3", False),
    ],
)
def test_strict_semver(version, valid):
    from pyhelm.chart.model import is_strict_semver

    assert is_strict_semver(version) is valid


def test_byte_order_mark_and_crlf_in_templates_do_not_reach_the_output(tmp_path):
    from pyhelm.render import RenderOptions, render_chart

    root = write(tmp_path / "app", {"Chart.yaml": BASIC["Chart.yaml"]})
    (root / "templates").mkdir()
    (root / "templates" / "cm.yaml").write_bytes(
        b"\xef\xbb\xbfapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\n")
    (manifest,) = render_chart(load_chart(root), {}, RenderOptions()).manifests
    assert manifest.text == "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x"
