"""Storage drivers: where release records live.

``SecretDriver`` keeps each revision as a Secret in the release's namespace,
in Helm's exact layout (DESIGN.md, helm-facts §2.7), through the ``Cluster``
protocol, so it works on both backends. A record larger than a Secret may
hold (1 MiB, helm#9788) is split: the first part stays in the Secret Helm
names ``sh.helm.release.v1.<name>.v<rev>``, the rest in
``...v<rev>.part-<i>`` Secrets (owner ``pyhelm-part``, never listed as
releases), read back transparently. ``MemoryDriver`` keeps records in a dict
(tests, dry runs).

Drivers raise ``ReleaseExists`` and ``ReleaseNotFound``, never raw cluster errors.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable
from typing import Any, Protocol

from pyhelm.cluster.base import Cluster, Manifest, ObjectRef
from pyhelm.errors import AlreadyExists, NotFound, ReleaseExists, ReleaseNotFound
from pyhelm.release import codec
from pyhelm.release.model import Lease, Release, Status, Summary, format_time, parse_time

SECRET_TYPE = "helm.sh/release.v1"
SYSTEM_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")
SUMMARY_ANNOTATION = "pyhelm.io/summary"
LEASE_ANNOTATION = "pyhelm.io/lease"
PARTS_ANNOTATION = "pyhelm.io/parts"
#: Bytes of encoded record per Secret; a Secret's data may hold at most 1 MiB.
PART_SIZE = 1_000_000


def record_key(name: str, version: int) -> str:
    return f"sh.helm.release.v1.{name}.v{version}"


class Driver(Protocol):
    """A place for release records; ``namespace=None`` means all namespaces (read only)."""

    def create(self, release: Release) -> None:
        """Store a new revision; raises ``ReleaseExists`` if that revision is already stored."""
        ...

    def update(self, release: Release) -> None:
        """Overwrite a stored revision; raises ``ReleaseNotFound`` if it is not stored."""
        ...

    def get(self, name: str, version: int) -> Release:
        """One revision; raises ``ReleaseNotFound``."""
        ...

    def history(self, name: str) -> list[Release]:
        """Every stored revision of ``name`` (any order); empty when there is none."""
        ...

    def delete(self, name: str, version: int) -> None:
        """Remove one revision; raises ``ReleaseNotFound``."""
        ...

    def summaries(self, name: str | None = None) -> list[Summary]:
        """Every revision of ``name`` (None: of every release) in the driver's namespace(s),
        cheaply: without decoding records where the driver can."""
        ...


class MemoryDriver:
    """Records in a dict, copied in and out (so callers never share state with the store)."""

    def __init__(self, namespace: str | None = "default") -> None:
        self.namespace = namespace
        self._records: dict[tuple[str, str, int], tuple[str, Lease | None, dict[str, str]]] = {}

    def _key(self, name: str, version: int) -> tuple[str, str, int]:
        return (self.namespace or "", name, version)

    def create(self, release: Release) -> None:
        key = self._key(release.name, release.version)
        if key in self._records:
            raise ReleaseExists(f"release {release.name} revision {release.version} already exists")
        self._records[key] = (codec.encode(release), release.lease, dict(release.labels))

    def update(self, release: Release) -> None:
        key = self._key(release.name, release.version)
        if key not in self._records:
            raise ReleaseNotFound(f"release {release.name} revision {release.version} not found")
        self._records[key] = (codec.encode(release), release.lease, dict(release.labels))

    def get(self, name: str, version: int) -> Release:
        try:
            text, lease, labels = self._records[self._key(name, version)]
        except KeyError:
            raise ReleaseNotFound(f"release {name!r} has no revision {version}") from None
        release = codec.decode(text, labels)
        release.lease = lease
        return release

    def history(self, name: str) -> list[Release]:
        return [
            self.get(n, v)
            for (ns, n, v) in self._records
            if n == name and (self.namespace is None or ns == self.namespace)
        ]

    def delete(self, name: str, version: int) -> None:
        if self._records.pop(self._key(name, version), None) is None:
            raise ReleaseNotFound(f"release {name}: revision {version} not found")

    def summaries(self, name: str | None = None) -> list[Summary]:
        return [
            self.get(n, v).summary()
            for (ns, n, v) in self._records
            if (self.namespace is None or ns == self.namespace) and name in (None, n)
        ]


class SecretDriver:
    """Release records as Secrets, through any ``Cluster``."""

    def __init__(
        self, cluster: Cluster, namespace: str | None, clock: Callable[[], float] = time.time
    ) -> None:
        self.cluster = cluster
        self.namespace = namespace
        self.clock = clock
        # decoded records by (Secret name, resourceVersion): an action reads history often
        self._decoded: dict[tuple[str, str], Release] = {}

    def _ref(self, name: str) -> ObjectRef:
        return ObjectRef("v1", "Secret", self.namespace, name)

    def create(self, release: Release) -> None:
        secret, parts = self._secrets(release, created=True)
        try:
            self._remember(self.cluster.create(secret), release)
        except AlreadyExists:
            raise ReleaseExists(
                f"release {release.name} revision {release.version} already exists in namespace "
                f"{release.namespace!r}"
            ) from None
        if parts:
            self.cluster.apply(parts, field_manager="pyhelm")

    def update(self, release: Release) -> None:
        secret, parts = self._secrets(release, created=False)
        old_parts = 0
        try:
            old = self.cluster.get(self._ref(secret["metadata"]["name"]))
            old_parts = (
                int((old["metadata"].get("annotations") or {}).get(PARTS_ANNOTATION, "1")) - 1
            )
            created = (old["metadata"].get("labels") or {}).get("createdAt")
            if created:
                secret["metadata"]["labels"]["createdAt"] = created
        except NotFound:
            raise ReleaseNotFound(
                f"release {release.name}: revision {release.version} not found"
            ) from None
        self._remember(self.cluster.update(secret), release)
        if parts:
            self.cluster.apply(parts, field_manager="pyhelm")
        for index in range(len(parts) + 2, old_parts + 2):
            self._delete_quietly(f"{secret['metadata']['name']}.part-{index}")

    def get(self, name: str, version: int) -> Release:
        try:
            secret = self.cluster.get(self._ref(record_key(name, version)))
        except NotFound:
            raise ReleaseNotFound(
                f"release {name!r} has no revision {version} in namespace {self.namespace!r}; "
                f"run 'pyhelm history {name}' to see its revisions"
            ) from None
        return self._decode(secret)

    def history(self, name: str) -> list[Release]:
        secrets = self.cluster.list("v1", "Secret", self.namespace, {"name": name, "owner": "helm"})
        return [self._decode(s) for s in secrets if _is_record(s)]

    def delete(self, name: str, version: int) -> None:
        key = record_key(name, version)
        try:
            secret = self.cluster.get(self._ref(key))
        except NotFound:
            raise ReleaseNotFound(f"release {name}: revision {version} not found") from None
        parts = int((secret["metadata"].get("annotations") or {}).get(PARTS_ANNOTATION, "1"))
        self._delete_quietly(key)
        for index in range(2, parts + 1):
            self._delete_quietly(f"{key}.part-{index}")

    def summaries(self, name: str | None = None) -> list[Summary]:
        selector = {"owner": "helm", **({"name": name} if name else {})}
        secrets = self.cluster.list("v1", "Secret", self.namespace, selector)
        return [_summary(s) or self._decode(s).summary() for s in secrets if _is_record(s)]

    # -- encoding ---------------------------------------------------------

    def _secrets(self, release: Release, created: bool) -> tuple[Manifest, list[Manifest]]:
        """The record's Secret and, for records over ``PART_SIZE``, its extra parts."""
        text = codec.encode(release)
        chunks = [text[i : i + PART_SIZE] for i in range(0, len(text), PART_SIZE)] or [""]
        key = record_key(release.name, release.version)
        stamp = str(int(self.clock()))
        labels = {
            **{k: v for k, v in release.labels.items() if k not in SYSTEM_LABELS},
            "name": release.name,
            "owner": "helm",
            "status": release.status.value,
            "version": str(release.version),
            ("createdAt" if created else "modifiedAt"): stamp,
        }
        summary = {
            "chart": release.chart_name,
            "app_version": release.app_version,
            "updated": format_time(release.info.last_deployed),
            "description": release.info.description,
        }
        annotations = {SUMMARY_ANNOTATION: json.dumps(summary, separators=(",", ":"))}
        if release.lease is not None:
            annotations[LEASE_ANNOTATION] = json.dumps(release.lease.to_dict())
        if len(chunks) > 1:
            annotations[PARTS_ANNOTATION] = str(len(chunks))
        secret = _secret(key, release.namespace, labels, annotations, chunks[0])
        parts = [
            _secret(
                f"{key}.part-{i}",
                release.namespace,
                {"name": release.name, "owner": "pyhelm-part", "version": str(release.version)},
                {},
                chunk,
            )
            for i, chunk in enumerate(chunks[1:], start=2)
        ]
        return secret, parts

    def _decode(self, secret: Manifest) -> Release:
        """The record a Secret holds (a copy: callers may change it freely)."""
        meta = secret.get("metadata") or {}
        key = (str(meta.get("name")), str(meta.get("resourceVersion") or ""))
        if key[1] and key in self._decoded:
            return copy.deepcopy(self._decoded[key])
        release = self._decode_fresh(secret)
        if key[1]:
            self._decoded[key] = copy.deepcopy(release)
        return release

    def _remember(self, stored: Manifest, release: Release) -> None:
        rv = str((stored.get("metadata") or {}).get("resourceVersion") or "")
        if rv:
            self._decoded[(str(stored["metadata"]["name"]), rv)] = copy.deepcopy(release)

    def _decode_fresh(self, secret: Manifest) -> Release:
        meta = secret.get("metadata") or {}
        annotations = meta.get("annotations") or {}
        text = _data(secret)
        for index in range(2, int(annotations.get(PARTS_ANNOTATION, "1")) + 1):
            try:
                text += _data(self.cluster.get(self._ref(f"{meta['name']}.part-{index}")))
            except NotFound:
                raise ReleaseNotFound(
                    f"release record {meta['name']} is incomplete: its part {index} is missing"
                ) from None
        labels = meta.get("labels") or {}
        release = codec.decode(
            text,
            {k: v for k, v in labels.items() if k not in SYSTEM_LABELS},
            source=f"Secret {meta.get('namespace')}/{meta.get('name')}",
        )
        if not release.namespace:
            release.namespace = meta.get("namespace") or self.namespace or ""
        lease = annotations.get(LEASE_ANNOTATION)
        release.lease = Lease.from_dict(json.loads(lease)) if lease else None
        return release

    def _delete_quietly(self, name: str) -> None:
        try:
            self.cluster.delete(self._ref(name))
        except NotFound:
            pass


