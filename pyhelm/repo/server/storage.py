"""The repository folder on disk: chart archives plus ``index.yaml``.

Invariants, kept under concurrent uploads and deletes and across crashes:

* Every file is written to a temporary file in the same folder, flushed to
  disk, then renamed over its name, so no reader ever sees half a file and a
  killed server leaves either the old file or the new one (plus a temporary
  file, removed on the next start).
* One writer: all changes go through one queue, applied by one task that
  batches what has gathered (group commit), so the index is written once per
  batch and never loses an entry to a race.
* Order: an archive is on disk before any index lists it; a deleted archive's
  file goes before the stored index stops listing it. Either way a crash in
  between leaves an index that the next start finds stale and rebuilds, so no
  acknowledged upload is lost and no deleted chart comes back.
* On start, the index is rebuilt from the archives when it is missing,
  unreadable or stale (an archive it does not list, or lists but whose digest
  differs, or a listed archive that is gone).
* One server per folder: a lock on the folder refuses a second ``pyhelm serve``.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import IO

from pyhelm.errors import RepoError
from pyhelm.repo.index import ChartVersion, IndexFile, file_digest, index_directory, now_rfc3339
from pyhelm.repo.server.http import HTTPError, Resource
from pyhelm.repo.server.upload import SAFE_FILE, Inspected

INDEX_NAME = "index.yaml"
#: Immutable copies of large served indexes (streamed by the server from disk).
SERVED_DIR = ".pyhelm-served"
#: An index at least this large is streamed from a file rather than passed through Python.
STREAM_MIN_SIZE = 1024 * 1024
#: Seconds an older index copy stays after a newer index is served.
SNAPSHOT_GRACE = 30.0
#: Where uploaded archives appear in index urls, as ChartMuseum writes them.
URL_PREFIX = "charts"
YAML_TYPE = b"application/x-yaml"


class StorageError(RepoError):
    """The repository folder cannot be used."""


class ChangeKind(Enum):
    ADD = "add"
    DELETE = "delete"
    PROV = "prov"


@dataclass
class Change:
    """One queued write; ``future`` resolves when it is on disk and served."""

    kind: ChangeKind
    name: str
    version: str
    upload: Inspected | None = None
    prov: bytes | None = None
    overwrite: bool = False
    future: asyncio.Future[ChartVersion | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


def durable_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``: temporary file, fsync, rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def archive_name(cv: ChartVersion) -> str:
    """The file an index entry points at (the last segment of its first url)."""
    url = cv.urls[0] if cv.urls else f"{cv.name}-{cv.version}.tgz"
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class RepoStorage:
    """The archives and index of one folder, and the single writer that changes them.

    ``index`` and ``files`` may be read at any time from the event loop; only
    the writer task changes them. ``index_resource`` is the served index.yaml.
    """

    def __init__(
        self,
        directory: Path,
        index: IndexFile,
        lock: int | None = None,
        index_bytes: bytes | None = None,
    ) -> None:
        self.directory = directory
        self.index = index
        self.files: dict[str, ChartVersion] = {archive_name(cv): cv for cv in index.all_versions()}
        self.generation = 0
        self._served = directory / SERVED_DIR
        shutil.rmtree(self._served, ignore_errors=True)
        self._snapshots: list[Path] = []
        self.index_resource = self._resource(index.dumps() if index_bytes is None else index_bytes)
        self.on_change: list[Callable[[set[str]], None]] = []
        self._lock = lock
        self._queue: asyncio.Queue[Change] | None = None
        self._writer: asyncio.Task[None] | None = None

    # -- opening -----------------------------------------------------------------
    @classmethod
    def open(cls, directory: str | os.PathLike[str], log: IO[str] = sys.stderr) -> RepoStorage:
        """Open (creating) the folder, take its lock, clean leftovers, load or rebuild the index."""
        root = Path(directory)
        try:
            root.mkdir(parents=True, exist_ok=True)
            lock = _take_lock(root)
        except OSError as exc:
            raise StorageError(
                f"{root}: cannot use the repository folder: {exc.strerror}"
            ) from None
        for leftover in root.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)
        index, reason = _load_fresh(root)
        if not reason:
            assert index is not None
            return cls(root, index, lock, (root / INDEX_NAME).read_bytes())
        print(f"pyhelm serve: rebuilding {root / INDEX_NAME}: {reason}", file=log)
        index = _rebuild(root, index)
        for warning in index.warnings:
            print(f"pyhelm serve: warning: {warning}", file=log)
        data = index.dumps()
        try:
            durable_write(root / INDEX_NAME, data)
        except OSError as exc:
            raise StorageError(
                f"{root / INDEX_NAME}: cannot write the index: {exc.strerror}"
            ) from None
        return cls(root, index, lock, data)

    # -- the writer --------------------------------------------------------------
    def start(self) -> None:
        self._queue = asyncio.Queue()
        self._writer = asyncio.get_running_loop().create_task(self._write_loop())

    async def close(self) -> None:
        """Finish queued writes, stop the writer, release the folder."""
        if self._queue is not None and self._writer is not None:
            await self._queue.join()
            self._writer.cancel()
        shutil.rmtree(self._served, ignore_errors=True)
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    async def add(self, upload: Inspected, prov: bytes | None, overwrite: bool) -> ChartVersion:
        """Store a validated chart; ``HTTPError(409)`` if the version exists and ``overwrite`` is off."""
        meta = upload.chart.metadata
        result = await self._submit(
            Change(ChangeKind.ADD, meta.name, meta.version, upload, prov, overwrite)
        )
        assert result is not None
        return result

    async def add_prov(self, name: str, version: str, prov: bytes) -> None:
        """Store the provenance file of a version already here; ``HTTPError(404)`` if it is not."""
        await self._submit(Change(ChangeKind.PROV, name, version, prov=prov))

    async def delete(self, name: str, version: str) -> None:
        """Remove one version (and its .prov); ``HTTPError(404)`` if it is not there."""
        await self._submit(Change(ChangeKind.DELETE, name, version))

    async def _submit(self, change: Change) -> ChartVersion | None:
        if self._queue is None:
            raise RuntimeError("RepoStorage.start() was not called")
        await self._queue.put(change)
        return await change.future

    async def _write_loop(self) -> None:
        assert self._queue is not None
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._apply(batch)
            except Exception as exc:  # a disk failure: every waiting request gets a 500
                for change in batch:
                    if not change.future.done():
                        change.future.set_exception(HTTPError(500, f"storage failed: {exc}"))
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _apply(self, batch: list[Change]) -> None:
        """Check each change in order, write their files, then change and publish the index once."""
        staged: dict[tuple[str, str], bool] = {}
        ops: list[tuple[Path, bytes | None]] = []
        accepted: list[tuple[Change, ChartVersion | None]] = []
        for change in batch:
            try:
                accepted.append((change, self._plan(change, staged, ops)))
            except HTTPError as exc:
                change.future.set_exception(exc)
        if not accepted:
            return
        await asyncio.to_thread(_run_file_ops, ops)
        for change, cv in accepted:
            self._commit(change, cv)
        if any(change.kind is not ChangeKind.PROV for change, _ in accepted):
            await self._publish()
        for change, cv in accepted:
            change.future.set_result(cv)
        changed = {path.name for path, _ in ops}
        for listener in self.on_change:
            listener(changed)

    def _plan(
        self,
        change: Change,
        staged: dict[tuple[str, str], bool],
        ops: list[tuple[Path, bytes | None]],
    ) -> ChartVersion | None:
        """Check one change against the index as the batch so far leaves it; queue its file ops."""
        key = (change.name, change.version)
        present = staged[key] if key in staged else self.index.has(*key)
        if change.kind is ChangeKind.PROV:
            if not present:
                raise HTTPError(
                    404,
                    f"chart {change.name} version {change.version} not found; "
                    "upload the chart before its provenance file",
                )
            filename = (
                f"{change.name}-{change.version}.tgz"
                if key in staged
                else archive_name(self._entry(*key))
            )
            ops.append((self.directory / f"{filename}.prov", change.prov))
            return None
        if change.kind is ChangeKind.DELETE:
            if not present:
                raise HTTPError(404, f"chart {change.name} version {change.version} not found")
            filename = (
                f"{change.name}-{change.version}.tgz"
                if key in staged
                else archive_name(self._entry(*key))
            )
            ops += [(self.directory / filename, None), (self.directory / f"{filename}.prov", None)]
            staged[key] = False
            return None
        upload = change.upload
        assert upload is not None
        if present and not change.overwrite:
            raise HTTPError(409, "file already exists")
        ops.append((self.directory / upload.filename, upload.archive))
        if change.prov is not None:
            ops.append((self.directory / f"{upload.filename}.prov", change.prov))
        staged[key] = True
        return ChartVersion.from_metadata(
            upload.chart.metadata,
            upload.filename,
            upload.digest,
            base_url=URL_PREFIX,
            created=now_rfc3339(),
        )

    def _entry(self, name: str, version: str) -> ChartVersion:
        return next(v for v in self.index.entries[name] if v.version == version)

    def _commit(self, change: Change, cv: ChartVersion | None) -> None:
        if change.kind is ChangeKind.PROV:
            return
        if change.kind is ChangeKind.DELETE:
            self.files.pop(archive_name(self._entry(change.name, change.version)), None)
            self.index.remove(change.name, change.version)
        else:
            assert cv is not None
            self.index.add(cv)
            self.files[archive_name(cv)] = cv

    async def _publish(self) -> None:
        self.index.generated = now_rfc3339()
        data = await asyncio.to_thread(self._save_index)
        old_snapshots = self._snapshots
        self.index_resource = await asyncio.to_thread(self._resource, data)
        self.generation += 1
        if old_snapshots:  # a request that took the old index may still be about to stream it
            asyncio.get_running_loop().call_later(SNAPSHOT_GRACE, _unlink_all, old_snapshots)

    def _save_index(self) -> bytes:
        data = self.index.dumps()
        durable_write(self.directory / INDEX_NAME, data)
        return data

    def _resource(self, data: bytes) -> Resource:
        """The served index; a large one also gets immutable copies on disk to stream from."""
        resource = Resource.build(data, YAML_TYPE, compress=True)
        self._snapshots = []
        if len(data) >= STREAM_MIN_SIZE:
            tag = resource.etag.strip(b'"').decode()
            self._served.mkdir(exist_ok=True)
            plain = self._served / f"index-{tag}.yaml"
            try:
                os.link(self.directory / INDEX_NAME, plain)
            except OSError:
                durable_write(plain, data)
            self._snapshots.append(plain)
            gz = None
            if resource.gzip_body is not None:
                gz = self._served / f"index-{tag}.yaml.gz"
                durable_write(gz, resource.gzip_body)
                self._snapshots.append(gz)
            resource.attach_files(str(plain), str(gz) if gz else None)
        return resource

    # -- reading -----------------------------------------------------------------
    def archive_path(self, filename: str) -> Path | None:
        """The path of a served archive or .prov, only if the index lists it; never anything else."""
        if not SAFE_FILE.match(filename):
            return None
        base = filename.removesuffix(".prov")
        if base not in self.files:
            return None
        return self.directory / filename


def _unlink_all(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _run_file_ops(ops: list[tuple[Path, bytes | None]]) -> None:
    """Write (``bytes``) or remove (``None``) each file, in order."""
    for path, data in ops:
        if data is None:
            path.unlink(missing_ok=True)
        else:
            durable_write(path, data)


def _take_lock(root: Path) -> int:
    """Lock the folder itself (flock on its descriptor): no lock file is left behind."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise StorageError(
            f"{root}: another 'pyhelm serve' is already serving this folder; stop it or choose another --dir"
        ) from None
    return fd


