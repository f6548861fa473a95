"""Release output as Helm 4 prints it: the status block, tables, JSON and YAML forms."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from pyhelm.cluster.base import ObjectRef
from pyhelm.release.model import Release, Summary, format_time
from pyhelm.release.wait import Readiness


def ansic(when: datetime | None) -> str:
    """Go's ANSIC layout in local time: ``Wed Nov  5 17:46:58 2026``."""
    if when is None:
        return ""
    local = when.astimezone()
    return local.strftime("%a %b ") + f"{local.day:>2}" + local.strftime(" %H:%M:%S %Y")


def go_time(when: datetime | None) -> str:
    """Go's ``time.String`` layout, as ``list`` shows it: ``2026-01-02 10:00:00.5 +0000 UTC``
    (fractional seconds without trailing zeros, none when whole)."""
    if when is None:
        return ""
    local = when.astimezone()
    fraction = f".{local.microsecond:06d}".rstrip("0").rstrip(".")
    return (
        local.strftime("%Y-%m-%d %H:%M:%S")
        + fraction
        + local.strftime(" %z ")
        + (local.tzname() or "")
    )


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], no_headers: bool = False) -> str:
    """Columns padded to their widest cell and separated by a tab (Helm's uitable)."""
    cells = [list(map(str, header))] if not no_headers else []
    cells += [[" ".join(str(c).split("\n")) for c in row] for row in rows]
    if not cells:
        return ""
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = [
        "\t".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines) + "\n"


def release_block(
    release: Release,
    *,
    test_suite: bool = False,
    show_manifest: bool = False,
    hide_notes: bool = False,
) -> str:
    """``NAME: ...`` / ``LAST DEPLOYED`` / ... / ``NOTES:`` as install, upgrade and status print."""
    lines = [
        f"NAME: {release.name}",
        f"LAST DEPLOYED: {ansic(release.info.last_deployed)}",
        f"NAMESPACE: {release.namespace}",
        f"STATUS: {release.status.value}",
        f"REVISION: {release.version}",
        f"DESCRIPTION: {release.info.description}",
    ]
    if test_suite:
        lines += test_suite_lines(release)
    text = "\n".join(lines) + "\n"
    if show_manifest:
        text += f"HOOKS:\n{hooks_text(release)}MANIFEST:\n{release.manifest}"
        if not text.endswith("\n"):
            text += "\n"
    if release.info.notes and not hide_notes:
        text += "\nNOTES:\n" + release.info.notes.rstrip("\n") + "\n"
    return text


def test_suite_lines(release: Release) -> list[str]:
    tests = [h for h in release.hooks if "test" in h.events and h.last_run.started_at]
    if not tests:
        return ["TEST SUITE: None"]
    out = []
    for hook in tests:
        out += [
            f"TEST SUITE:     {hook.name}",
            f"Last Started:   {hook.last_run.started_at}",
            f"Last Completed: {hook.last_run.completed_at}",
            f"Phase:          {hook.last_run.phase}",
        ]
    return out


def hooks_text(release: Release) -> str:
    """The hooks as ``helm get hooks`` prints them: ``---\\n# Source: <path>\\n<manifest>``."""
    return "".join(f"---\n# Source: {h.path}\n{h.manifest.rstrip()}\n" for h in release.hooks)


def values_text(values: dict[str, Any], computed: bool = False) -> str:
    """``USER-SUPPLIED VALUES:`` (or ``COMPUTED VALUES:``) then YAML; ``null`` when empty."""
    from pyhelm import yamlio

    header = "COMPUTED VALUES:" if computed else "USER-SUPPLIED VALUES:"
    return f"{header}\n" + (yamlio.dump(values) if values else "null\n")


def notes_text(release: Release) -> str:
    return f"NOTES:\n{release.info.notes.rstrip()}\n" if release.info.notes else ""


def everything_text(release: Release, computed: dict[str, Any]) -> str:
    """``get all``: the status block, both values, hooks, manifest, notes."""
    text = release_block(release, test_suite=True, hide_notes=True)
    text += values_text(release.config) + "\n" + values_text(computed, computed=True)
    text += "\nHOOKS:\n" + hooks_text(release) + "MANIFEST:\n" + release.manifest
    return text + ("\n" + notes_text(release) if release.info.notes else "")


def resources_table(
    resources: Sequence[tuple[dict[str, Any], Readiness]], missing: Sequence[str]
) -> str:
    """``status --show-resources``: each live object, its readiness, ready/desired."""
    rows = [
        [
            f"{o['kind']}/{o['metadata']['name']}",
            o["metadata"].get("namespace", ""),
            "ready" if r.ready else f"not ready: {r.message}",
            r.progress,
        ]
        for o, r in resources
    ]
    rows += [[m, "", "missing", ""] for m in missing]
    return "RESOURCES:\n" + table(("NAME", "NAMESPACE", "STATUS", "READY"), rows)


