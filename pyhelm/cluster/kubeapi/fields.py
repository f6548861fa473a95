"""``fieldValidation``: unknown fields of a written object, found and dropped as a real server does.

kubectl sends ``fieldValidation=Strict`` on every write (``Warn`` with
``--validate=warn``, ``Ignore`` with ``--validate=false``). A real server
decodes into typed structs, so an unknown field — a typo such as
``contianers`` — is an error under Strict, a ``Warning`` header under Warn,
and silently dropped under Ignore (and Warn).

``SCHEMAS`` lists the known fields of the common kinds and of the types inside
them. A schema is a dict (field name -> schema), ``[schema]`` for a list of
such objects, or ``ANY`` (not checked). Kinds and types not listed are not
checked, so nothing valid is ever refused.
"""

from __future__ import annotations

import copy
from typing import Any

ANY = None
Schema = Any

_F = dict.fromkeys  # known fields, contents unchecked

OBJECT_META = _F(["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion",
                  "generation", "creationTimestamp", "deletionTimestamp",
                  "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences",
                  "finalizers", "managedFields"])
CONTAINER_PORT = _F(["name", "hostPort", "containerPort", "protocol", "hostIP"])
ENV_VAR = _F(["name", "value", "valueFrom"])
CONTAINER = {
    **_F(["name", "image", "command", "args", "workingDir", "envFrom", "resources",
          "resizePolicy", "restartPolicy", "restartPolicyRules", "volumeMounts", "volumeDevices",
          "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
          "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy",
          "securityContext", "stdin", "stdinOnce", "tty"]),
    "ports": [CONTAINER_PORT],
    "env": [ENV_VAR],
}
POD_SPEC = {
    **_F(["volumes", "ephemeralContainers", "restartPolicy", "terminationGracePeriodSeconds",
          "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName",
          "serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID",
          "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname",
          "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases",
          "priorityClassName", "priority", "dnsConfig", "readinessGates", "runtimeClassName",
          "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
          "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims",
          "resources", "hostnameOverride", "workloadRef"]),
    "containers": [CONTAINER],
    "initContainers": [CONTAINER],
}
POD_TEMPLATE = {"metadata": OBJECT_META, "spec": POD_SPEC}
DEPLOYMENT_SPEC = {**_F(["replicas", "selector", "strategy", "minReadySeconds",
                         "revisionHistoryLimit", "paused", "progressDeadlineSeconds"]),
                   "template": POD_TEMPLATE}
REPLICASET_SPEC = {**_F(["replicas", "minReadySeconds", "selector"]), "template": POD_TEMPLATE}
SERVICE_PORT = _F(["name", "protocol", "appProtocol", "port", "targetPort", "nodePort"])
SERVICE_SPEC = {
    **_F(["selector", "clusterIP", "clusterIPs", "type", "externalIPs", "sessionAffinity",
          "loadBalancerIP", "loadBalancerSourceRanges", "externalName", "externalTrafficPolicy",
          "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinityConfig",
          "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass",
          "internalTrafficPolicy", "trafficDistribution"]),
    "ports": [SERVICE_PORT],
}


def _kind(**fields: Schema) -> dict[str, Schema]:
    return {"apiVersion": ANY, "kind": ANY, "metadata": OBJECT_META, **fields}


#: Known fields by kind key (``Kind`` for core, ``Kind.group`` otherwise).
SCHEMAS: dict[str, dict[str, Schema]] = {
    "Pod": _kind(spec=POD_SPEC, status=ANY),
    "Deployment.apps": _kind(spec=DEPLOYMENT_SPEC, status=ANY),
    "ReplicaSet.apps": _kind(spec=REPLICASET_SPEC, status=ANY),
    "Service": _kind(spec=SERVICE_SPEC, status=ANY),
    "ConfigMap": _kind(data=ANY, binaryData=ANY, immutable=ANY),
    "Secret": _kind(data=ANY, stringData=ANY, type=ANY, immutable=ANY),
    "Namespace": _kind(spec=ANY, status=ANY),
    "ServiceAccount": _kind(secrets=ANY, imagePullSecrets=ANY,
                            automountServiceAccountToken=ANY),
}


def _prune(value: Any, schema: Schema, path: str, unknown: list[str]) -> Any:
    if schema is ANY:
        return value
    if isinstance(schema, list):
        if not isinstance(value, list):
            return value
        return [_prune(item, schema[0], f"{path}[{n}]", unknown) for n, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    kept = {}
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key in schema:
            kept[key] = _prune(item, schema[key], where, unknown)
        else:
            unknown.append(where)
    return kept


def unknown_fields(kind_key: str, obj: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``obj`` without fields its kind does not have, and the dotted paths of those fields."""
    schema = SCHEMAS.get(kind_key)
    if schema is None:
        return obj, []
    unknown: list[str] = []
    pruned = _prune(copy.deepcopy(obj), schema, "", unknown)
    return pruned, unknown


def strict_message(kind: str, api_version: str, unknown: list[str]) -> str:
    """The 400 message of a Strict write with unknown fields."""
    fields = ", ".join(f'unknown field "{path}"' for path in unknown)
    return (f'{kind} in version "{api_version.rpartition("/")[2]}" cannot be handled as a '
            f"{kind}: strict decoding error: {fields}")


def warning_header(unknown: list[str]) -> list[tuple[str, str]]:
    """``Warning: 299 - "unknown field \\"spec.x\\""`` headers, one per field."""
    return [("warning", f'299 - "unknown field \\"{path}\\""') for path in unknown]
