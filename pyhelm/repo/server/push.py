"""``pyhelm push``: upload a chart to a ChartMuseum-compatible server.

The target is a URL or the name of a repository added with ``pyhelm repo
add`` (whose URL, credentials and CA file are then used). A chart folder is
packaged first (with ``version``/``app_version`` overrides if given); an
archive is sent as it is, after a check that it loads as a chart.
The upload is what ``helm cm-push`` sends: ``POST <url>/api/charts`` with a
multipart form field ``chart`` (and ``?force`` to overwrite). Credentials come
from the options, else ``HELM_REPO_USERNAME``/``HELM_REPO_PASSWORD``/
``HELM_REPO_ACCESS_TOKEN`` (cm-push's variables).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from pyhelm.errors import ChartError, RepoError, UsageError


@dataclass(frozen=True)
class PushOptions:
    username: str | None = None
    password: str | None = None
    access_token: str | None = None
    force: bool = False
    version: str | None = None
    app_version: str | None = None
    ca_file: str | None = None
    insecure_skip_tls_verify: bool = False
    timeout: float = 60.0


@dataclass(frozen=True)
class PushResult:
    name: str
    version: str
    filename: str
    url: str


def chart_bytes(source: str | os.PathLike[str], options: PushOptions) -> tuple[str, str, bytes]:
    """``(name, version, archive bytes)`` of a chart folder (packaged now) or an archive."""
    from pyhelm.chart.loader import load_archive_bytes
    from pyhelm.chart.package import archive_bytes

    path = Path(source)
    if path.is_dir():
        metadata, data = archive_bytes(path, options.version, options.app_version)
        return metadata.name, metadata.version, data
    if not path.is_file():
        raise ChartError(f"{path}: no such chart folder or archive")
    if options.version or options.app_version:
        raise UsageError(
            "--version and --app-version apply to a chart folder, not to a packaged archive"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ChartError(f"{path}: cannot read: {exc.strerror}") from None
    chart = load_archive_bytes(data, str(path))
    return chart.name, chart.version, data


def resolve_target(target: str, options: PushOptions) -> tuple[str, PushOptions]:
    """A URL as it is, or a repository added with ``pyhelm repo add``: its URL, credentials, CA."""
    if target.startswith(("http://", "https://")):
        return target, options
    from pyhelm.repo.config import RepoFile

    entry = RepoFile.load().get(target)
    if entry is None:
        raise UsageError(
            f"{target!r} is neither a URL (http:// or https://) nor a repository added with "
            f"'pyhelm repo add {target} URL'"
        )
    return entry.url, replace(
        options,
        username=options.username or entry.username or None,
        password=options.password or entry.password or None,
        ca_file=options.ca_file or entry.caFile or None,
        insecure_skip_tls_verify=options.insecure_skip_tls_verify or entry.insecure_skip_tls_verify,
    )


def push_chart(source: str | os.PathLike[str], url: str, options: PushOptions) -> PushResult:
    """Upload the chart at ``source`` to the server at ``url``; ``RepoError`` says why it failed."""
    import requests

    url, options = resolve_target(url, options)
    name, version, data = chart_bytes(source, options)
    filename = f"{name}-{version}.tgz"
    endpoint = url.rstrip("/") + "/api/charts" + ("?force" if options.force else "")
    try:
        response = requests.post(
            endpoint,
            files={"chart": (filename, data, "application/gzip")},
            headers=_auth_headers(options),
            auth=_basic(options),
            timeout=options.timeout,
            verify=False if options.insecure_skip_tls_verify else (options.ca_file or True),
        )
    except requests.exceptions.SSLError as exc:
        raise RepoError(
            f"{url}: TLS verification failed ({exc.__class__.__name__}); pass --ca-file with the "
            "server's CA, or --insecure-skip-tls-verify"
        ) from None
    except requests.RequestException as exc:
        raise RepoError(
            f"{url}: cannot reach the server ({exc.__class__.__name__}); "
            "is it running and is the URL right?"
        ) from None
    if response.status_code in (200, 201, 202):
        return PushResult(name, version, filename, url)
    raise _push_error(response.status_code, _message(response), url, filename, options)


def _basic(options: PushOptions) -> tuple[str, str] | None:
    username = options.username or os.environ.get("HELM_REPO_USERNAME")
    password = options.password or os.environ.get("HELM_REPO_PASSWORD")
    if username is None and password is None:
        return None
    return (username or "", password or "")


def _auth_headers(options: PushOptions) -> dict[str, str]:
    token = options.access_token or os.environ.get("HELM_REPO_ACCESS_TOKEN")
    return {"Authorization": f"Bearer {token}"} if token else {}


def _message(response: object) -> str:
    try:
        body = response.json()  # type: ignore[attr-defined]
        return str(body.get("error") or body)
    except ValueError:
        return (response.text or "").strip()[:200]  # type: ignore[attr-defined]


def _push_error(
    status: int, message: str, url: str, filename: str, options: PushOptions
) -> RepoError:
    if status == 401:
        given = _basic(options) or _auth_headers(options)
        fix = (
            "the server refused these credentials; check them"
            if given
            else "give --username and --password, or --access-token"
        )
        return RepoError(f"{url}: 401 unauthorized pushing {filename}: {fix}")
    if status == 409:
        return RepoError(
            f"{url}: 409 {message}: {filename} is already in the repository; bump the chart's version, "
            "or pass --force to replace it (if the server allows overwriting)"
        )
    if status in (404, 405):
        return RepoError(
            f"{url}: {status} {message}: no ChartMuseum-compatible upload API at "
            f"{url.rstrip('/')}/api/charts; check the URL"
        )
    return RepoError(f"{url}: {status} {message} (pushing {filename})")
