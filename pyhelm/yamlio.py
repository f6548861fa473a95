"""YAML in and out: fast, safe, and with errors that name the file and line.

Every YAML load in pyhelm goes through :func:`load` or :func:`load_all`. They

* are *safe* (no Python objects from tags) and use libyaml when available;
* read the YAML the way Helm (sigs.k8s.io/yaml) hands it to templates:
  integers stay integers however large; dates, ``1:30`` (sexagesimal) and
  ``=`` stay strings; mapping keys are always strings (``on:`` becomes the key
  ``"true"``, ``1:`` the key ``"1"``);
* refuse alias bombs ("billion laughs"): a document whose aliases would expand
  to more than :data:`MAX_ALIAS_EXPANSION` extra nodes, or that refers to
  itself, is an error instead of an hour of CPU and all the memory. Documents
  without aliases (the usual case) skip the check entirely;
* return plain trees: a container reached through an alias is a copy, so
  changing one place never changes another.

:func:`dump` writes block-style YAML that Helm and kubectl read back
unchanged (strings such as ``y``, ``on`` or ``2020-01-01`` are quoted).
:func:`find_yaml11_booleans` finds the YAML 1.1 boolean surprises for lint.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from pyhelm.errors import PyHelmError

#: Texts shorter than this go straight to libyaml: for them, importing the Rust
#: parser (yaml-rs, several times faster on big files) costs more than it saves.
FAST_PATH_MIN_CHARS = 16 * 1024


@functools.cache
def _yaml_rs() -> Any:
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - yaml-rs is a declared dependency
        return None
    return yaml_rs

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
#: Plain scalars YAML 1.1 readers (Helm's included) take as booleans, though
#: few authors mean it. ``true``/``false`` are left out: those are meant.
_BOOL_WORDS = frozenset("yes Yes YES no No NO on On ON off Off OFF".split())
_HELM_ONLY_BOOLS = frozenset("yYnN")
_YAML11_BOOLS = _BOOL_WORDS | _HELM_ONLY_BOOLS


#: yaml-rs (YAML 1.2) reads some text differently from the rules above, or
#: lacks the checks of the careful path. Such text goes to PyYAML: any text
#: holding one of these characters or sequences (aliases, tags, merge keys,
#: directives, document markers, complex keys, tabs), or a number with a
#: leading zero (YAML 1.1 octal); and any result holding a float, a YAML 1.1
#: boolean word, or a key that is not a string (yaml-rs lets 1 and true collide).
_NOT_FOR_FAST_PATH = ("*", "!", "<<", "\t", "?", "\n%", "\n---", "\n...")
#: ``[-+]?0[0-9o]`` starting a token (after a space, ``[``, ``{``, ``,`` or at the start).
#: Written literal first ("0", then what came before it): the engine then jumps from one "0" to
#: the next instead of trying every position (20x faster on a big values file). Compiled on first
#: use (big texts only).
_LEADING_ZERO = r"0(?:(?<![^\s\[{,]0)|(?<=[\s\[{,][-+]0)|(?<=^[-+]0))[0-9o]"


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


@functools.cache
def dumper() -> Any:
    """The dumper class of :func:`dump` (made on first use: most renders write no YAML)."""

    class Dumper(_BaseDumper):  # type: ignore[misc,valid-type]
        """Quotes every string a YAML 1.1 reader (Helm, kubectl) would not read back as a string."""

    Dumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
    return Dumper


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


def load(text: str | bytes, source: str, error_class: type[PyHelmError] = PyHelmError,
         *, remember: bool = False) -> Any:
    """Parse one YAML document (None when empty); ``source`` names the file in errors.

    Raises ``error_class`` for invalid YAML, a second document, or an alias bomb.
    ``remember``: a big text's documents are kept on disk (``pyhelm.yamlcache``), for
    values files read on every render.
    """
    docs = load_all(text, source, error_class, remember=remember)
    if len(docs) > 1:
        raise error_class(f"{source}: expected one YAML document, found {len(docs)} (separated by '---')")
    return docs[0] if docs else None


def load_all(text: str | bytes, source: str, error_class: type[PyHelmError] = PyHelmError,
             *, remember: bool = False) -> list[Any]:
    """Parse every document of a multi-document YAML stream, in order (``remember``: see
    ``load``)."""
    if remember and len(text) >= FAST_PATH_MIN_CHARS:
        from pyhelm import yamlcache

        return yamlcache.load_all(text, lambda: _parse_all(text, source, error_class))
    return _parse_all(text, source, error_class)


def _parse_all(text: str | bytes, source: str, error_class: type[PyHelmError]) -> list[Any]:
    fast = _load_fast(text) if len(text) >= FAST_PATH_MIN_CHARS else None
    if fast is not None:
        return fast
    return _load_pyyaml(text, source, error_class)


def _load_fast(text: str | bytes) -> list[Any] | None:
    """The documents through yaml-rs, or None when the text needs PyYAML (see above)."""
    yaml_rs = _yaml_rs()
    if yaml_rs is None:
        return None
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if (any(mark in text for mark in _NOT_FOR_FAST_PATH) or text.startswith(("%", "---", "...", "\ufeff"))
            or re.search(_LEADING_ZERO, text) or _block_scalar_edge(text)):
        return None
    try:
        doc = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins)
    except (yaml_rs.YAMLDecodeError, RecursionError, TypeError, ValueError):
        return None  # PyYAML names the line and the problem in its own words
    if doc is None or not _same_as_careful(doc):
        return None  # an empty document and a "null" one look alike here
    return [doc]


def _block_scalar_edge(text: str) -> bool:
    """Block scalars (``|``, ``>``) where yaml-rs differs: at the top level, or last with no final newline."""
    has_block = "|" in text or ">" in text
    return has_block and (not text.endswith("\n") or text.lstrip().startswith(("|", ">")))


def _same_as_careful(doc: Any) -> bool:
    """False when the tree holds what the careful path may read differently (see above)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key in item:
                if type(key) is not str or key in _BOOL_WORDS:
                    return False
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float or (kind is str and item in _BOOL_WORDS):
            return False
    return True


def _load_pyyaml(text: str | bytes, source: str, error_class: type[PyHelmError]) -> list[Any]:
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
    return yaml.dump(data, Dumper=dumper(), default_flow_style=False, sort_keys=sort_keys, allow_unicode=True)


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
                    and event.value in _YAML11_BOOLS:
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
    if word in _HELM_ONLY_BOOLS:
        return (f"{where}: unquoted {kind} {word!r} is read as a boolean by Helm (pyhelm keeps it a "
                f"string); quote it (\"{word}\") so every tool reads the same thing")
    meaning = "true" if word.lower() in ("yes", "on") else "false"
    return (f"{where}: unquoted {kind} {word!r} is read as the boolean {meaning} (YAML 1.1); "
            f"quote it (\"{word}\") if you mean the text")
