"""Reading manifests for ``apply -f``/``create -f``/``delete -f``: files, folders, stdin."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pyhelm import yamlio
from pyhelm.errors import Invalid, UsageError

Manifest = dict[str, Any]


def _documents(text: str, source: str) -> list[tuple[str, Manifest]]:
    found = []
    for index, doc in enumerate(yamlio.load_all(text, source, Invalid)):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise Invalid(f"{source}: document {index + 1} is a {type(doc).__name__}, not a "
                          "Kubernetes object (a mapping with apiVersion, kind and metadata)")
        if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
            found.extend((source, item) for item in doc["items"] if isinstance(item, dict))
        else:
            found.append((source, doc))
    return found


def read_manifests(names: list[str]) -> list[tuple[str, Manifest]]:
    """(source, object) pairs from every ``-f`` argument, in order (folders: sorted files)."""
    found: list[tuple[str, Manifest]] = []
    for name in names:
        if name == "-":
            found += _documents(sys.stdin.read(), "STDIN")
            continue
        path = Path(name)
        if path.is_dir():
            files = sorted(p for p in path.iterdir()
                           if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
        elif path.is_file():
            files = [path]
        else:
            raise UsageError(f'the path "{name}" does not exist; pass a manifest file, a '
                             "folder of them, or - for standard input")
        for file in files:
            found += _documents(file.read_text(encoding="utf-8"), str(file))
    if not found:
        raise UsageError(f"no objects passed to apply: {', '.join(names)} held no manifests")
    return found
