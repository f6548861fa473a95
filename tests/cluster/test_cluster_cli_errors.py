"""Bad input to ``pyhelm cluster`` gives the API server's words on one Error line, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pyhelm.cluster.memory import MemoryCluster
from pyhelm.errors import PyHelmError
from tests.cluster.conftest import NGINX_DEPLOY, NGINX_POD


def _with(base: dict, path: str, value: object) -> dict:
    doc = yaml.safe_load(yaml.safe_dump(base))
    node = doc
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is None:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return doc


CASES = [
    (_with(NGINX_DEPLOY, "spec.selector", None),
     'The Deployment "nginx-deployment" is invalid: spec.selector: Required value'),
    (_with(NGINX_DEPLOY, "spec.selector", {"matchLabels": {"app": "other"}}),
     "spec.template.metadata.labels: Invalid value: {'app': 'nginx'}: `selector` does not "
     "match template `labels`"),
    (_with(NGINX_POD, "metadata.name", "Nginx_Pod"),
     'The Pod "Nginx_Pod" is invalid: metadata.name: Invalid value: "Nginx_Pod": a lowercase '
     "RFC 1123 subdomain"),
    (_with(NGINX_POD, "spec.containers", []),
     'The Pod "nginx-pod" is invalid: spec.containers: Required value'),
    (_with(NGINX_DEPLOY, "spec.replicas", "three"),
     'spec.replicas: Invalid value: "three": must be of type integer'),
    (_with(NGINX_DEPLOY, "spec.replica", 3),
     'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
     'unknown field "spec.replica"'),
    (_with(NGINX_POD, "spec.containers.0.imagee", "nginx"),
     'strict decoding error: unknown field "spec.containers[0].imagee"'),
    (_with(NGINX_POD, "spec.containers.0.ports.0.containerPort", "80"),
     'spec.containers[0].ports[0].containerPort: Invalid value: "80": must be of type integer'),
    (_with(NGINX_POD, "kind", "Pood"),
     'no matches for kind "Pood" in version "v1"'),
    (_with(NGINX_DEPLOY, "apiVersion", "extensions/v1beta1"),
     'no matches for kind "Deployment" in version "extensions/v1beta1"; Deployment is served '
     "as apps/v1 now"),
    (_with(NGINX_POD, "metadata.namespace", "staging"),
     'namespaces "staging" not found'),
    ({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {}},
     'The Service "web" is invalid: spec.ports: Required value'),
    ({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {
        "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}},
     'spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'),
    ({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
      "spec": {"schedule": "every minute", "jobTemplate": {"spec": {"template": {"spec": {
          "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}},
     'spec.schedule: Invalid value: "every minute": expected exactly 5 fields'),
]


@pytest.mark.parametrize("doc, message", CASES, ids=[c[1][:40] for c in CASES])
def test_bad_manifests_are_refused_like_an_api_server(doc: dict, message: str) -> None:
    cluster = MemoryCluster(":memory:")
    with pytest.raises(PyHelmError) as caught:
        cluster.apply([doc])
    assert message in str(caught.value)
    assert [o["metadata"]["name"] for o in cluster.list("v1", "Pod", "default")] == []


def test_the_cli_prints_one_error_and_applies_nothing(pyhelm, tmp_path: Path) -> None:
    good = _with(NGINX_POD, "metadata.name", "good")
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump_all([good, CASES[0][0]]))
    result = pyhelm("cluster", "apply", "-f", "bad.yaml")
    assert result.returncode == 1
    assert result.stderr == f"Error: {CASES[0][1]}\n"
    assert pyhelm("cluster", "get", "all", "-o", "name").stdout.strip() == "service/kubernetes"


def test_several_problems_are_listed_one_per_line(pyhelm, tmp_path: Path) -> None:
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x1"},
           "spec": {"containers": [{"name": "BAD", "image": ""}]}}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(doc))
    err = pyhelm("cluster", "apply", "-f", "bad.yaml").stderr
    assert err.splitlines()[0] == 'Error: The Pod "x1" is invalid: '
    assert err.splitlines()[1].startswith('* spec.containers[0].name: Invalid value: "BAD"')
    assert err.splitlines()[2] == "* spec.containers[0].image: Required value"


def test_invalid_yaml_names_file_and_line(pyhelm, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: [name\n")
    err = pyhelm("cluster", "apply", "-f", "broken.yaml").stderr
    assert err.startswith("Error: broken.yaml:") and "invalid YAML" in err


def test_a_missing_manifest_file_says_so(pyhelm) -> None:
    err = pyhelm("cluster", "apply", "-f", "nope.yaml").stderr
    assert err == 'Error: the path "nope.yaml" does not exist; pass a manifest file, a folder ' \
                  "of them, or - for standard input\n"


def test_changing_a_deployment_selector_is_refused(pyhelm, tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(NGINX_DEPLOY))
    pyhelm("cluster", "apply", "-f", "d.yaml")
    changed = _with(NGINX_DEPLOY, "spec.selector.matchLabels", {"app": "nginx", "v": "2"})
    changed["spec"]["template"]["metadata"]["labels"]["v"] = "2"
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(changed))
    err = pyhelm("cluster", "apply", "-f", "d.yaml").stderr
    assert 'The Deployment "nginx-deployment" is invalid: spec.selector: Invalid value' in err
    assert "field is immutable" in err


def test_server_side_apply_conflict_names_field_and_manager(pyhelm, tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(yaml.safe_dump(NGINX_DEPLOY))
    assert pyhelm("cluster", "apply", "--server-side", "-f", "d.yaml").stdout == \
        "deployment.apps/nginx-deployment serverside-applied\n"
    pyhelm("cluster", "scale", "deploy/nginx-deployment", "--replicas=5")
    err = pyhelm("cluster", "apply", "--server-side", "-f", "d.yaml").stderr
    assert err.startswith('Error: Apply failed with 1 conflict: conflict with "kubectl-scale": '
                          ".spec.replicas")
    forced = pyhelm("cluster", "apply", "--server-side", "--force-conflicts", "-f", "d.yaml")
    assert forced.returncode == 0


@pytest.mark.parametrize("args, message", [
    (("get", "widgets"), 'the server doesn\'t have a resource type "widgets"'),
    (("get", "pod", "ghost"), 'pods "ghost" not found'),
    (("delete", "deploy", "ghost"), 'deployments.apps "ghost" not found'),
    (("scale", "deploy/ghost", "--replicas=2"), 'deployments.apps "ghost" not found'),
    (("curl", "svc/ghost"), 'services "ghost" not found'),
    (("curl", "ghost"), "name a target as svc/NAME"),
    (("rollout", "undo", "deploy/ghost"), 'deployments.apps "ghost" not found'),
    (("nodes", "remove", "node-9"), 'nodes "node-9" not found'),
])
def test_commands_on_missing_things_fail_cleanly(pyhelm, args: tuple[str, ...],
                                                 message: str) -> None:
    result = pyhelm("cluster", *args)
    assert result.returncode != 0 and message in result.stderr
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


def test_delete_ignore_not_found_is_quiet(pyhelm) -> None:
    result = pyhelm("cluster", "delete", "pod", "ghost", "--ignore-not-found")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
