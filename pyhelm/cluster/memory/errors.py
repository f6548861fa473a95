"""API-server errors with the fields a client needs (kind, name, causes), in the server's words.

They subclass the ``ClusterError`` family of ``pyhelm.errors``, so callers catch
``NotFound``/``Invalid``/``Conflict`` as usual; the Kubernetes-API helper reads
``reason``, ``code`` and ``causes`` to build a ``Status`` body.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyhelm.errors import AlreadyExists, ClusterError, Conflict, Invalid, NotFound


@dataclass(frozen=True)
class Cause:
    """One problem with one field: ``spec.selector`` / ``Required value``."""

    field: str
    message: str
    reason: str = "FieldValueInvalid"

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ObjectNotFound(NotFound):
    reason, code = "NotFound", 404

    def __init__(self, resource: str, name: str, message: str | None = None) -> None:
        self.resource, self.name = resource, name
        super().__init__(message or f'{resource} "{name}" not found')


class ObjectExists(AlreadyExists):
    reason, code = "AlreadyExists", 409

    def __init__(self, resource: str, name: str) -> None:
        self.resource, self.name = resource, name
        super().__init__(f'{resource} "{name}" already exists')


class ObjectInvalid(Invalid):
    """``The Deployment "x" is invalid: spec.selector: Required value`` (one line per cause)."""

    reason, code = "Invalid", 422

    def __init__(self, kind: str, name: str, causes: list[Cause]) -> None:
        self.kind, self.name, self.causes = kind, name, causes
        head = f'The {kind} "{name}" is invalid: '
        if len(causes) == 1:
            text = head + str(causes[0])
        else:
            text = head + "\n" + "\n".join(f"* {c}" for c in causes)
        super().__init__(text)


class DecodeError(Invalid):
    """The body does not fit the kind's schema: unknown fields or wrong types (HTTP 400)."""

    reason, code = "BadRequest", 400

    def __init__(self, kind: str, version: str, problems: list[str]) -> None:
        self.kind, self.problems = kind, problems
        super().__init__(f'{kind} in version "{version}" cannot be handled as a {kind}: '
                         + ", ".join(problems))


class StaleObject(Conflict):
    reason, code = "Conflict", 409

    def __init__(self, resource: str, name: str) -> None:
        self.resource, self.name = resource, name
        self.causes: list[Cause] = []
        super().__init__(f'Operation cannot be fulfilled on {resource} "{name}": the object has '
                         "been modified; please apply your changes to the latest version and "
                         "try again")


class FieldManagerConflict(Conflict):
    """Server-side apply found fields owned by other managers with other values."""

    reason, code = "Conflict", 409

    def __init__(self, causes: list[Cause]) -> None:
        self.causes = causes
        noun = "conflict" if len(causes) == 1 else "conflicts"
        lines = "\n".join(f"- {c.message}: {c.field}" for c in causes)
        if len(causes) == 1:
            text = f"Apply failed with 1 conflict: {causes[0].message}: {causes[0].field}"
        else:
            text = f"Apply failed with {len(causes)} {noun}:\n{lines}"
        super().__init__(text + "\n(re-run with --force-conflicts to take ownership of these "
                                "fields, or drop them from your manifest)")


class Forbidden(ClusterError):
    """The request is never allowed (HTTP 403), e.g. deleting the default namespace."""

    reason, code = "Forbidden", 403


class ResourceExpired(ClusterError):
    """A watch asked for a resourceVersion older than the kept log (HTTP 410 Gone)."""

    reason, code = "Expired", 410
