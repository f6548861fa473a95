"""index.yaml: Helm-compatible layout, SemVer order, --merge, incremental indexing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pyhelm.chart.package import package_chart
from pyhelm.errors import RepoError
from pyhelm.repo.index import ChartVersion, IndexFile, index_directory


def _repo(make_chart, folder: Path, versions: list[str], name: str = "demo") -> Path:
    for v in versions:
        package_chart(make_chart(name=name, version=v), folder)
    return folder


def test_index_lists_versions_newest_first_with_digest_and_urls(make_chart, tmp_path: Path) -> None:
    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0", "1.0.0-rc.1", "1.0.0", "0.10.0"])
    index = index_directory(repo, base_url="http://127.0.0.1:8879/")
    versions = index.entries["demo"]
    assert [v.version for v in versions] == ["1.0.0", "1.0.0-rc.1", "0.10.0", "0.1.0"]
    assert versions[0].urls == ["http://127.0.0.1:8879/demo-1.0.0.tgz"]
    assert len(versions[0].digest) == 64 and versions[0].created.endswith("Z")


def test_saved_index_round_trips_and_has_helm_keys(make_chart, tmp_path: Path) -> None:
    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0"])
    index_directory(repo).save(repo / "index.yaml")
    text = (repo / "index.yaml").read_text()
    assert text.startswith("apiVersion: v1\nentries:\n  demo:\n  - apiVersion: v2\n")
    assert "\ngenerated: " in text
    loaded = IndexFile.load(repo / "index.yaml")
    assert loaded.entries["demo"][0].to_dict() == index_directory(repo).entries["demo"][
        0
    ].to_dict() | {"created": loaded.entries["demo"][0].created}


def test_json_index_loads_by_the_fast_path(make_chart, tmp_path: Path) -> None:
    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0", "0.2.0"])
    index = index_directory(repo)
    data = index.dumps(as_json=True)
    assert json.loads(data)["apiVersion"] == "v1"
    assert [v.version for v in IndexFile.load(data).entries["demo"]] == ["0.2.0", "0.1.0"]


def test_corrupt_archive_is_reported_by_name_and_skipped(make_chart, tmp_path: Path) -> None:
    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0"])
    (repo / "broken-1.0.0.tgz").write_bytes(b"\x1f\x8bnot really gzip")
    index = index_directory(repo)
    assert list(index.entries) == ["demo"]
    assert any("broken-1.0.0.tgz" in w for w in index.warnings)


def test_merge_keeps_old_versions_and_created_of_known_archives(make_chart, tmp_path: Path) -> None:
    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0"])
    old = index_directory(repo, base_url="http://old")
    old.entries["gone"] = [
        ChartVersion.from_dict(
            {
                "name": "gone",
                "version": "3.0.0",
                "urls": ["http://old/g.tgz"],
                "created": "2020-01-01T00:00:00Z",
            }
        )
    ]
    old.save(tmp_path / "old.yaml")
    _repo(make_chart, repo, ["0.2.0"])
    merged = index_directory(repo, base_url="http://new", merge_from=tmp_path / "old.yaml")
    demo = {v.version: v for v in merged.entries["demo"]}
    assert demo["0.1.0"].created == old.entries["demo"][0].created
    assert demo["0.1.0"].urls == ["http://new/demo-0.1.0.tgz"]
    assert merged.entries["gone"][0].urls == ["http://old/g.tgz"]


def test_incremental_index_does_not_reopen_known_archives(
    make_chart, tmp_path: Path, monkeypatch
) -> None:
    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0", "0.2.0"])
    index_directory(repo).save(repo / "index.yaml")
    _repo(make_chart, repo, ["0.3.0"])
    opened: list[str] = []
    from pyhelm.repo import indexer

    real = indexer.read_chart_yaml
    monkeypatch.setattr(
        indexer, "read_chart_yaml", lambda data, source: opened.append(source) or real(data, source)
    )
    merged = index_directory(repo, merge_from=repo / "index.yaml")
    assert [Path(s).name for s in opened] == ["demo-0.3.0.tgz"]
    assert [v.version for v in merged.entries["demo"]] == ["0.3.0", "0.2.0", "0.1.0"]


def test_get_follows_helm_constraint_rules(make_chart, tmp_path: Path) -> None:
    index = index_directory(
        _repo(make_chart, tmp_path / "repo", ["0.1.0", "0.1.5", "1.0.0-rc.1", "0.2.0"])
    )
    assert index.get("demo").version == "0.2.0"
    assert index.get("demo", devel=True).version == "1.0.0-rc.1"
    assert index.get("demo", "~0.1").version == "0.1.5"
    assert index.get("demo", "1.0.0-rc.1").version == "1.0.0-rc.1"
    with pytest.raises(RepoError, match="no version matching '\\^3'"):
        index.get("demo", "^3")
    with pytest.raises(RepoError, match="'nope' not found"):
        index.get("nope")


def test_invalid_entries_are_skipped_with_a_warning() -> None:
    doc = b"apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: notsemver\n  - name: a\n    version: 1.0.0\n"
    index = IndexFile.load(doc)
    assert [v.version for v in index.entries["a"]] == ["1.0.0"]
    assert "entries.a[0]" in index.warnings[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"apiVersion: v1\nentries: [\n", "invalid YAML"),
        (b"- just a list\n", "not a chart repository index"),
        (b"apiVersion: v9\nentries: {}\n", "unsupported index apiVersion"),
    ],
)
def test_bad_index_files_name_the_problem(data: bytes, message: str) -> None:
    with pytest.raises(RepoError, match=message):
        IndexFile.load(data, "remote/index.yaml")


def test_add_remove_keep_order() -> None:
    index = IndexFile()
    for v in ["1.0.0", "2.0.0", "1.5.0"]:
        index.add(ChartVersion.from_dict({"name": "x", "version": v}))
    assert [v.version for v in index.entries["x"]] == ["2.0.0", "1.5.0", "1.0.0"]
    assert index.remove("x", "1.5.0") and not index.remove("x", "1.5.0")


TRICKY = {
    "plain": "A web chart",
    "colon": "x: y # z",
    "newline": "a\nb",
    "yes": "yes",
    "Null": "Null",
    "inf": ".inf",
    "neg": "-1",
    "plus": "+1",
    "eq": "=",
    "merge": "<<",
    "date": "2001-12-14",
    "float": "1.0",
    "octal": "0o17",
    "exp": "1e3",
    "version": "1.2.3-rc.1",
    "quote": "it's",
    "url": "http://h:1/a.tgz",
    "empty": "",
    "unicode": "café ☕",
    "tab": "a\tb",
    "int": 5,
    "bool": True,
    "none": None,
    "list": [],
    "map": {},
    "nested": [{"a": ["b", {"c": "d"}]}, [1, 2]],
}


@pytest.mark.parametrize("reader", ["pyyaml", "yaml-rs"])
def test_index_writer_output_reads_back_identically(reader: str) -> None:
    import yaml
    import yaml_rs

    from pyhelm.repo.emit import dumps

    text = dumps({"entries": {"x": [TRICKY]}})
    loaded = (
        yaml.safe_load(text) if reader == "pyyaml" else yaml_rs.loads(text, parse_datetime=False)
    )
    assert loaded == {"entries": {"x": [TRICKY]}}


def test_index_with_empty_entries_loads_empty() -> None:
    assert IndexFile.load(b"apiVersion: v1\nentries:\ngenerated: x\n").entries == {}


def test_credentials_go_only_to_the_repository_host() -> None:
    from pyhelm.repo.client import _credentials_for
    from pyhelm.repo.config import RepoEntry

    entry = RepoEntry(name="r", url="http://127.0.0.1:1/charts", username="u", password="p")
    assert _credentials_for(entry, "http://127.0.0.1:1/charts/a.tgz").password == "p"
    assert _credentials_for(entry, "http://cdn.example:80/a.tgz").password == ""
    entry.pass_credentials_all = True
    assert _credentials_for(entry, "http://cdn.example:80/a.tgz").password == "p"


def test_parallel_indexing_gives_the_same_index_as_serial(
    make_chart, tmp_path: Path, monkeypatch
) -> None:
    from pyhelm.repo import indexer

    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0", "0.2.0", "0.3.0", "1.0.0"])
    _repo(make_chart, repo, ["2.0.0"], name="other")
    (repo / "broken-1.0.0.tgz").write_bytes(b"junk")
    monkeypatch.setattr(indexer, "MAX_WORKERS", 1)
    serial = index_directory(repo)
    monkeypatch.setattr(indexer, "MAX_WORKERS", 3)
    monkeypatch.setattr(indexer, "PARALLEL_MIN", 2)
    monkeypatch.setattr(indexer.os, "cpu_count", lambda: 3)
    parallel = index_directory(repo)
    assert [cv.to_dict() | {"created": ""} for cv in parallel.all_versions()] == [
        cv.to_dict() | {"created": ""} for cv in serial.all_versions()
    ]
    assert [w.split(": skipped")[0] for w in parallel.warnings] == [str(repo / "broken-1.0.0.tgz")]


@pytest.mark.parametrize(
    "data",
    [
        b"apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n  b: []\ngenerated: g\n",
        b"apiVersion: v1\nentries:\n    a:\n        - name: a\n          version: 1.0.0\n    b: []\ngenerated: g\n",
        b'{"apiVersion": "v1", "entries": {"a": [{"name": "a", "version": "1.0.0"}], "b": []}, "generated": "g"}',
        b"apiVersion: v1\nentries: {a: [{name: a, version: 1.0.0}], b: []}\ngenerated: g\n",
    ],
)
def test_chunked_reading_equals_a_whole_parse(data: bytes, monkeypatch) -> None:
    from pyhelm.repo import fastyaml

    monkeypatch.setattr(fastyaml, "CHUNK", 1)  # cut between every chart
    top, charts = fastyaml.iter_index(data, "index.yaml")
    whole = yaml.safe_load(data)
    assert {**top, "entries": dict(charts)} == whole


def test_chunked_reading_reports_bad_yaml_and_non_indexes() -> None:
    from pyhelm.repo import fastyaml

    with pytest.raises(RepoError, match="invalid YAML"):
        list(fastyaml.iter_index(b"apiVersion: v1\nentries:\n  a:\n  - name: [\n", "i.yaml")[1])
    with pytest.raises(RepoError, match="not a chart repository index"):
        fastyaml.iter_index(b"just: yaml\n", "i.yaml")


def test_merge_copies_unchanged_charts_and_writes_what_a_full_write_would(
    make_chart, tmp_path
) -> None:
    from pyhelm.repo import emit

    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0", "0.2.0"])
    _repo(make_chart, repo, ["1.0.0"], name="other")
    index_directory(repo, base_url="http://r").save(tmp_path / "old.yaml")
    _repo(make_chart, repo, ["0.3.0"])
    merged = index_directory(repo, base_url="http://r", merge_from=tmp_path / "old.yaml")
    assert set(merged.blocks) == {"demo", "other"}
    assert merged.dumps() == emit.dumps(merged.to_dict()).encode()
    moved = index_directory(repo, base_url="http://moved", merge_from=tmp_path / "old.yaml")
    assert moved.dumps() == emit.dumps(moved.to_dict()).encode()
    assert b"http://r/" not in moved.dumps()


@pytest.mark.helm
def test_merge_over_a_helm_written_index_reads_back_the_same(
    helm_bin, make_chart, tmp_path
) -> None:
    import subprocess

    repo = _repo(make_chart, tmp_path / "repo", ["0.1.0"])
    _repo(make_chart, repo, ["1.0.0"], name="other")
    subprocess.run([helm_bin, "repo", "index", str(repo)], check=True, capture_output=True)
    _repo(make_chart, repo, ["0.2.0"])
    merged = index_directory(repo, merge_from=repo / "index.yaml")
    assert "other" in merged.blocks
    assert yaml.safe_load(merged.dumps()) == merged.to_dict()
