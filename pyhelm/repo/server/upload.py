"""Reading an upload as ChartMuseum accepts it, and checking it is a chart.

``POST /api/charts`` carries either the raw ``.tgz`` as its body, or a
``multipart/form-data`` form with a ``chart`` part and an optional ``prov``
part (what ``helm cm-push`` sends). ``read_upload`` returns both; ``inspect``
loads the archive under the safe-archive rules and names the file it will be
stored as.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from pyhelm import yamlio
from pyhelm.chart.loader import load_archive_bytes
from pyhelm.chart.model import Chart
from pyhelm.errors import ChartError
from pyhelm.repo.index import file_digest
from pyhelm.repo.server.http import HTTPError

CHART_FIELD = "chart"
PROV_FIELD = "prov"
#: What a stored archive may be called: no '/', no leading dot, nothing to escape with.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SAFE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*\.tgz(\.prov)?$")


@dataclass(frozen=True)
class Upload:
    archive: bytes | None
    prov: bytes | None
    multipart: bool


@dataclass(frozen=True)
class Inspected:
    """A validated chart archive, ready to store."""

    chart: Chart
    archive: bytes
    digest: str
    filename: str


def read_upload(content_type: bytes, body: bytes) -> Upload:
    """Split an upload body into archive and provenance file."""
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data":
        if not body:
            raise HTTPError(400, "empty request body; send a chart archive (.tgz)")
        return Upload(body, None, multipart=False)
    boundary = params.get(b"boundary")
    if not boundary:
        raise HTTPError(400, "multipart/form-data without a boundary")
    parts = _parse_multipart(boundary, body)
    archive, prov = parts.get(CHART_FIELD), parts.get(PROV_FIELD)
    if archive is None and prov is None:
        raise HTTPError(
            400,
            f"no package or provenance file found in form fields {CHART_FIELD} and {PROV_FIELD}",
        )
    return Upload(archive, prov, multipart=True)


class _FormCollector:
    """Callbacks for ``MultipartParser`` that keep each named part's bytes."""

    def __init__(self) -> None:
        self.parts: dict[str, bytes] = {}
        self._field = b""
        self._headers: dict[bytes, bytes] = {}
        self._data: list[bytes] = []

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_part_data": self._part_data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self._data = {}, []

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field = data[start:end].lower()

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._headers[self._field] = self._headers.get(self._field, b"") + data[start:end]

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._data.append(data[start:end])

    def _end(self) -> None:
        _, disposition = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        if name:
            self.parts[name] = b"".join(self._data)


def _parse_multipart(boundary: bytes, body: bytes) -> dict[str, bytes]:
    collector = _FormCollector()
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    try:
        parser.write(body)
        parser.finalize()
    except MultipartParseError as exc:
        raise HTTPError(400, f"malformed multipart/form-data body: {exc}") from None
    return collector.parts


def inspect(archive: bytes, source: str = "upload") -> Inspected:
    """Load ``archive`` as a chart (safe-archive rules); ``HTTPError(400)`` if it is not one."""
    try:
        chart = load_archive_bytes(archive, source)
    except ChartError as exc:
        raise HTTPError(400, f"not a valid chart archive: {exc}") from None
    filename = f"{chart.name}-{chart.version}.tgz"
    if not SAFE_NAME.match(chart.name) or not SAFE_FILE.match(filename):
        raise HTTPError(
            400,
            f"{filename} is improperly formatted: chart names may hold only letters, "
            "digits, '.', '_' and '-'",
        )
    return Inspected(chart, archive, file_digest(archive), filename)


def prov_target(prov: bytes) -> tuple[str, str]:
    """The chart ``(name, version)`` a Helm provenance file signs; ``HTTPError(400)`` if it is not one.

    A provenance file is an OpenPGP clear-signed message whose text is the
    chart's Chart.yaml, a ``...`` line, then the archive's digest.
    """
    text = prov.decode("utf-8", "replace").replace("\r\n", "\n")
    head, sep, rest = text.partition("-----BEGIN PGP SIGNED MESSAGE-----\n")
    signed = rest.split("\n\n", 1)[1] if sep and "\n\n" in rest else ""
    signed = signed.split("-----BEGIN PGP SIGNATURE-----", 1)[0]
    chart_yaml = "\n".join(
        line[2:] if line.startswith("- ") else line
        for line in signed.split("\n...\n", 1)[0].splitlines()
    )
    try:
        meta = yamlio.load(chart_yaml, "provenance file", ChartError) if signed else None
    except ChartError as exc:
        raise HTTPError(400, f"not a provenance file: {exc}") from None
    if not isinstance(meta, dict) or not meta.get("name") or not meta.get("version"):
        raise HTTPError(
            400,
            "not a provenance file: expected a PGP clear-signed Chart.yaml "
            "(as 'helm package --sign' writes)",
        )
    return str(meta["name"]), str(meta["version"])
