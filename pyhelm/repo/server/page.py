"""The page a person browses: ``/`` lists the charts, ``/chart/<name>`` shows one.

The listing shows each chart's name, icon, latest version, app version,
description and every version; a chart's page adds its README (Markdown
rendered with raw HTML escaped), its default values and the commands to
copy. Pages are plain HTML with their CSS inline: no script and no asset from
elsewhere (a Content-Security-Policy says so to the browser). A chart's icon is
shown only from an http(s) or ``data:image`` URL.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from pyhelm.chart.loader import load_archive_bytes
from pyhelm.errors import ChartError
from pyhelm.repo.index import ChartVersion
from pyhelm.repo.server.http import HTTPError, Request, Response
from pyhelm.repo.server.storage import RepoStorage, archive_name

HTML_TYPE = b"text/html; charset=utf-8"
CSP = (
    b"content-security-policy",
    b"default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; base-uri 'none'; "
    b"form-action 'none'",
)
README_NAMES = ("README.md", "readme.md", "README.markdown", "README.txt", "README")
#: Chart pages kept rendered (their archives are read once).
DETAILS_CACHE = 256


@dataclass(frozen=True)
class ChartDetails:
    readme_html: Markup | None
    values: str


def safe_icon(url: str) -> str:
    """The icon URL when it is http(s) or an inline image, else ``""``."""
    lowered = url.strip().lower()
    return url.strip() if lowered.startswith(("https://", "http://", "data:image/")) else ""


def download_url(cv: ChartVersion) -> str:
    """Where the page links a version's archive: its url, made absolute to this server."""
    url = cv.urls[0] if cv.urls else archive_name(cv)
    return url if "://" in url or url.startswith("/") else f"/{url}"


class PageRenderer:
    """Renders (and caches) the listing and the chart pages of one repository."""

    def __init__(self, storage: RepoStorage, repo_name: str) -> None:
        self.storage = storage
        self.repo_name = repo_name
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("pyhelm.repo.server", "templates"),
            autoescape=True,
        )
        self.css = Markup(
            resources.files("pyhelm.repo.server").joinpath("templates/page.css").read_text("utf-8")
        )
        self.markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
        self._index_cache: tuple[tuple[int, str], bytes] | None = None
        self._details: dict[tuple[str, str], ChartDetails] = {}

    async def index(self, request: Request) -> Response:
        base_url = request.base_url()
        key = (self.storage.generation, base_url)
        if self._index_cache is None or self._index_cache[0] != key:
            charts = [
                self._summary(name, versions)
                for name, versions in sorted(self.storage.index.entries.items())
            ]
            body = self._render("index.html", charts=charts, base_url=base_url)
            self._index_cache = (key, body)
        return Response(200, self._index_cache[1], HTML_TYPE, [CSP])

    async def chart(self, request: Request, name: str) -> Response:
        versions = self.storage.index.entries.get(name)
        if not versions:
            raise HTTPError(404, f"chart {name!r} not found in this repository")
        latest = versions[0]
        details = await self._chart_details(latest)
        body = self._render(
            "chart.html",
            name=name,
            latest=latest,
            icon=safe_icon(str(latest.metadata.get("icon", ""))),
            versions=[self._version_view(cv) for cv in versions],
            base_url=request.base_url(),
            readme_html=details.readme_html,
            values=details.values,
        )
        return Response(200, body, HTML_TYPE, [CSP])

    def _render(self, template: str, **context: Any) -> bytes:
        html = self.env.get_template(template).render(
            css=self.css, repo_name=self.repo_name, **context
        )
        return html.encode("utf-8")

    def _summary(self, name: str, versions: list[ChartVersion]) -> dict[str, Any]:
        latest = versions[0]
        return {
            "name": name,
            "latest": latest,
            "icon": safe_icon(str(latest.metadata.get("icon", ""))),
            "deprecated": latest.deprecated,
            "versions": [self._version_view(cv) for cv in versions],
        }

    @staticmethod
    def _version_view(cv: ChartVersion) -> dict[str, str]:
        return {
            "version": cv.version,
            "app_version": cv.app_version,
            "created": cv.created,
            "digest": cv.digest,
            "download": download_url(cv),
        }

    async def _chart_details(self, cv: ChartVersion) -> ChartDetails:
        key = (archive_name(cv), cv.digest)
        details = self._details.get(key)
        if details is None:
            details = await asyncio.to_thread(self._read_details, key[0])
            if len(self._details) >= DETAILS_CACHE:
                self._details.clear()
            self._details[key] = details
        return details

    def _read_details(self, filename: str) -> ChartDetails:
        path = self.storage.archive_path(filename)
        try:
            chart = load_archive_bytes(path.read_bytes(), filename) if path else None
        except (OSError, ChartError):
            chart = None
        if chart is None:
            return ChartDetails(None, "")
        readme = next((chart.files[n] for n in README_NAMES if n in chart.files), None)
        readme_html = None
        if readme is not None:
            readme_html = Markup(self.markdown.render(readme.decode("utf-8", "replace")))
        values = chart.raw.get("values.yaml", b"").decode("utf-8", "replace")
        return ChartDetails(readme_html, values)
