"""Chart repositories as a client: add, update, remove, download and verify charts.

HTTP goes through ``requests`` with basic auth, a CA file or
``insecure_skip_tls_verify``, a timeout and retries on connection errors and
5xx answers. ``repo update`` fetches every index in parallel, asking with
``If-None-Match`` / ``If-Modified-Since`` so an unchanged index is not sent
again; one unreachable repository gives one error while the others update.

Cache layout under ``repo_cache_dir()``: ``<name>-index.yaml`` (the index as
downloaded) and ``<name>-index.meta.json`` (its digest, ETag, Last-Modified);
parsed and search-ready forms are in ``repo.cache``, keyed by the digest.
Downloaded archives are kept under ``<cache>/content/<sha256>.tgz`` and are
always checked against the digest the index gives.
"""

from __future__ import annotations

import dataclasses
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from pyhelm import settings
from pyhelm.chart.package import write_atomic
from pyhelm.errors import RepoError
from pyhelm.repo import cache
from pyhelm.repo.config import (
    RepoEntry,
    RepoFile,
    index_meta_path,
    index_path,
    locked_repo_file,
    read_meta,
)
from pyhelm.repo.index import ChartVersion, IndexFile, file_digest

DEFAULT_TIMEOUT = 120.0
RETRIES = 2


def _session(entry: RepoEntry) -> Any:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    retry = Retry(
        total=RETRIES,
        connect=RETRIES,
        read=RETRIES,
        backoff_factor=0.2,
        status_forcelist=(502, 503, 504),
        allowed_methods=("GET", "HEAD"),
    )
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    if entry.username or entry.password:
        session.auth = (entry.username, entry.password)
    if entry.certFile:
        session.cert = (entry.certFile, entry.keyFile) if entry.keyFile else entry.certFile
    session.headers["User-Agent"] = "pyhelm"
    return session


def _verify(entry: RepoEntry) -> bool | str | None:
    """TLS checking for one request: the repository's CA file, none, or the default.

    Given per request, since requests lets ``REQUESTS_CA_BUNDLE`` override a
    session's setting; the default (None) still honours that variable.
    """
    if entry.insecure_skip_tls_verify:
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        return False
    return entry.caFile or None


def http_get(
    entry: RepoEntry,
    url: str,
    timeout: float = DEFAULT_TIMEOUT,
    headers: dict[str, str] | None = None,
) -> Any:
    """GET ``url`` with the repository's credentials; ``RepoError`` with a fix when it fails."""
    import requests

    try:
        with _session(entry) as session:
            response = session.get(
                url, timeout=timeout, headers=headers or {}, verify=_verify(entry)
            )
    except requests.exceptions.SSLError as exc:
        raise RepoError(
            f"repository {entry.name!r}: TLS error for {url}: {_short(exc)}; pass --ca-file "
            "or --insecure-skip-tls-verify"
        ) from None
    except requests.exceptions.RequestException as exc:
        raise RepoError(f"repository {entry.name!r}: cannot reach {url}: {_short(exc)}") from None
    if response.status_code in (401, 403):
        raise RepoError(
            f"repository {entry.name!r}: {url} answered {response.status_code}; check "
            "--username/--password"
        )
    if response.status_code not in (200, 304):
        raise RepoError(
            f"repository {entry.name!r}: {url} answered {response.status_code} {response.reason}"
        )
    return response


def _short(exc: Exception) -> str:
    """The useful end of a requests error: "[Errno 111] Connection refused" rather than the pool chain."""
    import re

    text = str(exc)
    errno = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    if errno:
        return errno.group(0).strip()
    return text if len(text) < 200 else text[:200] + "..."


# -- indexes in the cache ----------------------------------------------------------
@dataclass
class UpdateResult:
    """What happened to one repository during add/update."""

    name: str
    changed: bool = False
    error: str = ""


def fetch_index(
    entry: RepoEntry, timeout: float = DEFAULT_TIMEOUT, conditional: bool = True
) -> UpdateResult:
    """Download ``entry``'s index into the cache (conditionally); never raises for HTTP trouble."""
    meta = read_meta(entry.name) if conditional and index_path(entry.name).is_file() else {}
    headers = {}
    if meta.get("url") == entry.url:
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified") and _strong_date(meta["last_modified"], meta.get("date", "")):
            headers["If-Modified-Since"] = meta["last_modified"]
    try:
        response = http_get(entry, f"{entry.url}/index.yaml", timeout, headers)
        if response.status_code == 304:
            return UpdateResult(entry.name, changed=False)
        store_index(
            entry,
            response.content,
            response.headers.get("ETag", ""),
            response.headers.get("Last-Modified", ""),
            response.headers.get("Date", ""),
        )
    except RepoError as exc:
        return UpdateResult(entry.name, error=str(exc))
    except OSError as exc:
        return UpdateResult(entry.name, error=f"cannot write the index cache: {exc}")
    return UpdateResult(entry.name, changed=True)


