"""The upload and query API, compatible with ChartMuseum's (``/api/charts...``).

Status codes and JSON bodies follow ChartMuseum, so its clients (``helm
cm-push``, CI scripts using curl) work unchanged:

=======  ==============================  ===========================================
POST     /api/charts                     201 {"saved":true}; 409 exists; 400 not a chart
POST     /api/prov                       201; the .prov of a chart already here (404 if it is not)
GET      /api/charts[?offset=&limit=]    200 {name: [version, ...]}; 400 bad paging
GET      /api/charts/<name>              200 [version, ...]; 404 {"error":"chart not found"}
GET      /api/charts/<name>/<version>    200 version ("latest" = newest); 404
GET      /api/charts/<n>/<v>/values      200 the raw values.yaml; 404 {"error":"values.yaml not found"}
GET      /api/charts/<n>/<v>/templates   200 {"templates":[{"name","data" (base64)}],"values":{...}}
DELETE   /api/charts/<name>/<version>    200 {"deleted":true}; 404
=======  ==============================  ===========================================

HEAD works wherever GET does. An upload overwrites an existing version only
with ``allow_overwrite``, or with ``?force`` unless ``disable_force_overwrite``.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass

from pyhelm.chart.loader import load_archive_bytes
from pyhelm.chart.model import Chart
from pyhelm.errors import ChartError
from pyhelm.repo.index import ChartVersion
from pyhelm.repo.server.http import HTTPError, Request, Response, json_response
from pyhelm.repo.server.storage import RepoStorage, archive_name
from pyhelm.repo.server.upload import inspect, prov_target, read_upload

#: ChartMuseum's default --max-upload-size.
DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024


@dataclass(frozen=True)
class ApiOptions:
    allow_overwrite: bool = False
    disable_force_overwrite: bool = False
    disable_delete: bool = False
    max_upload_size: int = DEFAULT_MAX_UPLOAD


class ChartMuseumAPI:
    """The ``/api/charts`` routes over one ``RepoStorage``."""

    def __init__(self, storage: RepoStorage, options: ApiOptions) -> None:
        self.storage = storage
        self.options = options

    async def list_charts(self, request: Request) -> Response:
        query = request.query()
        offset = _paging(query, "offset", minimum=0) or 0
        limit = _paging(query, "limit", minimum=1)
        names = sorted(self.storage.index.entries)
        names = names[offset:] if limit is None else names[offset : offset + limit]
        entries = self.storage.index.entries
        return json_response(200, {name: [cv.to_dict() for cv in entries[name]] for name in names})

    async def chart_versions(self, request: Request, name: str) -> Response:
        versions = self.storage.index.entries.get(name)
        if not versions:
            raise HTTPError(404, "chart not found")
        return json_response(200, [cv.to_dict() for cv in versions])

    async def chart_version(self, request: Request, name: str, version: str) -> Response:
        return json_response(200, self._find(name, version).to_dict())

    async def chart_values(self, request: Request, name: str, version: str) -> Response:
        chart = await self._load(self._find(name, version))
        values = chart.raw.get("values.yaml")
        if values is None:
            raise HTTPError(404, "values.yaml not found")
        return Response(200, values, b"application/yaml")

    async def chart_templates(self, request: Request, name: str, version: str) -> Response:
        chart = await self._load(self._find(name, version))
        templates = [
            {"name": path, "data": base64.b64encode(text.encode()).decode()}
            for path, text in sorted(chart.templates.items())
        ]
        return json_response(200, {"templates": templates, "values": chart.values})

    def _find(self, name: str, version: str) -> ChartVersion:
        """One version of a chart (``latest``: the newest); ``HTTPError(404)`` if there is none."""
        versions = self.storage.index.entries.get(name) or []
        if version == "latest" and versions:
            return versions[0]
        found = next((cv for cv in versions if cv.version == version), None)
        if found is None:
            raise HTTPError(404, "chart not found")
        return found

    async def _load(self, cv: ChartVersion) -> Chart:
        path = self.storage.archive_path(archive_name(cv))
        if path is None:
            raise HTTPError(404, "chart not found")
        try:
            data = await asyncio.to_thread(path.read_bytes)
            return await asyncio.to_thread(load_archive_bytes, data, path.name)
        except (OSError, ChartError) as exc:
            raise HTTPError(500, f"stored archive {path.name} cannot be read: {exc}") from None

    async def upload(self, request: Request) -> Response:
        body = await request.body(self.options.max_upload_size)
        upload = read_upload(request.header(b"content-type"), body)
        if upload.archive is None:
            assert upload.prov is not None
            return await self._store_prov(upload.prov)
        inspected = await asyncio.to_thread(inspect, upload.archive)
        overwrite = self.options.allow_overwrite or (
            "force" in request.query() and not self.options.disable_force_overwrite
        )
        try:
            await self.storage.add(inspected, upload.prov, overwrite)
        except HTTPError as exc:
            if exc.status == 409 and upload.multipart:
                raise HTTPError(409, "chart already exists") from None
            raise
        return json_response(201, {"saved": True})

    async def upload_prov(self, request: Request) -> Response:
        """``POST /api/prov``: the provenance file of a chart already uploaded, as the raw body."""
        body = await request.body(self.options.max_upload_size)
        if not body:
            raise HTTPError(400, "empty request body; send a provenance file (.tgz.prov)")
        return await self._store_prov(body)

    async def _store_prov(self, prov: bytes) -> Response:
        name, version = prov_target(prov)
        await self.storage.add_prov(name, version, prov)
        return json_response(201, {"saved": True})

    async def delete(self, request: Request, name: str, version: str) -> Response:
        await self.storage.delete(name, version)
        return json_response(200, {"deleted": True})


def _paging(query: dict[str, list[str]], key: str, minimum: int) -> int | None:
    """A paging parameter, ``None`` when absent; ``HTTPError(400)`` when not an integer >= ``minimum``."""
    values = query.get(key)
    if not values:
        return None
    value = values[0]
    if not value.isdigit() or int(value) < minimum:
        kind = "non-negative" if minimum == 0 else "positive"
        raise HTTPError(400, f"{key} is not a valid {kind} integer")
    return int(value)
