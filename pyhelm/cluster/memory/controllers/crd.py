"""CRD controller: an accepted CustomResourceDefinition reports Established (its kinds are
served from the moment it is stored)."""

from __future__ import annotations

from pyhelm.cluster.memory.api import CRD_KEY, Api
from pyhelm.cluster.memory.controllers.common import set_status
from pyhelm.cluster.memory.crds import crd_status
from pyhelm.cluster.memory.state import Change


def sync(api: Api, changes: list[Change]) -> None:
    for change in changes:
        if change.key[0] == CRD_KEY and change.type != "DELETED":
            crd = api.ws.get(*change.key)
            if crd is not None:
                set_status(api, crd, crd_status(crd))
