"""``pyhelm lint``: every finding about a chart, not just the first.

Checks, in order: the chart loads (Chart.yaml, values.yaml, the schema);
metadata advice (icon, folder name, deprecation); YAML 1.1 surprises in
values.yaml (unquoted ``yes``/``no``/``on``/``off``/``y``/``n`` that turn into booleans);
the values against values.schema.json; every template renders (each failing
template is its own finding); every rendered document is a YAML mapping with
apiVersion, kind and a valid metadata.name, without YAML 1.1 surprises.

Output follows Helm: ``==> Linting PATH``, ``[ERROR|WARNING|INFO] where: message``,
then ``N chart(s) linted, M chart(s) failed``. Errors fail the run; with
``--strict`` warnings do too.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pyhelm.errors import PyHelmError

DNS_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class Severity(Enum):
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.severity.value}] {self.where}: {self.message}"


@dataclass
class LintOptions:
    values: dict[str, Any] = field(default_factory=dict)
    kube_version: str = "v1.35.0"
    validate_schema: bool = True
    namespace: str = "default"


def lint_chart(path: Path, options: LintOptions) -> list[Finding]:
    """All findings about the chart at ``path`` (folder or archive)."""
    from pyhelm.chart.loader import load_chart

    try:
        chart = load_chart(path)
    except PyHelmError as exc:
        return [Finding(Severity.ERROR, "Chart.yaml", str(exc))]
    findings = _metadata_findings(chart, path)
    raw_values = chart.raw.get("values.yaml")
    if raw_values is None:
        findings.append(Finding(Severity.INFO, "values.yaml", "file does not exist"))
    else:
        findings += yaml11_findings(raw_values.decode("utf-8", "replace"), "values.yaml")
    findings += _render_findings(chart, options)
    return findings


def _metadata_findings(chart: Any, path: Path) -> list[Finding]:
    meta = chart.metadata
    out = []
    if not meta.icon:
        out.append(Finding(Severity.INFO, "Chart.yaml", "icon is recommended"))
    if path.is_dir() and path.resolve().name != meta.name:
        out.append(
            Finding(
                Severity.ERROR,
                "Chart.yaml",
                f"directory name ({path.resolve().name}) and chart name ({meta.name}) must match",
            )
        )
    if meta.deprecated:
        out.append(Finding(Severity.WARNING, "Chart.yaml", "chart is deprecated"))
    if meta.api_version == "v1":
        out.append(
            Finding(Severity.WARNING, "Chart.yaml", "apiVersion v1 is legacy; use apiVersion: v2")
        )
    return out


def yaml11_findings(text: str, where: str) -> list[Finding]:
    """Warnings for unquoted keys or values that YAML 1.1 (or Helm) reads as booleans
    (``on: yes``), as found by :func:`pyhelm.yamlio.find_yaml11_booleans`."""
    from pyhelm.yamlio import find_yaml11_booleans

    out = []
    for warning in find_yaml11_booleans(text, where):
        line, _, message = warning[len(where) + 1 :].partition(": ")
        out.append(Finding(Severity.WARNING, f"{where}:{line}", message))
    return out


def _render_findings(chart: Any, options: LintOptions) -> list[Finding]:
    from pyhelm.errors import RenderError, ValuesError
    from pyhelm.render import RenderOptions
    from pyhelm.render.renderer import render

    errors: list[RenderError] = []
    render_options = RenderOptions(
        release_name="release-name",
        namespace=options.namespace,
        kube_version=options.kube_version,
        validate_schema=options.validate_schema,
    )
    try:
        result = render(chart, options.values, render_options, errors)
    except ValuesError as exc:
        return [Finding(Severity.ERROR, "values.yaml", str(exc))]
    except PyHelmError as exc:
        return [Finding(Severity.ERROR, "templates/", str(exc))]
    out = [Finding(Severity.ERROR, "templates/", str(e)) for e in errors]
    for manifest in [*result.manifests, *result.hooks]:
        out += manifest_findings(manifest.source, manifest.text)
    return out


def manifest_findings(source: str, text: str) -> list[Finding]:
    """A rendered document must be a Kubernetes object: apiVersion, kind and metadata.name."""
    from pyhelm import yamlio
    from pyhelm.errors import RenderError

    where = source.partition("/")[2] or source
    try:
        data = yamlio.load(text, source, RenderError)
    except RenderError as exc:
        return [Finding(Severity.ERROR, where, f"YAML parse error: {exc}")]
    if data is None:
        return []
    if not isinstance(data, dict):
        return [
            Finding(
                Severity.ERROR,
                where,
                f"a manifest must be a YAML mapping (an object), got a {type(data).__name__}",
            )
        ]
    out = [
        Finding(Severity.ERROR, where, f"object has no {key}")
        for key in ("apiVersion", "kind")
        if not data.get(key)
    ]
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if not name:
        out.append(Finding(Severity.ERROR, where, "object has no metadata.name"))
    elif not isinstance(name, str) or len(name) > 253 or not DNS_NAME_RE.match(name):
        out.append(
            Finding(
                Severity.ERROR,
                where,
                f"metadata.name {name!r} is invalid: lowercase letters, digits, '-' and '.', "
                "starting and ending with a letter or digit",
            )
        )
    return out + yaml11_findings(text, where)


def lint_paths(args: argparse.Namespace) -> int:
    """The ``lint`` command: findings per chart, the summary; exit 1 when any chart failed."""
    from pyhelm.cli.common import user_values

    options = LintOptions(
        values=user_values(args),
        kube_version=args.kube_version,
        validate_schema=not args.skip_schema_validation,
        namespace=args.namespace,
    )
    paths = [Path(p) for p in args.paths]
    if args.with_subcharts:
        paths += [
            sub
            for p in list(paths)
            if (p / "charts").is_dir()
            for sub in sorted((p / "charts").iterdir())
            if sub.is_dir() or sub.suffix == ".tgz"
        ]
    failed = 0
    for path in paths:
        findings = lint_chart(path, options)
        fatal = {Severity.ERROR, Severity.WARNING} if args.strict else {Severity.ERROR}
        shown = [f for f in findings if not args.quiet or f.severity is not Severity.INFO]
        if not args.quiet or shown:
            print(f"==> Linting {path}")
            for finding in shown:
                print(finding)
            print()
        failed += any(f.severity in fatal for f in findings)
    print(f"{len(paths)} chart(s) linted, {failed} chart(s) failed")
    return 1 if failed else 0
