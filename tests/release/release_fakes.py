"""In-test clusters at the ``Cluster`` seam (STYLE.md: helm's FailingKubeClient).

``FakeCluster`` keeps objects in a dict; Jobs complete at once unless named in
``failing_jobs``. ``FailingCluster`` fails chosen calls on demand.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from pyhelm.cluster.base import Manifest, ObjectRef
from pyhelm.errors import AlreadyExists, ClusterError, NotFound


def _key(
    api_version: str, kind: str, namespace: str | None, name: str
) -> tuple[str, str, str, str]:
    return (api_version.rpartition("/")[0], kind, namespace or "", name)


class FakeCluster:
    def __init__(self, failing_jobs: Sequence[str] = ()) -> None:
        self.objects: dict[tuple[str, str, str, str], Manifest] = {}
        self.failing_jobs = set(failing_jobs)
        self.calls: list[tuple[str, str]] = []
        self.objects[_key("v1", "Namespace", None, "default")] = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "default"},
        }

    def _k(self, obj: Mapping[str, Any]) -> tuple[str, str, str, str]:
        ref = ObjectRef.of(obj)
        return _key(ref.api_version, ref.kind, ref.namespace, ref.name)

    def _settle(self, obj: Manifest) -> Manifest:
        """What controllers would do: workloads become ready, Jobs finish."""
        kind = obj.get("kind")
        spec = obj.get("spec") or {}
        if kind == "Deployment":
            n = spec.get("replicas", 1)
            obj["status"] = {
                "replicas": n,
                "readyReplicas": n,
                "updatedReplicas": n,
                "availableReplicas": n,
                "observedGeneration": 1,
            }
            obj["metadata"]["generation"] = 1
        elif kind == "Job":
            failed = obj["metadata"]["name"] in self.failing_jobs
            obj["status"] = {
                "conditions": [
                    {
                        "type": "Failed" if failed else "Complete",
                        "status": "True",
                        "reason": "BackoffLimitExceeded" if failed else "Completed",
                    }
                ]
            }
        elif kind == "Service":
            obj.setdefault("spec", {}).setdefault("clusterIP", "10.96.0.10")
        return obj

    def create(self, obj: Manifest) -> Manifest:
        self.calls.append(("create", str(ObjectRef.of(obj))))
        key = self._k(obj)
        if key in self.objects:
            raise AlreadyExists(f"{ObjectRef.of(obj)} already exists")
        self.objects[key] = self._settle(copy.deepcopy(obj))
        return copy.deepcopy(self.objects[key])

    def get(self, ref: ObjectRef) -> Manifest:
        try:
            return copy.deepcopy(
                self.objects[_key(ref.api_version, ref.kind, ref.namespace, ref.name)]
            )
        except KeyError:
            raise NotFound(f"{ref} not found") from None

    def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        selector: Mapping[str, str] | None = None,
    ) -> list[Manifest]:
        group = api_version.rpartition("/")[0]
        out = []
        for (g, k, ns, _), obj in self.objects.items():
            labels = obj["metadata"].get("labels") or {}
            if (
                (g, k) == (group, kind)
                and (namespace is None or ns == namespace)
                and all(labels.get(a) == b for a, b in (selector or {}).items())
            ):
                out.append(copy.deepcopy(obj))
        return out

    def update(self, obj: Manifest) -> Manifest:
        self.calls.append(("update", str(ObjectRef.of(obj))))
        key = self._k(obj)
        if key not in self.objects:
            raise NotFound(f"{ObjectRef.of(obj)} not found")
        self.objects[key] = copy.deepcopy(obj)
        return copy.deepcopy(obj)

    def apply(
        self,
        objs: Sequence[Manifest],
        field_manager: str = "pyhelm",
        force: bool = False,
        dry_run: bool = False,
    ) -> list[Manifest]:
        out = []
        for obj in objs:
            self.calls.append(("apply", str(ObjectRef.of(obj))))
            settled = self._settle(copy.deepcopy(obj))
            if not dry_run:
                self.objects[self._k(obj)] = settled
            out.append(copy.deepcopy(settled))
        return out

    def delete(self, ref: ObjectRef, cascade: str = "background") -> None:
        self.calls.append(("delete", str(ref)))
        if self.objects.pop(_key(ref.api_version, ref.kind, ref.namespace, ref.name), None) is None:
            raise NotFound(f"{ref} not found")

    def names(self, kind: str) -> list[str]:
        return sorted(k[3] for k in self.objects if k[1] == kind)


class FailingCluster(FakeCluster):
    """Fails the ``apply`` calls whose 1-based numbers are in ``fail_on`` with ``error``."""

    def __init__(self, error: ClusterError, fail_on: Sequence[int] = (1,), **kw: Any) -> None:
        super().__init__(**kw)
        self.error = error
        self.fail_on = set(fail_on)
        self.applies = 0

    def apply(
        self,
        objs: Sequence[Manifest],
        field_manager: str = "pyhelm",
        force: bool = False,
        dry_run: bool = False,
    ) -> list[Manifest]:
        if not dry_run:
            self.applies += 1
            if self.applies in self.fail_on:
                raise self.error
        return super().apply(objs, field_manager, force, dry_run)


def write_chart(
    root: Any,
    name: str = "app",
    version: str = "0.1.0",
    templates: dict[str, str] | None = None,
    values: str = "",
    notes: str = "",
) -> Any:
    """Write a chart folder under ``root`` and return its path."""
    chart = root / name
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text(
        f'apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: "1.0"\n'
    )
    (chart / "values.yaml").write_text(values)
    for path, text in (templates or {}).items():
        (chart / "templates" / path).write_text(text)
    if notes:
        (chart / "templates" / "NOTES.txt").write_text(notes)
    return chart


CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-{{ Values.suffix | default('cm') }}
data:
  greeting: {{ Values.greeting | default('hello') }}
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ Release.Name }}
spec:
  replicas: {{ Values.replicas | default(1) }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:{{ Values.tag | default('1.25') }}
"""


def hook_job(name: str, event: str, weight: int = 0, policy: str = "") -> str:
    extra = f'\n    "helm.sh/hook-delete-policy": {policy}' if policy else ""
    return f"""apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
  annotations:
    "helm.sh/hook": {event}
    "helm.sh/hook-weight": "{weight}"{extra}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
"""
