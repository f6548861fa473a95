"""``search repo``: find charts by keyword over every added repository's cached index.

Searching reads only the search-ready table cached per index digest (see
``repo.cache``), never the index itself, so it stays fast on huge indexes.
A keyword matches, case-insensitively, the ``repo/chart`` name, the
description or a keyword of a version; ``regexp`` makes it a regular expression.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from pyhelm import semver_range
from pyhelm.errors import RepoError
from pyhelm.repo import cache
from pyhelm.repo.config import RepoFile, read_meta


@dataclass(frozen=True)
class SearchHit:
    name: str
    version: str
    app_version: str
    description: str
    deprecated: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["deprecated"]
        return out


def _rows(repo: str) -> list[list[Any]]:
    from pyhelm.repo.client import load_repo_index

    digest = read_meta(repo).get("digest", "")
    rows = cache.cached_search_rows(digest) if digest else None
    if rows is None:
        index = load_repo_index(repo)
        rows = (
            cache.search_rows(digest, index.to_dict())
            if digest
            else cache.build_search_rows(index.to_dict())
        )
    return rows


def _wanted(version: str, wanted: semver_range.Constraint | None, devel: bool) -> bool:
    """Without a constraint every release is wanted (pre-releases too with ``devel``)."""
    if wanted is None:
        return devel or "-" not in version.partition("+")[0]
    return wanted.allows(version, include_prerelease=devel)


def search_repos(
    keyword: str = "",
    regexp: bool = False,
    versions: bool = False,
    constraint: str | None = None,
    devel: bool = False,
) -> list[SearchHit]:
    """Matching chart versions: the newest matching one per chart, or all with ``versions``."""
    repos = RepoFile.load().repositories
    if not repos:
        raise RepoError("no repositories configured; add one with 'pyhelm repo add NAME URL'")
    try:
        wanted = semver_range.constraint(constraint) if constraint else None
    except semver_range.VersionError as exc:
        raise RepoError(f"--version {constraint!r}: {exc}") from None
    try:
        pattern = re.compile(keyword if regexp else re.escape(keyword), re.IGNORECASE)
    except re.error as exc:
        raise RepoError(f"--regexp {keyword!r} is not a valid regular expression: {exc}") from None
    hits: list[SearchHit] = []
    for repo in sorted(repos, key=lambda r: r.name):
        last = None
        for name, version, app_version, description, keywords, deprecated in _rows(repo.name):
            full = f"{repo.name}/{name}"
            if (last == full and not versions) or (
                keyword
                and not (
                    pattern.search(full)
                    or pattern.search(description)
                    or any(pattern.search(k) for k in keywords)
                )
            ):
                continue
            if not _wanted(version, wanted, devel):
                continue
            hits.append(SearchHit(full, version, app_version, description, deprecated))
            last = full
    return hits
