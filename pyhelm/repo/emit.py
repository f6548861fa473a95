"""A fast block-style YAML writer for plain data (dicts, lists, strings, numbers).

PyYAML's emitter takes most of the time of writing a large ``index.yaml``; this
one writes the same layout Helm does (keys in the order given, sequences not
indented below their key) an order of magnitude faster. A string is written
plain only when it is certain to read back as that very string under YAML 1.1
and 1.2; anything else is written as a JSON string, which is valid YAML.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

_PLAIN_RE = re.compile(r"^[A-Za-z0-9_/.][A-Za-z0-9_./:@+=~()-]*(?: [A-Za-z0-9_./:@+=~()-]+)*$")
#: Words that a YAML 1.1 or 1.2 reader takes for a boolean or null (compared in lower case).
#: Numbers, timestamps, ``.inf``/``.nan``, ``=`` and ``<<`` cannot pass ``_PLAIN_RE`` plain.
_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})


_VERSION_LIKE_RE = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")


@lru_cache(maxsize=65536)
def scalar(text: str) -> str:
    """``text`` as a YAML scalar that reads back as the same string."""
    return text if _plain_ok(text) else json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str) -> bool:
    if not _PLAIN_RE.match(text) or ": " in text or text.endswith(":") or text.lower() in _SPECIAL:
        return False
    if text[0].isdigit() or text[0] == ".":
        # Number-like starts are plain only as dotted versions (0.1.0, 1.2.3-rc.1): never a number.
        return bool(_VERSION_LIKE_RE.match(text))
    return True


def _value(value: Any) -> str:
    """A scalar or an empty collection, in flow form."""
    if type(value) is str:
        return scalar(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(str(value))


def _lines(value: Any, pad: str, out: list[str]) -> None:
    append = out.append
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{scalar(key) if type(key) is str else _value(key)}:"
            if type(item) is str:
                append(f"{head} {scalar(item)}")
            elif isinstance(item, dict) and item:
                append(head)
                _lines(item, pad + "  ", out)
            elif isinstance(item, list) and item:
                append(head)
                _lines(item, pad, out)
            else:
                append(f"{head} {_value(item)}")
        return
    for item in value:
        if type(item) is str:
            append(f"{pad}- {scalar(item)}")
        elif isinstance(item, (dict, list)) and item:
            nested: list[str] = []
            _lines(item, pad + "  ", nested)
            append(f"{pad}- {nested[0][len(pad) + 2 :]}")
            out.extend(nested[1:])
        else:
            append(f"{pad}- {_value(item)}")


def dumps(data: dict[str, Any]) -> str:
    """A mapping as block YAML, keys in the order given, ending with a newline."""
    out: list[str] = []
    _lines(data, "", out)
    out.append("")
    return "\n".join(out)


def dumps_at(data: dict[str, Any], pad: str) -> str:
    """Like ``dumps``, every line indented by ``pad`` (a part of a larger document)."""
    out: list[str] = []
    _lines(data, pad, out)
    out.append("")
    return "\n".join(out)
