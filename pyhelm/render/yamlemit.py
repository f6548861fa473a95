"""``toYaml``'s fast writer for plain data: the text PyYAML would write, without importing PyYAML.

Why it exists: nearly every chart calls ``toYaml`` (the ``pyhelm create`` scaffold
twelve times), and importing PyYAML costs about a fifth of a small chart's render.
Most of what charts pass it is plain: mappings of simple words, numbers, booleans.

What it takes: :func:`emit` writes the tree exactly as
``functions.to_yaml`` writes it through PyYAML (libyaml's emitter, block style,
sorted keys, indent 2, sequences in mappings not indented, ``{}``/``[]`` for
empty containers, no trailing newline) when every node is one of

* a dict (any subclass) whose keys are all ``str``, a list or tuple,
* ``None``, ``bool``, ``int`` (exactly, not a subclass),
* a ``str`` PyYAML is certain to write plain: see :func:`_is_plain`.

For anything else (floats, text that needs quotes, multi-line or non-ASCII text,
long keys, deep trees, other types) it returns ``None`` and the caller uses PyYAML.
"""

from __future__ import annotations

import re
from typing import Any

#: Text PyYAML writes plain: a letter, ``_`` or ``/``, then letters, digits and ``_ . / -``;
#: or a number with a unit (``128Mi``). No YAML 1.1 resolver pattern (int, float,
#: timestamp, merge, value) can match these except the words in :data:`_WORDS`.
_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*|[1-9][0-9]*[A-Za-z]+").fullmatch

#: Words a YAML 1.1 reader (or Helm, for ``y``/``n``) would take for a boolean or
#: null, in every capitalisation (some of these PyYAML would write plain; we leave them to it).
_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})

#: Keys longer than this are not "simple keys" for libyaml (its limit is 128).
_MAX_KEY = 100

#: Deeper trees go to PyYAML (which reports a recursive tree in its own way).
_MAX_DEPTH = 100


class _NotMine(Exception):
    """A node this writer does not vouch for."""


def emit(value: Any) -> str | None:
    """``to_yaml``'s text for ``value``, or ``None`` if the tree is not plain enough."""
    try:
        if isinstance(value, dict) and value:
            return "\n".join(_mapping(value, "", 0, []))
        if isinstance(value, (list, tuple)) and value:
            return "\n".join(_sequence(value, "", 0, []))
        return _scalar(value)
    except _NotMine:
        return None


def _is_plain(text: str) -> bool:
    return _PLAIN(text) is not None and text.lower() not in _WORDS


def _scalar(value: Any) -> str:
    """One-line text of a scalar or an empty container; raises :class:`_NotMine` otherwise."""
    kind = type(value)
    if kind is str:
        if _is_plain(value):
            return value
    elif value is None:
        return "null"
    elif kind is bool:
        return "true" if value else "false"
    elif kind is int:
        return str(value)
    elif isinstance(value, dict) and not value:
        return "{}"
    elif isinstance(value, (list, tuple)) and not value:
        return "[]"
    raise _NotMine


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def _is_block(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple)) and bool(value)


def _mapping(value: dict[Any, Any], indent: str, depth: int, out: list[str]) -> list[str]:
    if depth > _MAX_DEPTH:
        raise _NotMine
    items = list(value.items())
    for key, _ in items:
        if type(key) is not str or len(key) > _MAX_KEY or not _is_plain(key):
            raise _NotMine
    items.sort(key=_first)
    for key, item in items:
        if isinstance(item, dict) and item:
            out.append(f"{indent}{key}:")
            _mapping(item, indent + "  ", depth + 1, out)
        elif isinstance(item, (list, tuple)) and item:
            out.append(f"{indent}{key}:")
            _sequence(item, indent, depth + 1, out)  # libyaml does not indent these
        else:
            out.append(f"{indent}{key}: {_scalar(item)}")
    return out


def _sequence(value: list[Any] | tuple[Any, ...], indent: str, depth: int, out: list[str]) -> list[str]:
    if depth > _MAX_DEPTH:
        raise _NotMine
    inner = indent + "  "
    for item in value:
        if not _is_block(item):
            out.append(f"{indent}- {_scalar(item)}")
            continue
        start = len(out)
        if isinstance(item, dict):
            _mapping(item, inner, depth + 1, out)
        else:
            _sequence(item, inner, depth + 1, out)
        out[start] = f"{indent}- {out[start][len(inner):]}"  # the first line goes after the dash
    return out
