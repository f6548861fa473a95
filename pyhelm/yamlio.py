"""YAML in and out: fast, safe, and with errors that name the file and line.

Every YAML load in pyhelm goes through :func:`load` or :func:`load_all`. They

* are *safe* (no Python objects from tags);
* read the YAML the way Helm (sigs.k8s.io/yaml) hands it to templates:
  integers stay integers however large; dates, ``1:30`` (sexagesimal) and
  ``=`` stay strings; mapping keys are always strings (``on:`` becomes the key
  ``"true"``, ``1:`` the key ``"1"``);
* refuse alias bombs ("billion laughs"): a document whose aliases would expand
  to more than ``yamlpy.MAX_ALIAS_EXPANSION`` extra nodes, or that refers to
  itself, is an error instead of an hour of CPU and all the memory;
* return plain trees: a container reached through an alias is a copy, so
  changing one place never changes another.

Two readers give that. The fast path, yaml-rs (a Rust parser), takes the
plain YAML that charts and values files are made of: no aliases, tags or other
constructs where YAML 1.2 and Helm's YAML 1.1 part ways (see below), and a
result checked for values the two read differently. Everything else, and every
error, goes to :mod:`pyhelm.yamlpy` (PyYAML with libyaml), the reference, whose
import alone costs a fifth of a small render's start-up; a render of plain
charts never imports it.

:func:`dump` writes block-style YAML that Helm and kubectl read back
unchanged (strings such as ``y``, ``on`` or ``2020-01-01`` are quoted).
:func:`find_yaml11_booleans` finds the YAML 1.1 boolean surprises for lint.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pyhelm.errors import PyHelmError

#: With ``remember``, texts of at least this size are kept parsed on disk (``pyhelm.yamlcache``).
REMEMBER_MIN_CHARS = 16 * 1024

#: Plain scalars YAML 1.1 readers (Helm's included) take as booleans, though
#: few authors mean it. ``true``/``false`` are left out: those are meant.
_BOOL_WORDS = frozenset("yes Yes YES no No NO on On ON off Off OFF".split())
HELM_ONLY_BOOLS = frozenset("yYnN")
YAML11_BOOLS = _BOOL_WORDS | HELM_ONLY_BOOLS


@functools.cache
def _yaml_rs() -> Any:
    try:
        import yaml_rs
    except ImportError:  # pragma: no cover - yaml-rs is a declared dependency
        return None
    return yaml_rs


#: yaml-rs (YAML 1.2) reads some text differently from Helm's rules (above), or
#: lacks the checks of the careful path. Such text goes to PyYAML: any text
#: holding one of these sequences (merge keys, directives, document markers, tabs),
#: an alias, tag or complex key (``*``, ``!`` or ``?`` starting a token: ``Ready?`` in a
#: comment does not count), or a number with a leading zero (YAML 1.1 octal); and any
#: result holding a float, a YAML 1.1 boolean word, or a key that is not a string
#: (yaml-rs lets 1 and true collide).
_NOT_FOR_FAST_PATH = ("<<", "\t", "\n%", "\n---", "\n...")
_INDICATORS = ("*", "!", "?")
#: ``*``, ``!`` or ``?`` at the start of the text or after a space, ``[]{},`` or ``:``
#: (literal first, as below).
_INDICATOR = r"[*!?](?:(?<=^[*!?])|(?<=[\s\[\]{},:][*!?]))"
#: ``[-+]?0[0-9o]`` starting a token (after a space, ``[``, ``{``, ``,`` or at the start).
#: Written literal first ("0", then what came before it): the engine then jumps from one "0" to
#: the next instead of trying every position (20x faster on a big values file).
_LEADING_ZERO = r"0(?:(?<![^\s\[{,]0)|(?<=[\s\[{,][-+]0)|(?<=^[-+]0))[0-9o]"


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
    if remember and len(text) >= REMEMBER_MIN_CHARS:
        from pyhelm import yamlcache

        return yamlcache.load_all(text, lambda: _parse_all(text, source, error_class))
    return _parse_all(text, source, error_class)


def _parse_all(text: str | bytes, source: str, error_class: type[PyHelmError]) -> list[Any]:
    fast = _load_fast(text)
    if fast is not None:
        return fast
    from pyhelm import yamlpy

    return yamlpy.load_all(text, source, error_class)


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
            or (any(mark in text for mark in _INDICATORS) and re.search(_INDICATOR, text))
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


def dump(data: Any, sort_keys: bool = True) -> str:
    """Block-style YAML as Helm users expect it (no flow style, unicode kept)."""
    from pyhelm import yamlpy

    return yamlpy.dump(data, sort_keys)


def dumper() -> Any:
    """The PyYAML dumper class of :func:`dump`, to build on."""
    from pyhelm import yamlpy

    return yamlpy.Dumper


#: One of those words standing alone (no letter, digit, ``_ . - /`` next to it), as a
#: scalar equal to it must. A text without one has nothing to report.
_LONE_BOOL_WORD = r"(?<![\w./-])(?:[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)(?![\w./-])"


def find_yaml11_booleans(text: str | bytes, source: str) -> list[str]:
    """Warnings for unquoted ``on/off/yes/no/y/n`` keys and values, each naming file and line
    (see ``yamlpy.find_yaml11_booleans``)."""
    words = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if not re.search(_LONE_BOOL_WORD, words):
        return []
    from pyhelm import yamlpy

    return yamlpy.find_yaml11_booleans(text, source)
