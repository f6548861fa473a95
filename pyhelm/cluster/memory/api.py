"""API-server semantics over one transaction: create, get, list, update, patch, apply, delete.

Every write is defaulted, validated and stamped (uid, creationTimestamp,
resourceVersion, generation, managedFields) before it reaches the working set;
controllers then run on the result (see ``controllers.run_to_fixed_point``).
Errors are the ``pyhelm.cluster.memory.errors`` classes, worded as the API
server words them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.memory import fields, names, schema
from pyhelm.cluster.memory.admission import allocate_service
from pyhelm.cluster.memory.crds import custom_kinds, schema_for
from pyhelm.cluster.memory.defaults import default_object
from pyhelm.cluster.memory.errors import (
    Cause,
    DecodeError,
    FieldManagerConflict,
    Forbidden,
    ObjectExists,
    ObjectInvalid,
    ObjectNotFound,
    StaleObject,
)
from pyhelm.cluster.memory.kinds import KindInfo
from pyhelm.cluster.memory.state import WorkingSet, clone
from pyhelm.cluster.memory.validation import validate, validate_custom
from pyhelm.cluster.objects import Requirement, field_matches, matches
from pyhelm.errors import Invalid

Manifest = dict[str, Any]
CRD_KEY = "CustomResourceDefinition.apiextensions.k8s.io"


@dataclass
class WriteResult:
    """What a write did: the object as stored and whether it was created/changed."""

    obj: Manifest
    created: bool = False
    changed: bool = True


@dataclass
class Api:
    """The API server's rules applied to one ``WorkingSet`` (one transaction)."""

    ws: WorkingSet
    new_uid: Any = field(default=names.new_uid)

    def __post_init__(self) -> None:
        self.refresh_kinds()

    def refresh_kinds(self) -> None:
        self.ws.registry.add_custom(custom_kinds(self.ws.list(CRD_KEY)))

    # -- lookups ---------------------------------------------------------------
    def info(self, obj: Manifest, where: str = "") -> KindInfo:
        if not isinstance(obj, dict) or not obj.get("kind") or not obj.get("apiVersion"):
            missing = "kind" if isinstance(obj, dict) and obj.get("apiVersion") else "apiVersion"
            raise Invalid(f"{where + ': ' if where else ''}Object 'Kind' is missing or "
                          f"'{missing}' is not set in {str(obj)[:80]}; every manifest needs "
                          "apiVersion and kind")
        return self.ws.registry.for_object(str(obj["apiVersion"]), str(obj["kind"]), where)

    def namespace_of(self, info: KindInfo, obj: Manifest, default: str = "default") -> str:
        if not info.namespaced:
            return ""
        return str(obj.get("metadata", {}).get("namespace") or default)

    def read(self, info: KindInfo, namespace: str | None, name: str) -> Manifest:
        obj = self.ws.get(info.key, (namespace or "default") if info.namespaced else "", name)
        if obj is None:
            raise ObjectNotFound(info.resource, name)
        return obj

    def list(self, info: KindInfo, namespace: str | None = None,
             labels: Sequence[Requirement] = (), field_terms: Sequence[tuple[str, str, str]] = ()
             ) -> list[Manifest]:
        items = self.ws.list(info.key, namespace if info.namespaced else None)
        if labels:
            items = [o for o in items if matches(list(labels), o["metadata"].get("labels"))]
        if field_terms:
            items = [o for o in items if field_matches(list(field_terms), o)]
        return items

    # -- writes ------------------------------------------------------------------
    def create(self, obj: Manifest, manager: str | None = None, operation: str = "Update",
               namespace: str = "default", owned: bool = False,
               trusted: bool = False) -> WriteResult:
        """Create ``obj`` (copied first unless ``owned``: the caller hands it over).

        ``trusted`` (controllers' own objects) skips the OpenAPI schema check.
        """
        info = self.info(obj)
        if not trusted:
            self.decode(info, obj)
        if not owned:
            obj = clone(obj)
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise ObjectInvalid(info.kind, "", [Cause("metadata", "must be an object")])
        if info.namespaced:
            meta["namespace"] = self.namespace_of(info, obj, namespace)
            self._require_namespace(meta["namespace"])
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + names.random_suffix()
        existing = self.ws.get(info.key, meta.get("namespace", ""), str(meta.get("name", "")))
        if existing is not None:
            raise ObjectExists(info.resource, str(meta["name"]))
        meta.pop("resourceVersion", None)
        meta["uid"] = self.new_uid()
        meta["creationTimestamp"] = self.ws.stamp
        if "spec" in obj or info.key in ("Deployment.apps", "ReplicaSet.apps"):
            meta["generation"] = 1
        paths = fields.field_paths(obj) if manager else set()
        self._admit(info, obj, None)
        if manager:
            self._own(obj, manager, operation, paths, info)
        self.ws.put(info, obj)
        if info.key == CRD_KEY:
            self.refresh_kinds()
        return WriteResult(obj, created=True)

    def update(self, obj: Manifest, manager: str | None = None, namespace: str = "default",
               subresource: str | None = None) -> WriteResult:
        """Replace an object; a stale ``metadata.resourceVersion`` raises ``StaleObject``."""
        info = self.info(obj)
        self.decode(info, obj)
        obj = clone(obj)
        meta = obj.setdefault("metadata", {})
        ns = self.namespace_of(info, obj, namespace)
        old = self.read(info, ns, str(meta.get("name", "")))
        rv = meta.get("resourceVersion")
        if rv and str(rv) != old["metadata"]["resourceVersion"]:
            raise StaleObject(info.resource, meta["name"])
        return self._replace(info, old, obj, manager, "Update", subresource)

    def _replace(self, info: KindInfo, old: Manifest, obj: Manifest, manager: str | None,
                 operation: str, subresource: str | None = None,
                 paths: set[fields.Path] | None = None, steal: bool = False) -> WriteResult:
        meta = obj["metadata"]
        old_meta = old["metadata"]
        for key in ("uid", "creationTimestamp", "namespace", "generation", "deletionTimestamp"):
            if key in old_meta:
                meta[key] = old_meta[key]
        meta["resourceVersion"] = old_meta["resourceVersion"]
        meta["managedFields"] = clone(old_meta.get("managedFields") or [])
        if steal and paths:
            _take_ownership(obj, str(manager), paths)
        if not meta["managedFields"]:
            meta.pop("managedFields")
        if subresource == "status":
            obj = {**clone(old), "status": obj.get("status")}
        elif "status" in old and info.key != CRD_KEY:
            obj["status"] = clone(old["status"])
        self._admit(info, obj, old)
        if _spec_of(obj) != _spec_of(old) and "generation" in meta:
            meta["generation"] = int(meta["generation"]) + 1
        if manager:
            changed = paths if paths is not None else _changed_paths(old, obj)
            self._own(obj, manager, operation, changed, info)
        if obj == old:
            return WriteResult(old, changed=False)
        self.ws.put(info, obj)
        if info.key == CRD_KEY:
            self.refresh_kinds()
        return WriteResult(obj)

    def patch(self, ref: ObjectRef, patch: Manifest, patch_type: str = "merge",
              manager: str | None = None) -> WriteResult:
        if patch_type != "merge":
            raise Invalid(f"unsupported patch type {patch_type!r}: the built-in cluster takes "
                          "merge patches (RFC 7386); use apply for server-side apply")
        info = self.ws.registry.for_object(ref.api_version, ref.kind)
        old = self.read(info, ref.namespace, ref.name)
        new = fields.merge_patch(old, patch)
        self.decode(info, new)
        rv = (patch.get("metadata") or {}).get("resourceVersion")
        if rv and str(rv) != old["metadata"]["resourceVersion"]:
            raise StaleObject(info.resource, ref.name)
        return self._replace(info, old, new, manager, "Update")

    def apply(self, obj: Manifest, manager: str, force: bool = False,
              namespace: str = "default") -> WriteResult:
        """Server-side apply: merge ``obj`` over the live object and own its fields."""
        info = self.info(obj)
        self.decode(info, obj)
        obj = clone(obj)
        meta = obj.setdefault("metadata", {})
        ns = self.namespace_of(info, obj, namespace)
        if info.namespaced:
            meta["namespace"] = ns
        live = self.ws.get(info.key, ns, str(meta.get("name", "")))
        if live is None:
            return self.create(obj, manager, "Apply", namespace, owned=True, trusted=True)
        paths = fields.field_paths(obj)
        _check_conflicts(live, obj, paths, manager, force)
        merged = fields.apply_merge(live, {k: v for k, v in obj.items() if k != "status"})
        for path in _released(live, manager, paths):
            fields.remove_path(merged, path)
        return self._replace(info, live, merged, manager, "Apply", paths=paths, steal=force)

    def delete(self, ref: ObjectRef, cascade: str = "background") -> Manifest:
        """Delete one object; dependents go too (background/foreground) or are orphaned."""
        if cascade not in ("background", "foreground", "orphan"):
            raise Invalid(f"unknown cascade {cascade!r}: use background, foreground or orphan")
        info = self.ws.registry.for_object(ref.api_version, ref.kind)
        obj = self.read(info, ref.namespace, ref.name)
        if info.key == "Namespace" and ref.name in ("default", "kube-system", "kube-public"):
            raise Forbidden(f'namespaces "{ref.name}" is forbidden: this namespace may not be '
                            "deleted")
        uid = obj["metadata"]["uid"]
        if cascade == "orphan":
            for child in self.ws.children(uid):
                child_info = self.info(child)
                child["metadata"]["ownerReferences"] = [
                    r for r in child["metadata"]["ownerReferences"] if r.get("uid") != uid]
                if not child["metadata"]["ownerReferences"]:
                    del child["metadata"]["ownerReferences"]
                self.ws.put(child_info, child)
        self.ws.remove(info, obj)
        if info.key == CRD_KEY:
            self.refresh_kinds()
        return obj

    def decode(self, info: KindInfo, obj: Manifest) -> None:
        """Strict decoding against the kind's OpenAPI schema; raises ``DecodeError``."""
        if info in self.ws.registry.custom:
            return
        unknown, causes = schema.check(obj)
        problems = [f"{c.field}: {c.message}" for c in causes
                    if c.reason == "FieldValueTypeInvalid"]
        if unknown:
            problems.append("strict decoding error: " +
                            ", ".join(f'unknown field "{p}"' for p in unknown))
        if problems:
            raise DecodeError(info.kind, info.version, problems)
        required = [c for c in causes if c.reason == "FieldValueRequired"]
        if required:
            name = str((obj.get("metadata") or {}).get("name", ""))
            raise ObjectInvalid(info.kind, name, required)

    # -- helpers -------------------------------------------------------------------
    def _require_namespace(self, namespace: str) -> None:
        ns = self.ws.get("Namespace", "", namespace)
        if ns is None:
            raise ObjectNotFound("namespaces", namespace,
                                 f'namespaces "{namespace}" not found; create it first '
                                 f"(pyhelm cluster create namespace {namespace})")
        if ns.get("status", {}).get("phase") == "Terminating":
            raise Invalid(f"namespace {namespace} is being terminated; wait, then create again")

    def _admit(self, info: KindInfo, obj: Manifest, old: Manifest | None) -> None:
        default_object(info.key, obj)
        causes = validate(info.key, obj, old)
        if info in self.ws.registry.custom:
            crds = self.ws.list(CRD_KEY)
            causes += validate_custom(schema_for(crds, info, str(obj["apiVersion"])), obj)
        if causes:
            raise ObjectInvalid(info.kind, str(obj.get("metadata", {}).get("name", "")), causes)
        if old is None and info.key == "Service":
            allocate_service(self.ws, obj)

    def _own(self, obj: Manifest, manager: str, operation: str, paths: set[fields.Path],
             info: KindInfo) -> None:
        entries = [e for e in obj["metadata"].get("managedFields") or ()
                   if not (e.get("manager") == manager and e.get("operation") == operation)]
        if operation == "Update":
            old_entry = next((e for e in obj["metadata"].get("managedFields") or ()
                              if e.get("manager") == manager and e.get("operation") == operation),
                             None)
            if old_entry:
                paths = paths | fields.from_fields_v1(old_entry.get("fieldsV1") or {})
        same = next((e for e in obj["metadata"].get("managedFields") or ()
                     if e.get("manager") == manager and e.get("operation") == operation
                     and e.get("fieldsV1") == fields.to_fields_v1(paths)), None)
        if same is not None:
            entries.append(same)
        elif paths:
            entries.append({"manager": manager, "operation": operation,
                            "apiVersion": info.api_version,
                            "time": self.ws.stamp, "fieldsType": "FieldsV1",
                            "fieldsV1": fields.to_fields_v1(paths)})
        obj["metadata"]["managedFields"] = entries


