"""End to end: the real ``pyhelm`` command on the built-in cluster, checked with
``pyhelm cluster get``.

install -> upgrade (scale by values, change the image: pods roll) -> diff -> rollback ->
history -> uninstall, then the pending lock, Ctrl-C/SIGTERM and a killed process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NGINX = str(REPO / "charts" / "nginx")


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def cluster_get(pyhelm, kind: str, namespace: str = "default") -> list[dict]:  # type: ignore[no-untyped-def]
    """The objects ``pyhelm cluster get <kind> -o json`` shows."""
    return json.loads(ok(pyhelm("cluster", "get", kind, "-n", namespace, "-o", "json")))["items"]


def pods(pyhelm, namespace: str = "default") -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        p
        for p in cluster_get(pyhelm, "pods", namespace)
        if not p["metadata"].get("deletionTimestamp")
    ]


def images(found: list[dict]) -> set[str]:
    return {c["image"] for p in found for c in p["spec"]["containers"]}


def test_install_upgrade_diff_rollback_history_uninstall(pyhelm) -> None:  # type: ignore[no-untyped-def]
    out = ok(pyhelm("install", "web", NGINX))
    assert out.startswith("NAME: web\nLAST DEPLOYED: ")
    assert (
        "NAMESPACE: default\nSTATUS: deployed\nREVISION: 1\nDESCRIPTION: Install complete\n" in out
    )
    assert "NOTES:\nnginx-deployment runs 3 replicas of nginx." in out
    first = pods(pyhelm)
    assert len(first) == 3 and images(first) == {"nginx"}

    out = ok(pyhelm("upgrade", "web", NGINX, "--set", "replicaCount=5"))
    assert out.startswith('Release "web" has been upgraded. Happy Helming!\nNAME: web\n')
    assert "REVISION: 2" in out
    assert len(pods(pyhelm)) == 5

    out = ok(pyhelm("upgrade", "web", NGINX, "--reuse-values", "--set", "image.tag=1.20.1"))
    rolled = pods(pyhelm)
    assert len(rolled) == 5 and images(rolled) == {"nginx:1.20.1"}
    assert not {p["metadata"]["name"] for p in rolled} & {p["metadata"]["name"] for p in first}

    diff = pyhelm(
        "diff",
        "upgrade",
        "web",
        NGINX,
        "--reuse-values",
        "--set",
        "replicaCount=2",
        "--detailed-exitcode",
    )
    assert diff.returncode == 2, diff.stderr
    assert "default, nginx-deployment, Deployment (apps) has changed:" in diff.stdout
    assert "-  replicas: 5\n+  replicas: 2\n" in diff.stdout and "\x1b[" not in diff.stdout
    assert ok(pyhelm("diff", "release", "web")).endswith(
        "Plan: 0 to add, 0 to change, 0 to destroy.\n"
    )
    rb = ok(pyhelm("diff", "rollback", "web", "1"))
    assert "-        image: nginx:1.20.1\n+        image: nginx\n" in rb

    assert ok(pyhelm("rollback", "web", "1")) == "Rollback was a success! Happy Helming!\n"
    back = pods(pyhelm)
    assert len(back) == 3 and images(back) == {"nginx"}

    history = ok(pyhelm("history", "web")).splitlines()
    assert history[0].split("\t")[0].strip() == "REVISION"
    assert [line.split("\t")[2].strip() for line in history[1:]] == [
        "superseded",
        "superseded",
        "superseded",
        "deployed",
    ]
    assert history[-1].rstrip().endswith("Rollback to 1")
    listed = json.loads(ok(pyhelm("list", "-o", "json")))
    assert [(r["name"], r["revision"], r["status"], r["chart"]) for r in listed] == [
        ("web", "4", "deployed", "nginx-0.1.0")
    ]
    assert "replicaCount: 5" in ok(pyhelm("get", "values", "web", "--revision", "2"))
    assert ok(pyhelm("get", "manifest", "web")).startswith(
        "---\n# Source: nginx/templates/service.yaml"
    )

    assert ok(pyhelm("uninstall", "web")) == 'release "web" uninstalled\n'
    assert pods(pyhelm) == []
    assert ok(pyhelm("list", "-q")) == ""
    secrets = cluster_get(pyhelm, "secrets")
    assert [s for s in secrets if s["metadata"]["name"].startswith("sh.helm.release")] == []


def test_install_into_a_new_namespace_and_list_all(pyhelm) -> None:  # type: ignore[no-untyped-def]
    bad = pyhelm("install", "web", NGINX, "-n", "shop")
    assert bad.returncode == 1
    assert bad.stderr == (
        "Error: INSTALLATION FAILED: namespace 'shop' not found; create it, or "
        "pass --create-namespace\n"
    )
    ok(
        pyhelm(
            "install",
            "web",
            NGINX,
            "-n",
            "shop",
            "--create-namespace",
            "--wait",
            "--set",
            "replicaCount=2",
        )
    )
    ok(pyhelm("install", "api", NGINX, "--set", "name=api", "--set", "app=api"))
    table = ok(pyhelm("list", "-A")).splitlines()
    assert [c.strip() for c in table[0].split("\t")] == [
        "NAME",
        "NAMESPACE",
        "REVISION",
        "UPDATED",
        "STATUS",
        "CHART",
        "APP VERSION",
    ]
    assert [(r.split("\t")[0].strip(), r.split("\t")[1].strip()) for r in table[1:]] == [
        ("api", "default"),
        ("web", "shop"),
    ]
    assert len(pods(pyhelm, "shop")) == 2
    again = pyhelm("install", "web", NGINX, "-n", "shop")
    assert "cannot reuse the name 'web'" in again.stderr


def test_errors_are_one_line(pyhelm) -> None:  # type: ignore[no-untyped-def]
    for args, text in [
        (("upgrade", "nope", NGINX), "Error: UPGRADE FAILED: 'nope' has no deployed releases"),
        (("rollback", "nope"), "Error: ROLLBACK FAILED: release 'nope' not found"),
        (("status", "nope"), "Error: release 'nope' not found in namespace 'default'"),
        (
            ("install", "Bad_Name", NGINX),
            "Error: INSTALLATION FAILED: release name 'Bad_Name' is invalid",
        ),
        (("install", "web", NGINX, "--timeout", "soon"), "invalid duration 'soon'"),
    ]:
        result = pyhelm(*args)
        assert result.returncode != 0
        assert text in result.stderr and "Traceback" not in result.stderr


def test_existing_objects_are_not_taken_over_silently(pyhelm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    svc = tmp_path / "svc.yaml"  # someone else's Service
    svc.write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: nginx-service\nspec:\n"
        "  selector: {app: nginx}\n  ports:\n  - port: 80\n"
    )
    ok(pyhelm("cluster", "apply", "-f", str(svc)))
    result = pyhelm("install", "web", NGINX)
    assert result.returncode == 1
    assert (
        "Service/nginx-service in namespace 'default' exists and cannot be imported"
        in result.stderr
    )
    assert "--take-ownership" in result.stderr
    assert pyhelm("history", "web").returncode == 1  # refused before any record was stored
    adopted = pyhelm("install", "web", NGINX, "--take-ownership")
    assert 'conflict with "kubectl-client-side-apply"' in adopted.stderr
    assert "--force-conflicts" in adopted.stderr
    ok(pyhelm("install", "web", NGINX, "--take-ownership", "--force-conflicts", "--replace"))


BLOCKING_HOOK = """apiVersion: v1
kind: Pod
metadata:
  name: {{ Release.Name }}-wait-forever
  annotations:
    "helm.sh/hook": pre-install,pre-upgrade
