"""Loading a chart from a folder or a ``.tgz`` archive.

``load_chart(path)`` is the entry point. Both forms go through the same
``chart_from_files``, so a folder and its packaged archive load to the same
``Chart``. Subcharts under ``charts/`` load recursively, as folders or archives.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pyhelm import yamlio
from pyhelm.chart.ignore import HelmIgnore
from pyhelm.chart.model import Chart, ChartMetadata
from pyhelm.errors import ChartError, PyHelmError

#: Files the loader gives a meaning of their own; everything else is in ``Chart.files``.
SPECIAL_FILES = (
    "Chart.yaml",
    "values.yaml",
    "values.schema.json",
    "Chart.lock",
    "requirements.yaml",
    "requirements.lock",
)


def load_chart(path: str | os.PathLike[str]) -> Chart:
    """Load the chart at ``path``: a chart folder or a chart archive (``.tgz``)."""
    p = Path(path)
    if p.is_dir():
        return chart_from_files(read_folder(p), str(p))
    if p.is_file():
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise ChartError(f"{p}: cannot read chart archive: {exc.strerror}") from None
        return load_archive_bytes(data, str(p))
    raise ChartError(f"{p}: no such chart folder or archive")


def load_archive_bytes(data: bytes, source: str) -> Chart:
    """Load a chart from the bytes of a ``.tgz`` archive (an upload, a download)."""
    from pyhelm.chart.archive import read_archive  # tarfile and gzip only when an archive is read

    _, files = read_archive(data, source)
    return chart_from_files(files, source)


def read_folder(root: Path) -> dict[str, bytes]:
    """Every file of a chart folder that ``.helmignore`` keeps, keyed by '/'-path.

    Symbolic links are followed only when they stay inside the chart folder.
    Order: a folder's files (sorted), then its subfolders (sorted), depth first.
    """
    ignore_file = root / ".helmignore"
    ignore = HelmIgnore(ignore_file.read_text(encoding="utf-8") if ignore_file.is_file() else "")
    reader = _FolderReader(str(root), ignore)
    reader.read(str(root), reader.real_root, "")
    return reader.files


class _FolderReader:
    """One ``read_folder`` walk. ``os.scandir`` rather than ``os.walk`` and ``Path``: a folder
    entry knows whether it is a link or a folder without a system call per file."""

    __slots__ = ("root", "real_root", "ignore", "files", "seen")

    def __init__(self, root: str, ignore: HelmIgnore) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.ignore = ignore
        self.files: dict[str, bytes] = {}
        self.seen = {self.real_root}

    def read(self, folder: str, real_folder: str, prefix: str) -> None:
        """Read ``folder`` (whose real path is ``real_folder``; ``prefix`` is its '/'-path + '/')."""
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            return  # an unreadable folder is skipped, as os.walk does
        subfolders, files = [], []
        for entry in entries:
            rel = prefix + entry.name
            is_dir = _is_dir(entry)
            if self.ignore.ignored(rel, is_dir=is_dir):
                continue
            if not is_dir:
                files.append((entry, rel))
                continue
            real = self._checked_link(entry, rel) or os.path.join(real_folder, entry.name)
            if real in self.seen:
                raise ChartError(
                    f"{self.root}/{rel}: symbolic link loop: it leads back to a folder "
                    "already read; remove the link or list it in .helmignore"
                )
            self.seen.add(real)
            subfolders.append((entry.path, real, rel + "/"))
        for entry, rel in files:
            self._checked_link(entry, rel)
            try:
                with open(entry.path, "rb") as handle:
                    self.files[rel] = handle.read()
            except OSError as exc:
                raise ChartError(f"{self.root}/{rel}: cannot read: {exc.strerror}") from None
        for subfolder in subfolders:
            self.read(*subfolder)

    def _checked_link(self, entry: os.DirEntry[str], rel: str) -> str | None:
        """The real path of a link that stays inside the chart (None: not a link)."""
        if not entry.is_symlink():
            return None
        real = os.path.realpath(entry.path)
        if real != self.real_root and not real.startswith(os.path.join(self.real_root, "")):
            raise ChartError(
                f"{self.real_root}/{rel}: symbolic link points outside the chart folder; refusing it"
            )
        return real


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows a link, as os.walk(followlinks=True) does
    except OSError:
        return False


def chart_from_files(files: dict[str, bytes], source: str) -> Chart:
    """Build a ``Chart`` from its files (paths relative to the chart root)."""
    if "Chart.yaml" not in files:
        raise ChartError(
            f"{source}: Chart.yaml is missing; a chart folder needs one (try 'pyhelm create')"
        )
    meta_data = yamlio.load(files["Chart.yaml"], f"{source}/Chart.yaml", ChartError)
    metadata = ChartMetadata.from_dict(meta_data, f"{source}/Chart.yaml")
    chart = Chart(metadata=metadata, raw=dict(files), source=source)
    chart.values = _values(files.get("values.yaml"), f"{source}/values.yaml")
    if "values.schema.json" in files:
        chart.schema = _schema(files["values.schema.json"], f"{source}/values.schema.json")
    if "Chart.lock" in files:
        chart.lock = yamlio.load(files["Chart.lock"], f"{source}/Chart.lock", ChartError) or {}
    subchart_files: dict[str, dict[str, bytes]] = {}
    for path, content in files.items():
        if path.startswith("templates/"):
            chart.templates[path] = _text(content, f"{source}/{path}")
        elif path.startswith("charts/"):
            _collect_subchart(path, content, subchart_files, chart, source)
        elif path not in SPECIAL_FILES:
            chart.files[path] = content
    for name in sorted(subchart_files):
        chart.subcharts.append(chart_from_files(subchart_files[name], f"{source}/charts/{name}"))
    return chart


def _collect_subchart(
    path: str, content: bytes, folders: dict[str, dict[str, bytes]], chart: Chart, source: str
) -> None:
    rest = path[len("charts/") :]
    name, sep, inner = rest.partition("/")
    if sep:
        folders.setdefault(name, {})[inner] = content
    elif name.endswith((".tgz", ".tar.gz")):
        chart.subcharts.append(load_archive_bytes(content, f"{source}/charts/{name}"))


def _text(content: bytes, source: str) -> str:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ChartError(
            f"{source}: not UTF-8 text (byte {exc.start}); templates must be UTF-8"
        ) from None
    return text.removeprefix("\ufeff")  # a byte-order mark would end up in the output


#: Most nodes a YAML document may expand to through aliases (a "billion laughs" bomb stops here).
MAX_EXPANDED_NODES = 1_000_000


def check_expansion(data: Any, source: str, error_class: type[PyHelmError] = ChartError) -> None:
    """Refuse data whose aliases expand to more than ``MAX_EXPANDED_NODES`` nodes.

    PyYAML shares an aliased node instead of copying it, so loading a bomb is
    cheap; dumping, merging or walking it is not. This counts the expanded
    size in time linear in the *distinct* nodes.
    """
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        if not isinstance(node, (dict, list)):
            return 1
        key = id(node)
        if key not in sizes:
            sizes[key] = 0  # a cycle counts as nothing more
            children = node.values() if isinstance(node, dict) else node
            sizes[key] = 1 + sum(size(child) for child in children)
        return sizes[key]

    if isinstance(data, (dict, list)) and size(data) > MAX_EXPANDED_NODES:
        raise error_class(
            f"{source}: YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes; "
            "refusing it as an alias bomb"
        )


def _values(content: bytes | None, source: str) -> dict[str, Any]:
    if content is None:
        return {}
    data = yamlio.load(content, source, ChartError, remember=True)
    if b"*" in content:  # only aliases can make a bomb
        check_expansion(data, source)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ChartError(
            f"{source}: must be a mapping of values at the top level, got {type(data).__name__}"
        )
    return data


def _schema(content: bytes, source: str) -> dict[str, Any]:
    try:
        schema = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ChartError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if not isinstance(schema, dict):
        raise ChartError(f"{source}: a JSON schema must be an object")
    return schema
