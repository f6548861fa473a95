"""Reading the files behind the values flags: ``-f`` (paths, ``-``, http(s) URLs) and ``--set-file``.

The one place in the values layer that does IO; errors are ``ValuesError``
naming the flag and the file, and saying what to do.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pyhelm import yamlio
from pyhelm.errors import ValuesError


def read_values_file(path: str) -> list[dict[str, Any]]:
    """The documents of one ``-f`` file (``-`` is stdin, http(s) URLs are fetched); empty
    documents are skipped."""
    source = "<stdin>" if path.strip() == "-" else path
    if source == "<stdin>":
        content: bytes | str = sys.stdin.read()
    elif path.startswith(("http://", "https://")):
        content = _fetch(path)
    else:
        content = _read_bytes(path, "values file", "-f")
    docs = []
    for number, doc in enumerate(yamlio.load_all(content, source, ValuesError, remember=True), start=1):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise ValuesError(f"{source}: document {number} must be a mapping of values (key: value), "
                              f"got {_type_name(doc)}")
        docs.append(doc)
    return docs


def _read_bytes(path: str, what: str, flag: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ValuesError(f"{what} {path!r} ({flag}) not found; check the path") from None
    except IsADirectoryError:
        raise ValuesError(f"{what} {path!r} ({flag}) is a folder; name a file") from None
    except OSError as exc:
        raise ValuesError(f"cannot read {what} {path!r} ({flag}): {exc.strerror}") from None


def _fetch(url: str) -> bytes:
    """A values file given as an http(s) URL, as Helm allows (-f https://...)."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - http(s) only
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise ValuesError(f"cannot fetch values file {url} (-f): HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ValuesError(f"cannot fetch values file {url} (-f): {reason}") from None


def read_set_file(path: str) -> str:
    """The text of a ``--set-file`` file."""
    content = _read_bytes(path, "file", f"--set-file ...={path}")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValuesError(f"file {path!r} (--set-file) is not UTF-8 text; encode it first "
                          "(e.g. base64) and decode it in the template with b64dec") from None


def _type_name(value: Any) -> str:
    names = {dict: "a map", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
             float: "a number"}
    return names.get(type(value), type(value).__name__)
