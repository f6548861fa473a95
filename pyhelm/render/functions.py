"""Helm's template functions, for Jinja2.

The naming rule (docs/templates.md): every function keeps its Helm name and is
defined here once, with **Helm's argument order**; it is a Jinja2 *global*
called that way — ``indent(4, text)``, ``required("msg", value)`` — and a
Jinja2 *filter* whose piped value is Helm's *last* argument —
``text | indent(4)``, ``value | required("msg")`` — exactly as Helm's
``text | indent 4`` means ``indent 4 text``.

Functions that need the render (``include``, ``tpl``, ``lookup``) live in
``engine.py``. Heavy modules (hashlib, uuid, random, datetime, base64, semver) are
imported inside the functions that use them, so a chart that does not call
them does not pay for them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from jinja2 import Undefined

from pyhelm import yamlio
from pyhelm.errors import RenderError

#: Longest string a template may build with ``repeat`` and friends.
MAX_STRING = 10_000_000


class TemplateFailure(RenderError):
    """``fail`` or ``required`` stopped the render; the engine adds file and line."""


def gostr(value: Any) -> str:
    """Stringify as Go templates do: ``true``/``false``, nil as empty; undefined raises."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def empty(value: Any) -> bool:
    """Helm's ``empty``: undefined, nil, false, 0, "" and empty collections."""
    if isinstance(value, Undefined) or value is None:
        return True
    if isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return not value
    return False


# --- YAML and JSON -------------------------------------------------------


def to_yaml(value: Any) -> str:
    """YAML without the trailing newline (Helm's ``toYaml``); ``{}``/``[]`` for empty."""
    if isinstance(value, Undefined):
        str(value)  # a strict undefined raises its own, precise error
    from pyhelm.render import yamlemit  # only for charts that call toYaml

    text = yamlemit.emit(value)  # plain trees, without importing PyYAML
    return pyyaml_to_yaml(value) if text is None else text


def pyyaml_to_yaml(value: Any) -> str:
    """:func:`to_yaml` through PyYAML, for any tree (``yamlemit`` writes the same text for plain ones)."""
    import yaml

    text = yaml.dump(
        _plain(value),
        Dumper=_dumper(),
        default_flow_style=False,
        sort_keys=True,
        allow_unicode=True,
        width=1 << 30,
    )
    return text.removesuffix("\n...\n").rstrip("\n")


_DUMPER: Any = None


def _dumper() -> Any:
    """yamlio's (C) dumper, writing multi-line strings as ``|`` blocks, as Helm users expect."""
    global _DUMPER
    if _DUMPER is None:

        def text(dumper: Any, data: str) -> Any:
            return dumper.represent_scalar(
                "tag:yaml.org,2002:str", data, style="|" if "\n" in data else None
            )

        _DUMPER = type("HelmDumper", (yamlio.dumper(),), {})
        _DUMPER.add_representer(str, text)
    return _DUMPER


def _plain(value: Any) -> Any:
    """Turn the render's mapping subclasses into plain dicts and lists for dumping."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def from_yaml(text: str) -> Any:
    from pyhelm.chart.loader import check_expansion

    data = yamlio.load(gostr(text), "fromYaml", RenderError)
    check_expansion(data, "fromYaml input")
    return {} if data is None else data


def from_yaml_array(text: str) -> list[Any]:
    data = from_yaml(text)
    if not isinstance(data, list):
        raise RenderError(f"fromYamlArray: expected a YAML list, got {type(data).__name__}")
    return data


def to_json(value: Any) -> str:
    return json.dumps(_plain(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def to_pretty_json(value: Any) -> str:
    return json.dumps(_plain(value), indent=2, sort_keys=True, ensure_ascii=False)


def from_json(text: str) -> Any:
    try:
        return json.loads(gostr(text))
    except json.JSONDecodeError as exc:
        raise RenderError(
            f"fromJson: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


# --- strings -------------------------------------------------------------


def indent(width: int, text: Any) -> str:
    pad = " " * int(width)
    return "\n".join(pad + line for line in gostr(text).split("\n"))


def nindent(width: int, text: Any) -> str:
    return "\n" + indent(width, text)


#: ``json.dumps(s, ensure_ascii=False)`` without building an encoder per call.
_json_string = json.JSONEncoder(ensure_ascii=False).encode


def quote(*values: Any) -> str:
    if len(values) == 1:
        return "" if values[0] is None else _json_string(gostr(values[0]))
    return " ".join(_json_string(gostr(v)) for v in values if v is not None)


def squote(*values: Any) -> str:
    return " ".join(f"'{gostr(v)}'" for v in values if v is not None)


def trunc(length: int, text: Any) -> str:
    s, n = gostr(text), int(length)
    return s[:n] if n >= 0 else s[n:]


def trim_suffix(suffix: str, text: Any) -> str:
    s = gostr(text)
    return s[: -len(suffix)] if suffix and s.endswith(suffix) else s


def trim_prefix(prefix: str, text: Any) -> str:
    s = gostr(text)
    return s[len(prefix) :] if prefix and s.startswith(prefix) else s


def repeat(count: int, text: Any) -> str:
    s = gostr(text)
    if len(s) * int(count) > MAX_STRING:
        raise RenderError(f"repeat: the result would exceed {MAX_STRING} characters")
    return s * int(count)


def substr(start: int, end: int, text: Any) -> str:
    s = gostr(text)
    return s[int(start) :] if int(end) < 0 else s[int(start) : int(end)]


def _go_regex_repl(repl: str) -> str:
    return re.sub(r"\$\{(\d+)\}|\$(\d+)", lambda m: "\\g<" + (m.group(1) or m.group(2)) + ">", repl)


def regex_replace_all(pattern: str, text: Any, repl: str) -> str:
    return re.sub(pattern, _go_regex_repl(gostr(repl)), gostr(text))


def regex_find_all(pattern: str, text: Any, n: int) -> list[str]:
    found = [m.group(0) for m in re.finditer(pattern, gostr(text))]
    return found if int(n) < 0 else found[: int(n)]


def regex_find(pattern: str, text: Any) -> str:
    m = re.search(pattern, gostr(text))
    return m.group(0) if m else ""


def b64enc(text: Any) -> str:
    import base64

    return base64.b64encode(gostr(text).encode()).decode()


def b64dec(text: Any) -> str:
    import base64

    try:
        return base64.b64decode(gostr(text), validate=True).decode("utf-8", "replace")
    except ValueError:
        raise RenderError(f"b64dec: {gostr(text)[:40]!r} is not valid base64") from None


def sha256sum(text: Any) -> str:
    import hashlib

    return hashlib.sha256(gostr(text).encode()).hexdigest()


def sha1sum(text: Any) -> str:
    import hashlib

    return hashlib.sha1(gostr(text).encode()).hexdigest()


def _words(text: Any) -> list[str]:
    return re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", gostr(text))


# --- logic and collections -----------------------------------------------


def default(fallback: Any, value: Any = None) -> Any:
    """Helm's ``default``: ``value`` unless it is empty (undefined, null, false, 0, "" or empty)."""
    return fallback if empty(value) else value


