"""Parsed values files on disk: a big values.yaml is parsed once, not on every render.

A chart's values.yaml (or a ``-f`` file) of hundreds of kilobytes costs more to
parse than the rest of a render. Its parsed documents are kept under
``PYHELM_CACHE_HOME/yaml-vN/``, one ``marshal`` file per text, named by the text's
checksum and used only when the text stored in it equals the text being read, byte
for byte: an edited file is parsed again, and a stale entry can never be used.
Documents ``marshal`` cannot hold are not kept; a failure to read or write only
costs speed. The newest ``ENTRIES`` files are kept.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from collections.abc import Callable
from typing import Any

#: The marshal format depends on the interpreter; the trees on how pyhelm reads YAML.
_MAGIC = f"pyhelm-yaml-1-{sys.implementation.cache_tag}"
#: How many parsed texts are kept.
ENTRIES = 32


def load_all(text: str | bytes, parse: Callable[[], list[Any]]) -> list[Any]:
    """The documents of ``text``: from the cache, or from ``parse()`` (and then kept)."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    path = _entry_path(data)
    docs = _read(path, data) if path else None
    if docs is None:
        docs = parse()
        if path:
            _write(path, data, docs)
    return docs


def _entry_path(data: bytes) -> str | None:
    try:
        from pyhelm.settings import cache_home

        folder = os.path.join(cache_home(), "yaml-v1")
    except (OSError, RuntimeError):  # no home folder to put a cache in
        return None
    return os.path.join(folder, f"{zlib.crc32(data):08x}-{len(data):x}.marshal")


def _read(path: str, data: bytes) -> list[Any] | None:
    try:
        with open(path, "rb") as handle:
            entry = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == _MAGIC and entry[1] == data:
        docs = entry[2]
        return docs if isinstance(docs, list) else None
    return None


def _write(path: str, data: bytes, docs: list[Any]) -> None:
    try:
        blob = marshal.dumps((_MAGIC, data, docs))
    except ValueError:  # a value marshal cannot hold: parse this text every time
        return
    folder = os.path.dirname(path)
    temp = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(blob)
        os.replace(temp, path)
        _prune(folder)
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass


def _prune(folder: str) -> None:
    """Keep the newest ``ENTRIES`` entries."""
    with os.scandir(folder) as found:
        entries = [(e.stat().st_mtime, e.path) for e in found if e.name.endswith(".marshal")]
    for _, path in sorted(entries)[:-ENTRIES]:
        os.unlink(path)
