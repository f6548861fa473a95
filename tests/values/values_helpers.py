"""Builders shared by the values tests: chart folders on disk, and Helm's view of them."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: A template that prints the values tree the chart sees, as Helm would.
DUMP_TEMPLATE = "{{ toJson .Values }}\n"


@dataclass
class Spec:
    """A chart to write: its values, dependencies, subcharts and schema."""

    name: str
    values: dict[str, Any] | str | None = None
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    subcharts: list[Spec] = field(default_factory=list)
    schema: dict[str, Any] | None = None


def write_chart(parent: Path, spec: Spec) -> Path:
    """Write ``spec`` as a chart folder under ``parent``; returns the folder."""
    root = parent / spec.name
    (root / "templates").mkdir(parents=True)
    meta: dict[str, Any] = {"apiVersion": "v2", "name": spec.name, "version": "0.1.0"}
    if spec.dependencies:
        meta["dependencies"] = [{"version": "0.1.0", **dep} for dep in spec.dependencies]
    (root / "Chart.yaml").write_text(yaml.safe_dump(meta))
    if spec.values is not None:
        text = spec.values if isinstance(spec.values, str) else yaml.safe_dump(spec.values)
        (root / "values.yaml").write_text(text)
    if spec.schema is not None:
        (root / "values.schema.json").write_text(json.dumps(spec.schema))
    (root / "templates" / "values.yaml").write_text(DUMP_TEMPLATE)
    for sub in spec.subcharts:
        write_chart(root / "charts", sub)
    return root


def helm_values(helm_bin: str, chart: Path, *args: str, stdin: str | None = None) -> dict[str, Any]:
    """The root chart's ``.Values`` as ``helm template`` computes them."""
    done = subprocess.run([helm_bin, "template", "r", str(chart), *args], capture_output=True,
                          text=True, input=stdin, cwd=chart.parent, timeout=60)
    assert done.returncode == 0, done.stderr
    source = f"# Source: {chart.name}/templates/values.yaml\n"
    body = done.stdout.split(source, 1)[1].split("\n---", 1)[0]
    return json.loads(body)


def helm_error(helm_bin: str, chart: Path, *args: str) -> str:
    """The error line ``helm template`` prints for bad input."""
    done = subprocess.run([helm_bin, "template", "r", str(chart), *args], capture_output=True,
                          text=True, cwd=chart.parent, timeout=60)
    assert done.returncode != 0, done.stdout
    return done.stderr
