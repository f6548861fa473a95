"""Checking values against a chart's ``values.schema.json`` (jsonschema, imported lazily:
``pyhelm.quickschema`` first answers for plain schemas that the values meet).

Messages are ``path: problem`` with paths as users write them in ``--set``
(``image.tag``, ``ports[1]``), sorted by path, clipped to a readable length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyhelm.errors import ValuesError
from pyhelm.quickschema import plainly_valid

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart

_MAX_MESSAGE = 160


def schema_violations(chart: Chart, values: dict[str, Any]) -> list[str]:
    """Each way ``values`` break the chart's values.schema.json, as ``path: message``, sorted."""
    schema = chart.schema or {}
    if plainly_valid(schema, values):
        return []
    from jsonschema import exceptions  # a heavy import: only when the quick check is not sure

    cls = _validator_class(schema)
    try:
        cls.check_schema(schema)
    except exceptions.SchemaError as exc:
        raise ValuesError(f"{chart.source or chart.name}/values.schema.json is not a valid JSON schema: "
                          f"{exc.message} (at {_format_path(exc.absolute_path)})") from None
    errors = sorted(cls(schema).iter_errors(values), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{_format_path(error.absolute_path)}: {_clip(_json_words(error))}" for error in errors]


def _json_words(error: Any) -> str:
    """jsonschema's message with a leading Python None/True/False spelled as in JSON/YAML."""
    spelled = {None: "null", True: "true", False: "false"}
    instance = error.instance
    if (instance is None or isinstance(instance, bool)) and error.message.startswith(repr(instance)):
        return spelled[instance] + error.message[len(repr(instance)):]
    return str(error.message)


def _validator_class(schema: dict[str, Any]) -> Any:
    """The validator ``$schema`` names; ``https://`` spellings of draft URIs and unknown
    or missing ``$schema`` (then draft 2020-12, as Helm 4) are accepted."""
    import warnings

    from jsonschema import validators

    uri = schema.get("$schema")
    probe = {"$schema": uri.replace("https://", "http://", 1)} if isinstance(uri, str) else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return validators.validator_for(probe)


def _format_path(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text or "(top level)"



def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."