spec:
  containers:
  - name: c
    image: nginx
"""


def blocking_chart(tmp_path: Path) -> str:
    """The lab chart plus a pre-install hook Pod that never succeeds (nginx keeps running)."""
    import shutil

    chart = tmp_path / "blocking"
    shutil.copytree(NGINX, chart)
    (chart / "templates" / "hook.yaml").write_text(BLOCKING_HOOK)
    return str(chart)


def start_pending(tmp_path: Path, pyhelm) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pyhelm",
            "install",
            "web",
            blocking_chart(tmp_path),
            "--timeout",
            "60s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        result = pyhelm("history", "web", "-o", "json")
        if result.returncode == 0 and json.loads(result.stdout)[-1]["status"] == "pending-install":
            return proc
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the install never became pending")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_marks_the_revision_failed_and_a_second_operation_was_locked_out(
    pyhelm, tmp_path: Path, signum: signal.Signals
) -> None:  # type: ignore[no-untyped-def]
    proc = start_pending(tmp_path, pyhelm)
    second = pyhelm("upgrade", "web", NGINX)
    assert "another operation (install) is in progress for release web" in second.stderr
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum
    assert f"interrupted by {signum.name}" in err
    [rev] = json.loads(ok(pyhelm("history", "web", "-o", "json")))
    assert (rev["status"], rev["description"]) == (
        "failed",
        f"Install interrupted by {signum.name}",
    )


@pytest.mark.slow
def test_a_killed_operation_is_recovered_by_the_next_one(pyhelm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = start_pending(tmp_path, pyhelm)
    proc.kill()
    proc.wait()
    result = pyhelm("upgrade", "web", NGINX)
    assert result.returncode == 0, result.stderr
    assert "WARNING: recovered release web: revision 1 was left pending-install" in result.stderr
    history = json.loads(ok(pyhelm("history", "web", "-o", "json")))
    assert [h["status"] for h in history] == ["failed", "deployed"]


TEST_POD = """apiVersion: v1
kind: Pod
metadata:
  name: {{ Release.Name }}-test-connection
  annotations:
    "helm.sh/hook": test
spec:
  restartPolicy: Never
  containers:
  - name: wget
    image: busybox
    command: ["wget", "{{ Values.name }}-service:80"]
