"""Flags and steps that several commands share: values flags, locating a chart."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart


def add_values_flags(parser: argparse.ArgumentParser) -> None:
    """Helm's values flags: -f/--values and the --set family (each repeatable)."""
    group = parser.add_argument_group("values")
    group.add_argument("-f", "--values", action="append", default=[], metavar="FILE",
                       help="values from a YAML file (repeatable; later files win)")
    group.add_argument("--set", action="append", default=[], metavar="K=V",
                       help="set values: a.b=1,c[0]=x (typed: ints, bools, null)")
    group.add_argument("--set-string", action="append", default=[], metavar="K=V",
                       help="like --set, but every value is a string")
    group.add_argument("--set-file", action="append", default=[], metavar="K=PATH",
                       help="set a value to the contents of a file")
    group.add_argument("--set-json", action="append", default=[], metavar="K=JSON",
                       help="set a value from JSON (or a whole JSON object)")
    group.add_argument("--set-literal", action="append", default=[], metavar="K=V",
                       help="set one value to a literal string (no commas or escapes parsed)")


def add_chart_flags(parser: argparse.ArgumentParser) -> None:
    """Flags that say which chart version to take from a repository."""
    parser.add_argument("--version", default=None, metavar="CONSTRAINT",
                        help="chart version constraint (e.g. 1.2.3, ^1.2, ~0.1) for charts from a repository")
    parser.add_argument("--devel", action="store_true",
                        help="also consider pre-release versions")


def user_values(args: argparse.Namespace) -> dict[str, Any]:
    """Merge -f files and the --set family in Helm's order into one values mapping."""
    from pyhelm.values import ValueOptions

    return ValueOptions(
        value_files=args.values,
        set_values=args.set,
        string_values=args.set_string,
        file_values=args.set_file,
        json_values=args.set_json,
        literal_values=args.set_literal,
    ).merge()


def locate_chart(args: argparse.Namespace, reference: str) -> Chart:
    """Load a chart named on the command line: a folder, an archive or ``repo/chart``.

    A chart with dependencies is checked for them (missing or out of date is a
    ``DependencyError`` naming the fix).
    """
    from pathlib import Path

    from pyhelm.chart.loader import load_chart

    if Path(reference).exists():
        chart = load_chart(reference)
    else:
        from pyhelm.repo.client import locate_repo_chart

        chart = load_chart(locate_repo_chart(reference, getattr(args, "version", None),
                                             devel=getattr(args, "devel", False)))
    if chart.metadata.dependencies:  # most charts have none: skip importing the resolver
        from pyhelm.chart.dependencies import check_dependencies

        check_dependencies(chart)
    return chart
