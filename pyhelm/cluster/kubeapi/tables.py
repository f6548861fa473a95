"""Server-side ``Table`` responses: the columns and cells ``kubectl get`` prints.

kubectl asks for ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io`` and
prints the cells verbatim, so the server formats every one of them (Age
included). Columns of priority 1 show only with ``-o wide``. Each row carries
``object`` — the object's metadata (``PartialObjectMetadata``) or, with
``includeObject=Object``, the whole object — which kubectl reads for ``-A``
(the namespace) and ``--show-labels``.

The per-kind columns live in ``printers``; this module is the frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pyhelm.cluster.kubeapi import printers

Obj = dict[str, Any]

TABLE_MEDIA = "as=Table"


def wants_table(accept: str) -> bool:
    """True when the Accept header asks for a meta.k8s.io Table."""
    return TABLE_MEDIA in accept.replace(" ", "")


def human_duration(seconds: float) -> str:
    """Kubernetes' HumanDuration: ``95s``, ``4m10s``, ``3h``, ``2d5h``, ``400d``, ``3y10d``."""
    s = int(max(seconds, 0))
    minutes, hours, days = s // 60, s // 3600, s // 86400
    if s < 120:
        return f"{s}s"
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    years, rest = days // 365, days % 365
    if years < 8:
        return f"{years}y{rest}d" if rest else f"{years}y"
    return f"{years}y"


def age(timestamp: str | None, now: datetime) -> str:
    """The Age cell for an RFC 3339 timestamp (``<unknown>`` when missing)."""
    if not timestamp:
        return "<unknown>"
    try:
        then = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return "<unknown>"
    return human_duration((now - then).total_seconds())


def _column(name: str, kind: str = "string", priority: int = 0) -> dict[str, Any]:
    return {"name": name, "type": kind, "format": "name" if name == "Name" else "",
            "description": "", "priority": priority}


def column_definitions(kind: str) -> list[dict[str, Any]]:
    """The Table columns for objects of ``kind``."""
    return [_column(*spec) for spec in printers.columns(kind)]


def _row_object(obj: Obj, include: str) -> Obj:
    if include == "Object":
        return obj
    if include == "None":
        return {}
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": obj.get("metadata") or {}}


def row(obj: Obj, kind: str, now: datetime, include: str = "Metadata") -> Obj:
    """One Table row: the cells, and the object (or its metadata) kubectl reads."""
    return {"cells": printers.cells(kind, obj, now, age), "object": _row_object(obj, include)}


def table(kind: str, objects: Iterable[Obj], resource_version: str,
          include: str = "Metadata", now: datetime | None = None,
          with_columns: bool = True) -> Obj:
    """A ``meta.k8s.io/v1`` Table of ``objects`` (all of one kind)."""
    when = now or datetime.now(UTC)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": column_definitions(kind) if with_columns else None,
        "rows": [row(obj, kind, when, include) for obj in objects],
    }
