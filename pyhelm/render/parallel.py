"""Compile a cold chart's templates in two processes.

Why: compiling a Jinja2 template (lex, parse, generate, ``compile()``) costs a few
milliseconds, and a chart of many *different* templates rendered with an empty
code cache spends nearly all its time there, on one core. Helm uses both cores of
the machine; forking once lets pyhelm do the same.

When: :func:`precompile` runs before rendering. It forks only when the templates
missing from the code cache hold at least :data:`FORK_MIN_SHAPES` distinct
shapes (templates of one shape compile once for all, see ``shapes``, so a wide
chart of one shape never pays for a fork), on a system with ``os.fork`` and
with no other thread running. Otherwise it does nothing and templates compile
lazily, one by one, as before.

How: the child compiles its share, sends ``{name: code}`` as ``marshal`` bytes
over a pipe and leaves with ``os._exit`` (its stdout and stderr point at
``/dev/null``; it never touches the cache file). The parent compiles the other
share meanwhile, puts what the child sent into the code cache and reaps the
child. Whatever goes wrong — a template that does not compile, a child that
crashes, is killed or sends a short answer — only costs speed: what is not in
the cache afterwards is compiled lazily by the render, which raises any syntax
error with its file and line as a serial render does.
"""

from __future__ import annotations

import marshal
import os
import threading
from types import CodeType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyhelm.render.engine import ChartLoader

#: Fewest distinct shapes among the uncached templates for which a fork pays. A shape costs
#: ~4.5 ms to compile; the fork, the second process's page copies, the pipe and the reaping
#: cost a few ms, and more when the other core is busy. Measured with `pyhelm template`
#: (whole processes, cold, fork vs serial in turn, median of 21 rounds' ratios) of a chart
#: of N of bench_render's "unique" templates plus its helpers (N + 1 shapes), on the shared
#: 2-core machine with other work running: 4 shapes 1.08x, 7: 1.02x, 9: 0.97x, 13: 0.94x,
#: 17: 0.94x, 201: 0.61x. (In one process with both cores idle it already pays from 4.)
FORK_MIN_SHAPES = 10


def precompile(loader: ChartLoader, environment: Any, names: list[str]) -> None:
    """Put the code of ``names`` missing from the loader's code cache into it, compiling on two
    cores when the work is worth a fork; otherwise leave them to the render's lazy compile."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return
    if len(names) < FORK_MIN_SHAPES:
        return
    groups = _shape_groups(loader, environment, names)
    if len(groups) < FORK_MIN_SHAPES:
        return
    mine, theirs = _halves(groups)
    environment.lexer  # noqa: B018 (built once, before the fork, rather than in both processes)
    try:
        read_end, write_end = os.pipe()
    except OSError:  # out of file descriptors: compile serially
        return
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory: compile serially
        os.close(read_end)
        os.close(write_end)
        return
    if pid == 0:  # the child: compile, send, leave; never returns
        os.close(read_end)
        _child(loader, environment, theirs, write_end)
    os.close(write_end)
    reaped = False
    try:
        _compile_into_cache(loader, environment, mine)
        received = _receive(read_end)
        _reap(pid)
        reaped = True
        asked = set(theirs)
        for name, code in received.items():
            if name in asked and isinstance(code, CodeType):
                loader.code_cache.put(name, loader.sources[name], code)
    finally:
        os.close(read_end)
        if not reaped:
            _end(pid)


def _shape_groups(loader: ChartLoader, environment: Any, names: list[str]) -> list[list[str]]:
    """``names`` grouped by skeleton (``shapes``: same skeleton, same shape; a template without
    one is a group of its own): a group compiles once, so it stays in one process."""
    compiler = loader.shape_compiler(environment)
    groups: dict[str, list[str]] = {}
    for name in names:
        source = loader.sources[name]
        cut = compiler.cut(source)
        groups.setdefault(source if cut is None else cut[0], []).append(name)
    return list(groups.values())


def _halves(groups: list[list[str]]) -> tuple[list[str], list[str]]:
    """Two shares of about equal work (a group's first template dominates its cost)."""
    shares: tuple[list[str], list[str]] = ([], [])
    loads = [0, 0]
    for group in sorted(groups, key=len, reverse=True):
        lighter = 0 if loads[0] <= loads[1] else 1
        shares[lighter].extend(group)
        loads[lighter] += 1
    return shares


def _compile_into_cache(loader: ChartLoader, environment: Any, names: list[str]) -> None:
    for name in names:
        try:
            code = loader.compile(environment, name)
        except Exception:  # the render compiles it again and reports it where it is used
            continue
        loader.code_cache.put(name, loader.sources[name], code)


def _child(loader: ChartLoader, environment: Any, names: list[str], write_end: int) -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        compiled: dict[str, CodeType] = {}
        for name in names:
            try:
                compiled[name] = loader.compile(environment, name)
            except Exception:
                continue
        send_to_parent(write_end, marshal.dumps(compiled))
        os.close(write_end)  # the parent's read ends now, not once this process is torn down
    finally:
        os._exit(0)


def send_to_parent(fd: int, payload: bytes) -> None:
    """The child's answer, written whole to the pipe. A seam: tests replace it with a child
    that fails to send (raises, sends part of it, or dies)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int) -> dict[str, Any]:
    """The child's ``{name: code}``; ``{}`` for an empty, short or garbled answer."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    try:
        received = marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return {}
    return received if isinstance(received, dict) else {}


def _end(pid: int) -> None:
    """Stop and reap a child the parent gave up on (an interrupt while compiling)."""
    import signal  # imported here: ~1 ms, for a path that almost never runs

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped: the process ignores SIGCHLD
        pass
