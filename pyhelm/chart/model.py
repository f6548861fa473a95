"""The chart as data: ``Chart.yaml`` metadata, its dependencies, and the loaded chart.

The model follows Helm's chart v2 format field for field. ``ChartMetadata.from_dict``
is the one place Chart.yaml is validated; its errors name the file and the field.
``Dependency`` and ``Maintainer`` are defined in ``pyhelm.chart.entries`` (created only for
charts that have them) and exported from here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyhelm.errors import ChartError

if TYPE_CHECKING:
    from pyhelm.chart.entries import Dependency, Maintainer

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


CHART_TYPES = ("application", "library")


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
            dependencies=_entries(data, "dependencies", source),
            keywords=strings("keywords"),
            maintainers=_entries(data, "maintainers", source),
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


def _entries(data: dict[str, Any], key: str, source: str) -> list[Any]:
    """``dependencies`` or ``maintainers``, parsed; their classes are made only when present."""
    if data.get(key) is None:
        return []
    from pyhelm.chart import entries

    parse = entries.parse_dependencies if key == "dependencies" else entries.parse_maintainers
    return parse(data[key], source)


def __getattr__(name: str) -> Any:
    """``Dependency`` and ``Maintainer``, from ``pyhelm.chart.entries`` on first use."""
    if name in ("Dependency", "Maintainer"):
        from pyhelm.chart import entries

        return getattr(entries, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
