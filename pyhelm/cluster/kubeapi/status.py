"""``Status`` bodies: how errors (and successful deletes) go back to Kubernetes clients.

kubectl classifies an error by the top-level ``reason`` and ``code`` and, for
``Invalid``, rebuilds the printed text from ``details.kind``, ``details.name`` and
``details.causes[].field/message`` — so those are filled whenever the error
carries them (``pyhelm.cluster.memory.errors`` does).
"""

from __future__ import annotations

from typing import Any

from pyhelm.errors import (
    AlreadyExists,
    ClusterError,
    Conflict,
    Invalid,
    NotFound,
    PyHelmError,
    UsageError,
)

#: Fallback (code, reason) by exception family, most specific first.
_FAMILIES: tuple[tuple[type[Exception], int, str], ...] = (
    (NotFound, 404, "NotFound"),
    (AlreadyExists, 409, "AlreadyExists"),
    (Conflict, 409, "Conflict"),
    (Invalid, 422, "Invalid"),
    (UsageError, 400, "BadRequest"),
)


class ApiError(ClusterError):
    """An error the HTTP layer raises itself, with its HTTP code and Status reason."""

    def __init__(self, code: int, reason: str, message: str,
                 details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.reason, self.details = code, reason, details or {}


def status(code: int, reason: str, message: str,
           details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Failure ``Status`` body."""
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                            "status": "Failure", "message": message, "reason": reason,
                            "code": code}
    if details:
        body["details"] = details
    return body


def success(name: str, kind: str, group: str, uid: str = "") -> dict[str, Any]:
    """The ``Status`` a delete answers when it has no object to return."""
    details = {"name": name, "kind": kind, **({"group": group} if group else {}),
               **({"uid": uid} if uid else {})}
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": details}


def _causes(exc: Exception) -> list[dict[str, str]]:
    return [{"reason": getattr(c, "reason", "FieldValueInvalid"), "message": c.message,
             "field": c.field} for c in getattr(exc, "causes", None) or []]


def from_error(exc: PyHelmError, resource: str = "", name: str = "",
               group: str = "") -> tuple[int, dict[str, Any]]:
    """The HTTP code and Status body for an error raised while serving ``resource``/``name``."""
    if isinstance(exc, ApiError):
        return exc.code, status(exc.code, exc.reason, str(exc), exc.details)
    code = getattr(exc, "code", None)
    reason = getattr(exc, "reason", None)
    if not isinstance(code, int) or not isinstance(reason, str):
        code, reason = next(((c, r) for family, c, r in _FAMILIES if isinstance(exc, family)),
                            (400 if not isinstance(exc, ClusterError) else 500,
                             "BadRequest" if not isinstance(exc, ClusterError)
                             else "InternalError"))
    details: dict[str, Any] = {}
    causes = _causes(exc)
    if reason == "Invalid" and causes:
        details = {"name": getattr(exc, "name", name), "kind": getattr(exc, "kind", resource),
                   "causes": causes}
        message = str(exc)
    else:
        message = str(exc).split("\n(re-run", 1)[0]
        if (name or resource) and reason != "Invalid":  # kubectl would print details, not message
            details = {"name": getattr(exc, "name", name), "kind": resource,
                       **({"group": group} if group else {})}
        if causes:
            details["causes"] = causes
    return code, status(code, reason, message, details)
