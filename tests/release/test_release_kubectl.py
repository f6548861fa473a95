"""KubectlCluster: the kubectl command lines it builds and how it reads kubectl's answers."""

from __future__ import annotations

import json

import pytest

from pyhelm.cluster.base import Cluster, ObjectRef
from pyhelm.cluster.kubectl import Completed, KubectlCluster, subprocess_runner
from pyhelm.errors import AlreadyExists, ClusterUnreachable, Conflict, Invalid, NotFound


class FakeKubectl:
    """Records each command line and stdin; answers with the queued results."""

    def __init__(self, *answers: Completed) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[list[str], str | None]] = []

    def __call__(self, argv: list[str], stdin: str | None) -> Completed:
        self.calls.append((argv, stdin))
        return self.answers.pop(0) if self.answers else Completed(0, "{}", "")


def ok(data: object) -> Completed:
    return Completed(0, json.dumps(data), "")


DEPLOY = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop"},
}


def test_it_implements_the_cluster_protocol() -> None:
    assert isinstance(KubectlCluster(), Cluster)


def test_apply_is_server_side_with_the_pyhelm_field_manager_and_objects_on_stdin(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    config.write_text("apiVersion: v1\nkind: Config\n")
    fake = FakeKubectl(ok({"kind": "List", "items": [DEPLOY]}))
    cluster = KubectlCluster(kubeconfig=str(config), context="lab", run=fake)
    assert cluster.apply([DEPLOY], force=True) == [DEPLOY]
    argv, stdin = fake.calls[0]
    assert argv == [
        "kubectl",
        f"--kubeconfig={config}",
        "--context=lab",
        "apply",
        "--server-side",
        "--field-manager=pyhelm",
        "--force-conflicts",
        "-o",
        "json",
        "-f",
        "-",
    ]
    assert json.loads(stdin or "") == {"apiVersion": "v1", "kind": "List", "items": [DEPLOY]}


def test_dry_run_apply_goes_to_the_server() -> None:
    fake = FakeKubectl(ok(DEPLOY))
    assert KubectlCluster(run=fake).apply([DEPLOY], dry_run=True) == [DEPLOY]
    assert "--dry-run=server" in fake.calls[0][0]


@pytest.mark.parametrize(
    ("ref", "argv"),
    [
        (
            ObjectRef("apps/v1", "Deployment", "shop", "web"),
            ["kubectl", "get", "deployment.v1.apps", "web", "-n", "shop", "-o", "json"],
        ),
        (
            ObjectRef("v1", "Secret", "default", "s"),
            ["kubectl", "get", "secret", "s", "-n", "default", "-o", "json"],
        ),
        (
            ObjectRef("v1", "Namespace", None, "shop"),
            ["kubectl", "get", "namespace", "shop", "-o", "json"],
        ),
    ],
)
def test_get_names_the_fully_qualified_type(ref: ObjectRef, argv: list[str]) -> None:
    fake = FakeKubectl(ok(DEPLOY))
    assert KubectlCluster(run=fake).get(ref) == DEPLOY
    assert fake.calls[0][0] == argv


def test_list_by_label_selector_in_one_or_all_namespaces() -> None:
    fake = FakeKubectl(ok({"kind": "List", "items": [DEPLOY]}), ok({"items": []}))
    cluster = KubectlCluster(run=fake)
    assert cluster.list("v1", "Secret", "shop", {"name": "web", "owner": "helm"}) == [DEPLOY]
    assert cluster.list("v1", "Secret") == []
    assert fake.calls[0][0] == [
        "kubectl",
        "get",
        "secret",
        "-n",
        "shop",
        "-l",
        "name=web,owner=helm",
        "-o",
        "json",
    ]
    assert fake.calls[1][0] == ["kubectl", "get", "secret", "-A", "-o", "json"]


def test_delete_ignores_not_found_on_kubectls_side_and_reports_it() -> None:
    fake = FakeKubectl(Completed(0, 'deployment.apps "web" deleted\n', ""), Completed(0, "", ""))
    cluster = KubectlCluster(run=fake)
    cluster.delete(ObjectRef("apps/v1", "Deployment", "shop", "web"), cascade="foreground")
    assert fake.calls[0][0] == [
        "kubectl",
        "delete",
        "deployment.v1.apps",
        "web",
        "-n",
        "shop",
        "--ignore-not-found",
        "--cascade=foreground",
        "--wait=false",
    ]
    with pytest.raises(NotFound):
        cluster.delete(ObjectRef("apps/v1", "Deployment", "shop", "web"))


def test_create_and_update_send_json_on_stdin() -> None:
    fake = FakeKubectl(ok(DEPLOY), ok(DEPLOY))
    cluster = KubectlCluster(run=fake)
    cluster.create(DEPLOY)
    cluster.update(DEPLOY)
    assert [c[0][1:3] for c in fake.calls] == [["create", "-o"], ["replace", "-o"]]
    assert json.loads(fake.calls[0][1] or "") == DEPLOY


@pytest.mark.parametrize(
    ("stderr", "error", "text"),
    [
        (
            'Error from server (NotFound): deployments.apps "web" not found',
            NotFound,
            "Deployment/web in namespace 'shop': Error from server (NotFound)",
        ),
        (
            'Error from server (AlreadyExists): deployments.apps "web" already exists',
            AlreadyExists,
            "web",
        ),
        (
            'error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas',
            Conflict,
            "--force-conflicts",
        ),
        (
            'The Deployment "web" is invalid: spec.selector: Required value',
            Invalid,
            "spec.selector",
        ),
        (
            "The connection to the server 127.0.0.1:6443 was refused - did you specify the right "
            "host or "
            "port?\nUnable to connect to the server",
            ClusterUnreachable,
            "cannot reach the cluster",
        ),
        ('error: context "nope" does not exist', Exception, 'context "nope"'),
    ],
)
def test_kubectl_errors_become_cluster_errors_naming_the_object(
    stderr: str, error: type[Exception], text: str
) -> None:
    cluster = KubectlCluster(run=FakeKubectl(Completed(1, "", stderr)))
    with pytest.raises(error, match=None) as caught:
        cluster.get(ObjectRef("apps/v1", "Deployment", "shop", "web"))
    assert text in str(caught.value)


def test_missing_kubectl_is_one_clear_error() -> None:
    with pytest.raises(ClusterUnreachable, match="command not found; install kubectl"):
        subprocess_runner(["/nonexistent/kubectl", "version"], None)


def test_a_kubeconfig_that_does_not_exist_is_one_clear_error(pyhelm) -> None:  # type: ignore[no-untyped-def]
    result = pyhelm("--cluster", "kubectl", "--kubeconfig", "/nonexistent/config", "list")
    assert result.returncode == 1
    assert result.stderr == (
        "Error: kubeconfig '/nonexistent/config' does not exist; pass --kubeconfig with an existing file "
        "(or leave it out to use KUBECONFIG or ~/.kube/config)\n"
    )


def test_non_json_output_is_a_cluster_error() -> None:
    with pytest.raises(Exception, match="not JSON"):
        KubectlCluster(run=FakeKubectl(Completed(0, "oops", ""))).get(
            ObjectRef("v1", "Pod", "default", "p")
        )


@pytest.mark.kubectl
def test_real_kubectl_without_a_cluster_is_unreachable(kubectl_bin: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config"
    config.write_text(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
        "    server: https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n"
        "    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user: {token: t}\n"
    )
    cluster = KubectlCluster(kubeconfig=str(config), kubectl=kubectl_bin)
    with pytest.raises(ClusterUnreachable):
        cluster.list("v1", "Secret", "default")
