"""Strict structural check against the Kubernetes OpenAPI schema, as the API server decodes.

The schemas are the Kubernetes v1.35 "strict" JSON schemas shipped as data by
the ``kubernetes-validate`` package (unknown fields are not allowed). They are
read directly and walked by a small checker: types, unknown fields and required
fields, about 0.1 ms per object, where generic jsonschema validation with
``$ref`` resolution took 200 ms per Deployment. Without the package installed,
the check is skipped (the API server's own rules still apply).
"""

from __future__ import annotations

import importlib.util
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyhelm.cluster.memory.errors import Cause

Manifest = dict[str, Any]
SCHEMA_SET = "v1.35.0-local-strict"
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,),
    "number": (int, float), "boolean": (bool,), "null": (type(None),),
}


@lru_cache(maxsize=1)
def _folder() -> Path | None:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema" / SCHEMA_SET
    return folder if folder.is_dir() else None


@lru_cache(maxsize=1)
def _definitions() -> dict[str, Any]:
    folder = _folder()
    if folder is None:
        return {}
    return json.loads((folder / "_definitions.json").read_text())["$defs"]


@lru_cache(maxsize=256)
def root_schema(api_version: str, kind: str) -> Manifest | None:
    """The schema of one built-in kind, or None (custom kinds, or no schema data)."""
    folder = _folder()
    if folder is None:
        return None
    short = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = folder / f"{kind.lower()}-{short}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _resolve(schema: Manifest) -> Manifest:
    while "$ref" in schema:
        schema = _definitions()[schema["$ref"].rpartition("/")[2]]
    return schema


def _types(schema: Manifest) -> list[str]:
    kind = schema.get("type")
    if kind is None and "oneOf" in schema:
        return [t for option in schema["oneOf"] for t in _types(option)]
    return [kind] if isinstance(kind, str) else list(kind or [])


def _type_name(value: Any) -> str:
    for name, types in _PY_TYPES.items():
        if isinstance(value, types) and not (name in ("integer", "number") and
                                             isinstance(value, bool)):
            return name
    return type(value).__name__


def check(obj: Manifest) -> tuple[list[str], list[Cause]]:
    """(unknown field paths, type and required-field causes) of ``obj`` against its schema."""
    schema = root_schema(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    unknown: list[str] = []
    causes: list[Cause] = []
    if schema is not None:
        _walk(obj, schema, "", unknown, causes)
    return unknown, causes


def _walk(value: Any, schema: Manifest, path: str, unknown: list[str],
          causes: list[Cause]) -> None:
    schema = _resolve(schema)
    types = _types(schema)
    actual = _type_name(value)
    if types and actual not in types and not (actual == "integer" and "number" in types):
        wanted = " or ".join(t for t in types if t != "null")
        shown = json.dumps(value, default=str) if not isinstance(value, dict | list) else actual
        causes.append(Cause(path, f"Invalid value: {shown}: must be of type {wanted}",
                            "FieldValueTypeInvalid"))
        return
    if isinstance(value, dict):
        _walk_object(value, schema, path, unknown, causes)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            _walk(item, schema["items"], f"{path}[{index}]", unknown, causes)


def _walk_object(value: Manifest, schema: Manifest, path: str, unknown: list[str],
                 causes: list[Cause]) -> None:
    properties = schema.get("properties")
    extra = schema.get("additionalProperties")
    prefix = f"{path}." if path else ""
    for key, item in value.items():
        if properties is not None and key in properties:
            _walk(item, properties[key], f"{prefix}{key}", unknown, causes)
        elif isinstance(extra, dict):
            _walk(item, extra, f"{prefix}{key}", unknown, causes)
        elif properties is not None and extra is False:
            unknown.append(f"{prefix}{key}")
    for key in schema.get("required") or ():
        if key not in value:
            causes.append(Cause(f"{prefix}{key}", "Required value", "FieldValueRequired"))
