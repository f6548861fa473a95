"""End to end: the real `pyhelm` command renders, creates, lints and shows charts."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.conftest import LAB_DEPLOY_YAML, LAB_POD_YAML

CHARTS = Path(__file__).resolve().parents[2] / "charts"



def test_nginx_pod_chart_renders_exactly_the_labs_pod(pyhelm):
    run = pyhelm("template", "web", str(CHARTS / "nginx-pod"))
    assert run.returncode == 0, run.stderr
    assert run.stdout == "---\n# Source: nginx-pod/templates/pod.yaml\n" + LAB_POD_YAML


def test_nginx_chart_renders_the_labs_deployment_and_a_clusterip_service(pyhelm):
    run = pyhelm("template", "web", str(CHARTS / "nginx"))
    assert run.returncode == 0, run.stderr
    service, deployment = run.stdout.split("---\n")[1:]
    assert deployment == "# Source: nginx/templates/deployment.yaml\n" + LAB_DEPLOY_YAML
    svc = yaml.safe_load(service)
    assert svc["kind"] == "Service" and svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["selector"] == {"app": "nginx"}
    assert svc["spec"]["ports"][0]["port"] == 80 and svc["spec"]["ports"][0]["targetPort"] == "web"


def test_values_flags_and_namespace_reach_the_templates(pyhelm, tmp_path):
    (tmp_path / "prod.yaml").write_text("replicaCount: 10\n")
    run = pyhelm(
        "template",
        "web",
        str(CHARTS / "nginx"),
        "-f",
        "prod.yaml",
        "--set",
        "image.tag=1.20.1",
        "-n",
        "shop",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    deployment = yaml.safe_load(run.stdout.split("---\n")[2])
    assert deployment["spec"]["replicas"] == 10
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.20.1"


def test_render_is_an_alias_and_the_release_name_is_optional(pyhelm):
    run = pyhelm("render", str(CHARTS / "nginx-pod"))
    assert run.returncode == 0 and "name: nginx-pod" in run.stdout


def test_parent_chart_with_subchart_and_globals(pyhelm):
    run = pyhelm("template", "shop", str(CHARTS / "webshop"))
    assert run.returncode == 0, run.stderr
    docs = {(d["kind"], d["metadata"]["name"]): d for d in yaml.safe_load_all(run.stdout)}
    cache = docs[("Deployment", "shop-cache")]
    assert cache["metadata"]["labels"]["environment"] == "demo"  # the parent's global wins
    assert cache["spec"]["template"]["spec"]["containers"][0]["args"] == ["--maxmemory", "128mb"]
    assert "# Source: webshop/charts/cache/templates/deployment.yaml" in run.stdout
    off = pyhelm("template", "shop", str(CHARTS / "webshop"), "--set", "cache.enabled=false")
    assert "charts/cache" not in off.stdout and "CACHE_HOST" not in off.stdout


def test_show_only_and_its_error(pyhelm):
    run = pyhelm("template", "w", str(CHARTS / "nginx"), "-s", "templates/service.yaml")
    assert (
        run.returncode == 0 and run.stdout.count("# Source:") == 1 and "kind: Service" in run.stdout
    )
    bad = pyhelm("template", "w", str(CHARTS / "nginx"), "-s", "templates/nope.yaml")
    assert bad.returncode != 0
    assert bad.stderr.startswith(
        "Error: could not find template templates/nope.yaml in chart nginx"
    )


def test_output_dir_writes_one_file_per_template(pyhelm, tmp_path):
    run = pyhelm("template", "w", str(CHARTS / "nginx"), "--output-dir", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    written = tmp_path / "out" / "nginx" / "templates" / "deployment.yaml"
    assert (
        written.read_text() == "---\n# Source: nginx/templates/deployment.yaml\n" + LAB_DEPLOY_YAML
    )
    assert f"wrote {written}" in run.stdout


def _chart_with_hooks_and_crds(root: Path) -> Path:
    chart = root / "hooked"
    (chart / "templates").mkdir(parents=True)
    (chart / "crds").mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: hooked\nversion: 1.0.0\n")
    (chart / "crds" / "crd.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.b.c\n"
    )
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n"
        "  install: {{ Release.IsInstall | quote }}\n"
    )
    for event in ("pre-install", "test"):
        (chart / "templates" / f"{event}.yaml").write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {event}\n  annotations:\n"
            f"    helm.sh/hook: {event}\n"
        )
    return chart


def test_hooks_follow_manifests_and_flags_filter_them(pyhelm, tmp_path):
    chart = str(_chart_with_hooks_and_crds(tmp_path))
    names = lambda out: [d["metadata"]["name"] for d in yaml.safe_load_all(out)]  # noqa: E731
    assert names(pyhelm("template", chart).stdout) == ["cm", "pre-install", "test"]
    assert names(pyhelm("template", chart, "--skip-tests").stdout) == ["cm", "pre-install"]
    assert names(pyhelm("template", chart, "--no-hooks").stdout) == ["cm"]
    assert names(pyhelm("template", chart, "--include-crds", "--no-hooks").stdout) == [
        "a.b.c",
        "cm",
    ]
    assert '"false"' in pyhelm("template", chart, "--is-upgrade", "--no-hooks").stdout


def test_template_error_is_one_located_error_without_traceback(pyhelm, tmp_path):
    chart = tmp_path / "broken"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: broken\nversion: 1.0.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "kind: ConfigMap\ndata:\n  x: {{ Values.missing.deep }}\n"
    )
    run = pyhelm("template", str(chart))
    assert run.returncode == 1
    assert run.stderr.startswith("Error: broken/templates/cm.yaml:3:")
    assert "Traceback" not in run.stderr
    assert "    3 |   x: {{ Values.missing.deep }}" in run.stderr


def test_bad_chart_and_bad_arguments_give_one_error_line(pyhelm, tmp_path):
    missing = pyhelm("template", str(tmp_path / "nothere"))
    assert (
        missing.returncode != 0
        and missing.stderr.startswith("Error: ")
        and "Traceback" not in missing.stderr
    )
    too_many = pyhelm("template", "a", "b", "c")
    assert too_many.returncode == 2 and too_many.stderr.startswith(
        "Error: template takes [NAME] CHART"
    )


def test_create_then_template_and_lint_strict_are_clean(pyhelm, tmp_path):
    assert pyhelm("create", "mychart", cwd=tmp_path).stdout == "Creating mychart\n"
    for name in (
        "Chart.yaml",
        "values.yaml",
        "values.schema.json",
        ".helmignore",
        "templates/_helpers.tpl",
        "templates/deployment.yaml",
        "templates/service.yaml",
        "templates/serviceaccount.yaml",
        "templates/ingress.yaml",
        "templates/hpa.yaml",
        "templates/NOTES.txt",
        "templates/tests/test-connection.yaml",
    ):
        assert (tmp_path / "mychart" / name).is_file(), name
    run = pyhelm(
        "template",
        "web",
        "mychart",
        "--set",
        "ingress.enabled=true,autoscaling.enabled=true",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(run.stdout)]
    assert kinds == [
        "ServiceAccount",
        "Service",
        "Deployment",
        "HorizontalPodAutoscaler",
        "Ingress",
        "Pod",
    ]
    lint = pyhelm("lint", "mychart", "--strict", cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert lint.stdout.endswith("1 chart(s) linted, 0 chart(s) failed\n")


def test_create_refuses_bad_names_and_existing_folders(pyhelm, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "f").write_text("x")
    assert pyhelm("create", "taken", cwd=tmp_path).stderr.startswith("Error: taken: already exists")
    assert pyhelm("create", "Bad_Name", cwd=tmp_path).stderr.startswith(
        "Error: chart name 'Bad_Name' is invalid"
    )


def test_lint_lists_every_finding_and_fails(pyhelm, tmp_path):
    pyhelm("create", "bad", cwd=tmp_path)
    with (tmp_path / "bad" / "values.yaml").open("a") as out:
        out.write("debug: yes\n")
    (tmp_path / "bad" / "templates" / "x.yaml").write_text("kind: X\nv: {{ Values.nope }}\n")
    (tmp_path / "bad" / "templates" / "y.yaml").write_text("kind: X\nv: {{ Values.nope2 }}\n")
    run = pyhelm("lint", "bad", cwd=tmp_path)
    assert run.returncode == 1
    assert (
        "[WARNING] values.yaml:" in run.stdout
        and "unquoted value 'yes' is read as the boolean true" in run.stdout
    )
    assert "[ERROR] templates/: bad/templates/x.yaml:2:" in run.stdout
    assert "[ERROR] templates/: bad/templates/y.yaml:2:" in run.stdout
    assert run.stdout.endswith("1 chart(s) linted, 1 chart(s) failed\n")


def test_lint_strict_fails_on_warnings_only(pyhelm, tmp_path):
    pyhelm("create", "warn", cwd=tmp_path)
    with (tmp_path / "warn" / "values.yaml").open("a") as out:
        out.write("flag: on\n")
    assert pyhelm("lint", "warn", cwd=tmp_path).returncode == 0
    assert pyhelm("lint", "warn", "--strict", cwd=tmp_path).returncode == 1


def test_lint_reports_schema_violations(pyhelm, tmp_path):
    pyhelm("create", "schemed", cwd=tmp_path)
    run = pyhelm("lint", "schemed", "--set", "replicaCount=many", cwd=tmp_path)
    assert (
        run.returncode == 1
        and "[ERROR] values.yaml:" in run.stdout
        and "replicaCount" in run.stdout
    )


def test_show_subcommands(pyhelm):
    chart = str(CHARTS / "webshop")
    assert pyhelm("show", "chart", chart).stdout.startswith("apiVersion: v2\nappVersion: 2.1.0\n")
    assert (
        pyhelm("show", "values", chart).stdout == (CHARTS / "webshop" / "values.yaml").read_text()
    )
    assert pyhelm("show", "readme", chart).stdout == (CHARTS / "webshop" / "README.md").read_text()
    everything = pyhelm("show", "all", chart).stdout
    assert everything.count("---\n") == 2 and "# webshop" in everything


def test_version(pyhelm):
    assert pyhelm("version", "--short").stdout.strip().startswith("v0.")
    assert pyhelm("version").stdout.startswith('version.BuildInfo{Version:"v')


def test_validate_reports_every_invalid_manifest_against_the_kube_version(pyhelm, tmp_path):
    chart = tmp_path / "v"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: v\nversion: 0.1.0\n")
    (chart / "templates" / "d.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: three\n"
        "  selector: {}\n  template: {}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
    )
    run = pyhelm("template", str(chart), "--validate")
    assert run.returncode == 1
    assert "Error: 2 manifest(s) are not valid Kubernetes v1.35.0 objects:" in run.stderr
    assert "Deployment/d: spec.replicas: 'three' is not of type 'integer'" in run.stderr
    assert "Widget/w: Kubernetes 1.35.0 has no example.com/v1 Widget" in run.stderr
    assert pyhelm("template", "web", str(CHARTS / "webshop"), "--validate").returncode == 0
    old = pyhelm("template", str(chart), "--validate", "--kube-version", "v1.10.0")
    assert old.returncode == 2 and "no Kubernetes schemas for --kube-version v1.10.0" in old.stderr


def test_show_crds_and_output_dir_with_release_name(pyhelm, tmp_path):
    chart = _chart_with_hooks_and_crds(tmp_path)
    crds = pyhelm("show", "crds", str(chart))
    assert crds.stdout == "---\n" + (chart / "crds" / "crd.yaml").read_text()
    run = pyhelm(
        "template", "web", str(chart), "--output-dir", str(tmp_path / "out"), "--release-name"
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "web" / "hooked" / "templates" / "cm.yaml").is_file()


def test_kube_version_and_api_versions_reach_capabilities(pyhelm, tmp_path):
    chart = tmp_path / "caps"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: caps\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "kind: ConfigMap\ndata:\n  kube: {{ Capabilities.KubeVersion.Version }}\n"
        "  has: {{ Capabilities.APIVersions.Has('monitoring.coreos.com/v1') }}\n"
    )
    run = pyhelm(
        "template", str(chart), "--kube-version", "v1.31.4", "-a", "monitoring.coreos.com/v1"
    )
    assert "kube: v1.31.4\n  has: true" in run.stdout


def test_release_name_is_checked_and_can_be_generated(pyhelm):
    bad = pyhelm("template", "Bad_Name", str(CHARTS / "nginx-pod"))
    assert bad.returncode == 1 and bad.stderr.startswith(
        "Error: release name 'Bad_Name' is invalid"
    )
    generated = pyhelm("template", "-g", str(CHARTS / "webshop"))
    assert generated.returncode == 0, generated.stderr
    assert re.search(r"CACHE_HOST: webshop-\d+-cache\n", generated.stdout)