"""

FAILING_JOB = """apiVersion: batch/v1
kind: Job
metadata:
  name: {{ Release.Name }}-migrate
  annotations:
    "helm.sh/hook": pre-upgrade
    "helm.sh/hook-delete-policy": hook-failed
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: busybox:doesnotexist
"""


def chart_with(tmp_path: Path, **templates: str) -> str:
    import shutil

    chart = tmp_path / "chart"
    shutil.copytree(NGINX, chart)
    for name, text in templates.items():
        (chart / "templates" / f"{name}.yaml").write_text(text)
    return str(chart)


def test_pyhelm_test_runs_the_test_hooks(pyhelm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chart = chart_with(tmp_path, test=TEST_POD)
    ok(pyhelm("install", "web", chart))
    assert "TEST SUITE: None" in ok(pyhelm("status", "web"))
    out = ok(pyhelm("test", "web"))
    assert "TEST SUITE:     web-test-connection\n" in out and "Phase:          Succeeded" in out
    assert "Phase:          Succeeded" in ok(pyhelm("status", "web"))
    assert "# Source: nginx/templates/test.yaml" in ok(pyhelm("get", "hooks", "web"))


def test_a_failing_hook_job_fails_the_upgrade_and_atomic_rolls_back(pyhelm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ok(pyhelm("install", "web", NGINX))
    chart = chart_with(tmp_path, migrate=FAILING_JOB)
    result = pyhelm(
        "upgrade", "web", chart, "--set", "replicaCount=4", "--atomic", "--timeout", "1s"
    )
    assert result.returncode == 1
    assert "WARNING: --atomic is deprecated; use --rollback-on-failure" in result.stderr
    assert (
        "Error: UPGRADE FAILED: pre-upgrade hook Job/web-migrate in namespace 'default' failed: "
        in result.stderr
    )
    assert "rolled back to revision 1" in result.stderr
    history = json.loads(ok(pyhelm("history", "web", "-o", "json")))
    assert [(h["revision"], h["status"]) for h in history] == [
        (1, "superseded"),
        (2, "failed"),
        (3, "deployed"),
    ]
    assert len(pods(pyhelm)) == 3  # the hook failed before anything was applied
    jobs = [j for j in cluster_get(pyhelm, "jobs") if j["metadata"]["name"] == "web-migrate"]
    assert jobs == []  # hook-failed: deleted


def test_keep_history_status_filters_and_get_all(pyhelm) -> None:  # type: ignore[no-untyped-def]
    ok(pyhelm("install", "web", NGINX, "--set", "replicaCount=1", "--description", "first"))
    ok(pyhelm("install", "api", NGINX, "--set", "name=api", "--set", "app=api"))
    everything = ok(pyhelm("get", "all", "web"))
    for part in (
        "USER-SUPPLIED VALUES:\nreplicaCount: 1\n",
        "COMPUTED VALUES:",
        "MANIFEST:\n---",
        "NOTES:\nnginx-deployment runs 1 replicas",
    ):
        assert part in everything
    assert "name: nginx\n" in ok(pyhelm("get", "values", "web", "--all"))
    status = json.loads(ok(pyhelm("status", "web", "-o", "json")))
    assert (status["info"]["status"], status["info"]["description"], status["config"]) == (
        "deployed",
        "first",
        {"replicaCount": 1},
    )
    resources = ok(pyhelm("status", "web", "--show-resources"))
    assert "Deployment/nginx-deployment" in resources and "1/1" in resources
    assert ok(pyhelm("uninstall", "web", "--keep-history")) == 'release "web" uninstalled\n'
    assert ok(pyhelm("list", "-q")) == "api\nweb\n"
    assert ok(pyhelm("list", "-q", "--uninstalled")) == "web\n"
    assert ok(pyhelm("list", "-q", "--deployed", "-f", "^a")) == "api\n"
    assert ok(pyhelm("history", "web")).splitlines()[1].split("\t")[2].strip() == "uninstalled"
    ok(pyhelm("upgrade", "web", NGINX, "--install"))
    assert "REVISION: 2\nSTATUS: deployed\n" in ok(pyhelm("get", "metadata", "web"))
    ok(pyhelm("uninstall", "api", "--cascade", "orphan"))
    orphans = [p for p in pods(pyhelm) if p["metadata"]["labels"].get("app") == "api"]
    assert len(orphans) == 3  # the Deployment is gone, its pods stay


def test_a_release_record_over_one_mebibyte_is_split_and_read_back(pyhelm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    chart = Path(chart_with(tmp_path))
    (chart / "files").mkdir()
    (chart / "files" / "blob.txt").write_text(os.urandom(900_000).hex())  # helm#9788
    ok(pyhelm("install", "web", str(chart)))
    names = sorted(s["metadata"]["name"] for s in cluster_get(pyhelm, "secrets"))
    assert names[0] == "sh.helm.release.v1.web.v1" and names[1].startswith(
        "sh.helm.release.v1.web.v1.part-"
    )
    assert "STATUS: deployed" in ok(pyhelm("status", "web"))
    ok(pyhelm("uninstall", "web"))
    assert [
        n
        for n in (s["metadata"]["name"] for s in cluster_get(pyhelm, "secrets"))
        if n.startswith("sh.helm")
    ] == []