def _secret(
    name: str, namespace: str, labels: dict[str, str], annotations: dict[str, str], text: str
) -> Manifest:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "labels": labels}
    if annotations:
        meta["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta,
        "type": SECRET_TYPE,
        "data": {"release": base64.b64encode(text.encode("ascii")).decode("ascii")},
    }


def _data(secret: Manifest) -> str:
    return base64.b64decode((secret.get("data") or {}).get("release", "")).decode("ascii")


def _is_record(secret: Manifest) -> bool:
    return secret.get("type") == SECRET_TYPE and "release" in (secret.get("data") or {})


def _summary(secret: Manifest) -> Summary | None:
    """A ``Summary`` from labels and pyhelm's summary annotation; None for records Helm wrote."""
    meta = secret.get("metadata") or {}
    labels = meta.get("labels") or {}
    raw = (meta.get("annotations") or {}).get(SUMMARY_ANNOTATION)
    if not raw:
        return None
    try:
        extra = json.loads(raw)
        status = Status(labels["status"])
        return Summary(
            labels["name"],
            meta.get("namespace", ""),
            int(labels["version"]),
            parse_time(extra.get("updated")),
            status,
            extra.get("chart", ""),
            extra.get("app_version", ""),
            extra.get("description", ""),
        )
    except (KeyError, ValueError):
        return None
