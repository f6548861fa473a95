"""The rest of ``pyhelm cluster``: nodes, time, run/create, api-resources, labels and -o name."""

from __future__ import annotations

import re
from pathlib import Path

import yaml


def test_nodes_can_be_added_tainted_cordoned_and_removed(pyhelm) -> None:
    added = pyhelm("cluster", "nodes", "add", "gpu-1", "--cpu", "16", "--label", "gpu=yes",
                   "--taint", "gpu=yes:NoSchedule")
    assert added.stdout == "node/gpu-1 added\n"
    listed = pyhelm("cluster", "nodes").stdout
    assert re.search(r"^gpu-1\s+Ready\s+<none>", listed, re.M)
    described = pyhelm("cluster", "describe", "node", "gpu-1").stdout
    assert "gpu=yes:NoSchedule" in described and re.search(r"cpu:\s+16", described)
    assert pyhelm("cluster", "nodes", "cordon", "node-1").returncode == 0
    assert "Ready,SchedulingDisabled" in pyhelm("cluster", "get", "nodes").stdout
    pyhelm("cluster", "run", "web", "--image=nginx")
    node = pyhelm("cluster", "get", "pod", "web", "-o", "wide").stdout.splitlines()[1].split()[6]
    assert node in ("node-2", "node-3")
    removed = pyhelm("cluster", "nodes", "remove", node)
    assert removed.stdout == f"node/{node} removed (1 pods evicted)\n"
    assert "No resources found" in pyhelm("cluster", "get", "pods").stderr


def test_tick_runs_cronjobs_and_backs_off_bad_images(pyhelm, tmp_path: Path) -> None:
    cron = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "report"},
            "spec": {"schedule": "*/10 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never", "containers": [{"name": "r", "image": "busybox"}]}}}}}}
    (tmp_path / "cron.yaml").write_text(yaml.safe_dump(cron))
    pyhelm("cluster", "apply", "-f", "cron.yaml")
    pyhelm("cluster", "run", "broken", "--image=nginx:doesnotexist")
    assert "ErrImagePull" in pyhelm("cluster", "get", "pod", "broken").stdout
    assert pyhelm("cluster", "tick", "--seconds", "601").stdout.startswith("cluster time is now")
    jobs = pyhelm("cluster", "get", "jobs").stdout
    assert re.search(r"^report-\d+\s+Complete\s+1/1", jobs, re.M), jobs
    assert "ImagePullBackOff" in pyhelm("cluster", "get", "pod", "broken").stdout
    warnings = pyhelm("cluster", "events", "--types", "Warning").stdout
    assert "Failed" in warnings and "Normal" not in warnings


def test_create_namespace_api_resources_labels_and_names(pyhelm) -> None:
    assert pyhelm("cluster", "create", "namespace", "team").stdout == "namespace/team created\n"
    assert pyhelm("cluster", "-n", "team", "run", "a", "--image=httpd").returncode == 0
    assert pyhelm("cluster", "get", "pods", "-A", "-o", "name").stdout == "pod/a\n"
    shown = pyhelm("cluster", "get", "pods", "-n", "team", "--show-labels").stdout
    assert shown.splitlines()[0].split()[-1] == "LABELS" and "run=a" in shown
    assert "It works!" in pyhelm("cluster", "curl", "pod/a", "-n", "team").stdout
    resources = pyhelm("cluster", "api-resources").stdout
    assert re.search(r"^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", resources, re.M)
    deleted = pyhelm("cluster", "delete", "namespace", "team")
    assert deleted.stdout == 'namespace "team" deleted\n'
    assert pyhelm("cluster", "get", "pods", "-A", "-o", "name").stdout == ""


def test_label_and_annotate_change_metadata(pyhelm) -> None:
    pyhelm("cluster", "run", "web", "--image=nginx")
    assert pyhelm("cluster", "label", "pod", "web", "tier=front").stdout == "pod/web labeled\n"
    refused = pyhelm("cluster", "label", "pod/web", "tier=back")
    assert refused.returncode == 2 and "--overwrite is false" in refused.stderr
    assert pyhelm("cluster", "label", "pod/web", "tier=back", "--overwrite").returncode == 0
    assert "tier=back" in pyhelm("cluster", "get", "pods", "-l", "tier=back").stdout + \
        pyhelm("cluster", "get", "pods", "--show-labels").stdout
    assert pyhelm("cluster", "annotate", "pod", "web", "note=hi").stdout == \
        "pod/web annotated\n"
    pyhelm("cluster", "label", "pod", "web", "tier-")
    shown = pyhelm("cluster", "get", "pod", "web", "-o", "yaml").stdout
    assert "tier:" not in shown and "note: hi" in shown
