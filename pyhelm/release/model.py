"""The release record, kept as Helm keeps it (helm-facts §2.7).

A ``Release`` is one revision of one release. Its JSON form (``to_dict`` /
``from_dict``) uses Helm's keys, so records written by pyhelm and by Helm
read the same: ``name``, ``namespace``, ``version``, ``info``, ``chart``,
``config`` (the values the user gave), ``manifest``, ``hooks``,
``apply_method``.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pyhelm.errors import ReleaseError

if TYPE_CHECKING:
    from pyhelm.chart.model import Chart

#: Helm's release-name rule (DNS-1123 subdomain, at most 53 characters).
NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
MAX_NAME_LENGTH = 53


class Status(StrEnum):
    """A revision's status, with Helm's exact strings."""

    UNKNOWN = "unknown"
    DEPLOYED = "deployed"
    UNINSTALLED = "uninstalled"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    UNINSTALLING = "uninstalling"
    PENDING_INSTALL = "pending-install"
    PENDING_UPGRADE = "pending-upgrade"
    PENDING_ROLLBACK = "pending-rollback"

    @property
    def is_pending(self) -> bool:
        return self in (
            Status.PENDING_INSTALL,
            Status.PENDING_UPGRADE,
            Status.PENDING_ROLLBACK,
            Status.UNINSTALLING,
        )


def validate_name(name: str) -> None:
    """Raise ``ReleaseError`` unless ``name`` is a valid release name."""
    if not name:
        raise ReleaseError("a release name is required (or use --generate-name)")
    if len(name) > MAX_NAME_LENGTH or not NAME_RE.match(name):
        raise ReleaseError(
            f"release name {name!r} is invalid: it must be at most {MAX_NAME_LENGTH} characters of "
            "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
        )


def now() -> datetime:
    return datetime.now(UTC)


def format_time(when: datetime | None) -> str:
    """RFC 3339 in UTC, as stored in the record (``2026-11-25T17:46:58.123456Z``)."""
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else ""


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # Go writes nanoseconds
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass
class HookRun:
    """When a hook last ran and how it ended (Helm's ``last_run``)."""

    started_at: str = ""
    completed_at: str = ""
    phase: str = ""


@dataclass
class Hook:
    """A hook manifest kept with its release, and how its last run went."""

    name: str
    kind: str
    path: str
    manifest: str
    events: list[str]
    weight: int = 0
    delete_policies: list[str] = field(default_factory=list)
    last_run: HookRun = field(default_factory=HookRun)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "path": self.path,
            "manifest": self.manifest,
            "events": self.events,
            "weight": self.weight,
            "delete_policies": self.delete_policies,
            "last_run": vars(self.last_run).copy(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hook:
        run = data.get("last_run") or {}
        return cls(
            name=data.get("name", ""),
            kind=data.get("kind", ""),
            path=data.get("path", ""),
            manifest=data.get("manifest", ""),
            events=list(data.get("events") or []),
            weight=int(data.get("weight") or 0),
            delete_policies=list(data.get("delete_policies") or []),
            last_run=HookRun(
                run.get("started_at", ""), run.get("completed_at", ""), run.get("phase", "")
            ),
        )


@dataclass
class Info:
    """A revision's status, its times, description and rendered notes (Helm's ``info``)."""

    status: Status
    first_deployed: datetime | None = None
    last_deployed: datetime | None = None
    deleted: datetime | None = None
    description: str = ""
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "first_deployed": format_time(self.first_deployed),
            "last_deployed": format_time(self.last_deployed),
            "deleted": format_time(self.deleted),
            "description": self.description,
            "status": self.status.value,
        }
        if self.notes:
            out["notes"] = self.notes
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Info:
        try:
            status = Status(data.get("status") or "unknown")
        except ValueError:
            status = Status.UNKNOWN
        return cls(
            status=status,
            first_deployed=parse_time(data.get("first_deployed")),
            last_deployed=parse_time(data.get("last_deployed")),
            deleted=parse_time(data.get("deleted")),
            description=data.get("description", ""),
            notes=data.get("notes", ""),
        )


def chart_record(chart: Chart) -> dict[str, Any]:
    """The chart as Helm stores it in a release: metadata, templates, values, schema, files."""

    def entries(items: dict[str, Any]) -> list[dict[str, str]]:
        return [
            {
                "name": name,
                "data": base64.b64encode(
                    data if isinstance(data, bytes) else data.encode()
                ).decode(),
            }
            for name, data in items.items()
        ]

    return {
        "metadata": chart.metadata.to_dict(),
        "lock": chart.lock,
        "templates": entries(chart.templates),
        "values": chart.values,
        "schema": chart.schema,
        "files": entries(chart.files),
    }


@dataclass(frozen=True)
class Lease:
    """Who holds a release's pending lock, for which operation, and until when (epoch seconds)."""

    holder: str
    operation: str
    expires: float

    def to_dict(self) -> dict[str, Any]:
        return {"holder": self.holder, "operation": self.operation, "expires": self.expires}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Lease:
        return cls(
            str(data.get("holder", "")),
            str(data.get("operation", "")),
            float(data.get("expires") or 0),
        )


@dataclass
class Release:
    """One revision of a release. ``labels`` and ``lease`` live beside the JSON, not in it."""

    name: str
    namespace: str
    version: int
    info: Info
    chart: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    manifest: str = ""
    hooks: list[Hook] = field(default_factory=list)
    apply_method: str = "ssa"
    labels: dict[str, str] = field(default_factory=dict)
    lease: Lease | None = None

    @property
    def status(self) -> Status:
        return self.info.status

    @property
    def chart_metadata(self) -> dict[str, Any]:
        return self.chart.get("metadata") or {}

    @property
    def chart_name(self) -> str:
        """``<name>-<version>`` as ``list`` and ``history`` print it."""
        meta = self.chart_metadata
        return f"{meta.get('name', '')}-{meta.get('version', '')}"

    @property
    def app_version(self) -> str:
        return str(self.chart_metadata.get("appVersion") or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "namespace": self.namespace,
            "version": self.version,
            "info": self.info.to_dict(),
            "chart": self.chart,
            "config": self.config,
            "manifest": self.manifest,
            "hooks": [h.to_dict() for h in self.hooks],
            "apply_method": self.apply_method,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], labels: dict[str, str] | None = None) -> Release:
        return cls(
            name=data.get("name", ""),
            namespace=data.get("namespace", ""),
            version=int(data.get("version") or 0),
            info=Info.from_dict(data.get("info") or {}),
            chart=data.get("chart") or {},
            config=data.get("config") or {},
            manifest=data.get("manifest") or "",
            hooks=[Hook.from_dict(h) for h in data.get("hooks") or []],
            apply_method=data.get("apply_method") or "csa",
            labels=dict(labels or {}),
        )

    def summary(self) -> Summary:
        return Summary(
            self.name,
            self.namespace,
            self.version,
            self.info.last_deployed,
            self.status,
            self.chart_name,
            self.app_version,
            self.info.description,
        )


@dataclass(frozen=True)
class Summary:
    """What ``list`` and ``history`` show of one revision; readable without decoding the record."""

    name: str
    namespace: str
    revision: int
    updated: datetime | None
    status: Status
    chart: str
    app_version: str
    description: str = ""
