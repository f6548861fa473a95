"""The CLI frame: command lookup, lazy loading, global flags, one-line errors."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from pyhelm.cli import main


def _registered_commands() -> set[str]:
    parser = main.build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_command_table_names_exactly_the_commands_the_modules_register() -> None:
    assert set(main.COMMANDS) == _registered_commands()


@pytest.mark.parametrize("command", sorted(main.COMMANDS))
def test_each_command_parses_with_only_its_own_module(command: str) -> None:
    parser = main.build_parser(command)
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert command in actions[0].choices


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["template", "web", "charts/nginx"], "template"),
        (["--cluster", "kubectl", "install", "web", "x"], "install"),
        (["-n", "install", "list"], "list"),
        (["--namespace", "shop", "--debug", "status", "web"], "status"),
        (["--help"], None),
        (["no-such-command"], None),
    ],
)
def test_command_of_skips_global_flags_and_their_values(argv: list[str], expected: str | None) -> None:
    assert main.command_of(argv) == expected


def test_global_flags_work_after_the_command() -> None:
    args = main.parse_args(["template", "web", "charts/nginx", "-n", "shop", "--cluster", "kubectl"])
    assert (args.namespace, args.cluster) == ("shop", "kubectl")


def test_global_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYHELM_NAMESPACE", "team-a")
    monkeypatch.setenv("PYHELM_CLUSTER", "kubectl")
    args = main.parse_args(["template", "web", "charts/nginx"])
    assert (args.namespace, args.cluster) == ("team-a", "kubectl")


def test_template_does_not_import_the_server_or_the_cluster() -> None:
    code = (
        "import sys; from pyhelm.cli import main; main.parse_args(['template', 'web', 'charts/nginx']);"
        "print(sorted(m for m in sys.modules if m.startswith(('pyhelm.cluster', 'pyhelm.repo.server',"
        " 'pyhelm.release', 'starlette', 'granian', 'requests'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unknown_command_is_a_usage_error_without_traceback(pyhelm) -> None:
    result = pyhelm("no-such-command")
    assert result.returncode == 2
    assert "invalid choice: 'no-such-command'" in result.stderr
    assert "Traceback" not in result.stderr
