"""Packaging a chart folder into a reproducible ``<name>-<version>.tgz``.

The layout is Helm's: one top folder named after the chart; ``Chart.yaml``
(re-serialised with sorted keys), ``Chart.lock``, ``values.yaml``,
``values.schema.json``, then templates and the other files, each group in
sorted order; subcharts — folders or ``.tgz`` under ``charts/`` — written
expanded at ``charts/<subchart name>/``. Only file entries are written.

Archives are reproducible: entries are sorted, every entry has mtime 0, mode
0644, owner and group 0 with empty names, and the gzip header carries neither
a time nor a file name, so the same chart always gives the same bytes and the
same sha256 digest.
"""

from __future__ import annotations

import io
import itertools
import os
from pathlib import Path

from pyhelm import yamlio
from pyhelm.chart.archive import read_archive
from pyhelm.chart.dependencies import check_dependencies
from pyhelm.chart.loader import chart_from_files, read_folder
from pyhelm.chart.model import ChartMetadata
from pyhelm.errors import ChartError

_TMP_COUNTER = itertools.count()
FIXED_MTIME = 0
FILE_MODE = 0o644
_FIRST = ("Chart.yaml", "Chart.lock", "values.yaml", "values.schema.json")


def archive_bytes(
    chart_dir: str | os.PathLike[str], version: str | None = None, app_version: str | None = None
) -> tuple[ChartMetadata, bytes]:
    """Package the chart folder ``chart_dir`` in memory: ``(metadata, .tgz bytes)``.

    ``version`` and ``app_version`` override Chart.yaml's (``--version``,
    ``--app-version``). Raises ``ChartError`` for a missing or invalid chart,
    ``DependencyError`` when its dependencies are not in charts/ (as Helm).
    """
    root = Path(chart_dir)
    if not root.is_dir():
        raise ChartError(
            f"{root}: not a chart folder; 'package' takes the folder holding Chart.yaml"
        )
    files = read_folder(root)
    chart = check_dependencies(chart_from_files(files, str(root)))
    metadata = _override(chart.metadata, version, app_version, str(root))
    entries = _entries(files, metadata, str(root))
    return metadata, _tgz(metadata.name, entries)


def package_chart(
    chart_dir: str | os.PathLike[str],
    dest_dir: str | os.PathLike[str],
    version: str | None = None,
    app_version: str | None = None,
) -> Path:
    """Write ``<dest_dir>/<name>-<version>.tgz`` atomically and return its path."""
    metadata, data = archive_bytes(chart_dir, version, app_version)
    dest = Path(dest_dir)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / f"{metadata.name}-{metadata.version}.tgz"
        write_atomic(target, data)
    except OSError as exc:
        raise ChartError(f"{dest}: cannot write the chart archive: {exc.strerror}") from None
    return target


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a new temporary file beside it and a rename."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.{next(_TMP_COUNTER)}.tmp"
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _override(
    meta: ChartMetadata, version: str | None, app_version: str | None, source: str
) -> ChartMetadata:
    if version is None and app_version is None:
        return meta
    data = meta.to_dict()
    if version is not None:
        data["version"] = version
    if app_version is not None:
        data["appVersion"] = app_version
    return ChartMetadata.from_dict(data, f"{source} (with --version/--app-version)")


def _entries(
    files: dict[str, bytes], metadata: ChartMetadata, source: str
) -> list[tuple[str, bytes]]:
    """The archive entries of one chart, paths relative to its top folder, in Helm's order."""
    entries = [("Chart.yaml", yamlio.dump(metadata.to_dict()).encode("utf-8"))]
    entries += [(name, files[name]) for name in _FIRST[1:] if name in files]
    templates = sorted(p for p in files if p.startswith("templates/"))
    others = sorted(
        p for p in files if p not in _FIRST and not p.startswith(("templates/", "charts/"))
    )
    entries += [(p, files[p]) for p in templates + others]
    for name, sub_files in sorted(_subcharts(files, source).items()):
        sub_source = f"{source}/charts/{name}"
        sub_meta = chart_from_files(sub_files, sub_source).metadata
        entries += [(f"charts/{name}/{p}", c) for p, c in _entries(sub_files, sub_meta, sub_source)]
    return entries


def _subcharts(files: dict[str, bytes], source: str) -> dict[str, dict[str, bytes]]:
    """Subchart files keyed by subchart name, from folders and archives under ``charts/``."""
    folders: dict[str, dict[str, bytes]] = {}
    for path, content in files.items():
        if not path.startswith("charts/"):
            continue
        head, sep, inner = path[len("charts/") :].partition("/")
        if sep:
            folders.setdefault(head, {})[inner] = content
        elif head.endswith((".tgz", ".tar.gz")):
            folders[head] = read_archive(content, f"{source}/charts/{head}")[1]
    by_name: dict[str, dict[str, bytes]] = {}
    for where, sub_files in sorted(folders.items()):
        name = chart_from_files(sub_files, f"{source}/charts/{where}").metadata.name
        if name in by_name:
            raise ChartError(
                f"{source}/charts/{where}: a second copy of subchart {name!r}; keep one "
                "(run 'pyhelm dependency build' to refresh charts/)"
            )
        by_name[name] = sub_files
    return by_name


def _tgz(top: str, entries: list[tuple[str, bytes]]) -> bytes:
    import gzip
    import tarfile

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, content in entries:
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size = len(content)
            info.mtime = FIXED_MTIME
            info.mode = FILE_MODE
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(content))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()
