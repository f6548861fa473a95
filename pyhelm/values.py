"""Values: the user's flags, Helm's coalescing, subcharts, globals and the schema.

Precedence, lowest first (later wins):

1. a chart's ``values.yaml``, with values imported from its subcharts
   (``import-values``) under its own;
2. for a subchart: its parent's section ``values[<alias or name>]``, and the
   parent's ``global`` copied into the section's ``global`` (the parent wins);
3. ``-f`` files in order (each file's YAML documents in order);
4. ``--set-json``, ``--set``, ``--set-string``, ``--set-file``, ``--set-literal``,
   each in the order given.

Coalescing rules (Helm's ``coalesce.go``): maps merge key by key; scalars and
lists replace; a ``null`` deletes the key it overrides, and stays ``null``
where there was nothing to delete. Results are fresh maps; inputs are never
changed. Lists and scalars are shared with the inputs, not copied: treat the
values tree as read-only.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyhelm.errors import ValuesError

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart, Dependency

Warn = Callable[[str], None]
_MAX_MESSAGE = 160


def print_warning(message: str) -> None:
    """The default warning sink: one ``warning: ...`` line on stderr."""
    print(f"warning: {message}", file=sys.stderr)


# -- user-supplied values ---------------------------------------------------------------


@dataclass(eq=False)  # never compared: no generated __eq__ to compile at import
class ValueOptions:
    """The values flags of one command, as given (Helm's ``values.Options``)."""

    value_files: list[str] = field(default_factory=list)
    set_values: list[str] = field(default_factory=list)
    string_values: list[str] = field(default_factory=list)
    file_values: list[str] = field(default_factory=list)
    json_values: list[str] = field(default_factory=list)
    literal_values: list[str] = field(default_factory=list)

    def merge(self) -> dict[str, Any]:
        """The user-supplied values, merged in Helm's order (see the module docstring).

        Between ``-f`` files (and documents) maps merge and anything else,
        null included, replaces; nulls are resolved against chart defaults
        later, by :func:`compute_values`. Raises ``ValuesError`` naming the
        file (and line) or the flag and argument at fault.
        """
        base: dict[str, Any] = {}
        if not (self.value_files or self.json_values or self.set_values or self.string_values
                or self.file_values or self.literal_values):
            return base  # the common run has no flags: the --set parser is not even imported
        from pyhelm.strvals import Mode, merge_maps, parse_into
        from pyhelm.values_files import read_set_file, read_values_file

        for path in self.value_files:
            for doc in read_values_file(path):
                merge_maps(base, doc)
        for mode, exprs in (
            (Mode.JSON, self.json_values),
            (Mode.TYPED, self.set_values),
            (Mode.STRING, self.string_values),
            (Mode.FILE, self.file_values),
            (Mode.LITERAL, self.literal_values),
        ):
            for expr in exprs:
                parse_into(expr, base, mode, read_set_file)
        return base


def parse_set(expr: str, into: dict[str, Any] | None = None, *, typed: bool = True) -> dict[str, Any]:
    """Parse one ``--set`` argument (``--set-string`` with ``typed=False``) into ``into``.

    ``into`` is changed in place and returned (a new map when None). Raises
    ``ValuesError`` naming the argument. The grammar: :mod:`pyhelm.strvals`.
    """
    from pyhelm.strvals import Mode, parse_into

    return parse_into(expr, {} if into is None else into, Mode.TYPED if typed else Mode.STRING)


# -- coalescing ---------------------------------------------------------------------------


def coalesce(base: dict[str, Any], override: dict[str, Any], *, warn: Warn | None = None,
             path: str = "") -> dict[str, Any]:
    """``override`` over ``base``, as a new map; neither input is changed.

    Maps merge; scalars and lists replace; ``None`` in ``override`` deletes
    the key from ``base``, and stays ``None`` where ``base`` has no value
    there. A map meeting a non-map replaces it, with a warning to ``warn``
    naming ``path``.
    """
    return _coalesce(base, override, _Nulls.DELETE, warn, path)


class _Nulls(enum.Enum):
    """What a ``None`` in the override does (Helm's coalesce vs merge modes)."""

    DELETE = "delete"  # deletes a non-null value it overrides; nested levels
    KEEP = "keep"  # stays, to be judged by the subchart (a subchart's section, globals)
    ROOT = "root"  # the root chart's top level: deletes any key the defaults have
    SUBCHART = "subchart"  # the same, and a null default means "no value" (it is dropped)


def _coalesce(base: dict[str, Any], override: dict[str, Any], nulls: _Nulls, warn: Warn | None,
              path: str, sections: frozenset[str] = frozenset()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, default in base.items():
        if key not in override:
            if default is not None or nulls is not _Nulls.SUBCHART:
                out[key] = _copy_maps(default)
            continue
        value = override[key]
        if value is None:
            if nulls is _Nulls.KEEP or (nulls is _Nulls.DELETE and default is None):
                out[key] = None
            continue
        if isinstance(value, dict) and isinstance(default, dict):
            inner = _Nulls.KEEP if nulls is _Nulls.KEEP or key in sections else _Nulls.DELETE
            out[key] = _coalesce(default, value, inner, warn, _join(path, key))
            continue
        if warn is not None and default is not None and isinstance(value, dict) != isinstance(default, dict):
            warn(_type_clash(_join(path, key), default, value))
        out[key] = _copy_maps(value)
    for key, value in override.items():
        if key not in base:
            out[key] = _copy_maps(value)
    return out


def _type_clash(path: str, default: Any, value: Any) -> str:
    if isinstance(value, dict):
        return f"skipped value for {path}: Not a table (the default {_short(default)} is replaced by your map)"
    return f"{path}: your value {_short(value)} replaces the default map"


def _copy_maps(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_maps(item) for key, item in value.items()}
    return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# -- charts, subcharts, globals -----------------------------------------------------------


# _Node, _Context and _ConditionLookup are plain classes, not dataclasses: making a dataclass
# costs ~1 ms at import, paid by every `pyhelm template`.


class _Node:
    """One chart in the values tree: its name in the parent and its computed values."""

    __slots__ = ("name", "chart", "values", "key", "children")

    def __init__(self, name: str, chart: Chart, values: dict[str, Any], key: tuple[str, ...]) -> None:
        self.name = name
        self.chart = chart
        self.values = values
        self.key = key
        self.children: list[_Node] = []


class _Context:
    __slots__ = ("warn", "defaults", "enabled", "root_tags")

    def __init__(
        self,
        warn: Warn,
        defaults: dict[tuple[str, ...], dict[str, Any]] | None = None,
        enabled: dict[tuple[str, ...], list[str]] | None = None,
        root_tags: Any = None,
    ) -> None:
        self.warn = warn
        self.defaults = {} if defaults is None else defaults
        self.enabled = enabled
        self.root_tags = root_tags


def compute_values(chart: Chart, user_values: dict[str, Any], *, validate: bool = True,
                   warn: Warn | None = print_warning) -> dict[str, Any]:
    """The values tree the root chart's templates see (``.Values``).

    Chart defaults <- user values; then each enabled subchart's section is its
    defaults <- the parent's section, with ``global`` copied down (the parent
    wins), recursively. ``import-values`` bring child values up under the
    parent's own. A subchart disabled by ``condition`` or ``tags`` is not
    merged: its section stays exactly as the parent gives it (so
    ``.Values.<sub>.enabled`` still reads). With ``validate``, the result is
    checked against the schema of every enabled chart; a ``ValuesError`` then
    lists every violation with its path.
    """
    context = _Context(warn=warn or (lambda message: None))
    try:
        root = _resolve(chart, user_values, (), context)
        if _has_imports(root):
            context.enabled = _enabled_names(root)
            _import_defaults(root, context)
            root = _resolve(chart, user_values, (), context)
    except RecursionError:
        raise ValuesError(f"the values of chart {chart.name!r} nest too deeply to merge") from None
    if validate:
        validate_tree(root)
    return root.values


def enabled_subcharts(chart: Chart, values: dict[str, Any], *,
                      tags: dict[str, Any] | None = None) -> list[tuple[str, Chart]]:
    """``(name in parent, subchart)`` for each subchart enabled by its condition and tags.

    ``values`` are the chart's computed values (its section of the tree).
    Tags are read from ``values["tags"]``, with ``tags`` (the root chart's
    ``tags``: Helm reads tags at the root for every level) over them. It agrees
    with what :func:`compute_values` merged. The same subchart may appear twice
    under two aliases; subcharts not listed in Chart.yaml are always enabled,
    under their own name.
    """
    candidates = _candidates(chart)
    lookup = _ConditionLookup(values, {name: sub for name, _dep, sub in candidates})
    return [(name, sub) for name, dep, sub in candidates
            if _is_enabled(dep, lookup, _tags(values, tags), lambda message: None)]


def _candidates(chart: Chart) -> list[tuple[str, Dependency | None, Chart]]:
    by_name = {}
    for sub in chart.subcharts:
        by_name.setdefault(sub.name, sub)
    listed = [(dep.effective_name, dep, by_name[dep.name])
              for dep in chart.metadata.dependencies if dep.name in by_name]
    declared = {dep.name for dep in chart.metadata.dependencies}
    unlisted = [(sub.name, None, sub) for sub in chart.subcharts if sub.name not in declared]
    return [*unlisted, *listed]


def _resolve(chart: Chart, section: dict[str, Any], key: tuple[str, ...], context: _Context) -> _Node:
    defaults = context.defaults.get(key, chart.values)
    candidates = _candidates(chart)
    values = _coalesce(defaults, section, _Nulls.SUBCHART if key else _Nulls.ROOT, context.warn, chart.name,
                       frozenset(name for name, _dep, _sub in candidates))
    if not key:
        context.root_tags = values.get("tags")
    computed: dict[str, _Node] = {}
    for name, _dep, sub in candidates:
        own = values.get(name)
        if own is None:
            own = {}
        elif not isinstance(own, dict):
            raise ValuesError(f"values of subchart {name!r} (key {'.'.join((*key, name))!r}) must be a map, "
                              f"got {_type_name(own)}; remove the key or make it a map")
        computed[name] = _resolve(sub, _with_globals(own, values, context.warn), (*key, name), context)
    if context.enabled is not None:
        wanted = context.enabled.get(key, [])
    else:
        lookup = _ConditionLookup(values, {name: sub for name, _dep, sub in candidates})
        tags = _tags(defaults, context.root_tags) if key else context.root_tags
        wanted = [name for name, dep, _sub in candidates if _is_enabled(dep, lookup, tags, context.warn)]
    node = _Node(key[-1] if key else chart.name, chart, values, key)
    for name in wanted:
        values[name] = computed[name].values
        node.children.append(computed[name])
    return node


def _tags(values: dict[str, Any], root_tags: Any) -> Any:
    """The ``tags`` table that decides a chart's dependencies: the root's over the chart's own."""
    own = values.get("tags")
    if isinstance(own, dict) and isinstance(root_tags, dict):
        return coalesce(own, root_tags)
    return root_tags if root_tags is not None else own


class _ConditionLookup:
    """Reads a condition path in a chart's values, else in the named subchart's defaults.

    The fallback makes the answer the same before and after the subchart is
    merged (or left out), so :func:`enabled_subcharts` on computed values agrees
    with :func:`compute_values`. A null counts as absent.
    """

    __slots__ = ("values", "subcharts", "_defaults")

    def __init__(self, values: dict[str, Any], subcharts: dict[str, Chart]) -> None:
        self.values = values
        self.subcharts = subcharts
        self._defaults: dict[str, dict[str, Any]] = {}

    def get(self, path: str) -> tuple[bool, Any]:
        found, value = _path_value(self.values, path)
        head, _, rest = path.partition(".")
        if (found and value is not None) or head not in self.subcharts or not rest:
            return found, value
        if head not in self._defaults:
            quiet = _Context(warn=lambda message: None)
            self._defaults[head] = _resolve(self.subcharts[head], {}, (), quiet).values
        return _path_value(self._defaults[head], rest)


def _with_globals(section: dict[str, Any], parent: dict[str, Any], warn: Warn) -> dict[str, Any]:
    """The section with the parent's ``global`` merged into its own (the parent wins)."""
    theirs = parent.get("global")
    mine = section.get("global")
    theirs, mine = ({} if theirs is None else theirs), ({} if mine is None else mine)
    if not isinstance(theirs, dict) or not isinstance(mine, dict):
        warn("skipping globals: 'global' must be a map")
        return section
    merged = dict(mine)
    for key, value in theirs.items():
        current = merged.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged[key] = _coalesce(current, value, _Nulls.KEEP, None, "")
        elif isinstance(value, dict) and key in merged:
            if current is not None:
                warn(f"global.{key}: cannot merge a map onto {_short(current)}; skipped")
        elif isinstance(current, dict) and not isinstance(value, dict):
            warn(f"global.{key} is a map in the subchart; skipped the parent's {_short(value)}")
        else:
            merged[key] = _copy_maps(value)
    return {**section, "global": merged}


def _is_enabled(dep: Dependency | None, lookup: _ConditionLookup, tags: Any, warn: Warn) -> bool:
    """Helm's rules: tags first (any true wins, else any false disables), then conditions."""
    if dep is None:
        return True
    enabled = True
    if isinstance(tags, dict) and dep.tags:
        flags = [tags[tag] for tag in dep.tags if tag in tags]
        for tag in dep.tags:
            if tag in tags and not isinstance(tags[tag], bool):
                warn(f"tag {tag!r} of dependency {dep.effective_name!r} is not true or false; ignored")
        if False in flags and True not in flags:
            enabled = False
    for condition in dep.condition.split(","):
        condition = condition.strip()
        if not condition:
            continue
        found, value = lookup.get(condition)
        if found and isinstance(value, bool):
            return value
        if found:
            warn(f"condition {condition!r} of dependency {dep.effective_name!r} is "
                 f"{_short(value)}, not true or false; ignored")
    return enabled


def _path_value(values: dict[str, Any], path: str) -> tuple[bool, Any]:
    current: Any = values
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current:
            return False, None
        current = current[part]
    return not isinstance(current, dict), current


def _enabled_names(node: _Node) -> dict[tuple[str, ...], list[str]]:
    out = {node.key: [child.name for child in node.children]}
    for child in node.children:
        out.update(_enabled_names(child))
    return out


# -- import-values ----------------------------------------------------------------------


def _has_imports(node: _Node) -> bool:
    return any(dep.import_values for dep in node.chart.metadata.dependencies) or any(
        _has_imports(child) for child in node.children)


def _import_defaults(node: _Node, context: _Context) -> None:
    """Bottom-up, Helm's ``processImportValues``: defaults only, the parent's own values win."""
    for child in node.children:
        _import_defaults(child, context)
    enabled = {child.name for child in node.children}
    imports = [dep for dep in node.chart.metadata.dependencies
               if dep.import_values and dep.effective_name in enabled]
    if not imports:
        return
    quiet = _Context(warn=lambda message: None, defaults=context.defaults, enabled=context.enabled)
    merged = _resolve(node.chart, {}, node.key, quiet).values
    imported: dict[str, Any] = {}
    for dep in imports:
        for entry in dep.import_values:
            child_path, parent_path = _import_paths(entry)
            table = _table(merged, f"{dep.effective_name}.{child_path}")
            if table is None:
                context.warn(f"import-values of {dep.effective_name!r}: {child_path!r} is not a map "
                             "in the subchart's values; skipped")
                continue
            imported = coalesce(_nest(parent_path, table), imported)
    context.defaults[node.key] = coalesce(imported, _drop_nulls(merged))


def _import_paths(entry: Any) -> tuple[str, str]:
    if isinstance(entry, dict):
        return str(entry.get("child", "")), str(entry.get("parent", "."))
    return f"exports.{entry}", "."


def _table(values: dict[str, Any], path: str) -> dict[str, Any] | None:
    current: Any = values
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current if isinstance(current, dict) else None


def _nest(path: str, data: dict[str, Any]) -> dict[str, Any]:
    if path in (".", ""):
        return data
    for part in reversed(path.split(".")):
        data = {part: data}
    return data


def _drop_nulls(values: dict[str, Any]) -> dict[str, Any]:
    return {key: _drop_nulls(value) if isinstance(value, dict) else value
            for key, value in values.items() if value is not None}


# -- values.schema.json -----------------------------------------------------------------


def validate_tree(node: _Node) -> None:
    """Check every enabled chart's values against its schema; one error lists all violations."""
    problems = []
    for current in _walk(node):
        if current.chart.schema is not None:
            from pyhelm.values_schema import schema_violations

            found = schema_violations(current.chart, current.values)
            if found:
                where = f"chart {current.chart.name}" + (
                    f" (values under '{'.'.join(current.key)}')" if current.key else "")
                problems.append(f"values don't meet the schema of {where}: " + "; ".join(found))
    if problems:
        raise ValuesError("; and ".join(problems))


def _walk(node: _Node) -> list[_Node]:
    out = [node]
    for child in node.children:
        out.extend(_walk(child))
    return out


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _short(value: Any) -> str:
    return _clip(repr(value))


def _type_name(value: Any) -> str:
    names = {dict: "a map", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
             float: "a number"}
    return names.get(type(value), type(value).__name__)
