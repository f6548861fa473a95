"""Compile templates that differ only in their literal text once.

Charts often hold many templates of one *shape*: the same tags and
expressions, with different text between them (a service per component, a
generated chart). Jinja2's compiled code depends on that text only through
string constants, so :class:`ShapeCompiler` lexes a template, replaces each
text chunk (and the template's name) with a numbered marker, and compiles
that marked token stream once. Every template of the same shape — the key is
the whole marked token stream, line numbers included, so error locations stay
exact — gets a copy of the code with the markers in its constants replaced by
its own text and name. A template of a new shape costs one lexing more than a
plain compile; one whose shape was seen costs only the lexing.

Anything unusual (a marker character in the source or an escape that could spell
one, a syntax error) falls back
to Jinja2's own ``compile``, which raises the error with the real names.
"""

from __future__ import annotations

import re
from types import CodeType
from typing import Any

from jinja2 import Environment
from jinja2.lexer import TOKEN_DATA, TokenStream
from jinja2.parser import Parser

from pyhelm.render import skeleton

_OPEN, _CLOSE = "\ufdd0", "\ufdd1"  # Unicode noncharacters: never in a real template
_MARKER_RE = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_NAME = f"{_OPEN}0{_CLOSE}"  # marker 0 is the template's name
#: A string literal could spell a marker with these escapes (``"\\ufdd0"``).
_ESCAPE = re.compile(r"\\[uUN]")

Shape = tuple[tuple[int, str, str], ...]


class ShapeCompiler:
    """``compile(source, name)`` → the code Jinja2 would compile, shared across same-shape
    templates of one environment."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.shapes: dict[Shape, CodeType] = {}
        #: skeleton -> the shape of the templates it stands for (None: lex those for real)
        self.skeletons: dict[str, Shape | None] = {}
        self.use_skeletons = _skeleton_rules_hold(environment)
        self.cuts: dict[str, tuple[str, list[str]] | None] = {}  # source -> its skeleton.split

    def cut(self, source: str) -> tuple[str, list[str]] | None:
        """``skeleton.split(source)`` (None when skeletons are not used), remembered: the
        parallel compile groups templates by their skeleton before they are compiled."""
        cut = self.cuts.get(source, False)
        if cut is False:
            cut = self.cuts[source] = skeleton.split(source) if self.use_skeletons else None
        return cut  # type: ignore[return-value]

    def compile(self, source: str, name: str) -> CodeType:
        env = self.environment
        if _OPEN in source or _OPEN in name or _ESCAPE.search(source):
            return env.compile(source, name, name)
        cut = self.cut(source)
        known = self.skeletons.get(cut[0]) if cut is not None else None
        if cut is not None and known is not None:
            return _fill(self.shapes[known], [name, *cut[1]])
        try:
            shape, texts = self._mark(source, name)
            code = self.shapes.get(shape)
            if code is None:
                code = self.shapes[shape] = self._compile_shape(shape)
        except Exception:  # lexing or parsing failed: let Jinja2 raise it with the real names
            return env.compile(source, name, name)
        if cut is not None:  # trust this skeleton only if it cut the text as the lexer did
            self.skeletons[cut[0]] = shape if cut[1] == texts[1:] else None
        return _fill(code, texts)

    def _mark(self, source: str, name: str) -> tuple[Shape, list[str]]:
        """The token stream with text chunks replaced by markers, and the texts by marker."""
        lexer = self.environment.lexer
        texts = [name]
        shape = []
        for lineno, kind, value in lexer.tokeniter(source, name, name):
            if kind == TOKEN_DATA:
                texts.append(lexer._normalize_newlines(value))
                value = f"{_OPEN}{len(texts) - 1}{_CLOSE}"
            shape.append((lineno, kind, value))
        return tuple(shape), texts

    def _compile_shape(self, shape: Shape) -> CodeType:
        env = self.environment
        parser = Parser(env, "", _NAME, _NAME)
        parser.stream = TokenStream(env.lexer.wrap(iter(shape), _NAME, _NAME), _NAME, _NAME)
        generated = env._generate(parser.parse(), _NAME, _NAME)
        return env._compile(generated, _NAME)


def _fill(code: CodeType, texts: list[str]) -> CodeType:
    """``code`` with every marker in its string constants (nested code too) replaced."""

    def text(match: re.Match[str]) -> str:
        return texts[int(match.group(1))]

    def constant(value: Any) -> Any:
        if isinstance(value, str):
            return _MARKER_RE.sub(text, value) if _OPEN in value else value
        if isinstance(value, CodeType):
            return fill(value)
        if isinstance(value, (tuple, frozenset)):
            return type(value)(constant(item) for item in value)
        return value

    def fill(code: CodeType) -> CodeType:
        return code.replace(
            co_consts=tuple(constant(c) for c in code.co_consts), co_filename=texts[0]
        )

    return fill(code)


def _skeleton_rules_hold(env: Environment) -> bool:
    """:mod:`skeleton` knows the lexer's rules for this configuration only."""
    return (
        env.trim_blocks
        and env.lstrip_blocks
        and env.keep_trailing_newline
        and (env.block_start_string, env.block_end_string) == ("{%", "%}")
        and (env.variable_start_string, env.variable_end_string) == ("{{", "}}")
        and (env.comment_start_string, env.comment_end_string) == ("{#", "#}")
        and env.line_statement_prefix is None
        and env.line_comment_prefix is None
        and not env.extensions
    )
