"""Node lifecycle: pods bound to a node that goes away are deleted, so their controllers
recreate them on the nodes that are left (a bare pod is simply gone, as on a real cluster)."""

from __future__ import annotations

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import info
from pyhelm.cluster.memory.state import Change


def sync(api: Api, changes: list[Change]) -> None:
    gone = {c.key[2] for c in changes if c.key[0] == "Node" and c.type == "DELETED"}
    if not gone:
        return
    for pod in list(api.ws.iter_kind("Pod")):
        if (pod.get("spec") or {}).get("nodeName") in gone:
            api.ws.remove(info("Pod"), pod)
