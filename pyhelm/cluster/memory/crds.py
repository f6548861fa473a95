"""CustomResourceDefinitions: the kinds they add and the schema each version checks against."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyhelm.cluster.memory.kinds import KindInfo

Manifest = dict[str, Any]


def custom_kinds(crds: Iterable[Manifest]) -> list[KindInfo]:
    """One ``KindInfo`` per CRD (its storage version first; all served versions accepted)."""
    infos = []
    for crd in crds:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        versions = [v for v in spec.get("versions") or () if v.get("served", True)]
        if not versions or not names.get("kind") or not names.get("plural"):
            continue
        storage = next((v for v in versions if v.get("storage")), versions[0])
        infos.append(KindInfo(
            group=str(spec.get("group", "")), version=str(storage["name"]),
            kind=str(names["kind"]), plural=str(names["plural"]),
            namespaced=spec.get("scope", "Namespaced") == "Namespaced",
            short_names=tuple(names.get("shortNames") or ()),
            categories=tuple(names.get("categories") or ()),
            versions=tuple(str(v["name"]) for v in versions)))
    return infos


def schema_for(crds: Iterable[Manifest], info: KindInfo, api_version: str) -> Manifest | None:
    version = api_version.rpartition("/")[2]
    for crd in crds:
        spec = crd.get("spec") or {}
        if spec.get("group") == info.group and (spec.get("names") or {}).get("kind") == info.kind:
            for v in spec.get("versions") or ():
                if v.get("name") == version:
                    return (v.get("schema") or {}).get("openAPIV3Schema")
    return None


def crd_status(crd: Manifest) -> Manifest:
    """The status a CRD gets once accepted: names echoed, Established and NamesAccepted."""
    spec = crd.get("spec") or {}
    return {
        "acceptedNames": spec.get("names") or {},
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
             "message": "no conflicts found"},
            {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted"}],
        "storedVersions": [v["name"] for v in spec.get("versions") or () if v.get("storage")],
    }
