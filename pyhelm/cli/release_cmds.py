"""Release commands: install, upgrade, rollback, uninstall, list, history, status, get, diff, test.

Thin over ``pyhelm.release.actions``: flags become option dataclasses, results
become Helm 4's text, table, JSON or YAML.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyhelm.cli.common import add_chart_flags, add_values_flags, locate_chart, user_values
from pyhelm.errors import PyHelmError, UsageError

if TYPE_CHECKING:
    from pyhelm.release.actions.config import Configuration

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float:
    """Go durations (``5m0s``, ``90s``, ``1h``) or plain seconds, in seconds."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}; use e.g. 300s, 5m0s or 1h")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def _labels(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--labels {item!r}: expected key=value")
        out[key] = value
    return out


def configuration(args: argparse.Namespace, *, waiting: bool = False) -> Configuration:
    """The action configuration for the cluster the global flags choose."""
    from pyhelm.cluster import open_cluster
    from pyhelm.release.actions.config import Configuration
    from pyhelm.release.printer import WaitReporter

    cluster = open_cluster(
        args.cluster, state=args.state, kubeconfig=args.kubeconfig, context=args.kube_context
    )
    return Configuration(
        cluster, namespace=args.namespace, warn=_warn, progress=WaitReporter() if waiting else None
    )


def _warn(message: str) -> None:
    print(message if message.startswith("Release ") else f"WARNING: {message}", file=sys.stderr)


def _wait_summary(cfg: Configuration) -> None:
    from pyhelm.release.printer import WaitReporter

    if isinstance(cfg.progress, WaitReporter):
        cfg.progress.summary()


def _prefixed(prefix: str, exc: PyHelmError) -> PyHelmError:
    exc.args = (f"{prefix}: {exc}",)
    return exc


# -- flags ------------------------------------------------------------------


def _change_flags(p: argparse.ArgumentParser, *, chart: bool = True) -> None:
    p.add_argument(
        "--dry-run",
        nargs="?",
        const="client",
        default="none",
        choices=("none", "client", "server"),
        help="simulate: client (touch nothing) or server (validate on the cluster)",
    )
    p.add_argument(
        "--wait",
        nargs="?",
        const="watcher",
        default="hookOnly",
        choices=("watcher", "legacy", "hookOnly"),
        help="wait until Deployments, StatefulSets, DaemonSets, Jobs, Services and PVCs "
        "are ready (kstatus rules)",
    )
    p.add_argument(
        "--timeout",
        type=parse_duration,
        default=300.0,
        metavar="DURATION",
        help="time to wait for any one operation (e.g. 5m0s; default 5m0s)",
    )
    p.add_argument("--no-hooks", action="store_true", help="do not run hooks")
    p.add_argument(
        "--history-max",
        type=int,
        default=int(os.environ.get("HELM_MAX_HISTORY", 10)),
        help="revisions kept per release (0 = no limit; default 10)",
    )
    p.add_argument(
        "--force-conflicts", action="store_true", help="take over fields another field manager owns"
    )
    if chart:
        p.add_argument(
            "--rollback-on-failure",
            dest="atomic",
            action="store_true",
            help="on failure, undo the operation (uninstall or roll back); implies --wait",
        )
        p.add_argument(
            "--atomic",
            dest="atomic_old",
            action="store_true",
            help="deprecated name of --rollback-on-failure",
        )
        p.add_argument("--description", default="", help="a custom description of the revision")
        p.add_argument(
            "--take-ownership",
            action="store_true",
            help="adopt existing objects that belong to no release (or another)",
        )
        p.add_argument(
            "--create-namespace",
            action="store_true",
            help="create the release namespace if it does not exist",
        )
        p.add_argument("--skip-crds", action="store_true", help="do not install crds/")
        p.add_argument(
            "--skip-schema-validation",
            action="store_true",
            help="do not validate values against values.schema.json",
        )
        p.add_argument(
            "-l",
            "--labels",
            action="append",
            default=[],
            metavar="K=V",
            help="labels stored with the release record (repeatable)",
        )
        p.add_argument("--hide-notes", action="store_true", help="do not print NOTES")
        p.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table")
        add_values_flags(p)
        add_chart_flags(p)


def _change_options(args: argparse.Namespace, cls: type[Any]) -> Any:
    from pyhelm.release.actions.config import DryRun

    atomic = bool(getattr(args, "atomic", False) or getattr(args, "atomic_old", False))
    if getattr(args, "atomic_old", False):
        _warn("--atomic is deprecated; use --rollback-on-failure")
    fields: dict[str, Any] = dict(
        namespace=args.namespace,
        wait=args.wait in ("watcher", "legacy") or atomic,
        timeout=args.timeout,
        atomic=atomic,
        dry_run=DryRun.parse(args.dry_run),
        no_hooks=args.no_hooks,
        history_max=args.history_max,
        force_conflicts=args.force_conflicts,
    )
    if hasattr(args, "take_ownership"):
        fields.update(
            description=args.description,
            take_ownership=args.take_ownership,
            create_namespace=args.create_namespace,
            skip_crds=args.skip_crds,
            skip_schema_validation=args.skip_schema_validation,
            labels=_labels(args.labels),
        )
    return cls(**fields)


# -- install / upgrade / rollback / uninstall -------------------------------


def _print_release(args: argparse.Namespace, release: Any, cfg: Configuration) -> None:
    from pyhelm.release import printer

    _wait_summary(cfg)
    if args.output != "table":
        sys.stdout.write(printer.dump(printer.release_data(release), args.output))
        return
    dry = args.dry_run != "none"
    sys.stdout.write(printer.release_block(release, show_manifest=dry, hide_notes=args.hide_notes))


def run_install(args: argparse.Namespace) -> int:
    from pyhelm.release.actions.install import Install, InstallOptions

    if args.generate_name:
        if args.chart is not None:
            raise UsageError("with --generate-name give only the chart: pyhelm install CHART -g")
        name, chart_ref = "", args.name
    else:
        if args.chart is None:
            raise UsageError(
                "install needs a release name and a chart: pyhelm install NAME CHART "
                "(or pyhelm install CHART --generate-name)"
            )
        name, chart_ref = args.name, args.chart
    options = _change_options(args, InstallOptions)
    options.generate_name, options.replace = args.generate_name, args.replace
    chart = locate_chart(args, chart_ref)
    values = user_values(args)
    cfg = configuration(args, waiting=options.wait)
    try:
        release = Install(cfg, options).run(name, chart, values)
    except PyHelmError as exc:
        raise _prefixed("INSTALLATION FAILED", exc) from None
    _print_release(args, release, cfg)
    return 0


def run_upgrade(args: argparse.Namespace) -> int:
    from pyhelm.release.actions.upgrade import Upgrade, UpgradeOptions

    options = _change_options(args, UpgradeOptions)
    options.install = args.install
    options.reuse_values = args.reuse_values or args.reset_then_reuse_values
    options.reset_values = args.reset_values
    options.cleanup_on_fail = args.cleanup_on_fail
    chart = locate_chart(args, args.chart)
    values = user_values(args)
    cfg = configuration(args, waiting=options.wait)
    try:
        upgrade = Upgrade(cfg, options)
        release = upgrade.run(args.release, chart, values)
    except PyHelmError as exc:
        raise _prefixed("UPGRADE FAILED", exc) from None
    if args.output == "table" and not upgrade.installed and args.dry_run == "none":
        print(f'Release "{release.name}" has been upgraded. Happy Helming!')
    _print_release(args, release, cfg)
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    from pyhelm.release.actions.rollback import Rollback, RollbackOptions

    options = _change_options(args, RollbackOptions)
    cfg = configuration(args, waiting=options.wait)
    try:
        Rollback(cfg, options).run(args.release, args.revision or 0)
    except PyHelmError as exc:
        raise _prefixed("ROLLBACK FAILED", exc) from None
    _wait_summary(cfg)
    print("Rollback was a success! Happy Helming!")
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    from pyhelm.release.actions.uninstall import Uninstall, UninstallOptions

    options = UninstallOptions(
        namespace=args.namespace,
        keep_history=args.keep_history,
        no_hooks=args.no_hooks,
        dry_run=args.dry_run,
        wait=args.wait,
        timeout=args.timeout,
        description=args.description,
        ignore_not_found=args.ignore_not_found,
        cascade=args.cascade,
    )
    cfg = configuration(args)
    for name in args.releases:
        result = Uninstall(cfg, options).run(name)
        if result.release is None:
            continue
        if args.dry_run:
            print(f'release "{name}" would be uninstalled')
            continue
        if result.kept:
            print("These resources were kept due to the resource policy:")
            for kept in result.kept:
                print(f"[{kept}]")
        print(f'release "{name}" uninstalled')
    return 0


# -- list / history / status / get -------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    from pyhelm.release import printer
    from pyhelm.release.actions.list import List, ListOptions
    from pyhelm.release.model import Status

    statuses = {s for s in Status if getattr(args, s.name.lower(), False)}
    if args.pending:
        statuses |= {Status.PENDING_INSTALL, Status.PENDING_UPGRADE, Status.PENDING_ROLLBACK}
    options = ListOptions(
        all_namespaces=args.all_namespaces,
        namespace=args.namespace,
        statuses=statuses,
        filter=args.filter or "",
        sort_by_date=args.date,
        reverse=args.reverse,
        max=args.max,
        offset=args.offset,
    )
    found = List(configuration(args), options).run()
    if args.short:
        sys.stdout.write("".join(f"{s.name}\n" for s in found))
    elif args.output == "table":
        sys.stdout.write(
            printer.table(printer.LIST_HEADER, printer.list_rows(found), args.no_headers)
        )
    else:
        sys.stdout.write(printer.dump(printer.list_data(found), args.output))
    return 0


def run_history(args: argparse.Namespace) -> int:
    from pyhelm.release import printer
    from pyhelm.release.actions.history import History

    found = History(configuration(args), args.namespace, args.max).run(args.release)
    if args.output == "table":
        sys.stdout.write(printer.table(printer.HISTORY_HEADER, printer.history_rows(found)))
    else:
        sys.stdout.write(printer.dump(printer.history_data(found), args.output))
    return 0


def run_status(args: argparse.Namespace) -> int:
    from pyhelm.release import printer
    from pyhelm.release.actions.status import Status

    result = Status(configuration(args), args.namespace).run(
        args.release, args.revision, show_resources=args.show_resources
    )
    if args.output != "table":
        sys.stdout.write(printer.dump(printer.release_data(result.release), args.output))
        return 0
    text = printer.release_block(result.release, test_suite=True)
    if args.show_resources:
        text += printer.resources_table(result.resources, result.missing)
    sys.stdout.write(text)
    return 0


def run_get(args: argparse.Namespace) -> int:
    from pyhelm.release import printer
    from pyhelm.release.actions import get

    release = get.Get(configuration(args), args.namespace).run(args.release, args.revision)
    if args.get_what == "values":
        values = get.computed_values(release) if args.all else release.config
        if args.output != "table":
            sys.stdout.write(printer.dump(values, args.output))
        else:
            sys.stdout.write(printer.values_text(values, computed=args.all))
    elif args.get_what == "manifest":
        sys.stdout.write(release.manifest)
    elif args.get_what == "notes":
        sys.stdout.write(printer.notes_text(release))
    elif args.get_what == "hooks":
        sys.stdout.write(printer.hooks_text(release))
    elif args.get_what == "metadata":
        if args.output != "table":
            sys.stdout.write(printer.dump(printer.metadata_data(release), args.output))
        else:
            sys.stdout.write(printer.metadata_text(release))
    else:
        sys.stdout.write(printer.everything_text(release, get.computed_values(release)))
    return 0


# -- diff / test ----------------------------------------------------------------


def run_diff(args: argparse.Namespace) -> int:
    from pyhelm.release.actions.diff import Diff
    from pyhelm.release.actions.upgrade import UpgradeOptions
    from pyhelm.release.diff import format_diffs

    differ = Diff(configuration(args), args.namespace, context=args.context)
    if args.diff_what == "upgrade":
        options = UpgradeOptions(
            install=args.install,
            reuse_values=args.reuse_values,
            reset_values=args.reset_values,
            skip_schema_validation=args.skip_schema_validation,
        )
        diffs = differ.upgrade(
            args.release, locate_chart(args, args.chart), user_values(args), options
        )
    elif args.diff_what == "rollback":
        diffs = differ.rollback(args.release, args.revision or 0)
    else:
        diffs = differ.release(args.release, args.revision)
    color = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    )
    sys.stdout.write(format_diffs(diffs, color))
    return 2 if diffs and args.detailed_exitcode else 0


