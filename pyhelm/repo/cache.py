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
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
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
    return IndexFile.from_dict(doc, source or str(path))


def write_by_chart(digest: str, doc: Any) -> None:
    """Store the index split by chart: each chart's versions as a JSON string of their own.

    Reading one chart then parses one small string, not the whole index.
    """
    entries = doc.get("entries") if isinstance(doc, dict) else None
    if not isinstance(entries, dict):
        return
    split = {
        name: json.dumps(v, separators=(",", ":"), ensure_ascii=False)
        for name, v in entries.items()
    }
    top = {k: v for k, v in doc.items() if k != "entries"}
    _write_json(index_cache_dir() / f"{digest}.bychart.json", {"top": top, "charts": split})


def chart_doc(digest: str, name: str) -> dict[str, Any] | None:
    """An index document holding only chart ``name``, from the split form; None if not cached."""
    split = _read_json(index_cache_dir() / f"{digest}.bychart.json")
    if not isinstance(split, dict) or not isinstance(split.get("charts"), dict):
        return None
    text = split["charts"].get(name)
    return {**split.get("top", {}), "entries": {name: json.loads(text)} if text else {}}


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
    from pyhelm import semver_range

    rows: list[list[Any]] = []
    entries = doc.get("entries") if isinstance(doc, dict) else None
    for name in sorted(entries or {}):
        versions = [
            v
            for v in entries[name] or []
            if isinstance(v, dict) and isinstance(v.get("version"), str)
        ]
        versions.sort(key=lambda v: semver_range.sort_key(v["version"]), reverse=True)
        for v in versions:
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
