"""Reading chart archives (``.tgz``) without trusting them.

A chart archive is untrusted input. ``read_archive`` reads it fully in memory
and refuses it whole — before anything is written anywhere — when an entry has
an absolute path or ``..``, is a link, device or FIFO, lies outside the single
top folder, or when it decompresses beyond the limits (Helm's defaults: 100 MiB
in all, 5 MiB per file; overridable by ``PYHELM_MAX_DECOMPRESSED_CHART_SIZE``
and ``PYHELM_MAX_DECOMPRESSED_FILE_SIZE``, in bytes).

``extract_archive`` writes a checked archive to disk (``pull --untar``) and
never writes outside its destination. ``read_chart_yaml`` reads only the
metadata of an archive, for indexing many archives fast.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from pyhelm.errors import UnsafeArchiveError

if TYPE_CHECKING:
    import tarfile

MAX_CHART_SIZE = 100 * 1024 * 1024
MAX_FILE_SIZE = 5 * 1024 * 1024
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


def _limit(env: str, default: int) -> int:
    value = os.environ.get(env)
    return int(value) if value and value.isdigit() else default


def _bounded_gunzip(data: bytes, limit: int, source: str) -> bytes:
    """Gunzip ``data``, refusing to produce more than ``limit`` bytes (a zip bomb)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise UnsafeArchiveError(f"{source}: not a gzip archive ({exc})") from None
    if len(out) > limit:
        raise UnsafeArchiveError(
            f"{source}: decompresses to more than {limit} bytes; refusing it as a decompression bomb "
            "(raise PYHELM_MAX_DECOMPRESSED_CHART_SIZE if the chart is really that large)"
        )
    return out


def _check_member(member: tarfile.TarInfo, source: str) -> tuple[str, str] | None:
    """``(top_folder, path_inside)`` of a safe file entry, None for a folder entry."""
    name = member.name
    if member.isdir():
        return None
    if member.issym() or member.islnk():
        raise UnsafeArchiveError(
            f"{source}: entry {name!r} is a link to {member.linkname!r}; chart archives may hold "
            "only regular files"
        )
    if not member.isfile():
        raise UnsafeArchiveError(
            f"{source}: entry {name!r} is a device, FIFO or other special file"
        )
    if name.startswith("/") or "\\" in name or ".." in name.split("/") or _DRIVE_RE.match(name):
        raise UnsafeArchiveError(
            f"{source}: entry {name!r} escapes the chart folder (absolute or '..')"
        )
    head, _, rest = posixpath.normpath(name).partition("/")
    if not rest:
        raise UnsafeArchiveError(f"{source}: entry {name!r} is not inside the chart's top folder")
    return head, rest


def read_archive(data: bytes, source: str) -> tuple[str, dict[str, bytes]]:
    """Return ``(top_folder, {path_inside_top_folder: content})`` of a chart archive.

    Raises ``UnsafeArchiveError`` naming ``source`` and the offending entry.
    """
    import gzip
    import tarfile

    total_limit = _limit("PYHELM_MAX_DECOMPRESSED_CHART_SIZE", MAX_CHART_SIZE)
    file_limit = _limit("PYHELM_MAX_DECOMPRESSED_FILE_SIZE", MAX_FILE_SIZE)
    if data[:2] == b"\x1f\x8b":
        data = _bounded_gunzip(data, total_limit + 1024 * 1024, source)
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except (tarfile.TarError, gzip.BadGzipFile, EOFError) as exc:
        raise UnsafeArchiveError(f"{source}: not a valid chart archive ({exc})") from None
    files: dict[str, bytes] = {}
    top: str | None = None
    total = 0
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, EOFError) as exc:
            raise UnsafeArchiveError(f"{source}: corrupt tar archive ({exc})") from None
        for member in members:
            checked = _check_member(member, source)
            if checked is None:
                continue
            head, rest = checked
            name = member.name
            if top is None:
                top = head
            elif head != top:
                raise UnsafeArchiveError(
                    f"{source}: archive holds more than one top folder ({top!r} and {head!r}); "
                    "a chart archive holds exactly one"
                )
            if member.size > file_limit:
                raise UnsafeArchiveError(
                    f"{source}: entry {name!r} is {member.size} bytes, over the per-file limit of {file_limit} "
                    "(PYHELM_MAX_DECOMPRESSED_FILE_SIZE)"
                )
            total += member.size
            if total > total_limit:
                raise UnsafeArchiveError(
                    f"{source}: decompresses to more than {total_limit} bytes "
                    "(PYHELM_MAX_DECOMPRESSED_CHART_SIZE)"
                )
            extracted = tar.extractfile(member)
            files[rest] = extracted.read() if extracted else b""
    if top is None:
        raise UnsafeArchiveError(
            f"{source}: archive is empty; a chart archive holds <name>/Chart.yaml"
        )
    return top, files