def run_test(args: argparse.Namespace) -> int:
    from pyhelm.release import printer
    from pyhelm.release.actions.test import ReleaseTest

    release = ReleaseTest(configuration(args), args.namespace, args.timeout).run(args.release)
    sys.stdout.write(printer.release_block(release, test_suite=True, hide_notes=args.hide_notes))
    return 0


# -- registration ---------------------------------------------------------------


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: str | None = None,
) -> None:
    """Add the release commands' parsers; with ``command`` given, only that command's."""

    def add(
        name: str, help_text: str, handler: Any, aliases: tuple[str, ...] = ()
    ) -> argparse.ArgumentParser:
        p = subparsers.add_parser(
            name, parents=[common], help=help_text, description=help_text, aliases=list(aliases)
        )
        p.set_defaults(handler=handler)
        return p

    wanted = _PARSERS.get(command or "")
    for builder in (wanted,) if wanted else dict.fromkeys(_PARSERS.values()):
        builder(add, common)


_Add = Callable[..., argparse.ArgumentParser]


def _install_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    p = add("install", "install a chart as a release", run_install)
    p.add_argument("name", metavar="NAME", help="release name (or the chart, with --generate-name)")
    p.add_argument("chart", metavar="CHART", nargs="?", help="chart folder, archive or repo/chart")
    p.add_argument("-g", "--generate-name", action="store_true", help="generate the release name")
    p.add_argument(
        "--replace",
        action="store_true",
        help="reuse the name of a release that is uninstalled or failed",
    )
    _change_flags(p)


