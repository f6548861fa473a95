"""pyhelm: a Helm-style package manager for Kubernetes with Jinja2 chart templates."""

__version__ = "0.1.0"
