"""Kubernetes resource quantities: ``100m`` CPU, ``128Mi`` memory, as plain numbers."""

from __future__ import annotations

import re

from pyhelm.errors import Invalid

_SUFFIX = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")


def parse_quantity(value: object, field: str = "quantity") -> float:
    """``"250m"`` -> 0.25, ``"1Gi"`` -> 1073741824.0; raises ``Invalid`` naming the field."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    found = _QUANTITY.match(str(value).strip())
    if not found or found.group(2) not in _SUFFIX:
        raise Invalid(f"{field}: Invalid value: {value!r}: quantities must match the regular "
                      "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (e.g. 100m, 2, "
                      "128Mi, 1Gi)")
    return float(found.group(1)) * _SUFFIX[found.group(2)]


def pod_requests(spec: dict) -> tuple[float, float]:
    """Total CPU (cores) and memory (bytes) a pod's containers request (limits if no requests)."""
    cpu = memory = 0.0
    for c in spec.get("containers") or ():
        resources = c.get("resources")
        if not resources:
            continue
        wanted = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
        cpu += parse_quantity(wanted.get("cpu", 0), "resources.requests.cpu")
        memory += parse_quantity(wanted.get("memory", 0), "resources.requests.memory")
    return cpu, memory
