"""The ``pyhelm`` command: parse flags, call the Python API, print.

Each command group lives in its own module under ``pyhelm.cli`` and exposes
``register(subparsers, common, command)``, which adds its parsers (with ``parents=[common]``
so the global flags work anywhere on the line) and sets ``handler`` to a
function ``handler(args) -> int``. ``command`` is the command being run (None: build
all); a module may then skip its other parsers. Handlers import what they need lazily, so
``pyhelm template`` never pays for the HTTP server or the cluster.

A ``PyHelmError`` becomes one ``Error: ...`` line on stderr and a non-zero
exit; a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from pyhelm.errors import PyHelmError

#: Every top-level command (aliases included) and the module that registers it.
#: Only the module of the command being run is imported, so `pyhelm template`
#: never pays for the HTTP server or the cluster; `--help` imports them all.
#: tests/cli/test_cli_main.py checks this table against what the modules register.
COMMANDS = {
    **dict.fromkeys(("template", "render", "create", "lint", "show", "version"), "pyhelm.cli.render_cmds"),
    **dict.fromkeys(("package", "repo", "search", "pull", "dependency", "dep"), "pyhelm.cli.repo_cmds"),
    **dict.fromkeys(
        ("install", "upgrade", "rollback", "uninstall", "un", "delete", "del", "list", "ls", "history",
         "hist", "status", "get", "diff", "test"),
        "pyhelm.cli.release_cmds",
    ),
    **dict.fromkeys(("serve", "push"), "pyhelm.cli.serve_cmds"),
    "cluster": "pyhelm.cli.cluster_cmds",
}
#: The command-group modules, in the order their commands appear in --help.
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))
#: Global flags that take a value (so the token after them is not the command).
_VALUE_FLAGS = frozenset(("--cluster", "--state", "--kubeconfig", "--kube-context", "-n", "--namespace"))

#: Defaults of the global flags (the flags themselves default to SUPPRESS so a
#: subcommand's copy of a flag never overwrites the top-level one).
GLOBAL_DEFAULTS = {
    "cluster": None,
    "state": None,
    "kubeconfig": None,
    "kube_context": None,
    "namespace": None,
    "debug": False,
}


def common_parser() -> argparse.ArgumentParser:
    """The global flags, shared by the top-level parser and every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("global flags")
    group.add_argument(
        "--cluster", choices=("memory", "kubectl"), default=argparse.SUPPRESS,
        help="target cluster: the built-in one (memory, default) or a real one through kubectl "
             "[env PYHELM_CLUSTER]",
    )
    group.add_argument("--state", default=argparse.SUPPRESS, metavar="FILE",
                       help="state file of the built-in cluster [env PYHELM_STATE]")
    group.add_argument("--kubeconfig", default=argparse.SUPPRESS, metavar="FILE",
                       help="kubeconfig for --cluster kubectl")
    group.add_argument("--kube-context", default=argparse.SUPPRESS, metavar="NAME",
                       help="kubeconfig context for --cluster kubectl")
    group.add_argument("-n", "--namespace", default=argparse.SUPPRESS,
                       help="namespace scope for this request [env PYHELM_NAMESPACE]")
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show tracebacks on errors")
    return common


def command_of(argv: Sequence[str]) -> str | None:
    """The command named on a command line, skipping global flags and their values."""
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in _VALUE_FLAGS:
            skip = True
        elif not token.startswith("-"):
            return token if token in COMMANDS else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for one command (only its module is imported), or for all of them."""
    common = common_parser()
    parser = argparse.ArgumentParser(
        prog="pyhelm",
        parents=[common],
        description="The Kubernetes package manager, with Jinja2 chart templates and a built-in cluster.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = (COMMANDS[command],) if command else COMMAND_MODULES
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers, common, command)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command_of(argv))
    args = parser.parse_args(argv)
    for key, value in GLOBAL_DEFAULTS.items():
        if not hasattr(args, key):
            setattr(args, key, value)
    if args.namespace is None:
        args.namespace = os.environ.get("PYHELM_NAMESPACE") or "default"
    if args.cluster is None:
        args.cluster = os.environ.get("PYHELM_CLUSTER") or "memory"
    if not hasattr(args, "handler"):
        parser.print_help(sys.stderr)
        raise SystemExit(2)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except PyHelmError as exc:
        if args.debug:
            raise
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `pyhelm template ... | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def run() -> None:
    """The ``pyhelm`` program: one command, then exit with its code.

    What is still alive after the command stays so until the exit, where the cycle collector
    would trace every module, class and function once more for nothing (about 6% of a
    ``pyhelm template`` run): they are frozen out of it. (``main`` leaves the collector alone,
    for callers that run several commands in one process.)
    """
    code = main()
    gc.freeze()
    raise SystemExit(code)


if __name__ == "__main__":
    run()
