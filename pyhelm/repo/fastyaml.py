"""Parsing large YAML documents (repository indexes) fast.

``yaml-rs`` (a Rust parser) reads an 18 MB index about twenty times faster
than PyYAML's C loader and with less memory; PyYAML stays the fallback when it
is not installed. Timestamps stay strings, and a repeated key keeps its last
value, as PyYAML and Helm read them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pyhelm import yamlio
from pyhelm.errors import RepoError

try:
    import yaml_rs
except ImportError:  # pragma: no cover - yaml-rs is a declared dependency
    yaml_rs = None


def load_yaml(data: bytes, source: str) -> Any:
    """One YAML document from ``data``; ``RepoError`` naming ``source`` and the line if invalid."""
    if yaml_rs is not None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RepoError(f"{source}: not UTF-8 text (byte {exc.start})") from None
        try:
            return yaml_rs.loads(
                text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins
            )
        except yaml_rs.YAMLDecodeError:
            pass  # let PyYAML name the line and problem in its own words
    return yamlio.load(data, source, RepoError)


#: Text of about this size is parsed at a time by ``iter_index``.
CHUNK = 1 << 20


def iter_index(data: bytes, source: str) -> tuple[dict[str, Any], Iterator[tuple[str, Any]]]:
    """``(top-level fields, iterator of (chart name, versions))`` of an index, parsed in chunks.

    A block-style index (as Helm and pyhelm write it) is cut between charts and
    parsed about ``CHUNK`` bytes at a time, so memory stays a fraction of a
    whole-document parse. JSON or any other layout is parsed whole. Raises
    ``RepoError`` for invalid YAML or a document that is not a mapping.
    """
    not_index = f"{source}: not a chart repository index (expected a mapping with 'entries')"
    text = _text(data, source)
    split = _split_entries(text) if yaml_rs is not None else None
    if split is None:
        del text
        doc = parse_whole(data, source)
        if (
            not isinstance(doc, dict)
            or "entries" not in doc
            or not isinstance(doc["entries"] or {}, dict)
        ):
            raise RepoError(not_index)
        return {k: v for k, v in doc.items() if k != "entries"}, iter(
            (doc.get("entries") or {}).items()
        )
    top_text, spans = split
    top = _loads(top_text, source) if top_text.strip() else {}
    if not isinstance(top, dict):
        raise RepoError(not_index)
    return top, _iter_chunks(text, spans, source)


def parse_whole(data: bytes, source: str) -> Any:
    """JSON by the fast path (Helm 4's ``repo index --json``), else YAML."""
    if data[:64].lstrip().startswith(b"{"):
        try:
            return json.loads(data)
        except ValueError:
            pass  # JSON-looking YAML (flow style): read it as YAML
    return load_yaml(data, source)


def _text(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RepoError(f"{source}: not UTF-8 text (byte {exc.start})") from None


_ENTRIES = re.compile(r"^entries:[ \t]*\n", re.MULTILINE)
_ENTRIES_END = re.compile(r"^[^\s#]", re.MULTILINE)
_FIRST_KEY = re.compile(r"( +)[^\s#-]")


def _chart_cuts(text: str) -> tuple[int, list[int], int, str] | None:
    """Where ``entries:`` starts, where each chart starts, where entries end, and their indent."""
    found = _ENTRIES.search(text)
    if not found or text.lstrip().startswith("{"):
        return None
    body = found.end()
    end = _ENTRIES_END.search(text, body)
    stop = end.start() if end else len(text)
    first = _FIRST_KEY.match(text, body)
    if not first:
        return None
    key_re = re.compile(rf"^{first.group(1)}[^\s#-]", re.MULTILINE)
    cuts = [m.start() for m in key_re.finditer(text, body, stop)]
    if not cuts or cuts[0] != body:
        return None
    return found.start(), cuts, stop, first.group(1)


def _split_entries(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """Top-level text without ``entries``, and spans of whole charts; None for other layouts."""
    found = _chart_cuts(text)
    if found is None:
        return None
    start, cuts, stop, _ = found
    spans, chunk_start = [], cuts[0]
    for cut in [*cuts[1:], stop]:
        if cut - chunk_start >= CHUNK or cut == stop:
            spans.append((chunk_start, cut))
            chunk_start = cut
    return text[:start] + text[stop:], spans


_PLAIN_NAME = re.compile(r"^  ([A-Za-z0-9][A-Za-z0-9_.-]*):\n")


def chart_blocks(data: bytes) -> dict[str, str]:
    """Each chart's text in a block-style index whose charts are indented by two spaces.

    Lets a rewrite of the index copy the charts that did not change instead of
    writing them again. Empty for any other layout.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    found = _chart_cuts(text)
    if found is None or found[3] != "  ":
        return {}
    _, cuts, stop, _ = found
    blocks = {}
    for begin, end in zip(cuts, [*cuts[1:], stop], strict=True):
        block = text[begin:end]
        name = _PLAIN_NAME.match(block)
        if name and block.endswith("\n"):
            blocks[name.group(1)] = block
    return blocks


def _iter_chunks(text: str, spans: list[tuple[int, int]], source: str) -> Iterator[tuple[str, Any]]:
    for begin, end in spans:
        part = _loads(text[begin:end], source, line=text.count("\n", 0, begin))
        if not isinstance(part, dict):
            raise RepoError(f"{source}: 'entries' must map chart names to lists of versions")
        yield from part.items()


def _loads(text: str, source: str, line: int = 0) -> Any:
    try:
        return yaml_rs.loads(
            text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins
        )
    except yaml_rs.YAMLDecodeError:
        where = f"{source} (the part from line {line + 1})" if line else source
        return yamlio.load(
            text, where, RepoError
        )  # PyYAML names the problem, or reads it after all
