"""Hostile chart archives are refused whole, and extraction never leaves its folder."""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from pyhelm.chart.archive import extract_archive, read_archive, read_chart_yaml
from pyhelm.chart.package import archive_bytes
from pyhelm.errors import ChartError, UnsafeArchiveError

CHART_YAML = b"apiVersion: v2\nname: evil\nversion: 0.1.0\n"


def _tgz(*entries: tarfile.TarInfo | tuple[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                tar.addfile(entry)
            else:
                info = tarfile.TarInfo(entry[0])
                info.size = len(entry[1])
                tar.addfile(info, io.BytesIO(entry[1]))
    return gzip.compress(raw.getvalue())


def _special(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info


ATTACKS = {
    "absolute path": (
        _tgz(("evil/Chart.yaml", CHART_YAML), ("/tmp/pwned", b"x")),
        "escapes the chart folder",
    ),
    "dot-dot": (
        _tgz(("evil/Chart.yaml", CHART_YAML), ("../pwned", b"x")),
        "escapes the chart folder",
    ),
    "dot-dot inside": (
        _tgz(("evil/Chart.yaml", CHART_YAML), ("evil/../../pwned", b"x")),
        "escapes",
    ),
    "symlink": (
        _tgz(
            ("evil/Chart.yaml", CHART_YAML), _special("evil/link", tarfile.SYMTYPE, "/etc/passwd")
        ),
        "is a link to '/etc/passwd'",
    ),
    "hardlink": (
        _tgz(
            ("evil/Chart.yaml", CHART_YAML), _special("evil/hard", tarfile.LNKTYPE, "/etc/passwd")
        ),
        "is a link",
    ),
    "char device": (
        _tgz(("evil/Chart.yaml", CHART_YAML), _special("evil/tty", tarfile.CHRTYPE)),
        "device, FIFO",
    ),
    "block device": (
        _tgz(("evil/Chart.yaml", CHART_YAML), _special("evil/sda", tarfile.BLKTYPE)),
        "device, FIFO",
    ),
    "fifo": (
        _tgz(("evil/Chart.yaml", CHART_YAML), _special("evil/pipe", tarfile.FIFOTYPE)),
        "device, FIFO",
    ),
    "two top folders": (
        _tgz(("evil/Chart.yaml", CHART_YAML), ("other/Chart.yaml", CHART_YAML)),
        "more than one top folder",
    ),
    "file at top level": (
        _tgz(
            ("Chart.yaml", CHART_YAML),
        ),
        "not inside the chart's top folder",
    ),
    "not an archive": (b"\x1f\x8b\x08garbage", "not a gzip archive|not a valid chart archive"),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_archive_is_refused_when_read(attack: str) -> None:
    data, message = ATTACKS[attack]
    with pytest.raises(UnsafeArchiveError, match=message):
        read_archive(data, f"{attack}.tgz")


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_hostile_archive_writes_nothing_when_extracted(attack: str, tmp_path: Path) -> None:
    data, message = ATTACKS[attack]
    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(UnsafeArchiveError, match=message):
        extract_archive(data, dest, f"{attack}.tgz")
    assert list(dest.iterdir()) == []
    assert not (tmp_path / "pwned").exists()


def test_decompression_bomb_is_refused_by_total_size(monkeypatch) -> None:
    monkeypatch.setenv("PYHELM_MAX_DECOMPRESSED_CHART_SIZE", str(64 * 1024))
    data = _tgz(
        ("evil/Chart.yaml", CHART_YAML), *[(f"evil/f{i}", b"\0" * 30_000) for i in range(4)]
    )
    assert len(data) < 4096  # tiny on disk
    with pytest.raises(UnsafeArchiveError, match="decompress"):
        read_archive(data, "bomb.tgz")


def test_gzip_bomb_stops_inflating_at_the_limit(monkeypatch) -> None:
    monkeypatch.setenv("PYHELM_MAX_DECOMPRESSED_CHART_SIZE", str(10_000))
    with pytest.raises(UnsafeArchiveError, match="decompression bomb"):
        read_archive(gzip.compress(b"\0" * 50_000_000), "zeros.tgz")


def test_file_over_the_per_file_limit_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("PYHELM_MAX_DECOMPRESSED_FILE_SIZE", "1000")
    data = _tgz(("evil/Chart.yaml", CHART_YAML), ("evil/big", b"a" * 2000))
    with pytest.raises(
        UnsafeArchiveError, match="'evil/big' is 2000 bytes, over the per-file limit"
    ):
        read_archive(data, "big.tgz")


def test_safe_archive_extracts_under_its_top_folder(make_chart, tmp_path: Path) -> None:
    _, data = archive_bytes(make_chart())
    target = extract_archive(data, tmp_path / "out", "demo.tgz")
    assert target == (tmp_path / "out" / "demo").resolve()
    assert (target / "templates" / "configmap.yaml").is_file()
    assert oct((target / "Chart.yaml").stat().st_mode & 0o777) == "0o644"


def test_extracting_over_an_existing_folder_is_refused(make_chart, tmp_path: Path) -> None:
    _, data = archive_bytes(make_chart())
    (tmp_path / "out" / "demo").mkdir(parents=True)
    with pytest.raises(ChartError, match="already exists"):
        extract_archive(data, tmp_path / "out", "demo.tgz")


def test_extraction_does_not_follow_a_planted_link(make_chart, tmp_path: Path) -> None:
    _, data = archive_bytes(make_chart())
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "demo").symlink_to(outside)
    with pytest.raises(ChartError, match="already exists"):
        extract_archive(data, tmp_path / "out", "demo.tgz")
    assert list(outside.iterdir()) == []


def test_metadata_fast_path_checks_the_first_entry(make_chart) -> None:
    _, data = archive_bytes(make_chart())
    assert read_chart_yaml(data, "demo.tgz").startswith(b"apiVersion: v2")
    with pytest.raises(UnsafeArchiveError, match="escapes"):
        read_chart_yaml(_tgz(("/evil/Chart.yaml", CHART_YAML)), "evil.tgz")
    with pytest.raises(UnsafeArchiveError, match="no <name>/Chart.yaml"):
        read_chart_yaml(_tgz(("evil/values.yaml", b"a: 1")), "nochart.tgz")