def _first_header(head: bytes) -> tuple[str, int] | None:
    """``(name, size)`` of a first tar header that is a plain ustar/GNU regular file, else None."""
    if len(head) < 512 or head[156:157] not in (b"0", b"\0") or head[257:262] != b"ustar":
        return None
    try:
        checksum = int(head[148:156].strip(b"\0 ") or b"0", 8)
        size = int(head[124:136].strip(b"\0 ") or b"0", 8)
        name = head[:100].split(b"\0", 1)[0].decode("utf-8")
        prefix = (
            head[345:500].split(b"\0", 1)[0].decode("utf-8") if head[257:263] == b"ustar\0" else ""
        )
    except (ValueError, UnicodeDecodeError):
        return None
    if checksum != sum(head[:148]) + 256 + sum(head[156:512]):
        return None
    return (f"{prefix}/{name}" if prefix else name), size


def read_chart_yaml(data: bytes, source: str) -> bytes:
    """The ``Chart.yaml`` bytes of a chart archive, reading as little as possible.

    Archives written by Helm or pyhelm hold ``<name>/Chart.yaml`` first, so
    only its first blocks are decompressed and its one header is checked like
    any entry; other archives are read whole with ``read_archive``. Raises
    ``UnsafeArchiveError`` for a corrupt or unsafe archive.
    """
    file_limit = _limit("PYHELM_MAX_DECOMPRESSED_FILE_SIZE", MAX_FILE_SIZE)
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if data[:2] == b"\x1f\x8b" else None
        head = inflater.decompress(data, 512) if inflater else data[:512]
        first = _first_header(head)
        if first and first[1] <= file_limit:
            name, size = first
            if (
                name.startswith("/")
                or "\\" in name
                or ".." in name.split("/")
                or _DRIVE_RE.match(name)
            ):
                raise UnsafeArchiveError(
                    f"{source}: entry {name!r} escapes the chart folder (absolute or '..')"
                )
            if posixpath.normpath(name).partition("/")[2] == "Chart.yaml":
                body = (
                    inflater.decompress(inflater.unconsumed_tail, size)
                    if inflater
                    else data[512 : 512 + size]
                )
                if len(body) == size:
                    return body
    except zlib.error as exc:
        raise UnsafeArchiveError(f"{source}: not a valid chart archive ({exc})") from None
    _, files = read_archive(data, source)
    if "Chart.yaml" not in files:
        raise UnsafeArchiveError(f"{source}: archive holds no <name>/Chart.yaml; it is not a chart")
    return files["Chart.yaml"]


def extract_archive(data: bytes, dest: str | os.PathLike[str], source: str) -> Path:
    """Check the whole archive, then write it under ``dest``; return ``dest/<top folder>``.

    Nothing is written unless every entry is safe (see ``read_archive``); every
    path is checked again to lie inside ``dest``, files are created new (never
    through an existing link) with mode 0644. Raises ``UnsafeArchiveError``, or
    ``ChartError`` when ``dest/<top folder>`` already exists.
    """
    from pyhelm.errors import ChartError

    top, files = read_archive(data, source)
    root = Path(dest).resolve()
    target = root / top
    if target.exists() or target.is_symlink():
        raise ChartError(f"{target}: already exists; remove it or pull into another --untardir")
    for rel, content in sorted(files.items()):
        path = target / rel
        if not path.resolve().is_relative_to(target):
            raise UnsafeArchiveError(f"{source}: entry {rel!r} would be written outside {target}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            with os.fdopen(os.open(path, flags, 0o644), "wb") as handle:
                handle.write(content)
        except OSError as exc:
            raise ChartError(
                f"{path}: cannot write while extracting {source}: {exc.strerror}"
            ) from None
    return target
