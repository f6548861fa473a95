"""Differential tests: the same chart through real `helm template` and `pyhelm template`.

Static documents (no template syntax) are the same chart in both languages, so
splitting, empty documents, Source lines, install order and hooks must match
helm byte for byte. (One deliberate difference: helm leaves a stray ``---`` in a
document after two consecutive separators; pyhelm drops the empty document.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.helm

STATIC = {
    "templates/a-deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n",
    "templates/b-multi.yaml": "\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\n---\n# just a comment\n",
    "templates/c-misc.yaml": "apiVersion: example.com/v1\nkind: Zeta\nmetadata:\n  name: z\n---\n"
    "apiVersion: example.com/v1\nkind: Alpha\nmetadata:\n  name: a\n---\n"
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n---\n"
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n",
    "templates/d-hooks.yaml": "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n"
    "    helm.sh/hook: pre-install\n---\napiVersion: v1\nkind: Pod\nmetadata:\n"
    '  name: t\n  annotations:\n    "helm.sh/hook": test\n',
    "templates/e-empty.yaml": "\n\n",
    "templates/_partial.tpl": "not: rendered\n",
    "templates/sub/f.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sec\n",
}


def write_chart(root: Path, files: dict[str, str]) -> Path:
    (root / "Chart.yaml").parent.mkdir(parents=True, exist_ok=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: same\nversion: 0.1.0\n")
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def helm_template(helm_bin: str, chart: Path, *flags: str) -> str:
    run = subprocess.run(
        [helm_bin, "template", "r", str(chart), *flags], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("flags", [(), ("--skip-tests",), ("--no-hooks",)])
def test_static_chart_output_matches_helm_byte_for_byte(helm_bin, pyhelm, tmp_path, flags):
    chart = write_chart(tmp_path / "same", STATIC)
    ours = pyhelm("template", "r", str(chart), *flags)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == helm_template(helm_bin, chart, *flags)


CHARTS = Path(__file__).resolve().parents[2] / "charts"
#: Go-template twins of the example charts (the benchmark uses them too).
GO_TWINS = Path(__file__).resolve().parent / "go-twins"


def go_twin(name: str, dest: Path) -> Path:
    """charts/<name> with its templates replaced by their Go twins, for real helm."""
    shutil.copytree(CHARTS / name, dest)
    (dest / "templates" / "NOTES.txt").unlink(missing_ok=True)
    shutil.copytree(GO_TWINS / name, dest, dirs_exist_ok=True)
    return dest


@pytest.mark.parametrize("flags", [(), ("--set", "replicaCount=10,image.tag=1.20.1", "-n", "shop")])
def test_nginx_chart_renders_as_its_go_twin_does_in_helm(helm_bin, pyhelm, tmp_path, flags):
    go_chart = go_twin("nginx", tmp_path / "nginx")
    ours = pyhelm("template", "r", str(CHARTS / "nginx"), *flags)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == helm_template(helm_bin, go_chart, *flags)


@pytest.mark.parametrize("sets", [(), ("--set", "ingress.enabled=true,autoscaling.enabled=true,"
                                          "serviceAccount.create=false,podAnnotations.a=b")])
def test_create_scaffold_renders_the_same_objects_as_helms_scaffold(helm_bin, pyhelm, tmp_path, sets):
    import yaml

    (tmp_path / "helm").mkdir()
    subprocess.run([helm_bin, "create", "mychart"], cwd=tmp_path / "helm", check=True,
                   capture_output=True)
    theirs = helm_template(helm_bin, tmp_path / "helm" / "mychart", *sets)
    assert pyhelm("create", "mychart", cwd=tmp_path).returncode == 0
    ours = pyhelm("template", "r", "mychart", *sets, cwd=tmp_path)
    assert ours.returncode == 0, ours.stderr
    assert list(yaml.safe_load_all(ours.stdout)) == list(yaml.safe_load_all(theirs))
