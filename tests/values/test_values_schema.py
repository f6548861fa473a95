"""values.schema.json: every violation is listed with its path, for the chart and its subcharts."""

from __future__ import annotations

from typing import Any

import pytest

from pyhelm.chart.model import Chart, ChartMetadata, Dependency
from pyhelm.errors import ValuesError
from pyhelm.values import compute_values

NGINX_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["image"],
    "properties": {
        "replicaCount": {"type": "integer", "minimum": 0},
        "image": {"type": "object", "properties": {"tag": {"type": "string"}}},
        "ports": {"type": "array", "items": {"type": "object", "required": ["name"]}},
    },
}


def chart(name: str, values: dict[str, Any], schema: dict[str, Any] | None = None,
          deps: list[Dependency] | None = None, subcharts: list[Chart] | None = None) -> Chart:
    meta = ChartMetadata(name=name, version="0.1.0", dependencies=deps or [])
    return Chart(metadata=meta, values=values, schema=schema, subcharts=subcharts or [])


def test_valid_values_pass() -> None:
    nginx = chart("nginx", {"replicaCount": 1, "image": {"tag": "1.20"}}, NGINX_SCHEMA)
    assert compute_values(nginx, {"replicaCount": 3})["replicaCount"] == 3


def test_every_violation_is_listed_with_its_path() -> None:
    nginx = chart("nginx", {"replicaCount": 1, "image": {"tag": "1.20"}, "ports": [{"name": "web"}]},
                  NGINX_SCHEMA)
    with pytest.raises(ValuesError) as caught:
        compute_values(nginx, {"replicaCount": -1, "image": {"tag": 5}, "ports": [{"name": "a"}, {}]})
    assert str(caught.value) == (
        "values don't meet the schema of chart nginx: "
        "image.tag: 5 is not of type 'string'; "
        "ports[1]: 'name' is a required property; "
        "replicaCount: -1 is less than the minimum of 0"
    )


def test_top_level_violations_say_so() -> None:
    nginx = chart("nginx", {}, NGINX_SCHEMA)
    with pytest.raises(ValuesError, match=r"\(top level\): 'image' is a required property"):
        compute_values(nginx, {})


def test_validate_false_skips_the_schema() -> None:
    nginx = chart("nginx", {}, NGINX_SCHEMA)
    assert compute_values(nginx, {"replicaCount": "many"}, validate=False) == {"replicaCount": "many"}


def test_subcharts_are_checked_against_their_own_schema_and_section() -> None:
    schema = {"type": "object", "properties": {"port": {"type": "integer"}}}
    sub = chart("db", {"port": 5432}, schema)
    root = chart("web", {}, {"type": "object", "properties": {"name": {"type": "string"}}},
                 [Dependency("db", alias="primary")], [sub])
    with pytest.raises(ValuesError) as caught:
        compute_values(root, {"name": 1, "primary": {"port": "x"}})
    assert str(caught.value) == (
        "values don't meet the schema of chart web: name: 1 is not of type 'string'; and "
        "values don't meet the schema of chart db (values under 'primary'): port: 'x' is not of type 'integer'"
    )


def test_disabled_subcharts_are_not_checked() -> None:
    sub = chart("db", {"port": 5432}, {"type": "object", "properties": {"port": {"type": "integer"}}})
    root = chart("web", {}, None, [Dependency("db", condition="db.enabled")], [sub])
    assert compute_values(root, {"db": {"enabled": False, "port": "x"}})["db"]["port"] == "x"


def test_draft_2020_schemas_work() -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
              "properties": {"tags": {"type": "array", "prefixItems": [{"type": "string"}]}}}
    with pytest.raises(ValuesError, match=r"tags\[0\]: 1 is not of type 'string'"):
        compute_values(chart("c", {}, schema), {"tags": [1]})


def test_an_invalid_schema_names_the_file() -> None:
    broken = chart("c", {}, {"type": "object", "properties": {"a": {"type": "strin"}}})
    broken.source = "charts/c"
    with pytest.raises(ValuesError, match=r"charts/c/values.schema.json is not a valid JSON schema: .*strin"):
        compute_values(broken, {})


def test_long_values_are_clipped_in_messages() -> None:
    schema = {"type": "object", "properties": {"items": {"type": "string"}}}
    with pytest.raises(ValuesError) as caught:
        compute_values(chart("c", {}, schema), {"items": list(range(5000))})
    assert len(str(caught.value)) < 300
