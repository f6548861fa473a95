"""What every action shares: the cluster, where records live, clocks, and where messages go."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pyhelm.cluster.base import Cluster
from pyhelm.errors import UsageError
from pyhelm.release.drivers import Driver, SecretDriver
from pyhelm.release.storage import ReleaseStorage
from pyhelm.release.wait import Progress

DEFAULT_TIMEOUT = 300.0


class DryRun(enum.StrEnum):
    """``--dry-run``: none (do it), client (touch nothing), server (validate on the cluster)."""

    NONE = "none"
    CLIENT = "client"
    SERVER = "server"

    @classmethod
    def parse(cls, value: str | None) -> DryRun:
        try:
            return cls(value or "none")
        except ValueError:
            raise UsageError(f"--dry-run must be client, server or none, not {value!r}") from None


@dataclass
class Configuration:
    """Injected dependencies of all actions (Helm's ``action.Configuration``).

    ``driver`` builds the storage driver for a namespace (``None`` = all
    namespaces); ``warn`` receives one-line notices (recovered locks,
    deprecations); ``progress`` receives readiness while waiting.
    """

    cluster: Cluster
    namespace: str = "default"
    driver: Callable[[Cluster, str | None], Driver] = SecretDriver
    warn: Callable[[str], None] = lambda message: None
    progress: Progress | None = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    _stores: dict[str | None, ReleaseStorage] = field(default_factory=dict, repr=False)

    def storage(
        self, namespace: str | None = None, *, all_namespaces: bool = False
    ) -> ReleaseStorage:
        """The release storage of ``namespace`` (default: this configuration's), or of all."""
        key = None if all_namespaces else (namespace or self.namespace)
        if key not in self._stores:
            self._stores[key] = ReleaseStorage(self.driver(self.cluster, key))
        return self._stores[key]


@dataclass
class ChangeOptions:
    """Options shared by install, upgrade and rollback."""

    wait: bool = False
    timeout: float = DEFAULT_TIMEOUT
    atomic: bool = False
    dry_run: DryRun = DryRun.NONE
    description: str = ""
    no_hooks: bool = False
    take_ownership: bool = False
    force_conflicts: bool = False
    history_max: int = 10
