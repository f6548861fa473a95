"""Validation as the API server does it: names, required fields, types, immutable fields.

``validate(kind_key, obj, old)`` returns a list of ``Cause``; the API raises
``ObjectInvalid`` with all of them (``The Deployment "x" is invalid: ...``).
Custom resources are checked against their CRD's openAPIV3Schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pyhelm.cluster.memory.errors import Cause
from pyhelm.cluster.objects import matches, selector_requirements

Manifest = dict[str, Any]

_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_QUALIFIED = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                 "characters, '-' or '.', and must start and end with an alphanumeric character "
                 "(e.g. 'example.com', regex used for validation is "
                 r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
             "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
             "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
#: Kinds whose names must be DNS-1123 labels (no dots, at most 63 characters).
LABEL_NAMED = {"Namespace", "Service", "StatefulSet.apps", "CronJob.batch"}
IMMUTABLE = {
    "Deployment.apps": ("spec.selector",),
    "ReplicaSet.apps": ("spec.selector",),
    "DaemonSet.apps": ("spec.selector",),
    "StatefulSet.apps": ("spec.selector", "spec.serviceName", "spec.volumeClaimTemplates",
                         "spec.podManagementPolicy"),
    "Job.batch": ("spec.selector", "spec.template", "spec.completions"),
    "Service": ("spec.clusterIP",),
    "PersistentVolumeClaim": ("spec.storageClassName", "spec.accessModes"),
    "Secret": (),
}


def _req(field: str) -> Cause:
    return Cause(field, "Required value", "FieldValueRequired")


def _bad(field: str, value: Any, why: str) -> Cause:
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    return Cause(field, f"Invalid value: {shown}: {why}")


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def validate_name(kind_key: str, name: Any, field: str = "metadata.name") -> list[Cause]:
    if not isinstance(name, str) or not name:
        return [Cause(field, "Required value: name or generateName is required",
                      "FieldValueRequired")]
    if kind_key in LABEL_NAMED:
        if len(name) > 63 or not _LABEL.fullmatch(name):
            return [_bad(field, name, LABEL_MSG if len(name) <= 63
                         else "must be no more than 63 characters")]
    elif len(name) > 253 or not _SUBDOMAIN.fullmatch(name):
        return [_bad(field, name, SUBDOMAIN_MSG if len(name) <= 253
                     else "must be no more than 253 characters")]
    return []


def _labels(labels: Any, field: str) -> list[Cause]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [_bad(field, labels, "must be a map of string keys to string values")]
    causes = []
    for key, value in labels.items():
        name = str(key).rpartition("/")[2]
        if not name or len(name) > 63 or not _QUALIFIED.fullmatch(name):
            causes.append(_bad(field, key, "name part must consist of alphanumeric characters, "
                               "'-', '_' or '.', and must start and end with an alphanumeric "
                               "character"))
        if not isinstance(value, str):
            causes.append(_bad(f"{field}.{key}", value, "must be a string (quote it in YAML)"))
        elif len(value) > 63 or not _LABEL_VALUE.fullmatch(value):
            causes.append(_bad(field, value, "a valid label must be an empty string or consist "
                               "of alphanumeric characters, '-', '_' or '.', and must start and "
                               "end with an alphanumeric character"))
    return causes


def _metadata(kind_key: str, obj: Manifest) -> list[Cause]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return [_req("metadata")]
    causes = validate_name(kind_key, meta.get("name"))
    causes += _labels(meta.get("labels"), "metadata.labels")
    annotations = meta.get("annotations")
    if annotations is not None and (not isinstance(annotations, dict) or
                                    not all(isinstance(v, str) for v in annotations.values())):
        causes.append(Cause("metadata.annotations", "Invalid value: annotations must be a map "
                            "of string keys to string values (quote numbers and booleans)"))
    return causes


def _int_range(value: Any, field: str, low: int, high: int) -> list[Cause]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [_bad(field, value, "must be an integer")]
    if not low <= value <= high:
        return [_bad(field, value, f"must be between {low} and {high}, inclusive")]
    return []


def _container(c: Any, field: str) -> list[Cause]:
    if not isinstance(c, dict):
        return [_bad(field, c, "must be an object with name and image")]
    causes = []
    name = c.get("name")
    if not name:
        causes.append(_req(f"{field}.name"))
    elif not isinstance(name, str) or len(name) > 63 or not _LABEL.fullmatch(name):
        causes.append(_bad(f"{field}.name", name, LABEL_MSG))
    if not c.get("image"):
        causes.append(_req(f"{field}.image"))
    for i, port in enumerate(c.get("ports") or ()):
        where = f"{field}.ports[{i}]"
        if not isinstance(port, dict) or "containerPort" not in port:
            causes.append(_req(f"{where}.containerPort"))
            continue
        causes += _int_range(port["containerPort"], f"{where}.containerPort", 1, 65535)
        if port.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
            causes.append(Cause(f"{where}.protocol", f'Unsupported value: "{port["protocol"]}":'
                                ' supported values: "SCTP", "TCP", "UDP"',
                                "FieldValueNotSupported"))
    return causes


def pod_spec(spec: Any, field: str, restart: tuple[str, ...] = ()) -> list[Cause]:
    if not isinstance(spec, dict):
        return [_req(field)]
    containers = spec.get("containers")
    if not containers:
        return [_req(f"{field}.containers")]
    if not isinstance(containers, list):
        return [_bad(f"{field}.containers", containers, "must be a list of containers")]
    causes: list[Cause] = []
    seen: set[str] = set()
    for i, c in enumerate(containers):
        causes += _container(c, f"{field}.containers[{i}]")
        name = c.get("name") if isinstance(c, dict) else None
        if name in seen:
            causes.append(Cause(f"{field}.containers[{i}].name", f'Duplicate value: "{name}"',
                                "FieldValueDuplicate"))
        seen.add(str(name))
    for i, c in enumerate(spec.get("initContainers") or ()):
        causes += _container(c, f"{field}.initContainers[{i}]")
    policy = spec.get("restartPolicy")
    if restart and policy not in restart:
        allowed = ", ".join(f'"{r}"' for r in restart)
        causes.append(Cause(f"{field}.restartPolicy", f"Required value: valid values: {allowed}",
                            "FieldValueRequired") if policy in (None, "Always") else
                      Cause(f"{field}.restartPolicy", f'Unsupported value: "{policy}": '
                            f"supported values: {allowed}", "FieldValueNotSupported"))
    return causes


def _workload(obj: Manifest, template_path: str = "spec.template",
              restart: tuple[str, ...] = ()) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [_req("spec")]
    causes: list[Cause] = []
    if "replicas" in spec:
        causes += _int_range(spec["replicas"], "spec.replicas", 0, 2**31 - 1)
    template = _get(obj, template_path)
    if not isinstance(template, dict):
        return causes + [_req(template_path)]
    labels = _get(template, "metadata.labels") or {}
    selector = spec.get("selector")
    if template_path == "spec.template":
        if not selector:
            causes.append(_req("spec.selector"))
        elif not matches(selector_requirements(selector), labels):
            causes.append(Cause(f"{template_path}.metadata.labels",
                                f"Invalid value: {labels!r}: `selector` does not match "
                                "template `labels`"))
    causes += _labels(labels or None, f"{template_path}.metadata.labels")
    return causes + pod_spec(template.get("spec"), f"{template_path}.spec", restart)


def _service(obj: Manifest) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [_req("spec")]
    kind = spec.get("type", "ClusterIP")
    types = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
    if kind not in types:
        return [Cause("spec.type", f'Unsupported value: "{kind}": supported values: '
                      + ", ".join(f'"{t}"' for t in types), "FieldValueNotSupported")]
    if kind == "ExternalName":
        return [] if spec.get("externalName") else [_req("spec.externalName")]
    ports = spec.get("ports")
    if not ports and spec.get("clusterIP") != "None":
        return [_req("spec.ports")]
    causes: list[Cause] = []
    names: set[str] = set()
    for i, port in enumerate(ports or ()):
        if not isinstance(port, dict) or "port" not in port:
            causes.append(_req(f"spec.ports[{i}].port"))
            continue
        causes += _int_range(port["port"], f"spec.ports[{i}].port", 1, 65535)
        if len(ports) > 1 and not port.get("name"):
            causes.append(_req(f"spec.ports[{i}].name"))
        if port.get("name") in names:
            causes.append(Cause(f"spec.ports[{i}].name", f'Duplicate value: "{port["name"]}"',
                                "FieldValueDuplicate"))
        names.add(port.get("name"))
        if "nodePort" in port and kind not in ("NodePort", "LoadBalancer"):
            causes.append(Cause(f"spec.ports[{i}].nodePort", "Forbidden: may not be used when "
                                "`type` is 'ClusterIP'", "FieldValueForbidden"))
    return causes


def _cronjob(obj: Manifest) -> list[Cause]:
    from pyhelm.cluster.memory.cron import CronError, parse_cron

    schedule = _get(obj, "spec.schedule")
    if not schedule:
        return [_req("spec.schedule")]
    try:
        parse_cron(str(schedule))
    except CronError as exc:
        return [_bad("spec.schedule", schedule, str(exc))]
    return _workload(obj, "spec.jobTemplate.spec.template", ("OnFailure", "Never"))


def _configmap(obj: Manifest) -> list[Cause]:
    causes = []
    for field in ("data", "binaryData"):
        for key, value in (obj.get(field) or {}).items():
            if not re.fullmatch(r"[-._a-zA-Z0-9]+", str(key)):
                causes.append(_bad(f"{field}[{key}]", key, "a valid config key must consist of "
                                   "alphanumeric characters, '-', '_' or '.'"))
            if field == "data" and not isinstance(value, str):
                causes.append(_bad(f"data[{key}]", value, "must be a string (quote it in YAML)"))
    return causes


def _secret(obj: Manifest) -> list[Cause]:
    import base64
    import binascii

    causes = []
    for key, value in (obj.get("data") or {}).items():
        try:
            base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            causes.append(_bad(f"data[{key}]", "<secret>", "must be base64 encoded (or use "
                               "stringData for plain text)"))
    return causes


_VALIDATORS: dict[str, Callable[[Manifest], list[Cause]]] = {
    "Pod": lambda o: pod_spec(o.get("spec"), "spec"),
    "Deployment.apps": _workload, "ReplicaSet.apps": _workload,
    "StatefulSet.apps": _workload, "DaemonSet.apps": _workload,
    "Job.batch": lambda o: _workload(o, "spec.template", ("OnFailure", "Never")),
    "CronJob.batch": _cronjob, "Service": _service, "ConfigMap": _configmap, "Secret": _secret,
}


def validate(kind_key: str, obj: Manifest, old: Manifest | None) -> list[Cause]:
    """All problems with ``obj`` (a create when ``old`` is None, else an update of ``old``)."""
    causes = _metadata(kind_key, obj)
    check = _VALIDATORS.get(kind_key)
    if check is not None:
        causes += check(obj)
    if old is not None:
        causes += immutable(kind_key, obj, old)
    return causes


def immutable(kind_key: str, obj: Manifest, old: Manifest) -> list[Cause]:
    causes = []
    for path in IMMUTABLE.get(kind_key, ()):
        before, after = _get(old, path), _get(obj, path)
        if before is not None and before != after:
            causes.append(Cause(path, f"Invalid value: {after!r}: field is immutable"))
    if kind_key == "Pod":
        causes += _pod_update(obj, old)
    return causes


def _pod_update(obj: Manifest, old: Manifest) -> list[Cause]:
    def shape(spec: Manifest) -> Manifest:
        spec = dict(spec)
        spec.pop("nodeName", None)
        spec["containers"] = [{k: v for k, v in c.items() if k != "image"}
                              for c in spec.get("containers") or ()]
        spec.pop("activeDeadlineSeconds", None)
        spec.pop("tolerations", None)
        return spec

    new_spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    if shape(new_spec) != shape(old_spec):
        return [Cause("spec", "Forbidden: pod updates may not change fields other than "
                      "`spec.containers[*].image`, `spec.initContainers[*].image`, "
                      "`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to "
                      "existing tolerations) or `spec.terminationGracePeriodSeconds`; delete "
                      "the pod and create it again to change the rest", "FieldValueForbidden")]
    return []


def validate_custom(schema: Manifest | None, obj: Manifest) -> list[Cause]:
    """Check a custom resource against its CRD version's openAPIV3Schema (via jsonschema)."""
    if not schema:
        return []
    import jsonschema

    body = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata")}
    schema = {k: v for k, v in schema.items() if k != "properties"} | {
        "properties": {k: v for k, v in (schema.get("properties") or {}).items()
                       if k not in ("apiVersion", "kind", "metadata")}}
    validator = jsonschema.Draft7Validator(schema)
    causes = []
    for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path)
        causes.append(Cause(path or "<root>", f"Invalid value: {error.message}"))
    return causes
