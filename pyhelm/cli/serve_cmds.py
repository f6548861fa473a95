"""``pyhelm serve`` (host a chart repository) and ``pyhelm push`` (upload to one)."""

from __future__ import annotations

import argparse
from pathlib import Path

MiB = 1024 * 1024
Subparsers = argparse._SubParsersAction  # the type argparse gives add_subparsers()


def register(
    subparsers: Subparsers[argparse.ArgumentParser], common: argparse.ArgumentParser, command: str | None = None
) -> None:
    _register_serve(subparsers, common)
    _register_push(subparsers, common)


def _register_serve(subparsers: Subparsers[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "serve", parents=[common], help="host a chart repository over HTTP (index, archives, upload API, page)",
        description="Host the charts in --dir: /index.yaml and the archives for Helm, a ChartMuseum-"
                    "compatible upload API under /api/charts, and a page to browse at /.",
    )
    parser.add_argument("--dir", default="repo_index", type=Path,
                        help="folder of chart archives and index.yaml (default: ./repo_index)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", default=8879, type=int, help="port to listen on; 0 lets the system choose "
                                                              "(default: 8879)")
    parser.add_argument("--auth-file", type=Path, metavar="HTPASSWD",
                        help="htpasswd file of users with bcrypt hashes (htpasswd -B); turns auth on")
    parser.add_argument("--token-file", type=Path, metavar="FILE",
                        help="bearer tokens, one 'TOKEN' or 'NAME:TOKEN' a line; turns auth on")
    parser.add_argument("--anonymous-get", action="store_true", help="with auth on, let reads through without it")
    parser.add_argument("--allow-overwrite", action="store_true",
                        help="let an upload replace an existing chart version")
    parser.add_argument("--disable-force-overwrite", action="store_true",
                        help="ignore ?force on uploads (only --allow-overwrite can overwrite)")
    parser.add_argument("--disable-delete", action="store_true", help="refuse DELETE /api/charts/NAME/VERSION")
    parser.add_argument("--max-upload-size", type=int, default=20 * MiB, metavar="BYTES",
                        help="largest upload accepted (default: 20 MiB)")
    parser.add_argument("--tls-cert", type=Path, metavar="FILE", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", type=Path, metavar="FILE", help="private key of --tls-cert (PEM)")
    parser.add_argument("--access-log", metavar="FILE",
                        help="where the access log goes: a file, '-' for stderr (default), or 'off'")
    parser.add_argument("--repo-name", default="local",
                        help="repository name shown in the page's 'helm repo add' line (default: local)")
    parser.set_defaults(handler=_serve)


def _register_push(subparsers: Subparsers[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "push", parents=[common], help="upload a chart to a repository server (ChartMuseum API)",
        description="Package CHART if it is a folder, then upload it to the server at URL, or to the "
                    "repository REPO added with 'pyhelm repo add' (its URL, credentials and CA file) — "
                    "pyhelm serve, ChartMuseum, or any server with ChartMuseum's API.",
    )
    parser.add_argument("chart", metavar="CHART|ARCHIVE")
    parser.add_argument("url", metavar="URL|REPO",
                        help="the server's URL, or a repository added with 'pyhelm repo add'")
    parser.add_argument("-u", "--username", help="basic-auth user [env HELM_REPO_USERNAME]")
    parser.add_argument("-p", "--password", help="basic-auth password [env HELM_REPO_PASSWORD]")
    parser.add_argument("--access-token", help="bearer token [env HELM_REPO_ACCESS_TOKEN]")
    parser.add_argument("-f", "--force", action="store_true", help="replace the version if it exists (?force)")
    parser.add_argument("--version", help="package the folder with this chart version")
    parser.add_argument("--app-version", help="package the folder with this appVersion")
    parser.add_argument("--ca-file", help="verify the server's certificate with this CA bundle")
    parser.add_argument("--insecure-skip-tls-verify", action="store_true",
                        help="do not verify the server's certificate")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the server")
    parser.set_defaults(handler=_push)


def _serve(args: argparse.Namespace) -> int:
    from pyhelm.repo.server import ServeOptions, serve
    from pyhelm.repo.server.api import ApiOptions

    options = ServeOptions(
        directory=args.dir, host=args.host, port=args.port,
        auth_file=args.auth_file, token_file=args.token_file, anonymous_get=args.anonymous_get,
        api=ApiOptions(allow_overwrite=args.allow_overwrite, disable_force_overwrite=args.disable_force_overwrite,
                       disable_delete=args.disable_delete, max_upload_size=args.max_upload_size),
        tls_cert=args.tls_cert, tls_key=args.tls_key, access_log=args.access_log, repo_name=args.repo_name,
    )
    serve(options)
    return 0


def _push(args: argparse.Namespace) -> int:
    from pyhelm.repo.server.push import PushOptions, push_chart

    options = PushOptions(
        username=args.username, password=args.password, access_token=args.access_token, force=args.force,
        version=args.version, app_version=args.app_version, ca_file=args.ca_file,
        insecure_skip_tls_verify=args.insecure_skip_tls_verify, timeout=args.timeout,
    )
    result = push_chart(args.chart, args.url, options)
    print(f"Pushed {result.filename} to {result.url}")
    return 0
