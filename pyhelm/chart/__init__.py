"""Charts: the model, loading from folders and archives."""

from typing import Any

from pyhelm.chart.loader import load_archive_bytes, load_chart
from pyhelm.chart.model import Chart, ChartMetadata

__all__ = ["Chart", "ChartMetadata", "Dependency", "Maintainer", "load_archive_bytes", "load_chart"]


def __getattr__(name: str) -> Any:
    """``Dependency`` and ``Maintainer``, made on first use (see ``pyhelm.chart.entries``)."""
    if name in ("Dependency", "Maintainer"):
        from pyhelm.chart import entries

        return getattr(entries, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
