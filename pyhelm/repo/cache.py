"""Parsed forms of repository indexes, cached by the sha256 of the index bytes.

Parsing a large ``index.yaml`` is the slow part of every command that reads
one. The first reader stores the parsed document as compact JSON under
``<cache>/index-cache/<digest>.json`` and a search-ready table under
``<digest>.search.json``; later readers of the same bytes load JSON instead. A
changed index has another digest, so a stale form is never used. Only the
newest ``KEEP`` files are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyhelm import settings

if TYPE_CHECKING:
    from pyhelm.repo.index import IndexFile

KEEP = 64
#: Columns of a search row.
SEARCH_COLUMNS = ("name", "version", "app_version", "description", "keywords", "deprecated")


def index_cache_dir() -> Path:
    return settings.cache_home() / "index-cache"


def _read_json(path: Path) -> Any | None:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _write_json(path: Path, value: Any) -> None:
    from pyhelm.chart.package import write_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(
            path, json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        )
        _prune(path.parent)
    except OSError:
        pass  # a cache that cannot be written only costs speed


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.json*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in files[KEEP:]:
        stale.unlink(missing_ok=True)


def parsed_index_doc(data: bytes, source: str) -> tuple[str, Any]:
    """``(digest, parsed document)`` of index bytes, through the JSON cache."""
    from pyhelm.repo.index import parse_index_bytes

    digest = hashlib.sha256(data).hexdigest()
    cached = index_cache_dir() / f"{digest}.json"
    doc = _read_json(cached)
    if doc is None:
        doc = parse_index_bytes(data, source)
        if not data[:64].lstrip().startswith(b"{"):
            _write_json(cached, doc)
    else:
        os.utime(cached)
    return digest, doc


def load_index_cached(path: Path, source: str | None = None, only: str | None = None) -> IndexFile:
    """``IndexFile.load(path)``, through the JSON cache of parsed indexes.

    With ``only``, just that chart's versions are turned into ``ChartVersion``s:
    finding one chart in a 15,000-entry index then costs little more than the
    JSON load.
    """
    from pyhelm.errors import RepoError
    from pyhelm.repo.index import IndexFile

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RepoError(f"{path}: cannot read the index: {exc.strerror}") from None
    _, doc = parsed_index_doc(data, source or str(path))
    if only is not None and isinstance(doc, dict) and isinstance(doc.get("entries"), dict):
        doc = {**doc, "entries": {only: doc["entries"].get(only) or []}}
    index = IndexFile.from_dict(doc, source or str(path))
    if only is None:
        from pyhelm.repo.fastyaml import chart_blocks

        index.keep_blocks(chart_blocks(data), doc)
    return index


def store_split(digest: str, top: dict[str, Any], charts: Iterable[tuple[str, Any]]) -> None:
    """Store an index as it is read, chart by chart: a by-chart file and the search table.

    ``<digest>.bychart.jsonl`` holds the top-level fields on its first line,
    then one ``[name, versions]`` JSON line per chart, so reading one chart
    parses one line. Nothing holds the whole index in memory.
    """
    folder = index_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, list[list[Any]]]] = []
    tmp = folder / f".{digest}.bychart.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(json.dumps(top, separators=(",", ":")) + "\n")
            for name, versions in charts:
                versions = versions if isinstance(versions, list) else []
                out.write(json.dumps([str(name), versions], separators=(",", ":")) + "\n")
                rows.append((str(name), _rows_of(str(name), versions)))
        os.replace(tmp, folder / f"{digest}.bychart.jsonl")
    finally:
        tmp.unlink(missing_ok=True)
    rows.sort(key=lambda item: item[0])
    _write_json(
        folder / f"{digest}.search.json", [row for _, chart_rows in rows for row in chart_rows]
    )


def chart_doc(digest: str, name: str) -> dict[str, Any] | None:
    """An index document holding only chart ``name``, from the by-chart file; None if not cached."""
    try:
        data = (index_cache_dir() / f"{digest}.bychart.jsonl").read_bytes()
    except OSError:
        return None
    first_end = data.find(b"\n")
    top = json.loads(data[:first_end])
    key = b"\n[" + json.dumps(name).encode("utf-8") + b","
    at = data.find(key)
    if at < 0:
        return {**top, "entries": {}}
    line = data[at + 1 : data.find(b"\n", at + 1)]
    return {**top, "entries": {name: json.loads(line)[1]}}


def search_rows(digest: str, doc: Any) -> list[list[Any]]:
    """The search table of an index: one row per version, charts by name, newest first.

    Built from ``doc`` once per digest, then read from the cache.
    """
    cached = index_cache_dir() / f"{digest}.search.json"
    rows = _read_json(cached)
    if isinstance(rows, list):
        return rows
    rows = build_search_rows(doc)
    _write_json(cached, rows)
    return rows


def cached_search_rows(digest: str) -> list[list[Any]] | None:
    """The cached search table of the index with that digest, or None."""
    rows = _read_json(index_cache_dir() / f"{digest}.search.json")
    return rows if isinstance(rows, list) else None


def build_search_rows(doc: Any) -> list[list[Any]]:
    entries = doc.get("entries") if isinstance(doc, dict) else None
    return [row for name in sorted(entries or {}) for row in _rows_of(name, entries[name] or [])]


def _rows_of(name: str, versions: list[Any]) -> list[list[Any]]:
    """Search rows of one chart, newest version first."""
    from pyhelm import semver_range

    usable = [v for v in versions if isinstance(v, dict) and isinstance(v.get("version"), str)]
    usable.sort(key=lambda v: semver_range.sort_key(v["version"]), reverse=True)
    rows = []
    for v in usable:
        keywords = v.get("keywords") if isinstance(v.get("keywords"), list) else []
        rows.append(
            [
                name,
                v["version"],
                _s(v.get("appVersion")),
                _s(v.get("description")),
                [str(k) for k in keywords],
                bool(v.get("deprecated", False)),
            ]
        )
    return rows


def _s(value: Any) -> str:
    return "" if value is None else str(value)