def _spec_of(obj: Manifest) -> Any:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


def _changed_paths(old: Manifest, new: Manifest) -> set[fields.Path]:
    before = fields.field_paths(old)
    return {p for p in fields.field_paths(new)
            if p not in before or fields.value_at(old, p) != fields.value_at(new, p)}


def _owners(live: Manifest) -> list[tuple[str, set[fields.Path]]]:
    return [(str(e.get("manager")), fields.from_fields_v1(e.get("fieldsV1") or {}))
            for e in live["metadata"].get("managedFields") or ()]


def _check_conflicts(live: Manifest, obj: Manifest, paths: set[fields.Path], manager: str,
                     force: bool) -> None:
    if force:
        return
    causes = []
    for other, owned in _owners(live):
        if other == manager:
            continue
        for path in sorted(paths & owned):
            if fields.value_at(live, path) != fields.value_at(obj, path):
                causes.append(Cause(fields.dotted(path), f'conflict with "{other}"',
                                    "FieldManagerConflict"))
    if causes:
        raise FieldManagerConflict(causes)


def _released(live: Manifest, manager: str, paths: set[fields.Path]) -> list[fields.Path]:
    """Fields this manager applied before, dropped now, and owned by nobody else."""
    mine: set[fields.Path] = set()
    others: set[fields.Path] = set()
    for entry in live["metadata"].get("managedFields") or ():
        owned = fields.from_fields_v1(entry.get("fieldsV1") or {})
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            mine |= owned
        else:
            others |= owned
    # Shortest first: a dropped list item goes whole, before its own fields are looked up
    # (removing its key field first would leave the item behind, keyless).
    return sorted(mine - paths - others, key=len)


def _take_ownership(obj: Manifest, manager: str, paths: set[fields.Path]) -> None:
    kept = []
    for entry in obj["metadata"].get("managedFields") or ():
        if entry.get("manager") != manager:
            owned = fields.from_fields_v1(entry.get("fieldsV1") or {}) - paths
            if not owned:
                continue
            entry = {**entry, "fieldsV1": fields.to_fields_v1(owned)}
        kept.append(entry)
    obj["metadata"]["managedFields"] = kept
