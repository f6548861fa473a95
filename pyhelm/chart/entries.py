"""Chart.yaml's list entries: ``maintainers`` and ``dependencies``.

Apart from ``pyhelm.chart.model`` (which still exports both classes) because most charts have
neither: a chart without them never creates these classes, each a dataclass whose generated
methods are compiled at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pyhelm.errors import ChartError

ALIAS_RE = re.compile(r"^[a-zA-Z0-9_-]+$")


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


def parse_maintainers(value: Any, source: str) -> list[Maintainer]:
    if not isinstance(value, list):
        raise ChartError(f"{source}: field 'maintainers' must be a list of {{name, email, url}}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or not item.get("name"):
            raise ChartError(f"{source}: maintainers[{i}] must be a mapping with at least a 'name'")
        out.append(Maintainer(str(item["name"]), str(item.get("email") or ""), str(item.get("url") or "")))
    return out


def parse_dependencies(value: Any, source: str) -> list[Dependency]:
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
