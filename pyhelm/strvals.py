"""Helm's ``--set`` grammar (Helm calls its parser "strvals"), and its four variants.

One argument holds ``key=value`` pairs separated by commas::

    a=1,b.c=x             nested keys          {a: 1, b: {c: x}}
    list[0].name=web      list indexes         {list: [{name: web}]}
    sparse[2]=z           gaps become null     {sparse: [null, null, z]}
    arr={a,b,c}           a list literal       {arr: [a, b, c]}
    k\\.x=a\\,b            escaped . and ,      {"k.x": "a,b"}

The first ``=`` ends the key (``a=b=c`` sets ``a`` to ``"b=c"``). A backslash
makes the next character literal, in keys and values alike.

Typing (``--set``): ``true``/``false``/``null`` in any case become a bool or
null; ``0`` and decimal integers that do not start with ``0`` and fit in 64
bits become ints; everything else stays a string (``1.5``, ``007``, ``0x10``,
``1e3``, quotes included). ``--set-string`` keeps every value a string;
``--set-file`` reads each value from the file it names; ``--set-json`` takes
JSON values (or one whole JSON object); ``--set-literal`` takes exactly one
key and the whole rest of the argument as text, with no escapes.

Limits as in Helm: list indexes up to :data:`MAX_INDEX`, keys nested at most
:data:`MAX_NESTED_NAME_LEVEL` dots deep.

Deliberate differences from Helm 4 (see docs/values.md): ``name=[]`` and
``name={}`` give an empty list (Helm: the string ``"[]"`` and ``[""]``); a null
left by a ``-f`` file is treated as absent (``list: null`` then ``list[1]=9``
works; Helm fails); an empty key name, a bare ``a[0]`` and a non-object
``--set-json`` are errors (Helm drops them silently); writing a key into a list
or a scalar, or an index into a map, is an error that names the path.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyhelm.errors import ValuesError

MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30
#: Guard against ``a[0][0][0]...`` (Helm has no limit on index nesting).
MAX_TOTAL_NESTING = 100
_INT64 = (-(2**63), 2**63 - 1)
_INT_RE = re.compile(r"[+-]?[0-9]+")
_JSON = json.JSONDecoder()


class Mode(enum.Enum):
    """Which flag an argument came from; it decides how values are read."""

    TYPED = "--set"
    STRING = "--set-string"
    FILE = "--set-file"
    JSON = "--set-json"
    LITERAL = "--set-literal"


class _Fail(Exception):
    """A grammar error inside one argument; the caller adds the argument to it."""


@dataclass
class _Parser:
    text: str
    mode: Mode
    read_file: Callable[[str], str]
    pos: int = 0
    depth: int = 0

    # -- scanning -----------------------------------------------------------------

    def until(self, stops: str) -> tuple[str, str | None]:
        """Read up to one of ``stops`` (consumed); None as the stop means end of input."""
        out: list[str] = []
        text, literal = self.text, self.mode is Mode.LITERAL
        while self.pos < len(text):
            char = text[self.pos]
            self.pos += 1
            if char in stops:
                return "".join(out), char
            if char == "\\" and not literal:
                if self.pos < len(text):
                    out.append(text[self.pos])
                    self.pos += 1
                continue
            out.append(char)
        return "".join(out), None

    def skip_blank_and_comma(self) -> bool:
        """Skip blanks, then one comma; True when the value there is empty (comma or end)."""
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        if self.pos >= len(self.text):
            return True
        if self.text[self.pos] == ",":
            self.pos += 1
            return True
        return False

    # -- grammar --------------------------------------------------------------------

    def parse(self, data: dict[str, Any]) -> None:
        while self.pos < len(self.text):
            self.depth = 0
            self.key(data, [], 0)

    def key(self, data: dict[str, Any], path: list[str], dots: int) -> None:
        stops = "=[." if self.mode is Mode.LITERAL else "=[,."
        name, last = self.until(stops)
        here = [*path, name]
        if last is None:
            raise _Fail(f"key {_dotted(here)!r} has no value (expected {_dotted(here)}=VALUE)")
        if last == ",":
            raise _Fail(f"key {_dotted(here)!r} has no value (cannot end with ,)")
        _check_name(name, path, self.mode)
        if last == "=":
            data[name] = self.value()
        elif last == "[":
            index = self.index(here)
            data[name] = self.list_item(_as_list(data.get(name), here), index, here, dots)
        else:
            if dots + 1 > MAX_NESTED_NAME_LEVEL:
                raise _Fail("value name nested level is greater than maximum supported nested "
                            f"level of {MAX_NESTED_NAME_LEVEL}")
            inner = _as_map(data.get(name), here)
            self.key(inner, here, dots + 1)
            data[name] = inner

    def index(self, path: list[str]) -> int:
        raw, last = self.until("]")
        if last is None:
            raise _Fail(f"list index of {_dotted(path)!r} has no closing ']'")
        if not _INT_RE.fullmatch(raw):
            raise _Fail(f"list index {raw!r} of {_dotted(path)!r} is not a number")
        index = int(raw)
        if index < 0:
            raise _Fail(f"negative {index} index not allowed")
        if index > MAX_INDEX:
            raise _Fail(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
        return index

    def list_item(self, items: list[Any], index: int, path: list[str], dots: int) -> list[Any]:
        rest, last = self.until("[.=")
        here = [*path[:-1], f"{path[-1]}[{index}]"]
        self.depth += 1
        if self.depth > MAX_TOTAL_NESTING:
            raise _Fail(f"key nests deeper than {MAX_TOTAL_NESTING} levels")
        if rest:
            raise _Fail(f"unexpected data at end of array index: {rest!r}")
        if last is None:
            raise _Fail(f"key {_dotted(here)!r} has no value (expected {_dotted(here)}=VALUE)")
        current = items[index] if index < len(items) else None
        if last == "=":
            value = self.value()
        elif last == "[":
            inner_index = self.index(here)
            value = self.list_item(_as_list(current, here), inner_index, here, dots)
        else:
            value = _as_map(current, here)
            self.key(value, here, dots)
        if index >= len(items):
            items.extend([None] * (index + 1 - len(items)))
        items[index] = value
        return items

    def value(self) -> Any:
        if self.mode is Mode.LITERAL:
            text, self.pos = self.text[self.pos:], len(self.text)
            return text
        if self.mode is Mode.JSON:
            return self.json_value()
        if self.text.startswith("{", self.pos):
            self.pos += 1
            return self.list_literal()
        raw, _ = self.until(",")
        return self.convert(raw)

    def json_value(self) -> Any:
        if self.skip_blank_and_comma():
            return None
        try:
            value, self.pos = _JSON.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            raise _Fail(f"invalid JSON at character {exc.pos + 1}: {exc.msg}") from None
        self.skip_blank_and_comma()
        return value

    def list_literal(self) -> list[Any]:
        items: list[Any] = []
        while True:
            raw, last = self.until(",}")
            if last is None:
                raise _Fail("list must terminate with '}'")
            if last == "}":
                if raw or items:
                    items.append(self.convert(raw))
                if self.text.startswith(",", self.pos):
                    self.pos += 1
                return items
            items.append(self.convert(raw))

    def convert(self, raw: str) -> Any:
        if self.mode is Mode.STRING:
            return raw
        if self.mode is Mode.FILE:
            return self.read_file(raw)
        return typed_value(raw)


def typed_value(text: str) -> Any:
    """Helm's typing of one ``--set`` value (see the module docstring)."""
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered == "null":
        return None
    if text == "0":
        return 0
    if text == "[]":
        return []
    if text and text[0] != "0" and _INT_RE.fullmatch(text):
        number = int(text)
        if _INT64[0] <= number <= _INT64[1]:
            return number
    return text


