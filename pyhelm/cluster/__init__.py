"""Clusters pyhelm can talk to: the built-in one (``memory``) or a real one (``kubectl``)."""

from __future__ import annotations

from pathlib import Path

from pyhelm.cluster.base import Cluster, ObjectRef
from pyhelm.errors import UsageError

__all__ = ["Cluster", "ObjectRef", "open_cluster"]


def open_cluster(kind: str = "memory", *, state: str | Path | None = None,
                 kubeconfig: str | None = None, context: str | None = None) -> Cluster:
    """Open the cluster named by ``--cluster``: ``memory`` (state file) or ``kubectl``."""
    if kind == "memory":
        from pyhelm import settings
        from pyhelm.cluster.memory import MemoryCluster

        return MemoryCluster(state or settings.default_state_file())
    if kind == "kubectl":
        from pyhelm.cluster.kubectl import KubectlCluster  # type: ignore[import-not-found]

        return KubectlCluster(kubeconfig=kubeconfig, context=context)  # type: ignore[no-any-return]
    raise UsageError(f"unknown cluster {kind!r}: use --cluster memory or --cluster kubectl")
