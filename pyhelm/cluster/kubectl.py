"""A real cluster through the ``kubectl`` command: the ``Cluster`` protocol over subprocesses.

Each call builds one kubectl command line (``--kubeconfig`` and ``--context``
first when given), sends objects as JSON on stdin and reads ``-o json`` back:

- apply:  ``kubectl apply --server-side --field-manager=pyhelm [--force-conflicts]
  [--dry-run=server] -o json -f -`` with a ``List`` of the objects
- get:    ``kubectl get <kind>.<version>.<group> <name> [-n NS] -o json``
- list:   ``kubectl get <kind>.<version>.<group> (-n NS | -A) [-l k=v,...] -o json``
- create / update: ``kubectl create|replace -o json -f -``
- delete: ``kubectl delete <type> <name> [-n NS] --ignore-not-found --cascade=<c> --wait=false``

kubectl's errors are mapped onto the ``ClusterError`` family, with the object
they concern named in the message; a missing kubectl or an unreachable
cluster is one ``ClusterUnreachable`` line. ``PYHELM_KUBECTL`` names another kubectl
binary. The subprocess runner is injected
(``run``), so command lines and parsing are unit-tested without a cluster.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyhelm.cluster.base import Manifest, ObjectRef
from pyhelm.cluster.objects import CLUSTER_SCOPED
from pyhelm.errors import (
    AlreadyExists,
    ClusterError,
    ClusterUnreachable,
    Conflict,
    Invalid,
    NotFound,
)


@dataclass(frozen=True)
class Completed:
    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[list[str], str | None], Completed]


def subprocess_runner(argv: list[str], stdin: str | None) -> Completed:
    """Run kubectl for real; a missing binary becomes ``ClusterUnreachable``."""
    try:
        proc = subprocess.run(argv, input=stdin or "", capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ClusterUnreachable(
            f"{argv[0]}: command not found; install kubectl, or use the built-in cluster "
            "(--cluster memory)"
        ) from None
    return Completed(proc.returncode, proc.stdout, proc.stderr)


_UNREACHABLE = (
    "Unable to connect to the server",
    "connection refused",
    "no such host",
    "couldn't get current server API group list",
    "dial tcp",
    "i/o timeout",
    "the server could not find the requested resource (get serverinfo)",
    "invalid configuration",
    "context was not found",
    "no configuration has been provided",
)


def resource_type(api_version: str, kind: str) -> str:
    """The fully qualified type kubectl takes: ``deployment.v1.apps``; ``secret`` for core v1."""
    group, _, version = api_version.rpartition("/")
    return f"{kind.lower()}.{version}.{group}" if group else kind.lower()


class KubectlCluster:
    """The ``Cluster`` protocol through ``kubectl`` (see the module docstring)."""

    def __init__(
        self,
        kubeconfig: str | None = None,
        context: str | None = None,
        *,
        kubectl: str | None = None,
        run: Runner = subprocess_runner,
    ) -> None:
        if kubeconfig and not os.path.isfile(kubeconfig):
            raise ClusterUnreachable(
                f"kubeconfig {kubeconfig!r} does not exist; pass --kubeconfig with an existing file "
                "(or leave it out to use KUBECONFIG or ~/.kube/config)"
            )
        self.kubeconfig = kubeconfig
        self.context = context
        self.kubectl = kubectl or os.environ.get("PYHELM_KUBECTL") or "kubectl"
        self.run = run

    def base(self) -> list[str]:
        argv = [self.kubectl]
        if self.kubeconfig:
            argv.append(f"--kubeconfig={self.kubeconfig}")
        if self.context:
            argv.append(f"--context={self.context}")
        return argv

    def _call(self, args: list[str], what: str, stdin: str | None = None) -> str:
        result = self.run(self.base() + args, stdin)
        if result.returncode != 0:
            raise _error(result.stderr, what)
        return result.stdout

    @staticmethod
    def _scope(ref: ObjectRef) -> list[str]:
        return [] if ref.kind in CLUSTER_SCOPED or not ref.namespace else ["-n", ref.namespace]

    def create(self, obj: Manifest) -> Manifest:
        out = self._call(
            ["create", "-o", "json", "-f", "-"], str(ObjectRef.of(obj)), json.dumps(obj)
        )
        return _parse(out)

    def update(self, obj: Manifest) -> Manifest:
        out = self._call(
            ["replace", "-o", "json", "-f", "-"], str(ObjectRef.of(obj)), json.dumps(obj)
        )
        return _parse(out)

    def get(self, ref: ObjectRef) -> Manifest:
        args = [
            "get",
            resource_type(ref.api_version, ref.kind),
            ref.name,
            *self._scope(ref),
            "-o",
            "json",
        ]
        return _parse(self._call(args, str(ref)))

    def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        selector: Mapping[str, str] | None = None,
    ) -> list[Manifest]:
        args = ["get", resource_type(api_version, kind)]
        if kind not in CLUSTER_SCOPED:
            args += ["-n", namespace] if namespace else ["-A"]
        if selector:
            args += ["-l", ",".join(f"{k}={v}" for k, v in selector.items())]
        where = f"{kind} in namespace {namespace!r}" if namespace else f"{kind} in all namespaces"
        data = _parse(self._call([*args, "-o", "json"], where))
        return list(data.get("items") or [])

    def apply(
        self,
        objs: Sequence[Manifest],
        field_manager: str = "pyhelm",
        force: bool = False,
        dry_run: bool = False,
    ) -> list[Manifest]:
        if not objs:
            return []
        args = ["apply", "--server-side", f"--field-manager={field_manager}"]
        if force:
            args.append("--force-conflicts")
        if dry_run:
            args.append("--dry-run=server")
        args += ["-o", "json", "-f", "-"]
        what = ", ".join(str(ObjectRef.of(o)) for o in objs[:3]) + (
            ", ..." if len(objs) > 3 else ""
        )
        doc = {"apiVersion": "v1", "kind": "List", "items": list(objs)}
        data = _parse(self._call(args, what, json.dumps(doc)))
        return list(data["items"]) if data.get("kind") == "List" else [data]

    def delete(self, ref: ObjectRef, cascade: str = "background") -> None:
        args = [
            "delete",
            resource_type(ref.api_version, ref.kind),
            ref.name,
            *self._scope(ref),
            "--ignore-not-found",
            f"--cascade={cascade}",
            "--wait=false",
        ]
        if not self._call(args, str(ref)).strip():
            raise NotFound(f"{ref} not found")


def _parse(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise ClusterError(f"kubectl printed something that is not JSON: {text[:200]!r}") from None
    if not isinstance(data, dict):
        raise ClusterError("kubectl printed JSON that is not an object")
    return data


def _error(stderr: str, what: str) -> ClusterError:
    """The ``ClusterError`` for kubectl's stderr, naming the object (``what``) concerned."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    message = lines[0] if lines else "kubectl failed without a message"
    if len(lines) > 1 and message.rstrip().endswith(":"):
        message = " ".join(line.strip() for line in lines)
    text = f"{what}: {message}"
    if any(marker in stderr for marker in _UNREACHABLE):
        return ClusterUnreachable(f"cannot reach the cluster through kubectl: {message}")
    if "(NotFound)" in stderr:
        return NotFound(text)
    if "(AlreadyExists)" in stderr:
        return AlreadyExists(text)
    if "(Conflict)" in stderr or "Apply failed with" in stderr:
        return Conflict(text + "; pass --force-conflicts to take those fields over")
    if " is invalid" in stderr or "(Invalid)" in stderr or "(BadRequest)" in stderr:
        return Invalid(text)
    return ClusterError(text)
