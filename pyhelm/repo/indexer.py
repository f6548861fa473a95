"""Indexing a folder of chart archives, incrementally.

Each archive's sha256 is needed for its entry. An archive whose digest the
merged-from index already knows is not opened: its entry is reused. To avoid
even reading unchanged archives, the folder's ``(size, mtime_ns) -> digest``
table is kept in the cache (``<cache>/index-cache/stat-<hash of folder>.json``);
a file whose size and modification time (to the nanosecond) are unchanged is
taken to have the digest recorded for it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

from pyhelm.chart.archive import read_chart_yaml
from pyhelm.chart.model import ChartMetadata
from pyhelm.errors import PyHelmError, RepoError
from pyhelm.repo.fastyaml import load_yaml
from pyhelm.repo.index import ChartVersion, IndexFile, file_digest

#: Read archives in forked workers when at least this many must be opened.
PARALLEL_MIN = 300
MAX_WORKERS = 4
_Result = tuple[ChartVersion | None, str | None]


class DirectoryIndexer:
    """``DirectoryIndexer(folder, base_url).run(older_index) -> IndexFile``."""

    def __init__(self, root: Path, base_url: str | None = None) -> None:
        if not root.is_dir():
            raise RepoError(f"{root}: no such folder to index")
        self.root = root
        self.base_url = base_url.rstrip("/") if base_url else None
        self._stat_path = _stat_cache_path(root)
        self._stats: dict[str, list[int | str]] = {}

    def run(self, older: IndexFile | None) -> IndexFile:
        known = older.by_digest() if older else {}
        previous = self._load_stats() if known else {}
        index = IndexFile()
        index.warnings.extend(older.warnings if older else [])
        rels = archives(self.root)
        for rel, (cv, warning) in zip(
            rels, self._entries_parallel(rels, known, previous), strict=True
        ):
            if cv is None:
                index.warnings.append(str(warning))
                continue
            if index.has(cv.name, cv.version):
                index.warnings.append(
                    f"{self.root}/{rel}: skipped, {cv.name} {cv.version} is already "
                    "indexed from another file"
                )
                continue
            index.entries.setdefault(cv.name, []).append(cv)
        index.sort_entries()
        if older:
            index.merge(older)
            index.blocks = older.blocks  # unchanged charts keep their text (IndexFile.dumps)
        self._save_stats()
        return index

    def _entries(
        self, rels: list[str], known: dict[str, ChartVersion], previous: dict[str, list[int | str]]
    ) -> list[_Result]:
        results: list[_Result] = []
        for rel in rels:
            warnings: list[str] = []
            cv = self._entry(rel, known, previous, warnings)
            results.append((cv, warnings[0] if warnings else None))
        return results

    def _entries_parallel(
        self, rels: list[str], known: dict[str, ChartVersion], previous: dict[str, list[int | str]]
    ) -> list[_Result]:
        """``_entries`` over forked workers when there are many archives to read.

        Each child reads a contiguous slice and sends back its results and stat
        records (pickled through a pipe); a child that fails is redone here.
        """
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
        todo = [r for r in rels if r not in previous] if previous else rels
        if workers < 2 or len(todo) < PARALLEL_MIN or not hasattr(os, "fork"):
            return self._entries(rels, known, previous)
        size = -(-len(rels) // workers)
        chunks = [rels[i : i + size] for i in range(0, len(rels), size)]
        import pickle

        children = [self._fork(chunk, known, previous) for chunk in chunks[1:]]
        results = self._entries(chunks[0], known, previous)
        for chunk, (pid, read_fd) in zip(chunks[1:], children, strict=True):
            with os.fdopen(read_fd, "rb") as pipe:
                payload = pipe.read()
            os.waitpid(pid, 0)
            try:
                part, stats = pickle.loads(payload)
            except Exception:  # noqa: BLE001 - a failed child: do its share here
                part, stats = self._entries(chunk, known, previous), {}
            self._stats.update(stats)
            results += part
        return results

    def _fork(
        self, chunk: list[str], known: dict[str, ChartVersion], previous: dict[str, list[int | str]]
    ) -> tuple[int, int]:
        import pickle

        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid:
            os.close(write_fd)
            return pid, read_fd
        try:  # the child: never returns
            os.close(read_fd)
            self._stats = {}
            payload = pickle.dumps((self._entries(chunk, known, previous), self._stats))
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)

    def _url(self, rel: str) -> str:
        return f"{self.base_url}/{rel}" if self.base_url else rel

    def _entry(
        self,
        rel: str,
        known: dict[str, ChartVersion],
        previous: dict[str, list[int | str]],
        warnings: list[str],
    ) -> ChartVersion | None:
        path = f"{self.root}/{rel}"
        try:
            st = os.stat(path)
            record = previous.get(rel)
            if (
                record
                and record[0] == st.st_size
                and record[1] == st.st_mtime_ns
                and record[2] in known
            ):
                self._stats[rel] = record
                return dataclasses.replace(known[str(record[2])], urls=[self._url(rel)])
            with open(path, "rb") as handle:
                data = handle.read()
            digest = file_digest(data)
            self._stats[rel] = [st.st_size, st.st_mtime_ns, digest]
            if digest in known:
                return dataclasses.replace(known[digest], urls=[self._url(rel)])
            raw = read_chart_yaml(data, path)
            meta = ChartMetadata.from_dict(
                load_yaml(raw, f"{path}:Chart.yaml"), f"{path}:Chart.yaml"
            )
            return ChartVersion.from_metadata(meta, rel, digest, self.base_url)
        except (PyHelmError, OSError, ValueError) as exc:
            warnings.append(f"{path}: skipped, not a valid chart archive: {exc}")
            return None

    def _load_stats(self) -> dict[str, list[int | str]]:
        try:
            stats = json.loads(self._stat_path.read_bytes())
        except (OSError, ValueError):
            return {}
        return stats if isinstance(stats, dict) else {}

    def _save_stats(self) -> None:
        try:
            self._stat_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._stat_path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._stats, separators=(",", ":")))
            os.replace(tmp, self._stat_path)
        except OSError:
            pass  # only speed is lost


def _stat_cache_path(root: Path) -> Path:
    from pyhelm.repo.cache import index_cache_dir

    key = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:32]
    return index_cache_dir() / f"stat-{key}.json"


def archives(root: Path) -> list[str]:
    """``*.tgz`` in ``root`` and in its direct subfolders, as sorted '/'-relative paths."""
    top: list[str] = []
    nested: list[str] = []
    with os.scandir(root) as it:
        for item in it:
            if item.name.endswith(".tgz") and item.is_file():
                top.append(item.name)
            elif item.is_dir() and not item.name.startswith("."):
                with os.scandir(item.path) as inner:
                    nested += [
                        f"{item.name}/{f.name}"
                        for f in inner
                        if f.name.endswith(".tgz") and f.is_file()
                    ]
    return sorted(top) + sorted(nested)
