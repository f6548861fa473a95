"""The ``index.yaml`` of a chart repository, compatible with Helm's.

An index maps chart names to their versions, newest first by SemVer; each
version is the chart's Chart.yaml fields plus ``urls``, ``created`` (RFC 3339
with nanoseconds, UTC) and ``digest`` (sha256 of the archive). ``IndexFile.load``
reads YAML or JSON (Helm 4's ``repo index --json``), JSON without a YAML parser
at all; entries that are not valid are skipped and listed in ``warnings``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyhelm import semver_range
from pyhelm.errors import RepoError
from pyhelm.repo import emit

if TYPE_CHECKING:
    from pyhelm.chart.model import ChartMetadata

API_VERSION = "v1"
#: ChartVersion's own keys beside the Chart.yaml fields.
_OWN_KEYS = ("urls", "created", "digest", "removed")


def now_rfc3339() -> str:
    """The current UTC time as Helm writes it: RFC 3339 with nanoseconds."""
    ns = time.time_ns()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + f".{ns % 10**9:09d}Z"


def file_digest(data: bytes) -> str:
    """The sha256 hex digest of an archive, as index entries hold it."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class ChartVersion:
    """One version of one chart in an index: Chart.yaml fields + urls, created, digest.

    ``metadata`` holds every Chart.yaml field as Helm writes it (camelCase keys);
    the attributes below repeat the ones every reader needs.
    """

    name: str
    version: str
    app_version: str = ""
    description: str = ""
    urls: list[str] = field(default_factory=list)
    digest: str = ""
    created: str = ""
    removed: bool = False
    keywords: list[str] = field(default_factory=list)
    deprecated: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_metadata(
        cls,
        metadata: ChartMetadata,
        filename: str,
        digest: str,
        base_url: str | None = None,
        created: str | None = None,
    ) -> ChartVersion:
        """The entry for an archive ``filename`` (relative to the index) with that digest."""
        url = f"{base_url.rstrip('/')}/{filename}" if base_url else filename
        return cls(
            name=metadata.name,
            version=metadata.version,
            app_version=metadata.app_version,
            description=metadata.description,
            urls=[url],
            digest=digest,
            created=created or now_rfc3339(),
            keywords=list(metadata.keywords),
            deprecated=metadata.deprecated,
            metadata=_sorted_keys(metadata.to_dict()),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChartVersion:
        """Build from an index entry; ``ValueError`` if name or version is unusable."""
        name, version = data.get("name"), data.get("version")
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(f"invalid chart name {name!r}")
        if not isinstance(version, str) or not semver_range.is_version(version):
            raise ValueError(f"chart {name!r} has an invalid version {version!r}")
        urls = data.get("urls") or []
        keywords = data.get("keywords") or []
        return cls(
            name=name,
            version=version,
            app_version=_text(data.get("appVersion")),
            description=_text(data.get("description")),
            urls=[str(u) for u in urls] if isinstance(urls, list) else [],
            digest=_text(data.get("digest")),
            created=_text(data.get("created")),
            removed=bool(data.get("removed", False)),
            keywords=[str(k) for k in keywords] if isinstance(keywords, list) else [],
            deprecated=bool(data.get("deprecated", False)),
            metadata={k: v for k, v in data.items() if k not in _OWN_KEYS},
        )

    def to_dict(self) -> dict[str, Any]:
        """The entry as it appears in index.yaml, keys sorted as Helm writes them."""
        out = dict(self.metadata)
        out.update(
            name=self.name,
            version=self.version,
            urls=list(self.urls),
            digest=self.digest,
            created=self.created,
        )
        if self.app_version:
            out["appVersion"] = self.app_version
        if self.removed:
            out["removed"] = True
        return dict(sorted(out.items()))


def _sorted_keys(value: Any) -> Any:
    """Mappings with their keys sorted at every depth, as Helm writes index entries."""
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(v) for v in value]
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class IndexFile:
    """A repository index: ``entries`` (name -> versions, newest first) and ``generated``."""

    def __init__(
        self,
        entries: dict[str, list[ChartVersion]] | None = None,
        generated: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.entries: dict[str, list[ChartVersion]] = entries or {}
        self.generated = generated or now_rfc3339()
        self.extra: dict[str, Any] = extra or {}
        self.warnings: list[str] = []
        #: Text of charts as read from a block-style file, with the versions it holds:
        #: ``dumps`` copies a chart's text when its versions are still equal to those.
        self.blocks: dict[str, tuple[list[ChartVersion], str]] = {}

    # -- reading -----------------------------------------------------------------
    @classmethod
    def load(
        cls, path_or_bytes: str | os.PathLike[str] | bytes, source: str = "index.yaml"
    ) -> IndexFile:
        """Read an index from a file or from bytes (YAML, or JSON read by the fast path).

        Raises ``RepoError`` naming ``source`` when it is not an index at all.
        """
        if isinstance(path_or_bytes, bytes):
            data = path_or_bytes
        else:
            source = str(path_or_bytes) if source == "index.yaml" else source
            try:
                data = Path(path_or_bytes).read_bytes()
            except OSError as exc:
                raise RepoError(f"{source}: cannot read the index: {exc.strerror}") from None
        return cls.from_dict(parse_index_bytes(data, source), source)

    @classmethod
    def from_dict(cls, doc: Any, source: str = "index.yaml") -> IndexFile:
        if not isinstance(doc, dict) or not isinstance(doc.get("entries") or {}, dict):
            raise RepoError(
                f"{source}: not a chart repository index (expected a mapping with 'entries')"
            )
        if doc.get("apiVersion") not in (API_VERSION, None):
            raise RepoError(
                f"{source}: unsupported index apiVersion {doc.get('apiVersion')!r}; expected v1"
            )
        index = cls(
            generated=_text(doc.get("generated")) or None,
            extra={k: v for k, v in doc.items() if k not in ("apiVersion", "entries", "generated")},
        )
        for name, versions in (doc.get("entries") or {}).items():
            for i, item in enumerate(versions or []):
                try:
                    cv = ChartVersion.from_dict(item if isinstance(item, dict) else {})
                except ValueError as exc:
                    index.warnings.append(f"{source}: entries.{name}[{i}] skipped: {exc}")
                    continue
                index.entries.setdefault(name, []).append(cv)
        index.sort_entries()
        return index

    # -- writing -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"apiVersion": API_VERSION}
        doc["entries"] = {
            name: [cv.to_dict() for cv in self.entries[name]] for name in sorted(self.entries)
        }
        doc["generated"] = self.generated
        doc.update(sorted(self.extra.items()))
        return doc

    def dumps(self, as_json: bool = False) -> bytes:
        """The index as YAML (Helm's layout, keys sorted) or, with ``as_json``, as JSON."""
        if as_json or not self.blocks or not self.entries:
            return _encode(self.to_dict(), as_json)
        parts = [f"apiVersion: {API_VERSION}\nentries:\n"]
        for name in sorted(self.entries):
            versions = self.entries[name]
            kept = self.blocks.get(name)
            if kept is not None and kept[0] == versions:
                parts.append(kept[1])
            else:
                parts.append(emit.dumps_at({name: [cv.to_dict() for cv in versions]}, "  "))
        parts.append(emit.dumps({"generated": self.generated, **dict(sorted(self.extra.items()))}))
        return "".join(parts).encode("utf-8")

    def keep_blocks(self, blocks: dict[str, str], doc: dict[str, Any]) -> None:
        """Remember chart texts from the file ``doc`` was read from (see ``blocks``).

        A chart's text is kept only when every version in it was read, in order.
        """
        entries = doc.get("entries") or {}
        for name, text in blocks.items():
            raw = entries.get(name)
            versions = self.entries.get(name)
            if (
                isinstance(raw, list)
                and versions
                and len(raw) == len(versions)
                and all(
                    isinstance(r, dict) and r.get("version") == cv.version
                    for r, cv in zip(raw, versions, strict=True)
                )
            ):
                self.blocks[name] = (list(versions), text)

    def save(self, path: str | os.PathLike[str], as_json: bool = False) -> None:
        """Write the index atomically (temporary file + rename)."""
        from pyhelm.chart.package import write_atomic

        target = Path(path)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, self.dumps(as_json))
        except OSError as exc:
            raise RepoError(f"{target}: cannot write the index: {exc.strerror}") from None

    # -- editing and querying ----------------------------------------------------
    def sort_entries(self) -> None:
        """Sort every chart's versions newest first by SemVer (Helm's order)."""
        for versions in self.entries.values():
            versions.sort(key=lambda cv: semver_range.sort_key(cv.version), reverse=True)

    def add(self, cv: ChartVersion) -> None:
        """Add (or replace) one version, keeping the newest-first order."""
        versions = [v for v in self.entries.get(cv.name, []) if v.version != cv.version]
        versions.append(cv)
        versions.sort(key=lambda v: semver_range.sort_key(v.version), reverse=True)
        self.entries[cv.name] = versions

    def remove(self, name: str, version: str) -> bool:
        """Drop one version; True if it was there. A chart with no versions left is dropped."""
        versions = self.entries.get(name, [])
        kept = [v for v in versions if v.version != version]
        if len(kept) == len(versions):
            return False
        if kept:
            self.entries[name] = kept
        else:
            del self.entries[name]
        return True

    def has(self, name: str, version: str) -> bool:
        return any(v.version == version for v in self.entries.get(name, []))

    def get(self, name: str, constraint: str | None = None, devel: bool = False) -> ChartVersion:
        """The newest version of ``name`` that satisfies ``constraint`` (Helm's rules).

        An exact version string wins first; with no constraint the newest
        release is taken (pre-releases too with ``devel``). Raises ``RepoError``.
        """
        versions = self.entries.get(name)
        if not versions:
            raise RepoError(f"chart {name!r} not found in the repository index")
        if constraint:
            exact = next((v for v in versions if v.version == constraint), None)
            if exact:
                return exact
        text = constraint or ("" if not devel else ">=0.0.0-0")
        try:
            parsed = semver_range.constraint(text)
        except semver_range.VersionError as exc:
            raise RepoError(f"--version {constraint!r}: {exc}") from None
        for cv in versions:
            if parsed.allows(cv.version, include_prerelease=devel):
                return cv
        newest = ", ".join(v.version for v in versions[:5])
        raise RepoError(
            f"chart {name!r} has no version matching {constraint or 'a release'!r} "
            f"(newest: {newest}); change --version{'' if devel else ' or add --devel for pre-releases'}"
        )

    def merge(self, older: IndexFile) -> None:
        """Helm's ``--merge``: versions only in ``older`` are added unchanged; ours win."""
        for name, versions in older.entries.items():
            for cv in versions:
                if not self.has(name, cv.version):
                    self.entries.setdefault(name, []).append(cv)
        self.sort_entries()

    def by_digest(self) -> dict[str, ChartVersion]:
        """Every entry keyed by its digest (for incremental indexing)."""
        return {cv.digest: cv for versions in self.entries.values() for cv in versions if cv.digest}

    def all_versions(self) -> Iterable[ChartVersion]:
        for name in sorted(self.entries):
            yield from self.entries[name]