def _upgrade_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    p = add("upgrade", "upgrade a release to a chart (a new revision)", run_upgrade)
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("chart", metavar="CHART")
    p.add_argument(
        "-i", "--install", action="store_true", help="install if the release does not exist"
    )
    p.add_argument(
        "--reuse-values",
        action="store_true",
        help="keep the last revision's values, merged over the new chart's defaults",
    )
    p.add_argument("--reset-then-reuse-values", action="store_true", help="same as --reuse-values")
    p.add_argument("--reset-values", action="store_true", help="use only the values given now")
    p.add_argument(
        "--cleanup-on-fail",
        action="store_true",
        help="when the upgrade fails, delete the objects it added",
    )
    p.set_defaults(replace=False, generate_name=False)
    _change_flags(p)


def _rollback_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    p = add("rollback", "roll a release back to a revision (a new revision)", run_rollback)
    p.add_argument("release", metavar="RELEASE")
    p.add_argument(
        "revision",
        metavar="REVISION",
        type=int,
        nargs="?",
        help="revision to restore (default: the previous one)",
    )
    _change_flags(p, chart=False)


def _uninstall_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    p = add("uninstall", "uninstall releases", run_uninstall, aliases=("un", "delete", "del"))
    p.add_argument("releases", metavar="RELEASE", nargs="+")
    p.add_argument(
        "--keep-history", action="store_true", help="keep the release record (uninstalled)"
    )
    p.add_argument("--no-hooks", action="store_true")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--wait", action="store_true", help="wait until the objects are gone")
    p.add_argument("--timeout", type=parse_duration, default=300.0, metavar="DURATION")
    p.add_argument("--description", default="")
    p.add_argument("--ignore-not-found", action="store_true")
    p.add_argument(
        "--cascade",
        choices=("background", "foreground", "orphan"),
        default="background",
        help="how dependents (e.g. a Deployment's pods) are deleted; orphan leaves them",
    )


