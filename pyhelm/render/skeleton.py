"""A template's skeleton and its text chunks, without running Jinja2's lexer.

Lexing a template costs about a millisecond; most of it goes to the tokens
inside the tags. :func:`split` cuts the source at its tags with one regex and
returns

- the *skeleton*: the tags verbatim, and each text chunk with its leading and
  trailing whitespace kept and everything between reduced to ``x`` and its
  line breaks. The whitespace rules (``trim_blocks``, ``lstrip_blocks``,
  ``-``/``+`` markers) depend only on what the skeleton keeps, and line
  numbers only on the line breaks, so two templates with one skeleton lex to
  the same token stream up to the text of their chunks;
- the text chunks as Jinja2's lexer emits them (empty ones dropped), for an
  environment with ``trim_blocks`` and ``lstrip_blocks`` and the default
  delimiters.

It answers None for anything its single regex might cut differently from the
lexer (``raw`` blocks, carriage returns, tags with braces, ``%``, ``#``,
backslashes, unbalanced quotes or brackets): those templates are lexed for
real. ``shapes`` also checks each new skeleton's chunks against the real lexer
once before trusting it.
"""

from __future__ import annotations

import re

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_RAW = re.compile(r"\{%[-+]?\s*(?:raw|endraw)\b")
_UNSURE = re.compile(r"[{}%#\\]")
_WHITESPACE = re.compile(r"\s+")


def split(source: str) -> tuple[str, list[str]] | None:
    """``(skeleton, text chunks as lexed)``, or None when the regex cannot be sure."""
    if "\r" in source or _RAW.search(source):
        return None
    parts: list[str] = []
    texts: list[str] = []
    tags = list(_TAG.finditer(source))
    start = 0
    previous = ""
    line_starting = True
    for match in [*tags, None]:
        tag = match.group() if match else ""
        if match and not _sure(tag[2:-2]):
            return None
        chunk = source[start : match.start() if match else len(source)]
        parts.append(_skeleton(chunk))
        parts.append(tag)
        text, line_starting = _lexed(chunk, previous, tag, line_starting)
        if text:
            texts.append(text)
        previous = tag
        start = match.end() if match else len(source)
    return "".join(parts), texts


def _sure(inside: str) -> bool:
    return not (
        _UNSURE.search(inside)
        or inside.count('"') % 2
        or inside.count("'") % 2
        or inside.count("(") != inside.count(")")
        or inside.count("[") != inside.count("]")
    )


def _skeleton(chunk: str) -> str:
    middle = chunk.strip()
    if not middle:
        return chunk
    lead = chunk[: len(chunk) - len(chunk.lstrip())]
    trail = chunk[len(chunk.rstrip()) :]
    return lead + "x" + "\nx" * middle.count("\n") + trail


def _lexed(chunk: str, previous: str, tag: str, line_starting: bool) -> tuple[str, bool]:
    """The chunk as the lexer emits it between ``previous`` and ``tag`` (either may be "").
    Also returns whether the line is starting, as the lexer tracks it for ``lstrip_blocks``."""
    text = chunk
    if previous:
        if previous[-3] == "-":  # -}}, -%}, -#}: all following whitespace goes
            text = chunk.lstrip()
            line_starting = chunk[: len(chunk) - len(text)].endswith("\n")
        elif previous[1] in "%#" and previous[-3] != "+" and chunk.startswith("\n"):
            text = chunk[1:]  # trim_blocks
            line_starting = True
        else:
            line_starting = False
    if tag:
        sign = tag[2] if tag[2] in "-+" else ""
        if sign == "-":
            text = text.rstrip()
        elif sign != "+" and tag[1] in "%#":  # lstrip_blocks, not for {{ }}
            line_start = text.rfind("\n") + 1
            if (line_start > 0 or line_starting) and _WHITESPACE.fullmatch(text, line_start):
                text = text[:line_start]
    return text, line_starting
