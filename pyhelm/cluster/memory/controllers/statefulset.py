"""StatefulSet controller: pods named ``<set>-0..N-1`` with stable identities, a PVC per
volumeClaimTemplate and ordinal, scaled down from the highest ordinal, and rolled (highest
ordinal first) when the template changes."""

from __future__ import annotations

from typing import Any

from pyhelm.cluster.memory.api import Api
from pyhelm.cluster.memory.controllers.common import (
    PodFactory,
    active,
    event,
    info,
    live,
    owned,
    ready_condition,
    set_status,
    touched,
)
from pyhelm.cluster.memory.names import template_hash

Manifest = dict[str, Any]
KIND = "StatefulSet.apps"
REVISION_LABEL = "controller-revision-hash"


def sync(api: Api, changes: list) -> None:
    for key in touched(changes, KIND):
        sts = live(api, key)
        if sts is not None:
            reconcile(api, sts)


def reconcile(api: Api, sts: Manifest) -> None:
    name = sts["metadata"]["name"]
    want = int(sts["spec"].get("replicas", 1))
    revision = f"{name}-{template_hash(sts['spec'].get('template'))}"
    pods = {p["metadata"]["name"]: p for p in owned(api, sts, "Pod") if active(p)}
    for ordinal in range(want):
        pod_name = f"{name}-{ordinal}"
        if pod_name not in pods:
            _claims(api, sts, ordinal)
            factory = PodFactory(api, sts, sts["spec"].get("template") or {}, {
                REVISION_LABEL: revision, "statefulset.kubernetes.io/pod-name": pod_name,
                "apps.kubernetes.io/pod-index": str(ordinal)})
            pod = factory.create(pod_name)
            pod["spec"]["hostname"] = pod_name
            if sts["spec"].get("serviceName"):
                pod["spec"]["subdomain"] = sts["spec"]["serviceName"]
            _mount_claims(sts, pod, ordinal)
            pods[pod_name] = pod
            event(api, sts, "SuccessfulCreate",
                  f"create Pod {pod_name} in StatefulSet {name} successful",
                  "statefulset-controller")
    extra = sorted((p for n, p in pods.items() if _ordinal(n, name) >= want),
                   key=lambda p: -_ordinal(p["metadata"]["name"], name))
    for pod in extra:
        api.ws.remove(info("Pod"), pod)
        del pods[pod["metadata"]["name"]]
        event(api, sts, "SuccessfulDelete",
              f"delete Pod {pod['metadata']['name']} in StatefulSet {name} successful",
              "statefulset-controller")
    stale = sorted((p for p in pods.values()
                    if p["metadata"].get("labels", {}).get(REVISION_LABEL) != revision),
                   key=lambda p: -_ordinal(p["metadata"]["name"], name))
    if stale:  # one at a time, highest ordinal first; the next round recreates it
        api.ws.remove(info("Pod"), stale[0])
        del pods[stale[0]["metadata"]["name"]]
    ready = sum(1 for p in pods.values() if ready_condition(p))
    current = len(pods) - len(stale) + (1 if stale else 0)
    set_status(api, sts, {
        "observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(pods),
        "readyReplicas": ready, "currentReplicas": current, "updatedReplicas": current,
        "availableReplicas": ready, "currentRevision": revision, "updateRevision": revision,
        "collisionCount": 0})


def _ordinal(pod_name: str, set_name: str) -> int:
    suffix = pod_name[len(set_name) + 1:]
    return int(suffix) if suffix.isdigit() else -1


def _claims(api: Api, sts: Manifest, ordinal: int) -> None:
    ns = sts["metadata"].get("namespace") or "default"
    for template in sts["spec"].get("volumeClaimTemplates") or ():
        claim = f'{template["metadata"]["name"]}-{sts["metadata"]["name"]}-{ordinal}'
        if api.ws.get("PersistentVolumeClaim", ns, claim) is None:
            labels = dict((sts["spec"].get("selector") or {}).get("matchLabels") or {})
            api.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                        "metadata": {"name": claim, "namespace": ns, "labels": labels},
                        "spec": template.get("spec") or {}}, namespace=ns, trusted=True)
            pvc = api.ws.get("PersistentVolumeClaim", ns, claim)
            if pvc is not None:
                requested = ((pvc["spec"].get("resources") or {}).get("requests") or {})
                pvc["status"] = {"phase": "Bound", "accessModes": pvc["spec"].get(
                    "accessModes", []), "capacity": dict(requested)}
                api.ws.put(info("PersistentVolumeClaim"), pvc)


def _mount_claims(sts: Manifest, pod: Manifest, ordinal: int) -> None:
    volumes = pod["spec"].setdefault("volumes", [])
    for template in sts["spec"].get("volumeClaimTemplates") or ():
        claim = template["metadata"]["name"]
        volumes.append({"name": claim, "persistentVolumeClaim": {
            "claimName": f'{claim}-{sts["metadata"]["name"]}-{ordinal}'}})
    if not volumes:
        del pod["spec"]["volumes"]
