"""Release records on the wire: base64(gzip(JSON)), as Helm's storage drivers write them."""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from typing import Any

from pyhelm.errors import ReleaseError
from pyhelm.release.model import Release

_GZIP_MAGIC = b"\x1f\x8b\x08"


def encode(release: Release) -> str:
    """The record as Helm stores it in ``data.release``: base64 of gzip of the JSON.

    Helm compresses at the best level; any level reads the same, so pyhelm takes 6, and 1
    for records over a megabyte (mostly files a chart carries, often incompressible).
    """
    raw = json.dumps(release.to_dict(), separators=(",", ":"), sort_keys=False).encode()
    return base64.b64encode(
        gzip.compress(raw, compresslevel=6 if len(raw) < 1 << 20 else 1, mtime=0)
    ).decode("ascii")


def decode(text: str | bytes, labels: dict[str, str] | None = None, source: str = "") -> Release:
    """Read a record back; un-gzipped JSON is accepted too, as Helm accepts it."""
    try:
        raw = base64.b64decode(text, validate=False)
        if raw[:3] == _GZIP_MAGIC:
            raw = gzip.decompress(raw)
        data: Any = json.loads(raw)
    except (binascii.Error, OSError, EOFError, zlib.error, ValueError) as exc:
        raise ReleaseError(
            f"release record {source or '?'} is corrupt and cannot be read: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ReleaseError(f"release record {source or '?'} is corrupt: not a JSON object")
    return Release.from_dict(data, labels)
