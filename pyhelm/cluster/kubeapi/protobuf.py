"""Decoding Kubernetes protobuf request bodies into the JSON-shaped dicts the API uses.

Typed client-go clients (helm's release Secrets, ``kubectl create
secret|configmap|namespace|deployment``, protobuf ``DeleteOptions``) send
``Content-Type: application/vnd.kubernetes.protobuf``: the magic ``k8s\\0``
followed by a ``runtime.Unknown`` envelope whose ``raw`` field holds the
object's own message. A 415 does not make them fall back to JSON, so the
server decodes.

The message types are declared here as data (``SCHEMA``: field number, name,
type, repeated) with the field numbers of k8s.io/api's ``generated.proto``,
and built into real descriptors with the ``protobuf`` package. They cover the
kinds those clients send (``DECODABLE``); fields not declared are dropped. Conversion to
JSON follows the Kubernetes conventions, not protobuf's: ``Time`` becomes an
RFC 3339 string, ``IntOrString`` an int or a string, ``Quantity`` a string,
bytes standard base64.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

from pyhelm.errors import ClusterError

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
PACKAGE = "pyhelm.k8s"

R = True  # repeated
Field = tuple  # (number, name, type[, repeated])

#: Message types by name. A type is a scalar (string, bytes, bool, int32, int64),
#: another message of this table, or ``map:<value type>`` (keys are strings).
SCHEMA: dict[str, list[Field]] = {
    "Unknown": [(1, "typeMeta", "TypeMeta"), (2, "raw", "bytes"),
                (3, "contentEncoding", "string"), (4, "contentType", "string")],
    "TypeMeta": [(1, "apiVersion", "string"), (2, "kind", "string")],
    "Time": [(1, "seconds", "int64"), (2, "nanos", "int32")],
    "IntOrString": [(1, "type", "int64"), (2, "intVal", "int32"), (3, "strVal", "string")],
    "Quantity": [(1, "string", "string")],
    "ObjectMeta": [(1, "name", "string"), (2, "generateName", "string"),
                   (3, "namespace", "string"), (5, "uid", "string"),
                   (6, "resourceVersion", "string"), (7, "generation", "int64"),
                   (8, "creationTimestamp", "Time"), (9, "deletionTimestamp", "Time"),
                   (10, "deletionGracePeriodSeconds", "int64"), (11, "labels", "map:string"),
                   (12, "annotations", "map:string"), (13, "ownerReferences", "OwnerReference", R),
                   (14, "finalizers", "string", R)],
    "OwnerReference": [(1, "kind", "string"), (3, "name", "string"), (4, "uid", "string"),
                       (5, "apiVersion", "string"), (6, "controller", "bool"),
                       (7, "blockOwnerDeletion", "bool")],
    "Preconditions": [(1, "uid", "string"), (2, "resourceVersion", "string")],
    "DeleteOptions": [(1, "gracePeriodSeconds", "int64"), (2, "preconditions", "Preconditions"),
                      (3, "orphanDependents", "bool"), (4, "propagationPolicy", "string"),
                      (5, "dryRun", "string", R)],
    "Secret": [(1, "metadata", "ObjectMeta"), (2, "data", "map:bytes"), (3, "type", "string"),
               (4, "stringData", "map:string"), (5, "immutable", "bool")],
    "ConfigMap": [(1, "metadata", "ObjectMeta"), (2, "data", "map:string"),
                  (3, "binaryData", "map:bytes"), (4, "immutable", "bool")],
    "NamespaceSpec": [(1, "finalizers", "string", R)],
    "Namespace": [(1, "metadata", "ObjectMeta"), (2, "spec", "NamespaceSpec")],
    "LocalObjectReference": [(1, "name", "string")],
    "ObjectReference": [(1, "kind", "string"), (2, "namespace", "string"), (3, "name", "string"),
                        (4, "uid", "string"), (5, "apiVersion", "string")],
    "ServiceAccount": [(1, "metadata", "ObjectMeta"), (2, "secrets", "ObjectReference", R),
                       (3, "imagePullSecrets", "LocalObjectReference", R),
                       (4, "automountServiceAccountToken", "bool")],
    "LabelSelectorRequirement": [(1, "key", "string"), (2, "operator", "string"),
                                 (3, "values", "string", R)],
    "LabelSelector": [(1, "matchLabels", "map:string"),
                      (2, "matchExpressions", "LabelSelectorRequirement", R)],
    "ContainerPort": [(1, "name", "string"), (2, "hostPort", "int32"),
                      (3, "containerPort", "int32"), (4, "protocol", "string"),
                      (5, "hostIP", "string")],
    "EnvVar": [(1, "name", "string"), (2, "value", "string")],
    "ResourceRequirements": [(1, "limits", "map:Quantity"), (2, "requests", "map:Quantity")],
    "Container": [(1, "name", "string"), (2, "image", "string"), (3, "command", "string", R),
                  (4, "args", "string", R), (5, "workingDir", "string"),
                  (6, "ports", "ContainerPort", R), (7, "env", "EnvVar", R),
                  (8, "resources", "ResourceRequirements"),
                  (13, "terminationMessagePath", "string"), (14, "imagePullPolicy", "string"),
                  (20, "terminationMessagePolicy", "string")],
    "PodSpec": [(2, "containers", "Container", R), (3, "restartPolicy", "string"),
                (4, "terminationGracePeriodSeconds", "int64"), (6, "dnsPolicy", "string"),
                (7, "nodeSelector", "map:string"), (8, "serviceAccountName", "string"),
                (10, "nodeName", "string"), (19, "schedulerName", "string"),
                (20, "initContainers", "Container", R)],
    "PodTemplateSpec": [(1, "metadata", "ObjectMeta"), (2, "spec", "PodSpec")],
    "RollingUpdateDeployment": [(1, "maxUnavailable", "IntOrString"),
                                (2, "maxSurge", "IntOrString")],
    "DeploymentStrategy": [(1, "type", "string"), (2, "rollingUpdate", "RollingUpdateDeployment")],
    "DeploymentSpec": [(1, "replicas", "int32"), (2, "selector", "LabelSelector"),
                       (3, "template", "PodTemplateSpec"), (4, "strategy", "DeploymentStrategy"),
                       (5, "minReadySeconds", "int32"), (6, "revisionHistoryLimit", "int32"),
                       (7, "paused", "bool"), (9, "progressDeadlineSeconds", "int32")],
    "Deployment": [(1, "metadata", "ObjectMeta"), (2, "spec", "DeploymentSpec")],
    "ServicePort": [(1, "name", "string"), (2, "protocol", "string"), (3, "port", "int32"),
                    (4, "targetPort", "IntOrString"), (5, "nodePort", "int32"),
                    (6, "appProtocol", "string")],
    "ServiceSpec": [(1, "ports", "ServicePort", R), (2, "selector", "map:string"),
                    (3, "clusterIP", "string"), (4, "type", "string"),
                    (5, "externalIPs", "string", R), (7, "sessionAffinity", "string"),
                    (10, "externalName", "string"), (11, "externalTrafficPolicy", "string"),
                    (17, "ipFamilyPolicy", "string"), (18, "clusterIPs", "string", R),
                    (19, "ipFamilies", "string", R), (22, "internalTrafficPolicy", "string")],
    "Service": [(1, "metadata", "ObjectMeta"), (2, "spec", "ServiceSpec")],
    "JobSpec": [(1, "parallelism", "int32"), (2, "completions", "int32"),
                (3, "activeDeadlineSeconds", "int64"), (4, "selector", "LabelSelector"),
                (5, "manualSelector", "bool"), (6, "template", "PodTemplateSpec"),
                (7, "backoffLimit", "int32"), (8, "ttlSecondsAfterFinished", "int32"),
                (9, "completionMode", "string"), (10, "suspend", "bool")],
    "Job": [(1, "metadata", "ObjectMeta"), (2, "spec", "JobSpec")],
    "JobTemplateSpec": [(1, "metadata", "ObjectMeta"), (2, "spec", "JobSpec")],
    "CronJobSpec": [(1, "schedule", "string"), (2, "startingDeadlineSeconds", "int64"),
                    (3, "concurrencyPolicy", "string"), (4, "suspend", "bool"),
                    (5, "jobTemplate", "JobTemplateSpec"),
                    (6, "successfulJobsHistoryLimit", "int32"),
                    (7, "failedJobsHistoryLimit", "int32"), (8, "timeZone", "string")],
    "CronJob": [(1, "metadata", "ObjectMeta"), (2, "spec", "CronJobSpec")],
    "PolicyRule": [(1, "verbs", "string", R), (2, "apiGroups", "string", R),
                   (3, "resources", "string", R), (4, "resourceNames", "string", R),
                   (5, "nonResourceURLs", "string", R)],
    "Subject": [(1, "kind", "string"), (2, "apiGroup", "string"), (3, "name", "string"),
                (4, "namespace", "string")],
    "RoleRef": [(1, "apiGroup", "string"), (2, "kind", "string"), (3, "name", "string")],
    "Role": [(1, "metadata", "ObjectMeta"), (2, "rules", "PolicyRule", R)],
    "ClusterRole": [(1, "metadata", "ObjectMeta"), (2, "rules", "PolicyRule", R)],
    "RoleBinding": [(1, "metadata", "ObjectMeta"), (2, "subjects", "Subject", R),
                    (3, "roleRef", "RoleRef")],
    "ClusterRoleBinding": [(1, "metadata", "ObjectMeta"), (2, "subjects", "Subject", R),
                           (3, "roleRef", "RoleRef")],
}

#: Kinds a request body may carry (the rest of ``SCHEMA`` are types inside them).
DECODABLE = frozenset({"Secret", "ConfigMap", "Namespace", "ServiceAccount", "Deployment",
                       "Service", "Job", "CronJob", "Role", "ClusterRole", "RoleBinding",
                       "ClusterRoleBinding", "DeleteOptions"})

#: Fields that are pointers in the Go types: their zero value is meaningful and kept.
#: Other scalars are written even when empty by Go clients, and dropped here when
#: zero ("", 0, false), as Go's JSON ``omitempty`` would.
POINTER_FIELDS = frozenset({
    "replicas", "immutable", "gracePeriodSeconds", "orphanDependents",
    "automountServiceAccountToken", "terminationGracePeriodSeconds", "revisionHistoryLimit",
    "progressDeadlineSeconds", "deletionGracePeriodSeconds", "controller",
    "blockOwnerDeletion", "parallelism", "completions", "backoffLimit", "suspend",
    "activeDeadlineSeconds", "ttlSecondsAfterFinished", "manualSelector", "timeZone",
    "startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit",
})

#: Value types Go clients always write, whose zero value means "not set".
_ZERO_SKIPPED = frozenset({"Time", "IntOrString"})

_SCALARS = {
    "string": FieldDescriptor.TYPE_STRING, "bytes": FieldDescriptor.TYPE_BYTES,
    "bool": FieldDescriptor.TYPE_BOOL, "int32": FieldDescriptor.TYPE_INT32,
    "int64": FieldDescriptor.TYPE_INT64,
}


class ProtobufError(ClusterError):
    """A protobuf request body cannot be decoded."""


def _add_field(message: descriptor_pb2.DescriptorProto, number: int, name: str, kind: str,
               repeated: bool) -> None:
    field = message.field.add(name=name, number=number)
    field.label = (descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED if repeated
                   else descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL)
    if kind.startswith("map:"):
        entry = message.nested_type.add(name=name[0].upper() + name[1:] + "Entry")
        entry.options.map_entry = True
        _add_field(entry, 1, "key", "string", False)
        _add_field(entry, 2, "value", kind[4:], False)
        field.label = descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED
        field.type = FieldDescriptor.TYPE_MESSAGE
        field.type_name = f".{PACKAGE}.{message.name}.{entry.name}"
    elif kind in _SCALARS:
        field.type = _SCALARS[kind]
    else:
        field.type = FieldDescriptor.TYPE_MESSAGE
        field.type_name = f".{PACKAGE}.{kind}"


@cache
def _classes() -> dict[str, type[Message]]:
    file = descriptor_pb2.FileDescriptorProto(name="pyhelm_k8s.proto", package=PACKAGE,
                                              syntax="proto2")
    for name, fields in SCHEMA.items():
        message = file.message_type.add(name=name)
        for number, field_name, kind, *repeated in fields:
            _add_field(message, number, field_name, kind, bool(repeated))
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return {name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}"))
            for name in SCHEMA}


def _time(message: Message) -> str:
    seconds = message.seconds
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode()
    if field.type != FieldDescriptor.TYPE_MESSAGE:
        return value
    name = field.message_type.name
    if name == "Time":
        return _time(value)
    if name == "Quantity":
        return value.string
    if name == "IntOrString":
        return value.strVal if value.type == 1 else value.intVal
    return to_dict(value)


def _repeated(field: FieldDescriptor) -> bool:
    """Whether a field is repeated (``is_repeated`` in new protobuf releases, ``label`` before)."""
    flag = getattr(field, "is_repeated", None)
    if flag is not None:
        return bool(flag)
    return bool(field.label == FieldDescriptor.LABEL_REPEATED)


def to_dict(message: Message) -> dict[str, Any]:
    """A decoded message as the Kubernetes JSON shape (only the fields that were set)."""
    result: dict[str, Any] = {}
    for field, value in message.ListFields():
        if field.message_type is None and not _repeated(field) and not value \
                and field.name not in POINTER_FIELDS:
            continue
        if field.message_type is not None and field.message_type.name in _ZERO_SKIPPED \
                and not _repeated(field) and not any(v for _, v in value.ListFields()):
            continue
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            result[field.name] = {k: _value(value_field, v) for k, v in value.items()}
        elif _repeated(field):
            result[field.name] = [_value(field, v) for v in value]
        else:
            result[field.name] = _value(field, value)
    return result


def _parse(name: str, data: bytes) -> Message:
    message = _classes()[name]()
    try:
        message.ParseFromString(data)
    except DecodeError as exc:
        raise ProtobufError(f"the {name} protobuf body cannot be decoded: {exc}") from None
    return message


def decode(body: bytes) -> dict[str, Any]:
    """Decode a ``k8s\\0``-framed protobuf body into a JSON-shaped object with apiVersion and kind.

    Raises ``ProtobufError`` for a body without the magic, a truncated message
    or a kind this server does not know in protobuf (send JSON for those).
    """
    if not body.startswith(MAGIC):
        raise ProtobufError("the protobuf body lacks the 'k8s\\0' magic prefix")
    envelope = _parse("Unknown", body[len(MAGIC):])
    api_version, kind = envelope.typeMeta.apiVersion, envelope.typeMeta.kind
    if kind not in DECODABLE:
        raise ProtobufError(f"protobuf bodies of kind {kind!r} are not supported; "
                            "send the object as JSON (Content-Type: application/json)")
    obj = to_dict(_parse(kind, envelope.raw))
    return {"apiVersion": api_version, "kind": kind, **obj}

