"""Chart commands: ``template`` (alias ``render``), ``create``, ``lint``, ``show``, ``version``.

Thin adapters: flags → ``render_chart`` / ``create_chart`` / ``lint_chart`` → text.
Everything heavy is imported inside the handlers.
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pyhelm.cli.common import add_chart_flags, add_values_flags

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart
    from pyhelm.render import RenderedManifest, RenderResult

SHOW_WHAT = ("chart", "values", "readme", "crds", "all")
#: Characters of a DNS-1123 label (a release name is dot-separated labels).
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def register(
    subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser, command: str | None = None
) -> None:
    """Add this module's parsers; with ``command`` given, only what that command needs."""
    _register_template(subparsers, common)
    if command in ("template", "render"):
        return  # the common `pyhelm template` run builds no other parser
    create = subparsers.add_parser(
        "create", parents=[common], help="create a new chart with the given name"
    )
    create.add_argument("name", help="the chart's name; also the folder created")
    create.set_defaults(handler=run_create)
    lint = subparsers.add_parser(
        "lint", parents=[common], help="examine a chart for possible issues"
    )
    lint.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    lint.add_argument("--strict", action="store_true", help="fail on lint warnings")
    lint.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    lint.add_argument("--with-subcharts", action="store_true", help="lint dependent charts too")
    lint.add_argument(
        "--kube-version", default="v1.35.0", help="Kubernetes version for Capabilities"
    )
    lint.add_argument("--skip-schema-validation", action="store_true")
    add_values_flags(lint)
    lint.set_defaults(handler=run_lint)
    show = subparsers.add_parser("show", parents=[common], help="show information of a chart")
    show.add_argument("what", choices=SHOW_WHAT)
    show.add_argument("chart")
    add_chart_flags(show)
    show.set_defaults(handler=run_show)
    version = subparsers.add_parser("version", parents=[common], help="print the pyhelm version")
    version.add_argument("--short", action="store_true", help="print only the version number")
    version.set_defaults(handler=run_version)