def metadata_data(release: Release) -> dict[str, Any]:
    """``get metadata`` as data: the chart's identity and the revision's."""
    meta = release.chart_metadata
    return {
        "name": release.name,
        "chart": meta.get("name", ""),
        "version": meta.get("version", ""),
        "appVersion": meta.get("appVersion", ""),
        "annotations": meta.get("annotations") or {},
        "labels": release.labels,
        "dependencies": meta.get("dependencies") or [],
        "namespace": release.namespace,
        "revision": release.version,
        "status": release.status.value,
        "deployedAt": format_time(release.info.last_deployed),
        "applyMethod": release.apply_method,
    }


def metadata_text(release: Release) -> str:
    """``get metadata`` as Helm prints it: ``KEY: value`` lines."""
    data = metadata_data(release)
    method = {"ssa": "server-side apply", "csa": "client-side apply"}
    rows = {
        "NAME": data["name"],
        "CHART": data["chart"],
        "VERSION": data["version"],
        "APP_VERSION": data["appVersion"],
        "ANNOTATIONS": ",".join(f"{k}={v}" for k, v in sorted(data["annotations"].items())),
        "LABELS": ",".join(f"{k}={v}" for k, v in sorted(data["labels"].items())),
        "DEPENDENCIES": ",".join(d.get("name", "") for d in data["dependencies"]),
        "NAMESPACE": data["namespace"],
        "REVISION": data["revision"],
        "STATUS": data["status"],
        "DEPLOYED_AT": data["deployedAt"],
        "APPLY_METHOD": method.get(release.apply_method, release.apply_method),
    }
    return "".join(f"{key}: {value}\n" for key, value in rows.items())


def release_data(release: Release) -> dict[str, Any]:
    return release.to_dict()


def dump(data: Any, output: str) -> str:
    """``-o json`` (one line, as Helm) or ``-o yaml``."""
    if output == "json":
        return json.dumps(data, default=str) + "\n"
    from pyhelm import yamlio

    return yamlio.dump(data)


def list_rows(summaries: Sequence[Summary]) -> list[list[str]]:
    return [
        [
            s.name,
            s.namespace,
            str(s.revision),
            go_time(s.updated),
            s.status.value,
            s.chart,
            s.app_version,
        ]
        for s in summaries
    ]


LIST_HEADER = ("NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION")
HISTORY_HEADER = ("REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION")


def list_data(summaries: Sequence[Summary]) -> list[dict[str, str]]:
    return [
        {
            "name": s.name,
            "namespace": s.namespace,
            "revision": str(s.revision),
            "updated": go_time(s.updated),
            "status": s.status.value,
            "chart": s.chart,
            "app_version": s.app_version,
        }
        for s in summaries
    ]


def history_rows(summaries: Sequence[Summary]) -> list[list[str]]:
    return [
        [str(s.revision), ansic(s.updated), s.status.value, s.chart, s.app_version, s.description]
        for s in summaries
    ]


def history_data(summaries: Sequence[Summary]) -> list[dict[str, Any]]:
    return [
        {
            "revision": s.revision,
            "updated": s.updated.isoformat() if s.updated else "",
            "status": s.status.value,
            "chart": s.chart,
            "app_version": s.app_version,
            "description": s.description,
        }
        for s in summaries
    ]


class WaitReporter:
    """Readiness while waiting: a live line on a terminal, a summary line otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last: dict[ObjectRef, Readiness] = {}
        self.polls = 0

    def __call__(self, states: dict[ObjectRef, Readiness]) -> None:
        self.polls += 1
        self.last.update(states)
        if self.tty:
            parts = [
                f"{ref.kind}/{ref.name} {s.progress or ('ready' if s.ready else 'waiting')}"
                for ref, s in self.last.items()
            ]
            self.stream.write("\r\x1b[Kwaiting: " + ", ".join(parts))
            self.stream.flush()

    def summary(self) -> None:
        if not self.last:
            return
        if self.tty:
            self.stream.write("\n")
        ready = sum(1 for s in self.last.values() if s.ready)
        detail = ", ".join(
            f"{ref.kind}/{ref.name}" + (f" {s.progress}" if s.progress else "")
            for ref, s in self.last.items()
        )
        self.stream.write(f"waited for {len(self.last)} object(s), {ready} ready: {detail}\n")
