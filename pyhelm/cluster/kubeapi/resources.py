"""The REST verbs on resources: get, list, watch, create, update, patch, delete.

``ResourceApi.handle(request, target)`` maps one HTTP request on a resource URL
to calls on the cluster and shapes the answer as the Kubernetes API does:
lists as ``<Kind>List`` (or a ``Table`` when asked), ``201`` on create,
``dryRun=All`` never saving anything, server-side apply (``apply-patch+yaml``)
creating missing objects. Subresources (scale, status, log) are in
``subresources``.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.kubeapi import fields, selectors, subresources, tables, watch
from pyhelm.cluster.kubeapi.backend import Backend
from pyhelm.cluster.kubeapi.http import Reply, Request, StreamReply
from pyhelm.cluster.kubeapi.paging import Pager
from pyhelm.cluster.kubeapi.patch import json_patch, merge_patch, strategic_merge_patch
from pyhelm.cluster.kubeapi.routes import Target
from pyhelm.cluster.kubeapi.status import ApiError, success
from pyhelm.errors import Conflict, NotFound

Obj = dict[str, Any]

PATCHERS = {
    "application/merge-patch+json": merge_patch,
    "application/strategic-merge-patch+json": strategic_merge_patch,
    "application/json-patch+json": json_patch,
}
APPLY_PATCH = "application/apply-patch+yaml"
CASCADE = {"Background": "background", "Foreground": "foreground", "Orphan": "orphan"}


def ref_of(target: Target, name: str | None = None) -> ObjectRef:
    return ObjectRef(target.api_version, target.info.kind,
                     target.namespace if target.info.namespaced else None,
                     name or target.name or "")


def _namespaced_body(target: Target, body: Any, verb: str) -> Obj:
    """The request object, checked against the URL, with the URL's namespace filled in."""
    if not isinstance(body, dict):
        raise ApiError(400, "BadRequest", f"the body of a {verb} request must be a JSON object")
    if body.get("kind", target.info.kind) != target.info.kind:
        raise ApiError(400, "BadRequest", f"the kind in the body ({body['kind']}) does not match "
                                          f"the resource of the URL ({target.resource})")
    obj = copy.deepcopy(body)
    obj.setdefault("apiVersion", target.api_version)
    obj.setdefault("kind", target.info.kind)
    meta = obj.setdefault("metadata", {})
    if target.info.namespaced:
        if meta.get("namespace") and meta["namespace"] != target.namespace:
            raise ApiError(400, "BadRequest", "the namespace of the provided object does not "
                                              "match the namespace sent on the request")
        meta["namespace"] = target.namespace
    if target.name and meta.get("name") and meta["name"] != target.name:
        raise ApiError(400, "BadRequest", "the name of the object "
                                          f"({meta['name']}) does not match the name on the URL "
                                          f"({target.name})")
    if target.name:
        meta["name"] = target.name
    return obj


