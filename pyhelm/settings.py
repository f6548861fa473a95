"""Where pyhelm keeps things, and which cluster it talks to.

Folders follow XDG, each overridable by its own variable (as Helm's
``HELM_*_HOME``): ``PYHELM_CONFIG_HOME`` (repositories.yaml), ``PYHELM_CACHE_HOME``
(repository indexes, downloaded charts), ``PYHELM_DATA_HOME`` (the built-in
cluster's state file, unless ``PYHELM_STATE`` names one).
"""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def config_home() -> Path:
    return Path(os.environ.get("PYHELM_CONFIG_HOME") or _xdg("XDG_CONFIG_HOME", ".config") / "pyhelm")


def cache_home() -> Path:
    return Path(os.environ.get("PYHELM_CACHE_HOME") or _xdg("XDG_CACHE_HOME", ".cache") / "pyhelm")


def data_home() -> Path:
    return Path(os.environ.get("PYHELM_DATA_HOME") or _xdg("XDG_DATA_HOME", ".local/share") / "pyhelm")


def default_state_file() -> Path:
    """The built-in cluster's SQLite file: ``PYHELM_STATE``, else under the data folder."""
    return Path(os.environ.get("PYHELM_STATE") or data_home() / "cluster.db")
