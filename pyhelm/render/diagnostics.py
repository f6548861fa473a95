"""Template errors that say where: chart, file, line, the line itself and a caret.

Helm users' loudest complaint (helm#8632) is errors that do not point at the
template. Every exception a render raises goes through ``translate``, which
finds the innermost *chart template* frame of the traceback (Jinja2 maps its
compiled code back to template lines), and formats::

    nginx/templates/deployment.yaml:12:21: 'imag' is undefined: the mapping has no such key ...
       12 |     image: {{ Values.imag }}
          |                      ^
"""

from __future__ import annotations

import re
from types import TracebackType

from jinja2 import TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError

from pyhelm.errors import PyHelmError, RenderError, SandboxError
from pyhelm.render.functions import TemplateFailure

_QUOTED = re.compile(r"'([^']+)'")


def translate(exc: BaseException, sources: dict[str, str], current: str) -> RenderError:
    """A ``RenderError`` (``SandboxError`` for sandbox violations) locating ``exc`` in the chart."""
    if isinstance(exc, TemplateSyntaxError):
        name = exc.name if exc.name in sources else current
        line = exc.lineno if exc.name in sources else None
        message = f"syntax error: {exc.message}"
        if exc.name not in sources:
            message += " (in a string rendered by tpl)"
    else:
        frames = _locations(exc.__traceback__, sources)
        name, line = frames[-1] if frames else (current, None)
        message = _message(exc)
        trail = "".join(f"\n  included from {n}:{ln}" for n, ln in reversed(frames[:-1]))
        error_class = (
            SandboxError if isinstance(exc, (SecurityError, SandboxError)) else RenderError
        )
        return error_class(
            format_at(name, line, message, sources.get(name, ""), _hint(exc)) + trail
        )
    return RenderError(format_at(name, line, message, sources.get(name, "")))


def format_at(
    name: str, line: int | None, message: str, source: str, hint: str | None = None
) -> str:
    """``name:line:col: message`` plus the offending line and a caret under ``hint``."""
    if not line:
        return f"{name}: {message}"
    lines = source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    column = _column(text, hint)
    gutter = f"{line:>5} | "
    caret = " " * (len(gutter) - 2) + "| " + " " * (column - 1) + "^"
    return f"{name}:{line}:{column}: {message}\n{gutter}{text}\n{caret}"


def _locations(tb: TracebackType | None, sources: dict[str, str]) -> list[tuple[str, int]]:
    """The chart-template frames of a traceback, outermost first (one per template)."""
    found: list[tuple[str, int]] = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in sources:
            if found and found[-1][0] == filename:
                found[-1] = (filename, tb.tb_lineno)
            else:
                found.append((filename, tb.tb_lineno))
        tb = tb.tb_next
    return found


def _message(exc: BaseException) -> str:
    if isinstance(exc, SecurityError):
        return f"sandbox violation: {exc}"
    if isinstance(exc, TemplateFailure):
        return f"execution error: {exc}"
    if isinstance(exc, (UndefinedError, PyHelmError)):
        return str(exc)  # ours, or e.g. a ClusterError from lookup: already says what is wrong
    if isinstance(exc, TemplateNotFound):
        return (
            f"template {exc.name!r} not found; import and include names are relative to the "
            'importing template\'s folder (e.g. "_helpers.tpl")'
        )
    if isinstance(exc, RecursionError):
        return "recursion too deep (a macro or tpl that calls itself?)"
    return f"{type(exc).__name__}: {exc}"


def _hint(exc: BaseException) -> str | None:
    if isinstance(exc, (UndefinedError, SecurityError)):
        found = _QUOTED.findall(str(exc))
        return found[0] if found else None
    return None


def _column(text: str, hint: str | None) -> int:
    """1-based column of ``hint`` (as a whole word) in ``text``, else of the first tag."""
    if hint:
        m = re.search(r"(?<![\w])" + re.escape(hint) + r"(?![\w])", text)
        if m:
            return m.start() + 1
    for tag in ("{{", "{%"):
        if tag in text:
            return text.index(tag) + 1
    return len(text) - len(text.lstrip()) + 1