def _strong_date(last_modified: str, date: str) -> bool:
    """RFC 9110: Last-Modified is a usable validator only if at least a second older than Date.

    An index changed within the second it was fetched would otherwise look unchanged forever.
    """
    from email.utils import parsedate_to_datetime

    try:
        return (
            parsedate_to_datetime(date) - parsedate_to_datetime(last_modified)
        ).total_seconds() >= 1
    except (TypeError, ValueError):
        return False


def store_index(
    entry: RepoEntry, data: bytes, etag: str = "", last_modified: str = "", date: str = ""
) -> str:
    """Check and cache index bytes (raw, split by chart, search-ready); return their digest."""
    from pyhelm.repo.fastyaml import iter_index

    source = f"{entry.url}/index.yaml"
    digest = file_digest(data)
    try:
        top, charts = iter_index(data, source)
        cache.store_split(digest, top, charts)
    except RepoError as exc:
        raise RepoError(f"repository {entry.name!r}: {exc}; is the URL right?") from None
    index_path(entry.name).parent.mkdir(parents=True, exist_ok=True)
    write_atomic(index_path(entry.name), data)
    meta = {
        "digest": digest,
        "etag": etag,
        "last_modified": last_modified,
        "date": date,
        "url": entry.url,
    }
    write_atomic(index_meta_path(entry.name), json.dumps(meta).encode("utf-8"))
    return digest


def load_repo_index(name: str, only: str | None = None) -> IndexFile:
    """The cached index of repository ``name`` (just chart ``only``'s versions, if given).

    Raises ``RepoError`` telling to run ``repo update`` when there is none.
    """
    path = index_path(name)
    if not path.is_file():
        raise RepoError(f"no cached index for repository {name!r}; run 'pyhelm repo update {name}'")
    digest = read_meta(name).get("digest")
    if only is not None and digest:
        doc = cache.chart_doc(digest, only)
        if doc is not None:
            return IndexFile.from_dict(doc, f"{name}/index.yaml")
    return cache.load_index_cached(path, f"{name}/index.yaml", only)


# -- commands ----------------------------------------------------------------------
def add_repo(entry: RepoEntry, force_update: bool = False, timeout: float = DEFAULT_TIMEOUT) -> str:
    """``repo add``: check the index can be fetched, cache it, record the repository."""
    existing = RepoFile.load().get(entry.name)
    if existing is not None and not force_update:
        if existing == entry:
            return f'"{entry.name}" already exists with the same configuration, skipping'
        raise RepoError(
            f"repository name {entry.name!r} already exists with another configuration; "
            "use --force-update to replace it"
        )
    result = fetch_index(entry, timeout, conditional=False)
    if result.error:
        raise RepoError(f"{result.error}; is {entry.url} a chart repository?")
    with locked_repo_file() as repo_file:
        repo_file.upsert(entry)
    return f'"{entry.name}" has been added to your repositories'


def update_repos(
    names: list[str] | None = None, timeout: float = DEFAULT_TIMEOUT
) -> list[UpdateResult]:
    """``repo update``: refresh the named repositories (all when none), in parallel."""
    repo_file = RepoFile.load()
    if not repo_file.repositories:
        raise RepoError("no repositories found; add one with 'pyhelm repo add NAME URL'")
    entries = repo_file.repositories
    if names:
        unknown = [n for n in names if repo_file.get(n) is None]
        if unknown:
            raise RepoError(
                f"no repositories found matching {', '.join(map(repr, unknown))}; "
                "see 'pyhelm repo list'"
            )
        entries = [e for e in entries if e.name in names]
    with ThreadPoolExecutor(max_workers=min(8, len(entries))) as pool:
        return list(pool.map(lambda e: fetch_index(e, timeout), entries))


def remove_repo(names: list[str]) -> None:
    """``repo remove``: forget the repositories and drop their cached indexes."""
    with locked_repo_file() as repo_file:
        missing = [n for n in names if repo_file.get(n) is None]
        if missing:
            raise RepoError(f"no repo named {missing[0]!r} found; see 'pyhelm repo list'")
        for name in names:
            repo_file.remove(name)
            for path in (index_path(name), index_meta_path(name)):
                path.unlink(missing_ok=True)


def resolve_url(entry: RepoEntry, cv: ChartVersion) -> str:
    """The absolute download URL of a chart version (relative URLs are under the repo URL)."""
    if not cv.urls:
        raise RepoError(
            f"repository {entry.name!r}: chart {cv.name} {cv.version} has no download URL"
        )
    return urljoin(entry.url + "/", cv.urls[0])