def _encode(doc: dict[str, Any], as_json: bool) -> bytes:
    if as_json:
        return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
    return emit.dumps(doc).encode("utf-8")


def parse_index_bytes(data: bytes, source: str) -> Any:
    """Parse index bytes: JSON when they start with ``{`` (fast), else YAML."""
    from pyhelm.repo.fastyaml import parse_whole

    return parse_whole(data, source)


def index_directory(
    directory: str | os.PathLike[str],
    base_url: str | None = None,
    merge_from: IndexFile | str | os.PathLike[str] | None = None,
) -> IndexFile:
    """Index every ``*.tgz`` in ``directory`` and one level of subfolders (as Helm).

    Incremental: an archive whose digest ``merge_from`` already knows is not
    opened again; its entry (and ``created``) is reused with a fresh URL. Then
    ``merge_from``'s other versions are merged in (``IndexFile.merge``). A
    corrupt archive is skipped and reported in ``warnings`` by file name.
    See ``pyhelm.repo.indexer``.
    """
    from pyhelm.repo.indexer import DirectoryIndexer

    return DirectoryIndexer(Path(directory), base_url).run(_as_index(merge_from))


def _as_index(value: IndexFile | str | os.PathLike[str] | None) -> IndexFile | None:
    """An ``IndexFile`` from one or a path; a missing file is an empty index (as Helm)."""
    if value is None or isinstance(value, IndexFile):
        return value
    if not Path(value).exists():
        return IndexFile()
    from pyhelm.repo.cache import load_index_cached

    return load_index_cached(Path(value))
