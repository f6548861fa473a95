"""Chart dependencies: ``Chart.lock``, ``dependency update|build|list``, the render-time check.

A dependency's ``repository`` is a URL (``https://...``, an added repository's
index is used when the URL matches one), ``@name`` / ``alias:name`` (an added
repository), ``file://path`` (a chart folder relative to the parent), or empty
(the subchart is kept by hand under ``charts/``). ``update`` resolves every
``version`` constraint (Helm's syntax, ``semver_range``) to the newest match,
writes ``charts/<name>-<version>.tgz`` and ``Chart.lock`` (with Helm's digest of
the requirements and the lock); ``build`` fetches exactly what the lock says.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyhelm import semver_range, yamlio
from pyhelm.chart.loader import load_chart
from pyhelm.chart.model import Chart, Dependency
from pyhelm.errors import DependencyError, PyHelmError

if TYPE_CHECKING:
    from pyhelm.repo.index import IndexFile


def requirements_digest(requirements: list[Dependency], locked: list[dict[str, Any]]) -> str:
    """Helm's ``HashReq``: sha256 of the JSON of ``[requirements, lock]``, Go's encoding."""

    def go_dep(d: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": d.get("name", "")}
        if d.get("version"):
            out["version"] = d["version"]
        out["repository"] = d.get("repository", "")
        for key in ("condition", "tags", "enabled", "import-values", "alias"):
            if d.get(key):
                out[key] = d[key]
        return out

    doc = [[go_dep(r.to_dict()) for r in requirements], [go_dep(d) for d in locked]]
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class DependencyStatus:
    name: str
    version: str
    repository: str
    status: str

    def to_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "version": self.version,
            "repository": self.repository,
            "status": self.status,
        }


# -- the render-time check ---------------------------------------------------------
def check_dependencies(chart: Chart) -> Chart:
    """Return ``chart`` if its Chart.yaml dependencies are all in charts/ and up to date.

    Raises ``DependencyError`` naming the chart and the dependency, with the
    command that fixes it.
    """
    deps = chart.metadata.dependencies
    if not deps:
        return chart
    where = chart.source or chart.name
    if chart.lock and chart.lock.get("digest"):
        locked = chart.lock.get("dependencies") or []
        if requirements_digest(deps, locked) != chart.lock["digest"]:
            raise DependencyError(
                f"{where}: Chart.lock is out of date with the dependencies in Chart.yaml; "
                f"run 'pyhelm dependency update {where}'"
            )
    for dep in deps:
        subs = [c for c in chart.subcharts if c.name == dep.name]
        fitting = [c for c in subs if not dep.version or _satisfies(c.version, dep.version)]
        sub = (fitting or subs or [None])[0]
        if sub is None:
            raise DependencyError(
                f"{where}: dependency {dep.name!r} is in Chart.yaml but missing from charts/; "
                f"run 'pyhelm dependency build {where}'"
            )
        if dep.version and not _satisfies(sub.version, dep.version):
            raise DependencyError(
                f"{where}: dependency {dep.name!r} in charts/ is version {sub.version}, which does not "
                f"satisfy {dep.version!r}; run 'pyhelm dependency build {where}'"
            )
    return chart


def _satisfies(version: str, constraint: str) -> bool:
    try:
        return semver_range.constraint(constraint).allows(version, include_prerelease=True)
    except semver_range.VersionError:
        return True  # an unparseable constraint is reported by 'dependency update', not at render


# -- list ----------------------------------------------------------------------------
def list_dependencies(chart_dir: str | os.PathLike[str]) -> list[DependencyStatus]:
    """``dependency list``: each dependency with ok / missing / wrong version / unpacked."""
    root = Path(chart_dir)
    chart = load_chart(root)
    out = []
    for dep in chart.metadata.dependencies:
        sub = chart.subchart(dep.name)
        if sub is None:
            status = "missing"
        elif dep.version and not _satisfies(sub.version, dep.version):
            status = "wrong version"
        elif (root / "charts" / dep.name).is_dir():
            status = "unpacked"
        else:
            status = "ok"
        out.append(DependencyStatus(dep.name, dep.version, dep.repository, status))
    return out


# -- update and build ---------------------------------------------------------------
def update_dependencies(chart_dir: str | os.PathLike[str], skip_refresh: bool = False) -> list[str]:
    """``dependency update``: resolve constraints, fill charts/, write Chart.lock. Returns progress lines."""
    root = Path(chart_dir)
    chart = load_chart(root)
    resolver = _Resolver(root, skip_refresh)
    locked: list[dict[str, Any]] = []
    lines: list[str] = []
    for dep in chart.metadata.dependencies:
        entry = resolver.resolve(dep, dep.version)
        locked.append(entry)
    lines += resolver.fetch_all(chart.metadata.dependencies, locked)
    lock = {
        "dependencies": locked,
        "digest": requirements_digest(chart.metadata.dependencies, locked),
        "generated": _now(),
    }
    if chart.metadata.dependencies:
        from pyhelm.chart.package import write_atomic

        write_atomic(root / "Chart.lock", yamlio.dump(lock).encode("utf-8"))
    lines.append(f"Saving {len(locked)} charts")
    return lines


def build_dependencies(chart_dir: str | os.PathLike[str], skip_refresh: bool = False) -> list[str]:
    """``dependency build``: fetch exactly the versions in Chart.lock into charts/."""
    root = Path(chart_dir)
    chart = load_chart(root)
    if not chart.metadata.dependencies:
        return [f"No dependencies in {root}/Chart.yaml"]
    if not chart.lock:
        return ["No Chart.lock found; resolving the dependencies"] + update_dependencies(
            root, skip_refresh
        )
    locked = chart.lock.get("dependencies") or []
    if requirements_digest(chart.metadata.dependencies, locked) != chart.lock.get("digest"):
        raise DependencyError(
            f"{root}/Chart.lock is out of sync with the dependencies in Chart.yaml; "
            f"run 'pyhelm dependency update {root}'"
        )
    resolver = _Resolver(root, skip_refresh)
    exact = [
        resolver.resolve(dep, str(item.get("version", "")), item.get("repository"))
        for dep, item in zip(chart.metadata.dependencies, locked, strict=False)
    ]
    return resolver.fetch_all(chart.metadata.dependencies, exact)


def _now() -> str:
    from pyhelm.repo.index import now_rfc3339

    return now_rfc3339()


class _Resolver:
    """Finds each dependency's chart in its repository and writes it to charts/."""

    def __init__(self, root: Path, skip_refresh: bool) -> None:
        self.root = root
        self.skip_refresh = skip_refresh
        self._indexes: dict[str, IndexFile] = {}
        self._archives: dict[str, bytes] = {}
        self._refreshed: set[str] = set()

    def resolve(
        self, dep: Dependency, constraint: str, locked_repo: str | None = None
    ) -> dict[str, Any]:
        """The Chart.lock entry for ``dep``: name, repository (resolved URL) and exact version."""
        repo = dep.repository
        if not repo:
            return {"name": dep.name, "repository": "", "version": dep.version}
        if repo.startswith("file://"):
            return self._resolve_file(dep, constraint)
        if repo.startswith("oci://"):
            raise DependencyError(
                f"dependency {dep.name!r}: OCI registries ({repo}) are not supported; "
                "use an HTTP chart repository or file://"
            )
        entry = self._repo_entry(dep, locked_repo or repo)
        index = self._index(entry, dep.name)
        from pyhelm.errors import RepoError

        try:
            cv = index.get(dep.name, constraint or None)
        except RepoError as exc:
            raise DependencyError(
                f"{self.root}/Chart.yaml: dependency {dep.name!r}: {exc}"
            ) from None
        from pyhelm.repo.client import download_chart

        self._archives[f"{dep.name}-{cv.version}"] = download_chart(entry, cv).read_bytes()
        return {
            "name": dep.name,
            "repository": entry.url if repo.startswith(("@", "alias:")) else repo,
            "version": cv.version,
        }

    def _resolve_file(self, dep: Dependency, constraint: str) -> dict[str, Any]:
        from pyhelm.chart.package import archive_bytes

        path = (self.root / dep.repository[len("file://") :]).resolve()
        try:
            meta, data = archive_bytes(path)
        except PyHelmError as exc:
            raise DependencyError(f"dependency {dep.name!r} ({dep.repository}): {exc}") from None
        if constraint and not _satisfies(meta.version, constraint):
            raise DependencyError(
                f"dependency {dep.name!r} at {path} is version {meta.version}, which does not "
                f"satisfy {constraint!r}; change 'version' in {self.root}/Chart.yaml"
            )
        self._archives[f"{dep.name}-{meta.version}"] = data
        return {"name": dep.name, "repository": dep.repository, "version": meta.version}

    def _repo_entry(self, dep: Dependency, repo: str) -> Any:
        from pyhelm.repo.config import RepoEntry, RepoFile

        repo_file = RepoFile.load()
        if repo.startswith(("@", "alias:")):
            name = repo.split(":", 1)[1] if repo.startswith("alias:") else repo[1:]
            entry = repo_file.get(name)
            if entry is None:
                raise DependencyError(
                    f"dependency {dep.name!r}: no repository named {name!r}; "
                    f"run 'pyhelm repo add {name} <url>'"
                )
            return entry
        if not repo.startswith(("http://", "https://")):
            raise DependencyError(
                f"dependency {dep.name!r}: repository {repo!r} must be a URL, @name or file://"
            )
        return repo_file.by_url(repo) or RepoEntry(name=f"dependency-{dep.name}", url=repo)

    def _index(self, entry: Any, chart: str) -> IndexFile:
        from pyhelm.repo import client
        from pyhelm.repo.config import RepoFile
        from pyhelm.repo.index import IndexFile

        if entry.url in self._indexes:
            return self._indexes[entry.url]
        if RepoFile.load().get(entry.name) == entry:
            if not self.skip_refresh and entry.name not in self._refreshed:
                result = client.fetch_index(entry)
                if result.error:
                    raise DependencyError(result.error)
                self._refreshed.add(entry.name)
            return client.load_repo_index(entry.name, only=chart)
        data = client.http_get(entry, f"{entry.url}/index.yaml").content
        index = IndexFile.load(data, f"{entry.url}/index.yaml")
        self._indexes[entry.url] = index
        return index

    def fetch_all(self, deps: list[Dependency], locked: list[dict[str, Any]]) -> list[str]:
        """Write the resolved archives to charts/, removing older archives of the same charts."""
        from pyhelm.chart.package import write_atomic

        charts = self.root / "charts"
        wanted = {f"{d.name}-{item['version']}" for d, item in zip(deps, locked, strict=False)}
        lines = []
        for dep, item in zip(deps, locked, strict=False):
            key = f"{dep.name}-{item['version']}"
            if key not in self._archives:
                continue  # kept by hand under charts/
            charts.mkdir(exist_ok=True)
            for old in charts.glob(f"{dep.name}-*.tgz"):
                if old.stem not in wanted and semver_range.is_version(
                    old.stem[len(dep.name) + 1 :]
                ):
                    old.unlink()
            write_atomic(charts / f"{key}.tgz", self._archives[key])
            lines.append(f"Got {dep.name} {item['version']} from {dep.repository}")
        return lines
