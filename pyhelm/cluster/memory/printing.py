"""Output of ``get``: kubectl's tables, ``-o wide|yaml|json|name``, ``get all``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from pyhelm.cluster.memory import tables
from pyhelm.errors import UsageError

if TYPE_CHECKING:
    from pyhelm.cluster.memory.kinds import KindInfo

Manifest = dict[str, Any]
FORMATS = ("wide", "yaml", "json", "name")


class GetOptions(NamedTuple):
    output: str | None = None
    all_namespaces: bool = False
    show_labels: bool = False
    no_headers: bool = False
    show_managed_fields: bool = False


def qualified(info: KindInfo) -> str:
    """``pod``, ``deployment.apps``: how kubectl names a type before ``/name``."""
    return f"{info.singular}.{info.group}" if info.group else info.singular


def _clean(obj: Manifest, opts: GetOptions) -> Manifest:
    if opts.show_managed_fields or "managedFields" not in obj.get("metadata", {}):
        return obj
    return {**obj, "metadata": {k: v for k, v in obj["metadata"].items()
                                if k != "managedFields"}}


def format_objects(groups: Sequence[tuple[KindInfo, Iterable[Manifest]]], opts: GetOptions,
                   now: datetime, single: bool = False, prefix: bool = False) -> str:
    """Everything ``get`` prints on stdout for these (type, objects) groups; "" for none.

    Each group's objects are read once, so they may come as a stream.
    """
    if opts.output not in (None, *FORMATS):
        raise UsageError(f"unable to match a printer suitable for the output format "
                         f"{opts.output!r}, allowed formats are: json,name,wide,yaml")
    if opts.output in ("yaml", "json"):
        objs = [_clean(o, opts) for _, items in groups for o in items]
        doc: Manifest = objs[0] if single and len(objs) == 1 else {
            "apiVersion": "v1", "items": objs, "kind": "List",
            "metadata": {"resourceVersion": ""}}
        if opts.output == "json":
            import json

            return json.dumps(doc, indent=4, ensure_ascii=False) + "\n"
        from pyhelm import yamlio  # (the tables need neither codec)

        return yamlio.dump(doc)
    if opts.output == "name":
        return "".join(f"{qualified(info)}/{o['metadata']['name']}\n"
                       for info, items in groups for o in items)
    blocks = []
    for info, items in groups:
        headers, rows = tables.build(info.key, items, now, wide=opts.output == "wide",
                                     prefix=qualified(info) if prefix else "",
                                     namespaces=opts.all_namespaces and info.namespaced,
                                     labels=opts.show_labels)
        if not rows:
            continue
        text = tables.layout(headers, rows)
        if opts.no_headers:
            text = "".join(text.splitlines(keepends=True)[1:])
        blocks.append(text)
    return "\n".join(blocks)
