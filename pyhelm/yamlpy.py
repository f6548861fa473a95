"""yamlio's PyYAML half: the careful reader, the writer and lint's YAML 1.1 scan.

:mod:`pyhelm.yamlio` sends a text here when its fast path (yaml-rs) cannot vouch
for it; this module is imported only then (PyYAML's import is a fifth of a small
render's start-up). See :mod:`pyhelm.yamlio` for how YAML is read: the rules
live in the resolver and constructor below, and the alias-bomb check in
:func:`load_all`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from pyhelm.errors import PyHelmError
from pyhelm.yamlio import HELM_ONLY_BOOLS, YAML11_BOOLS

#: How many nodes aliases may add to a document beyond the ones written in it.
MAX_ALIAS_EXPANSION = 1_000_000

try:  # libyaml's parser and composer; the pure-Python ones otherwise
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - platforms without libyaml
    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,  # type: ignore[no-redef]
                  yaml.composer.Composer):
        def __init__(self, stream: str | bytes) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)

_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

_INT_RE = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_FLOAT_RE = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _Resolver(Resolver):
    """YAML 1.1 resolution minus the parts Helm does not have (dates, sexagesimals, ``=``)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in entries
            if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value",
                           "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, entries in Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver("tag:yaml.org,2002:int", _INT_RE, list("-+0123456789"))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_RE, list("-+0123456789."))


class _Constructor(SafeConstructor):
    """Safe construction with string keys, as Helm's YAML-to-JSON step gives them."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if type(key) is not str:
                if isinstance(key, (list, dict, set)):
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        "found a list or mapping used as a key", key_node.start_mark)
                key = _key_text(key)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


class _Loader(_Parser, _Constructor, _Resolver):  # type: ignore[misc]
    def __init__(self, stream: str | bytes) -> None:
        _Parser.__init__(self, stream)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


class Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """The dumper of :func:`dump`: quotes every string a YAML 1.1 reader (Helm, kubectl) would
    not read back as a string."""


Dumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _error(exc: Exception, source: str, error_class: type[PyHelmError]) -> PyHelmError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark is not None else source
    return error_class(f"{where}: invalid YAML: {problem}")


def load_all(text: str | bytes, source: str, error_class: type[PyHelmError]) -> list[Any]:
    """Every document of ``text`` through libyaml, with Helm's reading rules; raises
    ``error_class`` naming ``source`` and the line for invalid YAML or an alias bomb."""
    may_alias = ("*" in text) if isinstance(text, str) else (b"*" in text)
    loader = _Loader(text)
    try:
        docs = []
        while loader.check_node():
            node = loader.get_node()
            if may_alias:
                docs.append(_construct(loader, node, source, error_class))
            else:
                docs.append(loader.construct_document(node))
        return docs
    except yaml.YAMLError as exc:
        raise _error(exc, source, error_class) from None
    finally:
        loader.dispose()


def _construct(loader: Any, node: Any, source: str, error_class: type[PyHelmError]) -> Any:
    if not _expansion_check(node, source, error_class):
        return loader.construct_document(node)
    return _unshare(loader.construct_document(node))


def _expansion_check(node: Any, source: str, error_class: type[PyHelmError]) -> bool:
    """Count the nodes the document stands for once aliases are expanded.

    Returns whether any node is reached twice (an alias was used); raises for a
    document that refers to itself or that would grow by more than
    :data:`MAX_ALIAS_EXPANSION` nodes.
    """
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[Any, bool]] = [(node, False)]
    shared = False
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if children_done:
            in_progress.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(current))
            continue
        if key in sizes:
            shared = True
            continue
        if key in in_progress:
            line = current.start_mark.line + 1
            raise error_class(f"{source}:{line}: invalid YAML: an alias refers to a node that contains it "
                              "(recursive alias); write the value out instead")
        in_progress.add(key)
        stack.append((current, True))
        stack.extend((child, False) for child in _children(current))
    extra = sizes[id(node)] - len(sizes)
    if extra > MAX_ALIAS_EXPANSION:
        raise error_class(
            f"{source}: invalid YAML: its aliases (*name) would expand it by {extra:,} nodes, more than "
            f"the limit of {MAX_ALIAS_EXPANSION:,}; this looks like an alias bomb (\"billion laughs\")"
        )
    return shared


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _unshare(data: Any) -> Any:
    """Copy every container, so that no two places share one (aliases make them shared)."""
    if isinstance(data, dict):
        return {key: _unshare(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_unshare(item) for item in data]
    return data


def dump(data: Any, sort_keys: bool = True) -> str:
    """Block-style YAML as Helm users expect it (no flow style, unicode kept)."""
    return yaml.dump(data, Dumper=Dumper, default_flow_style=False, sort_keys=sort_keys, allow_unicode=True)


def find_yaml11_booleans(text: str | bytes, source: str) -> list[str]:
    """Warnings for unquoted ``on/off/yes/no/y/n`` keys and values, each naming file and line.

    YAML 1.1 readers turn these into booleans: ``on: push`` becomes the key
    ``"true"``. Helm also does it for ``y``/``n``, which pyhelm keeps as text.
    Scanning stops quietly at a syntax error (loading reports that one).
    """
    found: list[str] = []
    # Per open collection: is it a mapping, and is the next node in it a key?
    stack: list[list[bool]] = []
    try:
        for event in yaml.parse(text, Loader=_Loader):
            is_key = bool(stack) and stack[-1][0] and stack[-1][1]
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                continue
            if isinstance(event, yaml.ScalarEvent) and not event.style and event.tag is None \
                    and event.value in YAML11_BOOLS:
                found.append(_boolean_warning(event, source, is_key))
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                if stack and stack[-1][0]:
                    stack[-1][1] = not stack[-1][1]
                if isinstance(event, yaml.CollectionStartEvent):
                    stack.append([isinstance(event, yaml.MappingStartEvent), True])
    except yaml.YAMLError:
        pass
    return found


def _boolean_warning(event: Any, source: str, is_key: bool) -> str:
    word = event.value
    kind = "key" if is_key else "value"
    where = f"{source}:{event.start_mark.line + 1}"
    if word in HELM_ONLY_BOOLS:
        return (f"{where}: unquoted {kind} {word!r} is read as a boolean by Helm (pyhelm keeps it a "
                f"string); quote it (\"{word}\") so every tool reads the same thing")
    meaning = "true" if word.lower() in ("yes", "on") else "false"
    return (f"{where}: unquoted {kind} {word!r} is read as the boolean {meaning} (YAML 1.1); "
            f"quote it (\"{word}\") if you mean the text")
