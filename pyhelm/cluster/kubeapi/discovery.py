"""API discovery documents, built from the cluster's kind registry.

kubectl asks ``/api`` and ``/apis`` for aggregated discovery
(``apidiscovery.k8s.io/v2`` ``APIGroupDiscoveryList``) and, when it gets it
with exactly ``AGGREGATED_MEDIA`` as Content-Type, never asks per group-version.
Legacy documents (``APIVersions``, ``APIGroupList``, ``APIResourceList``) are
served when the client does not ask for the aggregated form. Resources are
listed alphabetically within a group-version; groups keep the registry's
order (core first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pyhelm.cluster.memory.kinds import KindInfo

AGGREGATED_MEDIA = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SUB_VERBS = {"status": ["get", "patch", "update"], "scale": ["get", "patch", "update"],
             "log": ["get"]}


@dataclass(frozen=True)
class Served:
    """One resource as served at one group-version."""

    info: KindInfo
    version: str

    @property
    def group_version(self) -> str:
        return f"{self.info.group}/{self.version}" if self.info.group else self.version


def served(kinds: Iterable[KindInfo]) -> list[Served]:
    """Every (kind, version) pair the registry serves, preferred version first."""
    return [Served(info, version) for info in kinds
            for version in dict.fromkeys((info.version, *info.versions))]


def wants_aggregated(accept: str) -> bool:
    return "as=APIGroupDiscoveryList" in accept.replace(" ", "")


def _groups(resources: list[Served]) -> dict[str, dict[str, list[Served]]]:
    """group -> version -> resources, in registry order, resources sorted by plural."""
    groups: dict[str, dict[str, list[Served]]] = {}
    for item in resources:
        groups.setdefault(item.info.group, {}).setdefault(item.version, []).append(item)
    for versions in groups.values():
        for items in versions.values():
            items.sort(key=lambda s: s.info.plural)
    return groups


def _subresource(info: KindInfo, name: str) -> dict[str, Any]:
    kind = ({"group": "autoscaling", "version": "v1", "kind": "Scale"} if name == "scale"
            else {"group": "", "version": "", "kind": info.kind})
    return {"subresource": name, "responseKind": kind, "verbs": SUB_VERBS.get(name, ["get"])}


def _aggregated_resource(item: Served) -> dict[str, Any]:
    info = item.info
    entry: dict[str, Any] = {
        "resource": info.plural,
        "responseKind": {"group": "", "version": "", "kind": info.kind},
        "scope": "Namespaced" if info.namespaced else "Cluster",
        "singularResource": info.singular,
        "verbs": VERBS,
    }
    if info.short_names:
        entry["shortNames"] = list(info.short_names)
    if info.categories:
        entry["categories"] = list(info.categories)
    if info.subresources:
        entry["subresources"] = [_subresource(info, s) for s in info.subresources]
    return entry


def aggregated(resources: list[Served], core: bool) -> dict[str, Any]:
    """The ``APIGroupDiscoveryList`` of ``/api`` (``core``) or ``/apis``."""
    items = []
    for group, versions in _groups(resources).items():
        if (group == "") != core:
            continue
        items.append({"metadata": {"name": group}, "versions": [
            {"version": version, "freshness": "Current",
             "resources": [_aggregated_resource(s) for s in served_items]}
            for version, served_items in versions.items()]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}


def api_versions(server_address: str) -> dict[str, Any]:
    """Legacy ``/api``."""
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
        {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group_list(resources: list[Served]) -> dict[str, Any]:
    """Legacy ``/apis``."""
    groups = []
    for group, versions in _groups(resources).items():
        if not group:
            continue
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        groups.append({"name": group, "versions": entries, "preferredVersion": entries[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def resource_list(resources: list[Served], group_version: str) -> dict[str, Any] | None:
    """Legacy ``/api/v1`` or ``/apis/<group>/<version>``; None when not served."""
    items = [s for s in resources if s.group_version == group_version]
    if not items:
        return None
    entries = []
    for item in sorted(items, key=lambda s: s.info.plural):
        info = item.info
        entry: dict[str, Any] = {"name": info.plural, "singularName": info.singular,
                                 "namespaced": info.namespaced, "kind": info.kind,
                                 "verbs": VERBS}
        if info.short_names:
            entry["shortNames"] = list(info.short_names)
        if info.categories:
            entry["categories"] = list(info.categories)
        entries.append(entry)
        for sub in info.subresources:
            kind = _subresource(info, sub)["responseKind"]
            entries.append({"name": f"{info.plural}/{sub}", "singularName": "",
                            "namespaced": info.namespaced, "kind": kind["kind"],
                            **({"group": kind["group"], "version": kind["version"]}
                               if kind["group"] else {}),
                            "verbs": SUB_VERBS.get(sub, ["get"])})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version,
            "resources": entries}
