"""Hosting a chart repository: static files, a ChartMuseum-compatible API, a page.

``serve(ServeOptions(...))`` runs the server (``pyhelm serve``);
``RepoApp`` is the ASGI application, for embedding; ``RepoStorage`` the
folder of archives and its index. See docs/server-api.md for the HTTP API.
"""

from pyhelm.repo.server.runner import ServeOptions, serve

__all__ = ["ServeOptions", "serve"]
