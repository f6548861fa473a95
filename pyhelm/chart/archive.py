"""Reading chart archives (``.tgz``) without trusting them.

A chart archive is untrusted input. ``read_archive`` reads it fully in memory
and refuses it whole — before anything is written anywhere — when an entry has
an absolute path or ``..``, is a link, device or FIFO, lies outside the single
top folder, or when it decompresses beyond the limits (Helm's defaults: 100 MiB
in all, 5 MiB per file; overridable by ``PYHELM_MAX_DECOMPRESSED_CHART_SIZE``
and ``PYHELM_MAX_DECOMPRESSED_FILE_SIZE``, in bytes).
"""

from __future__ import annotations

import gzip
import io
import os
import posixpath
import tarfile
import zlib

from pyhelm.errors import UnsafeArchiveError

MAX_CHART_SIZE = 100 * 1024 * 1024
MAX_FILE_SIZE = 5 * 1024 * 1024


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


def read_archive(data: bytes, source: str) -> tuple[str, dict[str, bytes]]:
    """Return ``(top_folder, {path_inside_top_folder: content})`` of a chart archive.

    Raises ``UnsafeArchiveError`` naming ``source`` and the offending entry.
    """
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
            name = member.name
            if member.isdir():
                continue
            if member.issym() or member.islnk():
                raise UnsafeArchiveError(
                    f"{source}: entry {name!r} is a link to {member.linkname!r}; chart archives may hold "
                    "only regular files"
                )
            if not member.isfile():
                raise UnsafeArchiveError(f"{source}: entry {name!r} is a device, FIFO or other special file")
            if name.startswith("/") or "\\" in name or ".." in name.split("/"):
                raise UnsafeArchiveError(f"{source}: entry {name!r} escapes the chart folder (absolute or '..')")
            normal = posixpath.normpath(name)
            head, _, rest = normal.partition("/")
            if not rest:
                raise UnsafeArchiveError(f"{source}: entry {name!r} is not inside the chart's top folder")
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
        raise UnsafeArchiveError(f"{source}: archive is empty; a chart archive holds <name>/Chart.yaml")
    return top, files