def _register_template(
    subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    p = subparsers.add_parser(
        "template",
        aliases=["render"],
        parents=[common],
        help="render chart templates locally and print them",
    )
    p.add_argument(
        "args",
        nargs="+",
        metavar="[NAME] CHART",
        help="release name (default release-name) and chart",
    )
    p.add_argument("-g", "--generate-name", action="store_true", help="generate the release name")
    p.add_argument(
        "-s",
        "--show-only",
        action="append",
        default=[],
        metavar="TEMPLATE",
        help="only show manifests of this template, e.g. templates/service.yaml (repeatable)",
    )
    p.add_argument("--output-dir", metavar="DIR", help="write each template to a file under DIR")
    p.add_argument(
        "--release-name", action="store_true", help="put the release name in --output-dir's path"
    )
    p.add_argument(
        "--include-crds", action="store_true", help="include the chart's CRDs in the output"
    )
    p.add_argument("--skip-tests", action="store_true", help="leave out test hooks")
    p.add_argument("--no-hooks", action="store_true", help="leave out all hooks")
    p.add_argument(
        "--is-upgrade", action="store_true", help="set Release.IsUpgrade instead of IsInstall"
    )
    p.add_argument(
        "--kube-version", default="v1.35.0", help="Kubernetes version for Capabilities.KubeVersion"
    )
    p.add_argument(
        "-a",
        "--api-versions",
        action="append",
        default=[],
        metavar="VERSION",
        help="extra API versions for Capabilities.APIVersions (repeatable)",
    )
    p.add_argument(
        "--validate",
        action="store_true",
        help="check each manifest against the Kubernetes schema of --kube-version",
    )
    p.add_argument(
        "--skip-schema-validation", action="store_true", help="do not check values.schema.json"
    )
    add_values_flags(p)
    add_chart_flags(p)
    p.set_defaults(handler=run_template)


def _release_and_chart(args: argparse.Namespace) -> tuple[str | None, str]:
    """(release name or None when it is to be generated, chart reference)."""
    from pyhelm.errors import UsageError

    positional = list(args.args)
    if len(positional) > 2:
        raise UsageError(
            f"template takes [NAME] CHART, got {len(positional)} arguments: {' '.join(positional)}"
        )
    if len(positional) == 2:
        return positional[0], positional[1]
    return (None if args.generate_name else "release-name"), positional[0]


def run_template(args: argparse.Namespace) -> int:
    # The imports and the render make many objects and next to no garbage cycles: the cycle
    # collector, which would trace them all a few times over, is paused meanwhile (as during a
    # cluster command). About 2% of a `pyhelm template` run.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _template(args)
    finally:
        if collecting:
            gc.enable()


def _template(args: argparse.Namespace) -> int:
    from pyhelm.cli.common import locate_chart, user_values
    from pyhelm.render import RenderOptions, render_chart

    release, reference = _release_and_chart(args)
    chart = locate_chart(args, reference)
    if release is None:
        import time

        release = f"{chart.name}-{int(time.time())}"
    _check_release_name(release)
    options = RenderOptions(
        release_name=release,
        namespace=args.namespace,
        is_upgrade=args.is_upgrade,
        kube_version=args.kube_version,
        api_versions=tuple(args.api_versions),
        validate_schema=not args.skip_schema_validation,
    )
    result = render_chart(chart, user_values(args), options)
    selected = _selected(result, args, chart.name)
    if args.validate:
        from pyhelm.render.validate import validate_manifests

        validate_manifests(selected, args.kube_version)
    if args.output_dir:
        _write_output_dir(selected, Path(args.output_dir) / (release if args.release_name else ""))
    else:
        sys.stdout.write("".join(m.printed() for m in selected))
    return 0


def _check_release_name(name: str) -> None:
    """Helm's release-name rule. The common, valid case is decided here; anything else goes to
    ``pyhelm.release.model.validate_name`` (the rule's home, with its message), which is not
    imported on the render path otherwise. (DNS-1123 labels, written out: compiling the regex
    costs more than the check.)"""
    if len(name) <= 53 and all(
        label and set(label) <= _NAME_CHARS and label[0] != "-" and label[-1] != "-"
        for label in name.split(".")
    ):
        return
    from pyhelm.release.model import validate_name

    validate_name(name)


def _selected(
    result: RenderResult, args: argparse.Namespace, chart_name: str
) -> list[RenderedManifest]:
    from pyhelm.errors import UsageError

    hooks = (
        []
        if args.no_hooks
        else [h for h in result.hooks if not (args.skip_tests and "test" in h.hook_events)]
    )
    chosen = [*(result.crds if args.include_crds else []), *result.manifests, *hooks]
    if not args.show_only:
        return chosen
    from fnmatch import fnmatchcase

    out = []
    for pattern in args.show_only:
        pattern = pattern.strip("/")
        match = [
            m
            for m in chosen
            if fnmatchcase(m.source, pattern) or fnmatchcase(m.source.partition("/")[2], pattern)
        ]
        if not match:
            raise UsageError(
                f"could not find template {pattern} in chart {chart_name} "
                "(paths look like templates/service.yaml or charts/sub/templates/x.yaml)"
            )
        out.extend(m for m in match if m not in out)
    return out


def _write_output_dir(manifests: list[RenderedManifest], root: Path) -> None:
    from pyhelm.errors import PyHelmError

    written: set[Path] = set()
    for manifest in manifests:
        target = root / manifest.source
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("a" if target in written else "w", encoding="utf-8") as out:
                out.write(manifest.printed())
        except OSError as exc:
            raise PyHelmError(f"--output-dir: cannot write {target}: {exc.strerror}") from None
        if target not in written:
            print(f"wrote {target}")
        written.add(target)


def run_create(args: argparse.Namespace) -> int:
    from pyhelm.chart.create import create_chart

    path = create_chart(Path(args.name))
    print(f"Creating {path}")
    return 0


def run_lint(args: argparse.Namespace) -> int:
    from pyhelm.chart.lint import lint_paths

    return lint_paths(args)


def run_show(args: argparse.Namespace) -> int:
    from pyhelm.cli.common import locate_chart

    sys.stdout.write(show_text(locate_chart(args, args.chart), args.what))
    return 0


def show_text(chart: Chart, what: str) -> str:
    """``show chart|values|readme|crds|all`` as Helm prints them."""
    from pyhelm import yamlio

    def readme() -> str:
        name = next(
            (n for n in sorted(chart.files) if n.lower() in ("readme.md", "readme.txt", "readme")),
            None,
        )
        return chart.files[name].decode("utf-8", "replace") if name else ""

    parts = {
        "chart": lambda: yamlio.dump(chart.metadata.to_dict()),
        "values": lambda: chart.raw.get("values.yaml", b"").decode("utf-8", "replace"),
        "readme": readme,
        "crds": lambda: "".join(
            "---\n" + c.decode("utf-8", "replace").rstrip("\n") + "\n" for c in chart.crds.values()
        ),
    }
    if what != "all":
        return _ensure_newline(parts[what]())
    texts = [_ensure_newline(parts[k]()) for k in ("chart", "values", "readme")]
    crds = parts["crds"]()
    return "---\n".join(t for t in texts if t) + crds


def _ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def run_version(args: argparse.Namespace) -> int:
    import platform

    from pyhelm import __version__

    if args.short:
        print(f"v{__version__}")
    else:
        print(
            f'version.BuildInfo{{Version:"v{__version__}", '
            f'PythonVersion:"{platform.python_version()}", '
            f'TemplateLanguage:"jinja2"}}'
        )
    return 0
