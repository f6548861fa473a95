"""Charts: the model, loading from folders and archives."""

from pyhelm.chart.loader import load_archive_bytes, load_chart
from pyhelm.chart.model import Chart, ChartMetadata, Dependency, Maintainer

__all__ = ["Chart", "ChartMetadata", "Dependency", "Maintainer", "load_archive_bytes", "load_chart"]