def _load_fresh(root: Path) -> tuple[IndexFile | None, str]:
    """The stored index and ``""`` if it matches the archives, else why it must be rebuilt."""
    path = root / INDEX_NAME
    if not path.is_file():
        return None, "no index.yaml yet"
    try:
        index = IndexFile.load(path)
    except RepoError as exc:
        return None, f"the stored index cannot be read ({exc})"
    listed = {archive_name(cv): cv for cv in index.all_versions()}
    on_disk = _archives_on_disk(root)
    if set(listed) - set(on_disk):
        return (
            index,
            f"it lists archives that are gone: {', '.join(sorted(set(listed) - set(on_disk))[:3])}",
        )
    if set(on_disk) - set(listed):
        return (
            index,
            f"archives it does not list: {', '.join(sorted(set(on_disk) - set(listed))[:3])}",
        )
    index_mtime = path.stat().st_mtime_ns
    for name, entry in on_disk.items():
        if entry.stat().st_mtime_ns <= index_mtime:
            continue
        if file_digest(Path(entry.path).read_bytes()) != listed[name].digest:
            return index, f"{name} changed since the index was written"
    return index, ""


def _archives_on_disk(root: Path) -> dict[str, os.DirEntry[str]]:
    """The ``*.tgz`` files directly in ``root``, by name."""
    with os.scandir(root) as entries:
        return {e.name: e for e in entries if e.name.endswith(".tgz") and e.is_file()}


def _rebuild(root: Path, older: IndexFile | None) -> IndexFile:
    """Index the archives in ``root``, keeping what ``older`` knew (created) of unchanged ones."""
    index = index_directory(root, base_url=URL_PREFIX, merge_from=older)
    on_disk = _archives_on_disk(root)
    for cv in list(index.all_versions()):
        if archive_name(cv) not in on_disk:
            index.remove(cv.name, cv.version)
    return index