def download_chart(entry: RepoEntry, cv: ChartVersion, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """The archive of ``cv`` in the content cache, downloaded if needed, sha256 checked."""
    content = settings.cache_home() / "content"
    expected = cv.digest.removeprefix("sha256:").lower()
    if expected:
        cached = content / f"{expected}.tgz"
        if cached.is_file() and file_digest(cached.read_bytes()) == expected:
            return cached
    url = resolve_url(entry, cv)
    data = http_get(_credentials_for(entry, url), url, timeout).content
    digest = file_digest(data)
    if expected and digest != expected:
        raise RepoError(
            f"{url}: sha256 {digest} does not match the index ({cv.digest}); the archive is corrupt "
            f"or was replaced: run 'pyhelm repo update {entry.name}' and retry"
        )
    content.mkdir(parents=True, exist_ok=True)
    target = content / f"{digest}.tgz"
    write_atomic(target, data)
    return target


def _credentials_for(entry: RepoEntry, url: str) -> RepoEntry:
    """Credentials go only to the repository's own host, unless ``pass_credentials_all`` (as Helm)."""
    from urllib.parse import urlsplit

    if entry.pass_credentials_all or urlsplit(url).netloc == urlsplit(entry.url).netloc:
        return entry
    return dataclasses.replace(entry, username="", password="")


def find_in_url(
    entry: RepoEntry, chart: str, version: str | None, devel: bool = False
) -> tuple[RepoEntry, ChartVersion]:
    """Find ``chart`` in the repository at ``entry.url`` without adding it (``--repo``)."""
    url = f"{entry.url}/index.yaml"
    index = IndexFile.load(http_get(entry, url).content, url)
    try:
        return entry, index.get(chart, version, devel)
    except RepoError as exc:
        raise RepoError(f"{entry.url}: {exc}") from None


def find_chart(
    reference: str, version: str | None, devel: bool = False
) -> tuple[RepoEntry, ChartVersion]:
    """Resolve ``repo/chart`` and a version constraint to an index entry."""
    from pyhelm.repo.config import NAME_RE

    repo_name, sep, chart_name = reference.partition("/")
    if (
        not sep
        or not NAME_RE.match(repo_name)
        or not chart_name
        or "/" in chart_name
        or reference.endswith((".tgz", ".tar.gz"))
    ):
        raise RepoError(
            f"{reference!r}: no such chart folder or archive, and not a 'repo/chart' reference"
        )
    entry = RepoFile.load().get(repo_name)
    if entry is None:
        raise RepoError(
            f"repository {repo_name!r} is not known (chart {reference!r}); "
            f"run 'pyhelm repo add {repo_name} <url>' first"
        )
    index = load_repo_index(repo_name, only=chart_name)
    try:
        cv = index.get(chart_name, version, devel)
    except RepoError as exc:
        raise RepoError(
            f"repository {repo_name!r}: {exc}; 'pyhelm search repo {chart_name} --versions' "
            f"lists what there is (after 'pyhelm repo update {repo_name}')"
        ) from None
    return entry, cv


def locate_repo_chart(reference: str, version: str | None, devel: bool = False) -> Path:
    """``repo/chart`` -> a verified archive in the cache (downloaded if needed).

    Raises ``RepoError`` with a fix when the repository is unknown or the
    chart or version is missing, or when the download does not match its digest.
    """
    entry, cv = find_chart(reference, version, devel)
    return download_chart(entry, cv)


def pull_chart(
    reference: str,
    version: str | None = None,
    devel: bool = False,
    dest: str | Path = ".",
    untar: bool = False,
    untardir: str | None = None,
    repo: RepoEntry | None = None,
) -> Path:
    """``pull``: copy a verified archive into ``dest`` (or unpack it there with ``untar``).

    ``reference`` is ``repo/chart``, or just the chart's name when ``repo``
    (``--repo URL``) names a repository that need not have been added.
    """
    from pyhelm.chart.archive import extract_archive

    folder = Path(dest)
    if not folder.is_dir():
        raise RepoError(
            f"{folder}: destination folder does not exist; create it or pass another -d"
        )
    entry, cv = (
        find_chart(reference, version, devel)
        if repo is None
        else find_in_url(repo, reference, version, devel)
    )
    archive = download_chart(entry, cv)
    if untar:
        return extract_archive(
            archive.read_bytes(), folder / (untardir or "."), f"{reference} {cv.version}"
        )
    target = folder / f"{cv.name}-{cv.version}.tgz"
    write_atomic(target, archive.read_bytes())
    return target
