"""OpenAPI v3 documents: as much as ``kubectl apply|explain`` and helm need.

``kubectl apply`` (and ``create``, ``replace``, server-side apply, helm
install) fetch ``/openapi/v3`` and the group-version document, and only check
that some path has a ``patch`` operation for the kind whose
``x-kubernetes-group-version-kind`` is an object and whose parameters include
``fieldValidation``; without that they fall back to ``/openapi/v2`` protobuf and
fail. ``kubectl explain`` reads ``components.schemas``: one schema per kind with a
*list* ``x-kubernetes-group-version-kind``, a description and properties.
Group-version documents are addressed by a content hash, so clients may cache
them for good.

``kubectl apply -f`` of a ``v1`` ``List`` always validates on the client with
``/openapi/v2`` (protobuf); ``V2_DOCUMENT`` is an empty but valid v2 document
(no definitions), with which kubectl validates nothing and lets the server judge.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pyhelm.cluster.kubeapi.discovery import Served

META = "io.k8s.apimachinery.pkg.apis.meta.v1"
PATCH_PARAMETERS = [{"name": name, "in": "query", "schema": {"type": "string"}}
                    for name in ("dryRun", "fieldManager", "fieldValidation", "force")]

_STRING = {"type": "string"}
_MAP = {"type": "object", "additionalProperties": {"type": "string"}}

OBJECT_META = {
    "description": "ObjectMeta is metadata that all persisted resources must have.",
    "type": "object",
    "properties": {
        "name": {**_STRING, "description": "Name must be unique within a namespace."},
        "namespace": {**_STRING, "description": "Namespace defines the space within which each "
                                                "name must be unique."},
        "labels": {**_MAP, "description": "Map of string keys and values that can be used to "
                                          "organize and categorize objects."},
        "annotations": {**_MAP, "description": "Annotations is an unstructured key value map."},
        "uid": {**_STRING, "description": "UID is the unique in time and space value for this "
                                          "object."},
        "resourceVersion": {**_STRING, "description": "An opaque value that represents the "
                                                      "internal version of this object."},
        "generation": {"type": "integer", "description": "A sequence number representing a "
                                                         "specific generation of the desired "
                                                         "state."},
        "creationTimestamp": {**_STRING, "description": "The time this object was created."},
    },
}


V2_MEDIA = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited protobuf field (payloads here are shorter than 128 bytes)."""
    return bytes([number << 3 | 2, len(payload)]) + payload


#: gnostic ``openapi_v2.Document{swagger: "2.0", info: {title, version}, paths: {}}``.
V2_DOCUMENT = (_field(1, b"2.0")
               + _field(2, _field(1, b"Kubernetes") + _field(2, b"v1.35.0"))
               + _field(8, b""))


def _path_prefix(item: Served) -> str:
    base = f"/apis/{item.group_version}" if item.info.group else "/api/v1"
    return f"{base}/namespaces/{{namespace}}" if item.info.namespaced else base


def _schema_name(item: Served) -> str:
    group = item.info.group.split(".")[0] if item.info.group else "core"
    return f"io.k8s.api.{group}.{item.version}.{item.info.kind}"


def _gvk(item: Served) -> dict[str, str]:
    return {"group": item.info.group, "version": item.version, "kind": item.info.kind}


def _kind_schema(item: Served) -> dict[str, Any]:
    kind = item.info.kind
    return {
        "description": f"{kind} is a {'namespaced' if item.info.namespaced else 'cluster-scoped'}"
                       f" resource of {item.group_version}.",
        "type": "object",
        "x-kubernetes-group-version-kind": [_gvk(item)],
        "properties": {
            "apiVersion": {**_STRING, "description": "APIVersion defines the versioned schema "
                                                     "of this representation of an object."},
            "kind": {**_STRING, "description": "Kind is a string value representing the REST "
                                               "resource this object represents."},
            "metadata": {"allOf": [{"$ref": f"#/components/schemas/{META}.ObjectMeta"}],
                         "default": {}, "description": "Standard object's metadata."},
            "spec": {"type": "object", "description": f"Spec of the {kind}.",
                     "x-kubernetes-preserve-unknown-fields": True},
            "status": {"type": "object", "description": f"Most recently observed status of the "
                                                        f"{kind}.",
                       "x-kubernetes-preserve-unknown-fields": True},
        },
    }


def group_version_document(resources: list[Served], group_version: str) -> dict[str, Any] | None:
    """The document of ``/openapi/v3/api/v1`` or ``/openapi/v3/apis/<g>/<v>``; None if unknown."""
    items = [s for s in resources if s.group_version == group_version]
    if not items:
        return None
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {f"{META}.ObjectMeta": OBJECT_META}
    for item in items:
        plural = item.info.plural
        paths[f"{_path_prefix(item)}/{plural}/{{name}}"] = {"patch": {
            "x-kubernetes-group-version-kind": _gvk(item),
            "x-kubernetes-action": "patch",
            "operationId": f"patch{item.info.kind}",
            "parameters": PATCH_PARAMETERS,
            "responses": {"200": {"description": "OK"}, "201": {"description": "Created"}},
        }}
        schemas[_schema_name(item)] = _kind_schema(item)
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.35.0"},
            "paths": paths, "components": {"schemas": schemas}}


def document_hash(document: dict[str, Any]) -> str:
    """A content hash of a document, for its ``?hash=`` URL and ETag."""
    return hashlib.sha512(json.dumps(document, sort_keys=True).encode()).hexdigest()[:64].upper()


def root_document(resources: list[Served]) -> dict[str, Any]:
    """``/openapi/v3``: each group-version's document URL, content-addressed."""
    paths = {}
    for group_version in dict.fromkeys(s.group_version for s in resources):
        document = group_version_document(resources, group_version)
        assert document is not None
        key = f"apis/{group_version}" if "/" in group_version else f"api/{group_version}"
        paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={document_hash(document)}"}
    return {"paths": paths}
