"""The chart as data: ``Chart.yaml`` metadata, its dependencies, and the loaded chart.

The model follows Helm's chart v2 format field for field. ``ChartMetadata.from_dict``
is the one place Chart.yaml is validated; its errors name the file and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pyhelm.errors import ChartError

#: Characters of a SemVer 2 pre-release or build identifier.
_IDENTIFIER_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")


def is_strict_semver(text: str) -> bool:
    """Strict SemVer 2.0.0 (semver.org): MAJOR.MINOR.PATCH[-pre][+build], no leading zeros.

    Written out rather than as semver.org's regex, whose compilation alone
    costs more than loading a chart.
    """
    rest, plus, build = text.partition("+")
    core, dash, pre = rest.partition("-")
    numbers = core.split(".")
    if len(numbers) != 3 or not all(_numeric(n) for n in numbers):
        return False
    if dash and not all(_identifier(i) and (not i.isdigit() or _numeric(i)) for i in pre.split(".")):
        return False
    return not plus or all(_identifier(i) for i in build.split("."))


def _numeric(part: str) -> bool:
    return part.isascii() and part.isdigit() and (part == "0" or part[0] != "0")


def _identifier(part: str) -> bool:
    return bool(part) and set(part) <= _IDENTIFIER_CHARS


ALIAS_RE = re.compile(r"^[a-zA-Z0-9_-]+$")
CHART_TYPES = ("application", "library")


@dataclass(frozen=True)
class Maintainer:
    """One entry of ``maintainers:`` in Chart.yaml."""

    name: str
    email: str = ""
    url: str = ""

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("name", self.name), ("email", self.email), ("url", self.url)) if v}


@dataclass
class Dependency:
    """One entry of ``dependencies:`` in Chart.yaml."""

    name: str
    version: str = ""
    repository: str = ""
    condition: str = ""
    tags: list[str] = field(default_factory=list)
    alias: str = ""
    import_values: list[Any] = field(default_factory=list)
    enabled: bool = True

    @property
    def effective_name(self) -> str:
        """The name the subchart is known by in the parent: its alias, else its name."""
        return self.alias or self.name

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        for key, value in (
            ("version", self.version),
            ("repository", self.repository),
            ("condition", self.condition),
            ("tags", self.tags),
            ("alias", self.alias),
            ("import-values", self.import_values),
        ):
            if value:
                out[key] = value
        return out


@dataclass
class ChartMetadata:
    """The contents of Chart.yaml (apiVersion v2)."""

    name: str
    version: str
    api_version: str = "v2"
    app_version: str = ""
    description: str = ""
    type: str = "application"
    kube_version: str = ""
    dependencies: list[Dependency] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    maintainers: list[Maintainer] = field(default_factory=list)
    home: str = ""
    sources: list[str] = field(default_factory=list)
    icon: str = ""
    annotations: dict[str, str] = field(default_factory=dict)
    deprecated: bool = False

    @classmethod
    def from_dict(cls, data: Any, source: str = "Chart.yaml") -> ChartMetadata:
        """Validate a parsed Chart.yaml; raise ``ChartError`` naming ``source`` and the field."""
        if not isinstance(data, dict):
            raise ChartError(f"{source}: must be a YAML mapping of fields (apiVersion, name, version, ...)")

        def text(key: str, required: bool = False) -> str:
            value = data.get(key)
            if value is None or value == "":
                if required:
                    raise ChartError(f"{source}: field '{key}' is required")
                return ""
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise ChartError(f"{source}: field '{key}' must be a string, got {type(value).__name__}")
            return str(value)

        def strings(key: str) -> list[str]:
            value = data.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ChartError(f"{source}: field '{key}' must be a list of strings")
            return list(value)

        api_version = text("apiVersion", required=True)
        if api_version not in ("v1", "v2"):
            raise ChartError(f"{source}: field 'apiVersion' must be v2 (or the legacy v1), got {api_version!r}")
        name = text("name", required=True)
        if name in (".", "..") or "/" in name or "\\" in name:
            raise ChartError(f"{source}: field 'name' {name!r} is invalid: it must be a plain name, no '/'")
        version = data.get("version")
        if version is None or version == "":
            raise ChartError(f"{source}: field 'version' is required")
        if not isinstance(version, str):
            raise ChartError(
                f"{source}: field 'version' must be a string but is {type(version).__name__} "
                f"({version!r}); quote it, e.g. version: \"{version}\""
            )
        if not is_strict_semver(version):
            raise ChartError(
                f"{source}: field 'version' {version!r} is not a valid SemVer 2 version "
                "(expected MAJOR.MINOR.PATCH, e.g. 1.2.3 or 1.2.3-rc.1)"
            )
        chart_type = text("type") or "application"
        if chart_type not in CHART_TYPES:
            raise ChartError(f"{source}: field 'type' must be application or library, got {chart_type!r}")
        annotations = data.get("annotations") or {}
        if not isinstance(annotations, dict):
            raise ChartError(f"{source}: field 'annotations' must be a mapping of strings")
        deprecated = data.get("deprecated", False)
        if not isinstance(deprecated, bool):
            raise ChartError(f"{source}: field 'deprecated' must be true or false")
        return cls(
            api_version=api_version,
            name=name,
            version=version,
            app_version=text("appVersion"),
            description=text("description"),
            type=chart_type,
            kube_version=text("kubeVersion"),
            dependencies=_dependencies(data.get("dependencies"), source),
            keywords=strings("keywords"),
            maintainers=_maintainers(data.get("maintainers"), source),
            home=text("home"),
            sources=strings("sources"),
            icon=text("icon"),
            annotations={str(k): str(v) for k, v in annotations.items()},
            deprecated=deprecated,
        )

    def to_dict(self) -> dict[str, Any]:
        """Chart.yaml as Helm writes it: camelCase keys, empty fields left out."""
        out: dict[str, Any] = {"apiVersion": self.api_version, "name": self.name, "version": self.version}
        optional: tuple[tuple[str, Any], ...] = (
            ("appVersion", self.app_version),
            ("description", self.description),
            ("type", self.type),
            ("kubeVersion", self.kube_version),
            ("dependencies", [d.to_dict() for d in self.dependencies]),
            ("keywords", self.keywords),
            ("maintainers", [m.to_dict() for m in self.maintainers]),
            ("home", self.home),
            ("sources", self.sources),
            ("icon", self.icon),
            ("annotations", self.annotations),
            ("deprecated", self.deprecated),
        )
        out.update((key, value) for key, value in optional if value)
        return dict(sorted(out.items()))


def _maintainers(value: Any, source: str) -> list[Maintainer]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ChartError(f"{source}: field 'maintainers' must be a list of {{name, email, url}}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not item.get("name"):
            raise ChartError(f"{source}: maintainers[{i}] must be a mapping with at least a 'name'")
        out.append(Maintainer(str(item["name"]), str(item.get("email") or ""), str(item.get("url") or "")))
    return out


def _dependencies(value: Any, source: str) -> list[Dependency]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ChartError(f"{source}: field 'dependencies' must be a list")
    out: list[Dependency] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        where = f"{source}: dependencies[{i}]"
        if not isinstance(item, dict) or not item.get("name"):
            raise ChartError(f"{where} must be a mapping with at least a 'name'")
        alias = str(item.get("alias") or "")
        if alias and not ALIAS_RE.match(alias):
            raise ChartError(f"{where}: alias {alias!r} may only hold letters, digits, '-' and '_'")
        tags = item.get("tags") or []
        if not isinstance(tags, list):
            raise ChartError(f"{where}: 'tags' must be a list of strings")
        imports = item.get("import-values") or []
        if not isinstance(imports, list):
            raise ChartError(f"{where}: 'import-values' must be a list")
        dep = Dependency(
            name=str(item["name"]),
            version=str(item.get("version") or ""),
            repository=str(item.get("repository") or ""),
            condition=str(item.get("condition") or ""),
            tags=[str(t) for t in tags],
            alias=alias,
            import_values=list(imports),
            enabled=bool(item.get("enabled", True)),
        )
        if dep.effective_name in seen:
            raise ChartError(f"{where}: more than one dependency is named {dep.effective_name!r}; use 'alias'")
        seen.add(dep.effective_name)
        out.append(dep)
    return out


# Never compared by value, and a repr of every file helps no one: no generated __eq__/__repr__
# (each generated method is compiled at import, on every run).
@dataclass(eq=False, repr=False)
class Chart:
    """A loaded chart: metadata, default values, templates, files and subcharts.

    Paths are relative to the chart's root and use '/'. ``templates`` holds
    every file under ``templates/`` (NOTES.txt and ``_helpers`` included);
    ``files`` holds every other file except Chart.yaml, values.yaml,
    values.schema.json, Chart.lock and what lies under ``charts/`` — the files
    a template reaches through ``Files``. ``raw`` holds every loaded file, as
    read, for packaging.
    """

    metadata: ChartMetadata
    values: dict[str, Any] = field(default_factory=dict)
    schema: dict[str, Any] | None = None
    templates: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    subcharts: list[Chart] = field(default_factory=list)
    lock: dict[str, Any] | None = None
    raw: dict[str, bytes] = field(default_factory=dict)
    source: str = ""

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        return self.metadata.version

    @property
    def crds(self) -> dict[str, bytes]:
        """Files under ``crds/``, sorted by path."""
        return {p: c for p, c in sorted(self.files.items()) if p.startswith("crds/")}

    @property
    def notes_template(self) -> str | None:
        return self.templates.get("templates/NOTES.txt")

    def subchart(self, name: str) -> Chart | None:
        return next((c for c in self.subcharts if c.name == name), None)
