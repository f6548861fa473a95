"""Packaging and repository commands: ``package``, ``repo add|list|update|remove|index``,
``search repo``, ``pull`` and ``dependency update|build|list``.

Thin adapters over ``pyhelm.chart.package``, ``pyhelm.repo`` and
``pyhelm.chart.dependencies``; heavy imports happen inside the handlers.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable
from typing import Any


def _os_errors(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn a file-system failure (a folder not writable, a disk full) into one ``Error:`` line."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from pyhelm.errors import PyHelmError

        try:
            return handler(args)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise PyHelmError(
                f"{where}{exc.strerror or exc}; check the path and its permissions"
            ) from None

    return run


def _repo_flags() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("repository settings")
    group.add_argument(
        "--repository-config",
        metavar="FILE",
        help="repositories.yaml to use [env PYHELM_REPOSITORY_CONFIG]",
    )
    group.add_argument(
        "--repository-cache",
        metavar="DIR",
        help="folder of cached indexes [env PYHELM_REPOSITORY_CACHE]",
    )
    return parent


def _apply_repo_flags(args: argparse.Namespace) -> None:
    if getattr(args, "repository_config", None):
        os.environ["PYHELM_REPOSITORY_CONFIG"] = args.repository_config
    if getattr(args, "repository_cache", None):
        os.environ["PYHELM_REPOSITORY_CACHE"] = args.repository_cache


def register(
    subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser, command: str | None = None
) -> None:
    repo_flags = _repo_flags()
    parents = [common, repo_flags]
    _register_package(subparsers, parents)
    _register_repo(subparsers, parents)
    search = subparsers.add_parser("search", parents=[common], help="search for charts")
    search_sub = search.add_subparsers(dest="search_command", metavar="COMMAND", required=True)
    p = search_sub.add_parser(
        "repo", parents=parents, help="search the added repositories for charts"
    )
    p.add_argument("keyword", nargs="?", default="")
    p.add_argument(
        "-r", "--regexp", action="store_true", help="the keyword is a regular expression"
    )
    p.add_argument(
        "-l", "--versions", action="store_true", help="show every version, not only the newest"
    )
    p.add_argument("--version", metavar="CONSTRAINT", help="only versions matching this constraint")
    p.add_argument("--devel", action="store_true", help="include pre-release versions")
    p.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table")
    p.add_argument("--max-col-width", type=int, default=50, help="maximum width of a table column")
    p.add_argument("--fail-on-no-result", action="store_true", help="exit 1 when nothing matches")
    p.set_defaults(handler=_os_errors(run_search))
    p = subparsers.add_parser("pull", parents=parents, help="download a chart from a repository")
    p.add_argument(
        "chart", metavar="REPO/CHART", help="repo/chart, or the chart's name with --repo"
    )
    p.add_argument(
        "--version", metavar="CONSTRAINT", help="version constraint (default: newest release)"
    )
    p.add_argument("--devel", action="store_true", help="also consider pre-release versions")
    p.add_argument(
        "-d", "--destination", default=".", help="folder to write the chart to (must exist)"
    )
    p.add_argument("--untar", action="store_true", help="unpack the chart after downloading it")
    p.add_argument("--untardir", default=".", help="with --untar: folder, under -d, to unpack into")
    p.add_argument(
        "--repo", metavar="URL", help="chart repository URL; CHART is then the chart's name"
    )
    p.add_argument("--username", default="", help="with --repo: user name")
    p.add_argument("--password", default="", help="with --repo: password")
    p.add_argument("--ca-file", default="", help="with --repo: CA bundle to verify the server")
    p.add_argument(
        "--insecure-skip-tls-verify", action="store_true", help="with --repo: skip TLS checks"
    )
    p.set_defaults(handler=_os_errors(run_pull))
    _register_dependency(subparsers, parents)


def _register_package(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    p = subparsers.add_parser(
        "package", parents=parents, help="package a chart folder into a chart archive"
    )
    p.add_argument("paths", nargs="+", metavar="CHART_PATH")
    p.add_argument("-d", "--destination", default=".", help="folder to write the archive to")
    p.add_argument("--version", help="set the chart's version (SemVer)")
    p.add_argument("--app-version", help="set the chart's appVersion")
    p.add_argument(
        "-u",
        "--dependency-update",
        action="store_true",
        help="run 'dependency update' before packaging",
    )
    p.set_defaults(handler=_os_errors(run_package))


def _register_repo(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    repo = subparsers.add_parser(
        "repo", parents=parents[:1], help="add, list, remove, update and index repositories"
    )
    sub = repo.add_subparsers(dest="repo_command", metavar="COMMAND", required=True)
    p = sub.add_parser("add", parents=parents, help="add a chart repository")
    p.add_argument("name")
    p.add_argument("url")
    p.add_argument("--username", default="")
    p.add_argument("--password", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--ca-file", default="", help="verify the server with this CA bundle")
    p.add_argument("--cert-file", default="", help="client certificate file")
    p.add_argument("--key-file", default="", help="client key file")
    p.add_argument(
        "--insecure-skip-tls-verify",
        action="store_true",
        help="do not verify the server certificate",
    )
    p.add_argument(
        "--pass-credentials", action="store_true", help="send credentials to every domain"
    )
    p.add_argument(
        "--force-update", action="store_true", help="replace the repository if it exists"
    )
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the index")
    p.set_defaults(handler=_os_errors(run_repo_add))
    p = sub.add_parser("list", aliases=["ls"], parents=parents, help="list chart repositories")
    p.add_argument("-o", "--output", choices=("table", "json", "yaml"), default="table")
    p.set_defaults(handler=_os_errors(run_repo_list))
    p = sub.add_parser("update", aliases=["up"], parents=parents, help="fetch the newest indexes")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each index")
    p.set_defaults(handler=_os_errors(run_repo_update))
    p = sub.add_parser("remove", aliases=["rm"], parents=parents, help="remove chart repositories")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.set_defaults(handler=_os_errors(run_repo_remove))
    p = sub.add_parser(
        "index", parents=parents, help="write index.yaml for a folder of chart archives"
    )
    p.add_argument("directory")
    p.add_argument("--url", help="URL of the chart repository (prefix of every chart URL)")
    p.add_argument("--merge", metavar="INDEX", help="merge this index into the generated one")
    p.add_argument(
        "--json", action="store_true", help="write the index as JSON (still named index.yaml)"
    )
    p.set_defaults(handler=_os_errors(run_repo_index))


def _register_dependency(
    subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]
) -> None:
    dep = subparsers.add_parser(
        "dependency", aliases=["dep"], parents=parents[:1], help="manage a chart's dependencies"
    )
    sub = dep.add_subparsers(dest="dependency_command", metavar="COMMAND", required=True)
    for name, help_text in (
        ("update", "resolve Chart.yaml's dependencies, write Chart.lock, fill charts/"),
        ("build", "fill charts/ from Chart.lock"),
        ("list", "list a chart's dependencies and their status"),
    ):
        p = sub.add_parser(name, parents=parents, help=help_text)
        p.add_argument("chart", nargs="?", default=".", metavar="CHART_PATH")
        if name != "list":
            p.add_argument(
                "--skip-refresh", action="store_true", help="do not refresh the repository indexes"
            )
        p.set_defaults(handler=_os_errors(run_dependency), action=name)


# -- handlers ----------------------------------------------------------------------
def run_package(args: argparse.Namespace) -> int:
    from pyhelm.chart.package import package_chart

    _apply_repo_flags(args)
    for path in args.paths:
        if args.dependency_update:
            from pyhelm.chart.dependencies import update_dependencies

            update_dependencies(path)
        target = package_chart(path, args.destination, args.version, args.app_version)
        print(f"Successfully packaged chart and saved it to: {target}")
    return 0


def run_repo_add(args: argparse.Namespace) -> int:
    from pyhelm.repo.client import add_repo
    from pyhelm.repo.config import RepoEntry

    _apply_repo_flags(args)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else args.password
    entry = RepoEntry(
        name=args.name,
        url=args.url,
        username=args.username,
        password=password,
        caFile=args.ca_file,
        certFile=args.cert_file,
        keyFile=args.key_file,
        insecure_skip_tls_verify=args.insecure_skip_tls_verify,
        pass_credentials_all=args.pass_credentials,
    )
    print(add_repo(entry, args.force_update, args.timeout))
    return 0


def run_repo_list(args: argparse.Namespace) -> int:
    from pyhelm.errors import RepoError
    from pyhelm.repo.config import RepoFile

    _apply_repo_flags(args)
    repos = RepoFile.load().repositories
    if not repos and args.output == "table":
        raise RepoError("no repositories to show; add one with 'pyhelm repo add NAME URL'")
    rows = [{"name": r.name, "url": r.url} for r in repos]
    _print_rows(rows, ("NAME", "URL"), args.output)
    return 0


def run_repo_update(args: argparse.Namespace) -> int:
    from pyhelm.repo.client import update_repos

    _apply_repo_flags(args)
    print("Hang tight while we grab the latest from your chart repositories...")
    results = update_repos(args.names, args.timeout)
    for r in results:
        if r.error:
            print(f'...Unable to get an update from the "{r.name}" chart repository:\n\t{r.error}')
        else:
            state = (
                "Successfully got an update"
                if r.changed
                else "Index unchanged; kept the cached copy"
            )
            print(f'...{state} from the "{r.name}" chart repository')
    failed = [r.name for r in results if r.error]
    if failed:
        print(
            f"Error: failed to update the following repositories: {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    print("Update Complete. \u2388Happy Helming!\u2388")
    return 0


def run_repo_remove(args: argparse.Namespace) -> int:
    from pyhelm.repo.client import remove_repo

    _apply_repo_flags(args)
    remove_repo(args.names)
    for name in args.names:
        print(f'"{name}" has been removed from your repositories')
    return 0


def run_repo_index(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pyhelm.repo.index import index_directory

    index = index_directory(args.directory, args.url, args.merge)
    for warning in index.warnings:
        print(f"WARNING: {warning}", file=sys.stderr)
    index.save(Path(args.directory) / "index.yaml", as_json=args.json)
    return 0


def run_search(args: argparse.Namespace) -> int:
    from pyhelm.repo.search import search_repos

    _apply_repo_flags(args)
    hits = search_repos(args.keyword, args.regexp, args.versions, args.version, args.devel)
    if not hits and args.output == "table":
        print("No results found")
    else:
        rows = [h.to_dict() for h in hits]
        _print_rows(
            rows,
            ("NAME", "CHART VERSION", "APP VERSION", "DESCRIPTION"),
            args.output,
            args.max_col_width,
        )
    return 1 if args.fail_on_no_result and not hits else 0


def run_pull(args: argparse.Namespace) -> int:
    from pyhelm.repo.client import pull_chart
    from pyhelm.repo.config import RepoEntry

    _apply_repo_flags(args)
    repo = None
    if args.repo:
        repo = RepoEntry(
            name="pull",
            url=args.repo,
            username=args.username,
            password=args.password,
            caFile=args.ca_file,
            insecure_skip_tls_verify=args.insecure_skip_tls_verify,
        )
    pull_chart(
        args.chart,
        args.version,
        args.devel,
        args.destination,
        args.untar,
        args.untardir if args.untar else None,
        repo,
    )
    return 0


def run_dependency(args: argparse.Namespace) -> int:
    from pyhelm.chart import dependencies

    _apply_repo_flags(args)
    if args.action == "list":
        rows = [s.to_dict() for s in dependencies.list_dependencies(args.chart)]
        if not rows:
            print(f"WARNING: no dependencies in {args.chart}/Chart.yaml")
            return 0
        _print_rows(rows, ("NAME", "VERSION", "REPOSITORY", "STATUS"), "table")
        return 0
    run = (
        dependencies.update_dependencies
        if args.action == "update"
        else dependencies.build_dependencies
    )
    for line in run(args.chart, skip_refresh=args.skip_refresh):
        print(line)
    return 0


def _print_rows(
    rows: list[dict[str, Any]], headers: tuple[str, ...], output: str, width: int = 0
) -> None:
    if output == "json":
        print(json.dumps(rows))
        return
    if output == "yaml":
        from pyhelm import yamlio

        sys.stdout.write(yamlio.dump(rows, sort_keys=False))
        return
    table = [list(headers)] + [[_cut(str(v), width) for v in row.values()] for row in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    for r in table:
        print("\t".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _cut(text: str, width: int) -> str:
    return text if not width or len(text) <= width else text[: max(width - 3, 1)] + "..."
