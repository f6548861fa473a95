"""The one exception tree of pyhelm.

Every error a user can cause is a ``PyHelmError``; the CLI prints its message
as one ``Error: ...`` line and exits non-zero, never with a traceback. A
message says what failed, names the file, field, line or object concerned, and
where it can, says how to fix it. Catch on type, never on message text.
"""

from __future__ import annotations


class PyHelmError(Exception):
    """Base of every error pyhelm raises on purpose."""

    exit_code = 1


class UsageError(PyHelmError):
    """The command line itself is wrong (bad flag combination, bad argument)."""

    exit_code = 2


class ChartError(PyHelmError):
    """A chart cannot be loaded, is invalid, or is unsafe."""


class UnsafeArchiveError(ChartError):
    """An archive tries to escape its folder, holds links or devices, or is a bomb."""


class DependencyError(ChartError):
    """A chart dependency is missing, out of date, or cannot be resolved."""


class ValuesError(PyHelmError):
    """Values cannot be parsed (a -f file, a --set expression) or break the schema."""


class RenderError(PyHelmError):
    """A template failed to render; the message names chart, file and line."""


class SandboxError(RenderError):
    """A template tried to reach outside the sandbox."""


class RepoError(PyHelmError):
    """A chart repository, its index or a download failed."""


class ReleaseError(PyHelmError):
    """A release action cannot go ahead."""


class ReleaseNotFound(ReleaseError):
    """No release (or revision) of that name exists."""


class ReleaseExists(ReleaseError):
    """A release of that name already exists."""


class ReleaseLocked(ReleaseError):
    """Another operation on the release is in progress."""


class ClusterError(PyHelmError):
    """The cluster refused or failed a request."""


class NotFound(ClusterError):
    """The object does not exist (HTTP 404)."""


class AlreadyExists(ClusterError):
    """The object already exists (HTTP 409, reason AlreadyExists)."""


class Conflict(ClusterError):
    """A stale resourceVersion or a field-manager conflict (HTTP 409)."""


class Invalid(ClusterError):
    """The object fails validation (HTTP 422)."""


class ClusterUnreachable(ClusterError):
    """The cluster (or the kubectl command) cannot be reached at all."""
