"""The quick schema check answers "valid" only where jsonschema, the reference, agrees."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from typing import Any

import pytest
from jsonschema import validators

from pyhelm.chart.model import Chart, ChartMetadata
from pyhelm.errors import ValuesError
from pyhelm.quickschema import plainly_valid
from pyhelm.values import compute_values

SCAFFOLD_LIKE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "replicaCount": {"type": "integer", "minimum": 0},
        "image": {
            "type": "object",
            "properties": {
                "repository": {"type": "string", "minLength": 1},
                "pullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
            },
            "required": ["repository"],
        },
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
    },
    "required": ["replicaCount", "image"],
}
VALID = {"replicaCount": 2, "image": {"repository": "nginx", "pullPolicy": "Always"}, "port": 80}


def reference_says_valid(schema: dict[str, Any], values: Any) -> bool:
    """jsonschema's verdict, the way pyhelm.values_schema asks it (schema checked first)."""
    cls = validators.validator_for(schema)
    if list(cls(cls.META_SCHEMA).iter_errors(schema)):
        return False
    return not list(cls(schema).iter_errors(values))


def test_plain_schema_met_by_its_values_is_answered_quickly() -> None:
    assert plainly_valid(SCAFFOLD_LIKE, VALID)
    assert reference_says_valid(SCAFFOLD_LIKE, VALID)


@pytest.mark.parametrize(
    "values",
    [
        {**VALID, "replicaCount": -1},
        {**VALID, "replicaCount": True},  # a boolean is not an integer
        {**VALID, "replicaCount": 1.5},
        {**VALID, "image": {"repository": ""}},
        {**VALID, "image": {"pullPolicy": "Always"}},
        {**VALID, "image": {"repository": "x", "pullPolicy": "always"}},
        {"image": {"repository": "x"}},
        {**VALID, "port": 70000},
    ],
)
def test_values_that_break_the_schema_are_left_to_jsonschema(values: dict[str, Any]) -> None:
    assert not plainly_valid(SCAFFOLD_LIKE, values)
    assert not reference_says_valid(SCAFFOLD_LIKE, values)


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"absent": {"type": "strnig"}}},  # malformed, where no value reaches it
        {"properties": {"absent": {"minimum": "1"}}},
        {"properties": {"absent": {"pattern": "("}}},
        {"anyOf": [{"type": "object"}]},
        {"properties": {"a": {"$ref": "#/$defs/x"}}, "$defs": {"x": {"type": "integer"}}},
        {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"},
        {"items": [{"type": "string"}]},
        {"properties": {"a": False}},
    ],
)
def test_schemas_beyond_the_plain_keywords_are_left_to_jsonschema(schema: dict[str, Any]) -> None:
    assert not plainly_valid(schema, {"a": 1})


def test_a_broken_schema_is_still_reported_when_no_value_reaches_the_broken_part() -> None:
    chart = Chart(metadata=ChartMetadata(name="demo", version="0.1.0"), values={},
                  schema={"properties": {"absent": {"type": "strnig"}}})
    with pytest.raises(ValuesError, match="values.schema.json is not a valid JSON schema"):
        compute_values(chart, {})


def test_a_plain_render_does_not_import_jsonschema() -> None:
    code = (
        "import sys, json\n"
        "from pyhelm.chart.model import Chart, ChartMetadata\n"
        "from pyhelm.values import compute_values\n"
        f"schema = json.loads({json.dumps(json.dumps(SCAFFOLD_LIKE))})\n"
        f"values = json.loads({json.dumps(json.dumps(VALID))})\n"
        "chart = Chart(metadata=ChartMetadata(name='demo', version='0.1.0'), values=values, schema=schema)\n"
        "compute_values(chart, {})\n"
        "print('jsonschema' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


# -- random schemas and values against the reference ---------------------------------------

_SCALARS: list[Any] = [None, True, False, 0, 1, -1, 2, 1.0, 1.5, -0.5, 65535, 10**20, "", "a", "ab",
                       "abc", "1", "true", "null", "Always", "é"]
_TYPE_NAMES = ["object", "array", "string", "integer", "number", "boolean", "null"]


def random_schema(rng: random.Random, depth: int = 0) -> Any:
    if depth > 2 or rng.random() < 0.15:
        return rng.choice([True, {}, {"type": rng.choice(_TYPE_NAMES)}])
    schema: dict[str, Any] = {}
    for _ in range(rng.randint(1, 4)):
        keyword = rng.choice([
            "type", "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "minProperties",
            "maxProperties", "pattern", "required", "properties", "properties",
            "additionalProperties", "items", "description", "default", "uniqueItems",
        ])
        schema[keyword] = random_rule(rng, keyword, depth)
    return schema


def random_rule(rng: random.Random, keyword: str, depth: int) -> Any:
    if keyword == "type":
        return rng.choice([rng.choice(_TYPE_NAMES), rng.sample(_TYPE_NAMES, rng.randint(1, 3))])
    if keyword == "enum":
        return rng.sample(_SCALARS, rng.randint(1, 4))
    if keyword in ("const", "default"):
        return rng.choice(_SCALARS)
    if keyword.startswith(("min", "max", "exclusive")):
        return rng.choice([0, 1, 2, 3, 1.5, -1]) if "Length" not in keyword else rng.choice([0, 1, 2])
    if keyword == "pattern":
        return rng.choice(["^a", "b$", "[0-9]", "^$"])
    if keyword == "required":
        return rng.sample(["a", "b", "c"], rng.randint(0, 2))
    if keyword == "properties":
        return {name: random_schema(rng, depth + 1) for name in rng.sample(["a", "b", "c"], 2)}
    if keyword in ("additionalProperties", "items"):
        return rng.choice([True, False, random_schema(rng, depth + 1)])
    if keyword == "uniqueItems":
        return True
    return "text"


def random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.5:
        return rng.choice(_SCALARS)
    if roll < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {name: random_value(rng, depth + 1) for name in rng.sample(["a", "b", "c", "d"], rng.randint(0, 3))}


def test_random_schemas_and_values_are_never_called_valid_against_the_reference() -> None:
    rng = random.Random(11)
    answered = 0
    for _ in range(4000):
        schema, values = random_schema(rng), random_value(rng)
        if not isinstance(schema, dict):
            continue
        if rng.random() < 0.5:
            schema["$schema"] = rng.choice([
                "https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#",
            ])
        if plainly_valid(schema, values):
            answered += 1
            assert reference_says_valid(schema, values), (schema, values)
    assert answered > 400