def parse_into(expr: str, into: dict[str, Any], mode: Mode,
               read_file: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Parse one argument of ``mode``'s flag into ``into`` (changed in place and returned).

    Raises ``ValuesError`` naming the flag and the argument.
    """
    try:
        if mode is Mode.JSON and expr.lstrip()[:1] in ("{", "["):
            _merge_json_object(expr, into)
        else:
            _Parser(expr, mode, read_file or _no_files).parse(into)
    except _Fail as exc:
        raise ValuesError(f"invalid {mode.value} {expr!r}: {exc}") from None
    except RecursionError:
        raise ValuesError(f"invalid {mode.value} {expr!r}: nested too deeply") from None
    return into


def _merge_json_object(expr: str, into: dict[str, Any]) -> None:
    try:
        value = json.loads(expr)
    except json.JSONDecodeError as exc:
        raise _Fail(f"invalid JSON at character {exc.pos + 1}: {exc.msg}") from None
    if not isinstance(value, dict):
        raise _Fail("expected KEY=JSON or one JSON object")
    merge_maps(into, value)


def merge_maps(into: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Merge ``other`` into ``into`` in place: maps merge, anything else (null too) replaces."""
    for key, value in other.items():
        current = into.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merge_maps(current, value)
        else:
            into[key] = value
    return into


def _no_files(path: str) -> str:
    raise _Fail(f"cannot read {path!r}: reading files is not allowed here")


def _check_name(name: str, path: list[str], mode: Mode) -> None:
    if not name:
        where = f" after {_dotted(path)!r}" if path else ""
        hint = "" if mode is Mode.LITERAL else "; escape a literal dot as \\."
        raise _Fail(f"empty key name{where}{hint}")


def _as_map(current: Any, path: list[str]) -> dict[str, Any]:
    if current is None:
        return {}
    if isinstance(current, dict):
        return current
    raise _Fail(f"cannot set a key inside {_dotted(path)!r}: it already holds {_describe(current)}; "
                f"set {_dotted(path)}=null first to replace it")


def _as_list(current: Any, path: list[str]) -> list[Any]:
    if current is None:
        return []
    if isinstance(current, list):
        return current
    raise _Fail(f"cannot set a list index of {_dotted(path)!r}: it already holds {_describe(current)}; "
                f"set {_dotted(path)}=null first to replace it")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return f"the value {value!r}"


def _dotted(path: list[str]) -> str:
    return ".".join(path)
