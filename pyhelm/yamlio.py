"""YAML in and out, fast and with errors that name the file and line.

PyYAML's C loader and dumper are used when the platform has them. Loading is
always *safe* (no Python objects from tags). Integers stay integers, however
large, and dumping never turns them into floats (helm#1707).
"""

from __future__ import annotations

from typing import Any

import yaml

from pyhelm.errors import PyHelmError

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _error(exc: yaml.YAMLError, source: str, error_class: type[PyHelmError]) -> PyHelmError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    return error_class(f"{where}: invalid YAML: {problem}")


def load(text: str | bytes, source: str, error_class: type[PyHelmError] = PyHelmError) -> Any:
    """Parse one YAML document; ``source`` names the file in errors."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _error(exc, source, error_class) from None


def load_all(text: str | bytes, source: str, error_class: type[PyHelmError] = PyHelmError) -> list[Any]:
    """Parse every document of a multi-document YAML stream."""
    try:
        return list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise _error(exc, source, error_class) from None


def dump(data: Any, sort_keys: bool = True) -> str:
    """Block-style YAML as Helm users expect it (no flow style, unicode kept)."""
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=False, sort_keys=sort_keys, allow_unicode=True)
