"""pyhelm: a Helm-style package manager for Kubernetes with Jinja2 chart templates.

The Python API mirrors the CLI: load a chart, render it, install it::

    >>> import pyhelm
    >>> chart = pyhelm.load_chart("charts/nginx")
    >>> result = pyhelm.render_chart(chart, {"replicaCount": 2}, pyhelm.RenderOptions("web"))
    >>> cluster = pyhelm.MemoryCluster(":memory:")
    >>> cfg = pyhelm.Configuration(cluster, namespace="default")
    >>> release = pyhelm.Install(cfg, pyhelm.InstallOptions()).run("web", chart, {})
    >>> release.info.status.value
    'deployed'

Names are imported on first use, so ``import pyhelm`` (and every ``pyhelm``
command) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "Chart": "pyhelm.chart.model",
    "ChartMetadata": "pyhelm.chart.model",
    "Cluster": "pyhelm.cluster.base",
    "Configuration": "pyhelm.release.actions.config",
    "IndexFile": "pyhelm.repo.index",
    "Install": "pyhelm.release.actions.install",
    "InstallOptions": "pyhelm.release.actions.install",
    "MemoryCluster": "pyhelm.cluster.memory",
    "ObjectRef": "pyhelm.cluster.base",
    "PyHelmError": "pyhelm.errors",
    "RenderOptions": "pyhelm.render",
    "RenderResult": "pyhelm.render",
    "Rollback": "pyhelm.release.actions.rollback",
    "RollbackOptions": "pyhelm.release.actions.rollback",
    "Uninstall": "pyhelm.release.actions.uninstall",
    "UninstallOptions": "pyhelm.release.actions.uninstall",
    "Upgrade": "pyhelm.release.actions.upgrade",
    "UpgradeOptions": "pyhelm.release.actions.upgrade",
    "ValueOptions": "pyhelm.values",
    "compute_values": "pyhelm.values",
    "index_directory": "pyhelm.repo.index",
    "load_chart": "pyhelm.chart.loader",
    "open_cluster": "pyhelm.cluster",
    "package_chart": "pyhelm.chart.package",
    "render_chart": "pyhelm.render",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pyhelm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