def default_filter(value: Any, fallback: Any = "", boolean: bool = False) -> Any:
    """``value | default(fallback)``; Jinja2's third argument is accepted and changes nothing
    (Helm's ``default`` already replaces every empty value)."""
    return default(fallback, value)


def required(message: str, value: Any) -> Any:
    if isinstance(value, Undefined) or value is None or value == "":
        raise TemplateFailure(gostr(message))
    return value


def fail(message: Any) -> None:
    raise TemplateFailure(gostr(message))


def coalesce(*values: Any) -> Any:
    return next((v for v in values if not empty(v)), None)


def ternary(if_true: Any, if_false: Any, condition: Any) -> Any:
    return if_true if condition else if_false


def has_key(mapping: dict[str, Any], key: str) -> bool:
    return key in mapping


def set_key(mapping: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Sprig's ``set``: changes ``mapping`` and returns it."""
    mapping[key] = value
    return mapping


def merge(dest: dict[str, Any], *sources: dict[str, Any]) -> dict[str, Any]:
    """Deep merge, ``dest`` wins (sprig's ``merge``); ``dest`` is changed and returned."""
    for source in sources:
        for key, value in source.items():
            if key not in dest:
                dest[key] = value
            elif isinstance(dest[key], dict) and isinstance(value, dict):
                merge(dest[key], value)
    return dest


def merge_overwrite(dest: dict[str, Any], *sources: dict[str, Any]) -> dict[str, Any]:
    for source in sources:
        for key, value in source.items():
            if isinstance(dest.get(key), dict) and isinstance(value, dict):
                merge_overwrite(dest[key], value)
            else:
                dest[key] = value
    return dest


def semver_compare(constraint: str, version: str) -> bool:
    from pyhelm.semver_range import matches

    return matches(gostr(version), gostr(constraint), include_prerelease="-" in gostr(constraint))


# --- randomness and time ---------------------------------------------------


def _random(alphabet: str, length: int) -> str:
    import secrets

    if int(length) > MAX_STRING:
        raise RenderError(f"random string of {length} characters is too long")
    return "".join(secrets.choice(alphabet) for _ in range(int(length)))


def uuidv4() -> str:
    import uuid

    return str(uuid.uuid4())


def now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


_GO_LAYOUT = (
    ("2006", "%Y"),
    ("01", "%m"),
    ("02", "%d"),
    ("15", "%H"),
    ("03", "%I"),
    ("04", "%M"),
    ("05", "%S"),
    ("Jan", "%b"),
    ("Mon", "%a"),
    ("MST", "%Z"),
    ("-0700", "%z"),
    ("PM", "%p"),
)


def date(layout: str, when: Any) -> str:
    """Format a time with a Go layout (``"2006-01-02"``)."""
    from datetime import UTC, datetime

    moment = when if isinstance(when, datetime) else datetime.fromtimestamp(float(when), UTC)
    fmt = gostr(layout).replace("%", "%%")
    for go, py in _GO_LAYOUT:
        fmt = fmt.replace(go, py)
    return moment.strftime(fmt)


def _to_int(value: Any) -> int:
    try:
        return int(float(gostr(value) or 0))
    except ValueError:
        return 0


#: Name → function in Helm's argument order. Each is a global and (piped value last) a filter.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "toYaml": to_yaml,
    "mustToYaml": to_yaml,
    "fromYaml": from_yaml,
    "fromYamlArray": from_yaml_array,
    "toJson": to_json,
    "mustToJson": to_json,
    "toPrettyJson": to_pretty_json,
    "fromJson": from_json,
    "fromJsonArray": from_json,
    "indent": indent,
    "nindent": nindent,
    "quote": quote,
    "squote": squote,
    "b64enc": b64enc,
    "b64dec": b64dec,
    "sha256sum": sha256sum,
    "sha1sum": sha1sum,
    "required": required,
    "fail": fail,
    "default": default,
    "empty": empty,
    "coalesce": coalesce,
    "ternary": ternary,
    "trunc": trunc,
    "trimSuffix": trim_suffix,
    "trimPrefix": trim_prefix,
    "trim": lambda s: gostr(s).strip(),
    "trimAll": lambda chars, s: gostr(s).strip(chars),
    "upper": lambda s: gostr(s).upper(),
    "lower": lambda s: gostr(s).lower(),
    "title": lambda s: " ".join(w[:1].upper() + w[1:] for w in gostr(s).split(" ")),
    "replace": lambda old, new, s: gostr(s).replace(old, new),
    "repeat": repeat,
    "substr": substr,
    "nospace": lambda s: re.sub(r"\s", "", gostr(s)),
    "contains": lambda sub, s: gostr(sub) in gostr(s),
    "hasPrefix": lambda p, s: gostr(s).startswith(p),
    "hasSuffix": lambda p, s: gostr(s).endswith(p),
    "splitList": lambda sep, s: gostr(s).split(sep),
    "join": lambda sep, items: sep.join(map(gostr, items)),
    "cat": lambda *v: " ".join(gostr(x) for x in v if x is not None),
    "snakecase": lambda s: "_".join(w.lower() for w in _words(s)),
    "kebabcase": lambda s: "-".join(w.lower() for w in _words(s)),
    "camelcase": lambda s: "".join(w.capitalize() for w in _words(s)),
    "regexMatch": lambda p, s: re.search(p, gostr(s)) is not None,
    "regexReplaceAll": regex_replace_all,
    "regexFind": regex_find,
    "regexFindAll": regex_find_all,
    "regexSplit": lambda p, s, n: (
        re.split(p, gostr(s)) if int(n) < 0 else re.split(p, gostr(s), maxsplit=int(n) - 1)
    ),
    "semverCompare": semver_compare,
    "toString": gostr,
    "toStrings": lambda items: [gostr(x) for x in items],
    "int": _to_int,
    "int64": _to_int,
    "atoi": _to_int,
    "float64": lambda v: float(gostr(v) or 0),
    "list": lambda *items: list(items),
    "hasKey": has_key,
    "keys": lambda *ms: [k for m in ms for k in m],
    "pick": lambda m, *ks: {k: m[k] for k in ks if k in m},
    "omit": lambda m, *ks: {k: v for k, v in m.items() if k not in ks},
    "get": lambda m, k: m.get(k, ""),
    "set": set_key,
    "merge": merge,
    "mergeOverwrite": merge_overwrite,
    "deepCopy": lambda v: json.loads(json.dumps(v)),
    "has": lambda needle, items: needle in items,
    "uniq": lambda items: list(dict.fromkeys(items)),
    "first": lambda items: items[0] if items else None,
    "last": lambda items: items[-1] if items else None,
    "until": lambda n: list(range(min(int(n), 100_000))),
    "add": lambda *n: sum(_to_int(x) for x in n),
    "sub": lambda a, b: _to_int(a) - _to_int(b),
    "mul": lambda a, b: _to_int(a) * _to_int(b),
    "div": lambda a, b: _to_int(a) // _to_int(b),
    "mod": lambda a, b: _to_int(a) % _to_int(b),
    "max": lambda *n: max(_to_int(x) for x in n),
    "min": lambda *n: min(_to_int(x) for x in n),
    "randAlphaNum": lambda n: _random(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", n
    ),
    "randAlpha": lambda n: _random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", n),
    "randNumeric": lambda n: _random("0123456789", n),
    "uuidv4": uuidv4,
    "now": now,
    "date": date,
}

#: Jinja2 filters kept as Jinja2 defines them although Helm has a function of the same name
#: (their Jinja2 meaning is what a Jinja2 user expects, and Helm's piped form agrees with it).
KEEP_JINJA_FILTERS = ("join", "first", "last", "replace", "upper", "lower", "title", "trim", "list")


def as_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    """The filter form: the piped value becomes Helm's last argument.

    A function of exactly one positional parameter is its own filter (no wrapper call).
    """
    code = getattr(function, "__code__", None)
    if code is not None and code.co_argcount == 1 and not code.co_flags & 0x04:  # 0x04: *args
        return function

    def flt(value: Any, *args: Any) -> Any:
        return function(*args, value)

    flt.__name__ = getattr(function, "__name__", "filter")
    return flt
