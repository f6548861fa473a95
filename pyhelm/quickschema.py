"""A quick "these values meet the schema", without importing jsonschema.

Importing jsonschema (with referencing, attrs, rpds and its format checkers)
costs more than the rest of a render of the ``pyhelm create`` chart together.
Most ``values.schema.json`` files use a few plain keywords, and most renders
pass them. :func:`plainly_valid` answers True only when it is sure: the schema
uses nothing but the keywords below, each well formed, under a draft whose
meaning of them is the one written here (6, 7, 2019-09, 2020-12, or no
``$schema``), and the values meet it. Anything else — another keyword, a
malformed one, a violation — answers False, and ``pyhelm.values_schema``
asks jsonschema, which stays the reference and writes every message.
"""

from __future__ import annotations

import re
from typing import Any

#: Drafts whose ``type``, ``exclusiveMinimum`` and ``items`` mean what this module checks.
_DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"  # what no ``$schema`` means
_DRAFTS = frozenset(
    f"{scheme}://json-schema.org/{path}"
    for scheme in ("http", "https")
    for path in (
        "draft-06/schema#", "draft-06/schema", "draft-07/schema#", "draft-07/schema",
        "draft/2019-09/schema", "draft/2020-12/schema",
    )
)
#: Keywords that never change whether values are valid (``format`` is not checked by
#: ``pyhelm.values_schema`` either); their own values are checked for shape, as jsonschema's
#: check of the schema does.
_TEXTS = frozenset(("title", "description", "$comment", "format"))
_FLAGS = frozenset(("deprecated", "readOnly", "writeOnly"))
_COUNTS = {
    "minLength": str, "maxLength": str, "minItems": list, "maxItems": list,
    "minProperties": dict, "maxProperties": dict,
}
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_TYPES = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "number": lambda v: type(v) in (int, float),
}
_PLAIN_TYPES = (dict, list, str, bool, int, float, type(None))


def plainly_valid(schema: Any, values: Any) -> bool:
    """True only if ``values`` certainly meet ``schema`` (see the module docstring)."""
    if not isinstance(schema, dict) or schema.get("$schema", _DRAFT_2020) not in _DRAFTS:
        return False
    body = {keyword: rule for keyword, rule in schema.items() if keyword != "$schema"}
    return _plain(body) and _meets(body, values)


def _plain(schema: Any) -> bool:
    """Whether ``schema`` (and every schema in it) uses only the keywords here, well formed."""
    if schema is True:
        return True
    if type(schema) is not dict:
        return False  # `false` (nothing is valid: let jsonschema say why), or not a schema
    return all(_plain_keyword(keyword, rule) for keyword, rule in schema.items())


def _plain_keyword(keyword: str, rule: Any) -> bool:
    if keyword in _TEXTS:
        return type(rule) is str
    if keyword in _FLAGS:
        return type(rule) is bool
    if keyword == "default":
        return True
    if keyword == "examples":
        return type(rule) is list
    if keyword == "type":
        names = [rule] if type(rule) is str else rule
        return (type(names) is list and bool(names) and len(set(names)) == len(names)
                and all(name in _TYPES for name in names))
    if keyword == "enum":
        return type(rule) is list and all(type(item) in _SCALARS for item in rule)
    if keyword == "const":
        return type(rule) in _SCALARS
    if keyword in _COUNTS:
        return type(rule) is int and rule >= 0
    if keyword in _BOUNDS:
        return type(rule) in (int, float)
    if keyword == "pattern":
        return type(rule) is str and _compiles(rule)
    if keyword == "required":
        return (type(rule) is list and all(type(name) is str for name in rule)
                and len(set(rule)) == len(rule))
    if keyword in ("properties", "$defs", "definitions"):
        return type(rule) is dict and all(_plain(sub) for sub in rule.values())
    if keyword == "additionalProperties":
        return type(rule) is bool or _plain(rule)
    if keyword == "items":
        return _plain(rule)  # not a list of schemas (draft 7 tuples)
    return False  # $ref, anyOf, if/then, patternProperties, uniqueItems, ...: jsonschema's


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _meets(schema: Any, value: Any) -> bool:
    """Whether ``value`` meets ``schema``, a schema :func:`_plain` accepted."""
    if schema is True:
        return True
    kind = type(value)
    if kind not in _PLAIN_TYPES:
        return False  # not JSON data: let jsonschema judge it
    for keyword, rule in schema.items():
        if keyword == "type":
            names = [rule] if type(rule) is str else rule
            if not any(_TYPES[name](value) for name in names):
                return False
        elif keyword == "enum":
            if not any(_same_scalar(item, value) for item in rule):
                return False
        elif keyword == "const":
            if not _same_scalar(rule, value):
                return False
        elif keyword in _COUNTS:
            if kind is _COUNTS[keyword] and not (
                len(value) >= rule if keyword.startswith("min") else len(value) <= rule
            ):
                return False
        elif keyword in _BOUNDS:
            if kind in (int, float) and not _within(keyword, rule, value):
                return False
        elif keyword == "pattern":
            if kind is str and re.search(rule, value) is None:
                return False
        elif kind is dict and not _object_meets(keyword, rule, schema, value):
            return False
        elif kind is list and keyword == "items" and not all(_meets(rule, item) for item in value):
            return False
    return True


def _object_meets(keyword: str, rule: Any, schema: dict[str, Any], value: dict[str, Any]) -> bool:
    if keyword == "properties":
        return all(_meets(sub, value[name]) for name, sub in rule.items() if name in value)
    if keyword == "required":
        return all(name in value for name in rule)
    if keyword == "additionalProperties":
        known = schema.get("properties", {})
        extra = [item for name, item in value.items() if name not in known]
        if type(rule) is bool:
            return rule or not extra
        return all(_meets(rule, item) for item in extra)
    return True


_SCALARS = (str, int, float, bool, type(None))


def _same_scalar(expected: Any, value: Any) -> bool:
    """JSON equality of scalars: true is not 1, 1 is 1.0, strings only equal strings."""
    if type(expected) is bool or type(value) is bool or expected is None or value is None:
        return expected is value
    if type(expected) is str or type(value) is str:
        return type(expected) is type(value) and expected == value
    if type(value) not in (int, float):
        return False
    return bool(expected == value)


def _within(keyword: str, bound: float, number: float) -> bool:
    if keyword == "minimum":
        return number >= bound
    if keyword == "maximum":
        return number <= bound
    if keyword == "exclusiveMinimum":
        return number > bound
    return number < bound