def _list_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    p = add("list", "list releases (the newest revision of each)", run_list, aliases=("ls",))
    p.add_argument("-A", "--all-namespaces", action="store_true")
    for status in ("deployed", "failed", "pending", "superseded", "uninstalled", "uninstalling"):
        p.add_argument(f"--{status}", action="store_true", help=f"show {status} releases")
    p.add_argument("-f", "--filter", help="a regular expression over release names")
    p.add_argument("-d", "--date", action="store_true", help="sort by release date")
    p.add_argument("-r", "--reverse", action="store_true")
    p.add_argument("-m", "--max", type=int, default=256)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--no-headers", action="store_true")
    p.add_argument("-q", "--short", action="store_true", help="names only")
    p.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table")


def _history_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    p = add("history", "the revisions of a release", run_history, aliases=("hist",))
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("--max", type=int, default=256)
    p.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table")


def _status_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    p = add("status", "the status of a release", run_status)
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("--revision", type=int, default=0)
    p.add_argument("--show-resources", action="store_true", help="show the live objects' readiness")
    p.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table")


def _get_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    get = add("get", "show a release's values, manifest, notes or hooks", None)
    get_sub = get.add_subparsers(dest="get_what", metavar="WHAT", required=True)
    for what in ("values", "manifest", "notes", "hooks", "metadata", "all"):
        g = get_sub.add_parser(what, parents=[common], help=f"the release's {what}")
        g.set_defaults(handler=run_get)
        g.add_argument("release", metavar="RELEASE")
        g.add_argument("--revision", type=int, default=0)
        if what == "values":
            g.add_argument("-a", "--all", action="store_true", help="computed values")
        if what in ("values", "metadata"):
            g.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table")


