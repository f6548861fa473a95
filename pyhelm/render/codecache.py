"""Compiled templates on disk: one file per chart tree, keyed by content.

Jinja2's own bytecode cache reads one file per template and pulls in
``hashlib`` and ``tempfile``; a chart of 200 templates would pay 200 reads.
This cache keeps every compiled template of one chart tree in one
``marshal`` file under ``PYHELM_CACHE_HOME/templates-vN/``. An entry is used
only when the stored source equals the template's current source exactly, so
an edited template is recompiled and a stale entry can never be used. The
file is rewritten (atomically) only when something was compiled.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from types import CodeType

#: The marshal format and Jinja2's generated code both depend on the interpreter.
_MAGIC = f"pyhelm-codecache-1-{sys.implementation.cache_tag}"


class CodeCache:
    """``get(name, source)``, ``put(name, source, code)``; ``save()`` writes the file if changed."""

    def __init__(self, folder: str | None, key: str) -> None:
        self.path = (
            os.path.join(folder, f"{zlib.crc32(key.encode()):08x}.cache") if folder else None
        )
        self.entries: dict[str, tuple[str, CodeType]] = {}
        self.used: set[str] = set()
        self.dirty = False
        if self.path:
            self._read()

    def _read(self) -> None:
        try:
            with open(self.path, "rb") as handle:  # type: ignore[arg-type]
                magic, entries = marshal.loads(
                    handle.read()
                )  # loads(read()): load(file) reads in tiny steps
        except (OSError, EOFError, ValueError, TypeError):
            return
        if magic == _MAGIC and isinstance(entries, dict):
            self.entries = entries

    def get(self, name: str, source: str) -> CodeType | None:
        self.used.add(name)
        entry = self.entries.get(name)
        return entry[1] if entry is not None and entry[0] == source else None

    def has(self, name: str, source: str) -> bool:
        """Whether code for this exact source is cached (without counting the entry as used)."""
        entry = self.entries.get(name)
        return entry is not None and entry[0] == source

    def put(self, name: str, source: str, code: CodeType) -> None:
        self.entries[name] = (source, code)
        self.dirty = True

    def save(self) -> None:
        """Write the cache (only the templates used) if anything was compiled; a failure to write
        only costs speed."""
        if not (self.path and self.dirty):
            return
        self.entries = {name: entry for name, entry in self.entries.items() if name in self.used}
        temp = f"{self.path}.{os.getpid()}.tmp"
        try:
            with open(temp, "wb") as handle:
                handle.write(marshal.dumps((_MAGIC, self.entries)))
            os.replace(temp, self.path)
        except OSError:
            try:
                os.unlink(temp)
            except OSError:
                pass
        self.dirty = False