class ResourceApi:
    """Serves resource URLs from a ``Backend`` (the built-in cluster)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.pager = Pager()

    def handle(self, request: Request, target: Target) -> Reply | StreamReply:
        if target.info.namespaced and target.name and target.namespace is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if target.info.namespaced and target.namespace is None and request.method != "GET":
            raise ApiError(405, "MethodNotAllowed", f"{request.method} needs a namespace: use "
                                                    f"/namespaces/NAMESPACE/{target.info.plural}")
        if target.subresource:
            return subresources.handle(self, request, target)
        method = request.method
        if target.name is None:
            if method == "GET":
                return self.watch(request, target) if request.flag("watch") else self.list(
                    request, target)
            if method == "POST":
                return self.create(request, target)
            if method == "DELETE":
                return self.delete_collection(request, target)
        else:
            handler = {"GET": self.get, "PUT": self.update, "PATCH": self.patch,
                       "DELETE": self.delete}.get(method)
            if handler:
                return handler(request, target)
        raise ApiError(405, "MethodNotAllowed", f"the server does not allow this method on the "
                                                f"requested resource ({method} {target.resource})")

    # -- reading -------------------------------------------------------------
    def render(self, request: Request, target: Target, obj: Obj) -> Obj:
        """The object as the client asked: itself, or a one-row Table."""
        if tables.wants_table(request.accept):
            rv = str((obj.get("metadata") or {}).get("resourceVersion", ""))
            return tables.table(target.info.kind, [obj], rv,
                                request.query.get("includeObject", "Metadata"))
        return obj

    def get(self, request: Request, target: Target) -> Reply:
        return Reply(200, self.render(request, target, self.backend.get(ref_of(target))))

    def matching(self, request: Request, target: Target) -> list[Obj]:
        """Objects of the collection that match the label and field selectors."""
        label_selector = request.query.get("labelSelector")
        requirements = selectors.parse_label_selector(label_selector)
        labels = selectors.label_matcher(label_selector)
        fields = selectors.field_matcher(request.query.get("fieldSelector"))
        objs = self.backend.list(target.api_version, target.info.kind, target.namespace,
                                 selectors.equality_labels(requirements) or None)
        return [o for o in objs if labels(o) and fields(o)]

    def list(self, request: Request, target: Target) -> Reply:
        def fetch() -> tuple[int, list[Obj]]:
            rv = self.backend.current_resource_version()
            return rv, sorted(self.matching(request, target), key=lambda o: (
                o["metadata"].get("namespace", ""), o["metadata"]["name"]))

        rv, items, token = self.pager.page(request.query.get("limit"),
                                           request.query.get("continue"), fetch)
        if tables.wants_table(request.accept):
            body = tables.table(target.info.kind, items, str(rv),
                                request.query.get("includeObject", "Metadata"))
        else:
            body = {"kind": f"{target.info.kind}List", "apiVersion": target.api_version,
                    "metadata": {"resourceVersion": str(rv)}, "items": items}
        if token:
            body["metadata"]["continue"] = token
        return Reply(200, body)

    def watch(self, request: Request, target: Target) -> StreamReply:
        labels = selectors.label_matcher(request.query.get("labelSelector"))
        fields = selectors.field_matcher(request.query.get("fieldSelector"))
        table = tables.wants_table(request.accept)

        def snapshot() -> tuple[int, list[Obj]]:
            return self.backend.current_resource_version(), self.matching(request, target)

        def changes(rv: int) -> tuple[int, list[tuple[str, Obj]]]:
            reached, events = self.backend.events_since(rv, target.api_version,
                                                        target.info.kind, target.namespace)
            return reached, [(t, o) for t, o in events if labels(o) and fields(o)]

        def render(obj: Obj) -> Obj:
            if not table:
                return obj
            return tables.table(target.info.kind, [obj], str(_rv(obj)),
                                request.query.get("includeObject", "Metadata"))

        options = watch.WatchOptions(
            resource_version=request.query.get("resourceVersion", ""),
            send_initial_events=request.flag("sendInitialEvents"),
            timeout=float(request.query.get("timeoutSeconds") or watch.DEFAULT_TIMEOUT),
            kind=target.info.kind, api_version=target.api_version)
        source = watch.WatchSource(snapshot, changes, render)

        def events(gone: asyncio.Event) -> AsyncIterator[bytes]:
            return watch.stream(source, options, gone)

        return StreamReply(events)

    # -- writing -------------------------------------------------------------
    def create(self, request: Request, target: Target) -> Reply:
        obj, warnings = _validated(request, target, _namespaced_body(
            target, request.decoded_body(), "create"))
        created = self.backend.create(obj, request.query.get("fieldManager"), request.dry_run)
        return Reply(201, created, headers=warnings)

    def update(self, request: Request, target: Target) -> Reply:
        obj, warnings = _validated(request, target, _namespaced_body(
            target, request.decoded_body(), "update"))
        return Reply(200, self.backend.update(obj, request.query.get("fieldManager"),
                                              request.dry_run), headers=warnings)

    def patch(self, request: Request, target: Target) -> Reply:
        if request.content_type == APPLY_PATCH:
            return self.server_side_apply(request, target)
        patcher = PATCHERS.get(request.content_type)
        if patcher is None:
            raise ApiError(415, "UnsupportedMediaType",
                           f"the body of the request was in an unknown format - accepted media "
                           f"types include: {', '.join([*PATCHERS, APPLY_PATCH])}")
        body = request.decoded_body()
        pinned = isinstance(body, dict) and "resourceVersion" in (body.get("metadata") or {})
        for attempt in range(5):
            live = self.backend.get(ref_of(target))
            patched = _namespaced_body(target, patcher(live, body), "patch")
            patched, warnings = _validated(request, target, patched, live)
            try:
                return Reply(200, self.backend.update(patched, request.query.get("fieldManager"),
                                                      request.dry_run), headers=warnings)
            except Conflict:
                if pinned or attempt == 4:
                    raise
        raise AssertionError("unreachable")

    def server_side_apply(self, request: Request, target: Target) -> Reply:
        obj, warnings = _validated(request, target, _namespaced_body(
            target, request.decoded_body(), "apply"))
        manager = request.query.get("fieldManager")
        if not manager:
            raise ApiError(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: "
                                           "fieldManager: Required value: is required for apply "
                                           "patch")
        existed = self.backend.exists(ref_of(target))
        applied = self.backend.apply([obj], manager, force=request.flag("force"),
                                     dry_run=request.dry_run)[0]
        return Reply(200 if existed else 201, applied, headers=warnings)

    def delete(self, request: Request, target: Target) -> Reply:
        options = request.decoded_body() or {}
        live = self.backend.get(ref_of(target))
        dry_run = request.dry_run or "All" in (options.get("dryRun") or [])
        self.backend.delete(ref_of(target), _cascade(request, options), dry_run)
        return Reply(200, live)

    def delete_collection(self, request: Request, target: Target) -> Reply:
        options = request.decoded_body() or {}
        for obj in self.matching(request, target):
            try:
                ref = ObjectRef(target.api_version, target.info.kind,
                                obj["metadata"].get("namespace"), obj["metadata"]["name"])
                self.backend.delete(ref, _cascade(request, options), request.dry_run)
            except NotFound:
                continue
        return Reply(200, success("", target.info.plural, target.info.group))


def _validated(request: Request, target: Target, obj: Obj,
               live: Obj | None = None) -> tuple[Obj, list[tuple[str, str]]]:
    """``obj`` without unknown fields, and Warning headers; Strict mode refuses them (400).

    For a patch, fields already unknown in the ``live`` object are not the
    writer's doing and are only dropped.
    """
    pruned, unknown = fields.unknown_fields(target.info.key, obj)
    if live is not None and unknown:
        known_bad = set(fields.unknown_fields(target.info.key, live)[1])
        unknown = [path for path in unknown if path not in known_bad]
    mode = request.query.get("fieldValidation", "Warn")
    if unknown and mode == "Strict":
        raise ApiError(400, "BadRequest", fields.strict_message(
            target.info.kind, target.api_version, unknown))
    return pruned, fields.warning_header(unknown) if unknown and mode != "Ignore" else []


def _cascade(request: Request, options: Obj) -> str:
    policy = options.get("propagationPolicy") or request.query.get("propagationPolicy")
    if options.get("orphanDependents") or request.flag("orphanDependents"):
        policy = "Orphan"
    return CASCADE.get(policy or "Background", "background")


def _rv(obj: Obj) -> int:
    try:
        return int((obj.get("metadata") or {}).get("resourceVersion") or 0)
    except ValueError:
        return 0

