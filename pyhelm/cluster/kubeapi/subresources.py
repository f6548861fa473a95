"""Subresources: ``scale`` (an ``autoscaling/v1`` Scale), ``status`` and ``log``.

``kubectl scale`` sends ``PATCH .../deployments/NAME/scale`` with a merge patch
``{"spec":{"replicas":N}}`` and no GET of the Scale first; the answer is the
Scale after the controllers ran. Writes to ``status`` change only the status. A
pod's ``log`` is empty: simulated containers write no output.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pyhelm.cluster.kubeapi.http import Reply, Request
from pyhelm.cluster.kubeapi.printers import selector_text
from pyhelm.cluster.kubeapi.routes import Target
from pyhelm.cluster.kubeapi.status import ApiError

if TYPE_CHECKING:
    from pyhelm.cluster.kubeapi.resources import ResourceApi

Obj = dict[str, Any]


def scale_of(obj: Obj) -> Obj:
    """The ``autoscaling/v1`` Scale of a Deployment, ReplicaSet or StatefulSet."""
    meta = obj.get("metadata") or {}
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    selector = selector_text(spec.get("selector"))
    return {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                          "creationTimestamp") if k in meta},
        "spec": {"replicas": spec.get("replicas", 1)},
        "status": {"replicas": status.get("replicas", 0),
                   **({"selector": selector} if selector != "<none>" else {})},
    }


def _replicas(scale: Any) -> int:
    replicas = (scale.get("spec") or {}).get("replicas") if isinstance(scale, dict) else None
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise ApiError(422, "Invalid", f'Scale.autoscaling "" is invalid: spec.replicas: Invalid '
                                       f"value: {replicas!r}: must be a non-negative integer")
    return replicas


def _write_scale(api: ResourceApi, request: Request, target: Target, live: Obj,
                 new_scale: Any) -> Reply:
    updated = copy.deepcopy(live)
    updated.setdefault("spec", {})["replicas"] = _replicas(new_scale)
    return Reply(200, scale_of(api.backend.update(updated, request.query.get("fieldManager"),
                                                  request.dry_run)))


def _write_status(api: ResourceApi, request: Request, target: Target, live: Obj,
                  new_obj: Any) -> Reply:
    if not isinstance(new_obj, dict):
        raise ApiError(400, "BadRequest", "the body of a status write must be a JSON object")
    updated = copy.deepcopy(live)
    updated["status"] = new_obj.get("status") or {}
    return Reply(200, api.backend.update(updated, request.query.get("fieldManager"),
                                         request.dry_run, subresource="status"))


def handle(api: ResourceApi, request: Request, target: Target) -> Reply:
    """Serve GET/PUT/PATCH on ``target.subresource`` of one object."""
    from pyhelm.cluster.kubeapi.resources import PATCHERS, ref_of

    live = api.backend.get(ref_of(target))
    sub = target.subresource
    if sub == "log":  # simulated containers write no output
        return Reply(200, "", content_type="text/plain")
    view = scale_of if sub == "scale" else (lambda obj: obj)
    write = _write_scale if sub == "scale" else _write_status
    if request.method == "GET":
        return Reply(200, view(live))
    if request.method == "PUT":
        return write(api, request, target, live, request.decoded_body())
    if request.method == "PATCH":
        patcher = PATCHERS.get(request.content_type)
        if patcher is None:
            raise ApiError(415, "UnsupportedMediaType",
                           f"{request.content_type} patches are not supported on {sub}; use "
                           "merge, strategic merge or JSON patch")
        return write(api, request, target, live, patcher(view(live), request.decoded_body()))
    raise ApiError(405, "MethodNotAllowed", f"the server does not allow {request.method} on "
                                            f"{target.resource}/{sub}")
