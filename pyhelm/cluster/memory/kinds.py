"""The kinds the built-in cluster knows, as data (for validation, the CLI and discovery).

``KINDS`` lists the built-in kinds in discovery order (core first, then the
groups as a real API server orders them). A ``KindRegistry`` holds the built-ins
plus the kinds that applied CustomResourceDefinitions add. The API-server helper
serves discovery from ``KINDS`` (and ``KindRegistry.custom``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyhelm.errors import Invalid, UsageError


@dataclass(frozen=True)
class KindInfo:
    """One resource type: where it lives in the API and how users may name it."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def key(self) -> str:
        """The store's key for the type: ``Kind`` for core, ``Kind.group`` otherwise."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def resource(self) -> str:
        """``plural.group`` as kubectl prints it in messages (``deployments.apps``)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def served(self, version: str) -> bool:
        return version == self.version or version in self.versions


def _k(group: str, version: str, kind: str, plural: str, namespaced: bool = True,
       short: tuple[str, ...] = (), all_: bool = False, versions: tuple[str, ...] = (),
       sub: tuple[str, ...] = ()) -> KindInfo:
    return KindInfo(group, version, kind, plural, namespaced, short, ("all",) if all_ else (),
                    versions, sub)


KINDS: tuple[KindInfo, ...] = (
    _k("", "v1", "Pod", "pods", short=("po",), all_=True, sub=("status", "log")),
    _k("", "v1", "Service", "services", short=("svc",), all_=True, sub=("status",)),
    _k("", "v1", "ConfigMap", "configmaps", short=("cm",)),
    _k("", "v1", "Endpoints", "endpoints", short=("ep",)),
    _k("", "v1", "Event", "events", short=("ev",)),
    _k("", "v1", "LimitRange", "limitranges", short=("limits",)),
    _k("", "v1", "Namespace", "namespaces", namespaced=False, short=("ns",), sub=("status",)),
    _k("", "v1", "Node", "nodes", namespaced=False, short=("no",), sub=("status",)),
    _k("", "v1", "PersistentVolume", "persistentvolumes", namespaced=False, short=("pv",)),
    _k("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",)),
    _k("", "v1", "ResourceQuota", "resourcequotas", short=("quota",)),
    _k("", "v1", "Secret", "secrets"),
    _k("", "v1", "ServiceAccount", "serviceaccounts", short=("sa",)),
    _k("apps", "v1", "ControllerRevision", "controllerrevisions"),
    _k("apps", "v1", "DaemonSet", "daemonsets", short=("ds",), all_=True, sub=("status",)),
    _k("apps", "v1", "Deployment", "deployments", short=("deploy",), all_=True,
       sub=("scale", "status")),
    _k("apps", "v1", "ReplicaSet", "replicasets", short=("rs",), all_=True,
       sub=("scale", "status")),
    _k("apps", "v1", "StatefulSet", "statefulsets", short=("sts",), all_=True,
       sub=("scale", "status")),
    _k("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
       short=("hpa",), all_=True, versions=("v1",)),
    _k("batch", "v1", "CronJob", "cronjobs", short=("cj",), all_=True),
    _k("batch", "v1", "Job", "jobs", all_=True, sub=("status",)),
    _k("coordination.k8s.io", "v1", "Lease", "leases"),
    _k("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
    _k("networking.k8s.io", "v1", "Ingress", "ingresses", short=("ing",)),
    _k("networking.k8s.io", "v1", "IngressClass", "ingressclasses", namespaced=False),
    _k("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", short=("netpol",)),
    _k("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short=("pdb",)),
    _k("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", namespaced=False),
    _k("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
       namespaced=False),
    _k("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    _k("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    _k("storage.k8s.io", "v1", "StorageClass", "storageclasses", namespaced=False, short=("sc",)),
    _k("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
       namespaced=False, short=("crd", "crds")),
)

#: Kinds a real API server knows but that were moved or removed: a helpful hint.
REMOVED_API_VERSIONS = {
    ("extensions/v1beta1", "Deployment"): "apps/v1",
    ("apps/v1beta1", "Deployment"): "apps/v1",
    ("apps/v1beta2", "Deployment"): "apps/v1",
    ("extensions/v1beta1", "Ingress"): "networking.k8s.io/v1",
    ("networking.k8s.io/v1beta1", "Ingress"): "networking.k8s.io/v1",
    ("batch/v1beta1", "CronJob"): "batch/v1",
    ("policy/v1beta1", "PodDisruptionBudget"): "policy/v1",
}


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` -> ("apps", "v1"); ``v1`` -> ("", "v1")."""
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass
class KindRegistry:
    """Built-in kinds plus custom ones; looks kinds up the ways users and manifests name them."""

    custom: list[KindInfo] = field(default_factory=list)

    def all(self) -> list[KindInfo]:
        return [*KINDS, *self.custom]

    def for_object(self, api_version: str, kind: str, where: str = "") -> KindInfo:
        """The type of a manifest; raises ``Invalid`` naming apiVersion and kind when unknown."""
        group, version = split_api_version(api_version)
        for info in self.all():
            if info.kind == kind and info.group == group and info.served(version):
                return info
        hint = REMOVED_API_VERSIONS.get((api_version, kind))
        fix = (f"; {kind} is served as {hint} now" if hint
               else "; ensure CRDs are installed first" if group and "." in group else "")
        prefix = f"{where}: " if where else ""
        raise Invalid(f'{prefix}resource mapping not found for name: "{kind}": no matches for '
                      f'kind "{kind}" in version "{api_version}"{fix}')

    def by_key(self, key: str) -> KindInfo:
        for info in self.all():
            if info.key == key:
                return info
        raise KeyError(key)

    def resolve(self, name: str) -> KindInfo:
        """A type as typed on a command line: ``po``, ``pods``, ``deployments.apps``, ``Pod``."""
        wanted = name.lower()
        for info in self.all():
            names = {info.plural, info.singular, info.resource, info.kind.lower(),
                     f"{info.singular}.{info.group}", *info.short_names}
            if wanted in names:
                return info
        raise UsageError(f'the server doesn\'t have a resource type "{name}"; '
                         "run 'pyhelm cluster api-resources' to list them")

    def category(self, name: str) -> list[KindInfo]:
        return [info for info in self.all() if name in info.categories]

    def add_custom(self, infos: Iterable[KindInfo]) -> None:
        known = {info.key for info in KINDS}
        self.custom = [info for info in infos if info.key not in known]
