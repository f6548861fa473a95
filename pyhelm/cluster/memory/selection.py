"""Which objects a kubectl-style command line names: ``pod a b``, ``pod/a deploy/b``,
``deploy,svc``, ``all``, with a namespace, label and field selectors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.memory.kinds import KindInfo
from pyhelm.errors import UsageError

if TYPE_CHECKING:
    from pyhelm.cluster.memory import MemoryCluster

Manifest = dict[str, Any]


def parse_targets(cluster: MemoryCluster, words: list[str]) -> list[tuple[KindInfo, str | None]]:
    """(type, name or None for "all of them") pairs, in the order given."""
    if not words:
        raise UsageError("you must specify the type of resource to get (e.g. pods, deploy, "
                         "svc, all); run 'pyhelm cluster api-resources' for the list")
    if "/" in words[0]:
        pairs = []
        for word in words:
            kind, sep, name = word.partition("/")
            if not sep or not name:
                raise UsageError(f"there is no need to specify a resource type as a separate "
                                 f"argument when passing arguments in resource/name form: {word}")
            pairs.append((cluster.resolve(kind), name))
        return pairs
    infos: list[KindInfo] = []
    for kind in words[0].split(","):
        infos += cluster.registry.category("all") if kind == "all" else [cluster.resolve(kind)]
    names = words[1:]
    return [(i, n) for i in infos for n in names] if names else [(i, None) for i in infos]


def collect(cluster: MemoryCluster, words: list[str], namespace: str,
            list_namespace: str | None, selector: str | None = None,
            field_selector: str | None = None, summaries: bool = False
            ) -> tuple[list[tuple[KindInfo, list[Manifest]]], bool]:
    """Objects grouped by type, read in one transaction; and whether any was named.

    ``summaries``: for printing (see ``MemoryCluster.list``).
    """
    groups: dict[str, tuple[KindInfo, list[Manifest]]] = {}
    named = False
    with cluster.transaction(write=False):
        for info, name in parse_targets(cluster, words):
            group = groups.setdefault(info.key, (info, []))
            if name is None:
                group[1].extend(cluster.list(info.api_version, info.kind, list_namespace,
                                             selector, field_selector, summaries))
            else:
                named = True
                group[1].append(cluster.get(ObjectRef(
                    info.api_version, info.kind, namespace if info.namespaced else None, name)))
    return list(groups.values()), named
