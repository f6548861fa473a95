"""`pyhelm package`: Helm's layout, reproducible bytes, overrides, subcharts."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from pyhelm.chart.loader import load_chart
from pyhelm.chart.package import archive_bytes, package_chart
from pyhelm.errors import ChartError


def _members(data: bytes) -> list[tarfile.TarInfo]:
    return tarfile.open(fileobj=io.BytesIO(data)).getmembers()


def test_archive_has_helm_layout_and_honours_helmignore(make_chart) -> None:
    chart = make_chart(
        files={
            ".helmignore": "*.bak\nsecret/\n",
            "notes.bak": "x",
            "secret/key": "k",
            "README.md": "hi",
        }
    )
    _, data = archive_bytes(chart)
    names = [m.name for m in _members(data)]
    assert names == [
        "demo/Chart.yaml",
        "demo/values.yaml",
        "demo/templates/configmap.yaml",
        "demo/.helmignore",
        "demo/README.md",
    ]


def test_entries_are_normalised_files_only(make_chart) -> None:
    _, data = archive_bytes(make_chart())
    for member in _members(data):
        assert member.isfile()
        assert (member.mode, member.mtime, member.uid, member.gid, member.uname, member.gname) == (
            0o644,
            0,
            0,
            0,
            "",
            "",
        )


def test_same_chart_gives_byte_identical_archives(make_chart, tmp_path: Path) -> None:
    chart = make_chart()
    first = package_chart(chart, tmp_path / "a").read_bytes()
    (chart / "values.yaml").touch()  # a new mtime must not change the bytes
    second = package_chart(chart, tmp_path / "b").read_bytes()
    assert first == second
    header = gzip.GzipFile(fileobj=io.BytesIO(first))
    header.read()
    assert header.mtime == 0 and first[3] & 0x08 == 0  # no time, no FNAME flag


def test_version_and_app_version_overrides_rewrite_chart_yaml(make_chart, tmp_path: Path) -> None:
    path = package_chart(make_chart(), tmp_path, version="2.0.0-rc.1", app_version="9.9")
    assert path.name == "demo-2.0.0-rc.1.tgz"
    chart = load_chart(path)
    assert (chart.version, chart.metadata.app_version) == ("2.0.0-rc.1", "9.9")


def test_bad_version_override_is_refused(make_chart, tmp_path: Path) -> None:
    with pytest.raises(ChartError, match="not a valid SemVer"):
        package_chart(make_chart(), tmp_path, version="one")


def test_subcharts_are_written_expanded_under_their_name(make_chart, tmp_path: Path) -> None:
    sub = make_chart(name="child", version="1.2.3")
    sub_archive = package_chart(sub, tmp_path / "deps")
    parent = make_chart(name="parent")
    (parent / "charts").mkdir()
    (parent / "charts" / sub_archive.name).write_bytes(sub_archive.read_bytes())
    _, data = archive_bytes(parent)
    names = [m.name for m in _members(data)]
    assert "parent/charts/child/Chart.yaml" in names
    assert not any(n.endswith(".tgz") for n in names)
    assert load_chart(package_chart(parent, tmp_path / "out")).subchart("child").version == "1.2.3"


def test_packaging_a_missing_folder_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(ChartError, match="not a chart folder"):
        archive_bytes(tmp_path / "nope")


def test_packaging_refuses_missing_dependencies_like_helm(make_chart, tmp_path: Path) -> None:
    from pyhelm.errors import DependencyError

    chart = make_chart(
        extra_yaml="dependencies:\n  - name: lib\n    version: 1.0.0\n    repository: file://../lib\n"
    )
    with pytest.raises(DependencyError, match="missing from charts/; run 'pyhelm dependency build"):
        package_chart(chart, tmp_path)
