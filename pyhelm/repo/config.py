"""``repositories.yaml``: the chart repositories a user has added, as Helm keeps them.

The file lives at ``$PYHELM_REPOSITORY_CONFIG``, else ``<config>/repositories.yaml``;
downloaded indexes live under ``$PYHELM_REPOSITORY_CACHE``, else
``<cache>/repository``. Writers take ``repositories.lock`` beside the file, so
two commands never lose each other's changes.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pyhelm import settings, yamlio
from pyhelm.errors import RepoError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def repo_config_path() -> Path:
    return Path(
        os.environ.get("PYHELM_REPOSITORY_CONFIG") or settings.config_home() / "repositories.yaml"
    )


def repo_cache_dir() -> Path:
    return Path(os.environ.get("PYHELM_REPOSITORY_CACHE") or settings.cache_home() / "repository")


def index_path(name: str) -> Path:
    """The cached copy of repository ``name``'s index, as downloaded."""
    return repo_cache_dir() / f"{name}-index.yaml"


def index_meta_path(name: str) -> Path:
    """Beside the cached index: its digest, ETag, Last-Modified and URL (JSON)."""
    return repo_cache_dir() / f"{name}-index.meta.json"


def read_meta(name: str) -> dict[str, Any]:
    """The cached index's metadata; empty when there is none."""
    try:
        meta = json.loads(index_meta_path(name).read_bytes())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


@dataclass
class RepoEntry:
    """One repository: its name, URL and how to reach it."""

    name: str
    url: str
    username: str = ""
    password: str = ""
    caFile: str = ""  # noqa: N815 - Helm's key names, kept as written in the file
    certFile: str = ""  # noqa: N815
    keyFile: str = ""  # noqa: N815
    insecure_skip_tls_verify: bool = False
    pass_credentials_all: bool = False

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name) or "/" in self.name:
            raise RepoError(
                f"repository name {self.name!r} is invalid: use letters, digits, '-', '_' and '.'"
            )
        if not re.match(r"^https?://", self.url):
            raise RepoError(f"repository URL {self.url!r} must start with http:// or https://")
        self.url = self.url.rstrip("/")

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str) -> RepoEntry:
        if not isinstance(data, dict) or not data.get("name") or not data.get("url"):
            raise RepoError(
                f"{source}: every repository needs a 'name' and a 'url'; fix or remove the entry"
            )
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data and data[k] is not None}
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        return dict(sorted(asdict(self).items()))


class RepoFile:
    """The parsed ``repositories.yaml``; ``RepoFile.load()`` of a missing file is empty."""

    def __init__(self, path: Path, repositories: list[RepoEntry] | None = None) -> None:
        self.path = path
        self.repositories = repositories or []

    @classmethod
    def load(cls, path: Path | None = None) -> RepoFile:
        path = path or repo_config_path()
        if not path.is_file():
            return cls(path)
        doc = yamlio.load(path.read_bytes(), str(path), RepoError) or {}
        if not isinstance(doc, dict) or not isinstance(doc.get("repositories") or [], list):
            raise RepoError(f"{path}: expected a mapping with a 'repositories' list")
        return cls(path, [RepoEntry.from_dict(r, str(path)) for r in doc.get("repositories") or []])

    def get(self, name: str) -> RepoEntry | None:
        return next((r for r in self.repositories if r.name == name), None)

    def by_url(self, url: str) -> RepoEntry | None:
        return next((r for r in self.repositories if r.url == url.rstrip("/")), None)

    def upsert(self, entry: RepoEntry) -> None:
        self.repositories = [r for r in self.repositories if r.name != entry.name] + [entry]

    def remove(self, name: str) -> bool:
        kept = [r for r in self.repositories if r.name != name]
        found = len(kept) != len(self.repositories)
        self.repositories = kept
        return found

    def save(self) -> None:
        from pyhelm.chart.package import write_atomic

        doc = {
            "apiVersion": "",
            "generated": "0001-01-01T00:00:00Z",
            "repositories": [r.to_dict() for r in self.repositories],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, yamlio.dump(doc).encode("utf-8"))
        os.chmod(self.path, 0o600)  # it may hold passwords


@contextmanager
def locked_repo_file(path: Path | None = None) -> Iterator[RepoFile]:
    """Load ``repositories.yaml`` under its lock; save it when the block ends without error."""
    path = path or repo_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            repo_file = RepoFile.load(path)
            yield repo_file
            repo_file.save()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