def _diff_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    diff = add("diff", "what an upgrade or rollback would change, or drift", None)
    diff_sub = diff.add_subparsers(dest="diff_what", metavar="WHAT", required=True)
    for what in ("upgrade", "rollback", "release"):
        d = diff_sub.add_parser(what, parents=[common], help=f"diff {what}")
        d.set_defaults(handler=run_diff)
        d.add_argument("release", metavar="RELEASE")
        if what == "upgrade":
            d.add_argument("chart", metavar="CHART")
            d.add_argument("--install", action="store_true")
            d.add_argument("--reuse-values", action="store_true")
            d.add_argument("--reset-values", action="store_true")
            d.add_argument("--skip-schema-validation", action="store_true")
            add_values_flags(d)
            add_chart_flags(d)
        else:
            d.add_argument("revision", metavar="REVISION", type=int, nargs="?", default=0)
        d.add_argument(
            "--detailed-exitcode", action="store_true", help="exit 2 when there are changes"
        )
        d.add_argument("-C", "--context", type=int, default=3, help="lines of context")
        d.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def _test_parser(add: _Add, common: argparse.ArgumentParser) -> None:
    p = add("test", "run a release's test hooks", run_test)
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("--timeout", type=parse_duration, default=300.0, metavar="DURATION")
    p.add_argument("--hide-notes", action="store_true")


#: Each release command, aliases included, and the function adding its parser.
_PARSERS: dict[str, Callable[[_Add, argparse.ArgumentParser], None]] = {
    "install": _install_parser,
    "upgrade": _upgrade_parser,
    "rollback": _rollback_parser,
    "uninstall": _uninstall_parser,
    "un": _uninstall_parser,
    "delete": _uninstall_parser,
    "del": _uninstall_parser,
    "list": _list_parser,
    "ls": _list_parser,
    "history": _history_parser,
    "hist": _history_parser,
    "status": _status_parser,
    "get": _get_parser,
    "diff": _diff_parser,
    "test": _test_parser,
}
