"""`pyhelm template` against `helm template`, both as whole processes, medians, same run.

Charts (generated here, Jinja2 for pyhelm and the equivalent Go templates for helm):
  lab   the lab's nginx chart (charts/nginx: a Deployment and a Service)
  wide  200 templates, each a Deployment + Service + ConfigMap using named helpers
        (one shape: the same tags, other text; pyhelm compiles that shape once)
  unique  the same 200 templates, each with an expression of its own (200 shapes)
  deep  one template rendering 5,000 ConfigMaps from a values list
  scaffold  each tool's own `create` chart, as a new chart starts (not the same templates:
        helm's has a few more; pyhelm's has a values.schema.json, so its render checks one)

pyhelm runs "warm" (compiled templates in the on-disk cache) and "cold" (empty
cache), each round of helm, cold and warm taken in turn; the ratio columns are the
medians of the rounds' ratios. The floor is `python -c 'import jinja2, yaml'`.

Run: .venv/bin/python benchmarks/bench_render.py [--runs N] [--cpu] [--only CHART ...]
(helm is taken from .tools/bin or PATH; without it, its column is empty.)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDE = 200
DEEP = 5000
CPU_TIME = False

JINJA_HELPERS = """\
{% macro fullname(ctx) -%}
{{ (ctx.Release.Name ~ "-" ~ ctx.Chart.Name) | trunc(63) | trimSuffix("-") }}
{%- endmacro %}
{% macro labels(ctx) -%}
app.kubernetes.io/name: {{ ctx.Chart.Name }}
app.kubernetes.io/instance: {{ ctx.Release.Name }}
app.kubernetes.io/managed-by: {{ ctx.Release.Service }}
{%- endmacro %}
"""
GO_HELPERS = """\
{{- define "wide.fullname" -}}
{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "wide.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
"""
WIDE_BODY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {F}-app{i}
  labels:
    {L4}
spec:
  replicas: {V}.replicaCount{E}
  selector:
    matchLabels:
      app: app{i}
  template:
    metadata:
      labels:
        app: app{i}
    spec:
      containers:
      - name: web
        image: "{V}.image.repository{E}:{V}.image.tag{E}"
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: {F}-app{i}
  labels:
    {L4}
spec:
  selector:
    app: app{i}
  ports:
  - port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {F}-app{i}
data:
  index: "{I}"
  greeting: {V}.greeting | quote{E}
"""
JINJA_DEEP = """\
{% for item in Values.items %}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-{{ item.name }}
data:
  value: {{ item.value | quote }}
{% endfor %}
"""
GO_DEEP = """\
{{- range .Values.items }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $.Release.Name }}-{{ .name }}
data:
  value: {{ .value | quote }}
{{- end }}
"""
#: Go-template twins of the example charts, shared with tests/render/test_render_vs_helm.py.
GO_TWINS = ROOT / "tests" / "render" / "go-twins"


def write(folder: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    return folder


WIDE_VALUES = "replicaCount: 2\nimage:\n  repository: nginx\n  tag: '1.20'\ngreeting: hello\n"
WIDE_SYNTAX = {
    "jinja": {
        "F": '{{ include("wide.fullname", ctx) }}',
        "V": "{{ Values",
        "L4": '{{ include("wide.labels", ctx) | indent(4) | trim }}',
        "I": "{{{{ Values.replicaCount + {i} }}}}",
    },
    "go": {
        "F": '{{ include "wide.fullname" . }}',
        "V": "{{ .Values",
        "L4": '{{- include "wide.labels" . | nindent 4 }}',
        "I": "{{{{ add .Values.replicaCount {i} }}}}",
    },
}


def wide_chart(lang: str, distinct: bool) -> dict[str, str]:
    """WIDE templates in ``lang``; ``distinct``: each with an expression of its own (no two
    templates of one shape, so nothing is compiled once for many)."""
    syntax = WIDE_SYNTAX[lang]
    files = {
        "Chart.yaml": "apiVersion: v2\nname: wide\nversion: 0.1.0\n",
        "values.yaml": WIDE_VALUES,
        "templates/_helpers.tpl": JINJA_HELPERS if lang == "jinja" else GO_HELPERS,
    }
    for i in range(WIDE):
        index = syntax["I"].format(i=i) if distinct else str(i)
        files[f"templates/app{i:03d}.yaml"] = WIDE_BODY.format(
            i=i, E=" }}", **{**syntax, "I": index}
        )
    return files


def make_charts(base: Path) -> dict[str, tuple[Path, Path]]:
    """{name: (jinja chart, go chart)}."""
    chart_yaml = "apiVersion: v2\nname: {name}\nversion: 0.1.0\n"
    nginx_go = base / "go" / "nginx"
    shutil.copytree(ROOT / "charts" / "nginx", nginx_go)
    (nginx_go / "templates" / "NOTES.txt").unlink()
    shutil.copytree(GO_TWINS / "nginx", nginx_go, dirs_exist_ok=True)
    deep_values = "items:\n" + "".join(f"- name: cm{i}\n  value: v{i}\n" for i in range(DEEP))
    deep = {"Chart.yaml": chart_yaml.format(name="deep"), "values.yaml": deep_values}
    return {
        "lab": (ROOT / "charts" / "nginx", nginx_go),
        **{
            name: tuple(
                write(base / lang / name, wide_chart(lang, distinct)) for lang in ("jinja", "go")
            )
            for name, distinct in (("wide", False), ("unique", True))
        },
        "deep": (
            write(base / "jinja" / "deep", {**deep, "templates/cms.yaml": JINJA_DEEP}),
            write(base / "go" / "deep", {**deep, "templates/cms.yaml": GO_DEEP}),
        ),
    }


def scaffolds(base: Path, pyhelm: list[str], helm: str | None) -> tuple[Path, Path]:
    """``pyhelm create`` and ``helm create`` charts, both named ``scaffold``."""
    for tool, lang in ((pyhelm, "jinja"), ([helm] if helm else None, "go")):
        if tool:
            subprocess.run([*tool, "create", "scaffold"], cwd=base / lang, check=True,
                           capture_output=True)
    return base / "jinja" / "scaffold", base / "go" / "scaffold"


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds the process took: wall clock, or CPU (user+sys) with --cpu (steadier when busy)."""
    start, cpu = time.perf_counter(), _child_cpu()
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    elapsed = (_child_cpu() - cpu) if CPU_TIME else time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{run.stderr}")
    return elapsed, run.stdout


def median(
    cmd: list[str], env: dict[str, str], runs: int, before: object = None
) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(runs):
        if callable(before):
            before()
        elapsed, out = timed(cmd, env)
        times.append(elapsed)
    return statistics.median(times), out


def against_floor(cmd: list[str], floor_cmd: list[str], env: dict[str, str], runs: int
                  ) -> float:
    """Median of ``cmd``'s time over the floor's, the two run in turn (drift hits both)."""
    ratios = []
    for _ in range(runs):
        floor, _ = timed(floor_cmd, env)
        elapsed, _ = timed(cmd, env)
        ratios.append(elapsed / floor)
    return statistics.median(ratios)


def one_round(cmd: list[str], helm_cmd: list[str] | None, env: dict[str, str], cache: Path
              ) -> tuple[float | None, float, float, str]:
    """helm, then pyhelm with an empty compiled-template cache, then again with it filled:
    (helm, cold, warm, pyhelm's output). Runs taken in turn, so drift hits all three."""
    helm_time = timed(helm_cmd, env)[0] if helm_cmd else None
    shutil.rmtree(cache, True)
    cold, _ = timed(cmd, env)
    warm, out = timed(cmd, env)
    return helm_time, cold, warm, out


def _in_turn(rounds: list[tuple[float | None, float, float, str]], column: int) -> str:
    """The median of the rounds' ratios of ``column`` (1 cold, 2 warm) to helm."""
    if rounds[0][0] is None:
        return "-"
    return f"{statistics.median(r[column] / r[0] for r in rounds):.2f}x"  # type: ignore[operator]


def helm_binary() -> str | None:
    local = ROOT / ".tools" / "bin" / "helm"
    return str(local) if local.exists() else shutil.which("helm")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--cpu", action="store_true", help="measure CPU time (user+sys) instead of wall time"
    )
    parser.add_argument(
        "--only", nargs="+", metavar="CHART", help="measure only these charts (e.g. wide)"
    )
    args = parser.parse_args()
    global CPU_TIME
    CPU_TIME = args.cpu
    pyhelm = [str(Path(sys.executable).with_name("pyhelm"))]
    if not Path(pyhelm[0]).exists():
        pyhelm = [sys.executable, "-m", "pyhelm"]
    helm = helm_binary()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        charts = make_charts(base)
        charts["scaffold"] = scaffolds(base, pyhelm, helm)
        cache = base / "cache"
        # Python's .pyc files are part of a normal install: let the children write and use them.
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "PYHELM_CACHE_HOME": str(cache),
            "HELM_CACHE_HOME": str(base / "hc"),
            "HELM_CONFIG_HOME": str(base / "hcfg"),
            "HELM_DATA_HOME": str(base / "hd"),
        }
        timed([*pyhelm, "template", "r", str(charts["lab"][0])], env)  # writes the .pyc files once
        floor_cmd = [sys.executable, "-c", "import jinja2, yaml"]
        floor, _ = median(floor_cmd, env, args.runs)
        print(
            f"{'CPU' if CPU_TIME else 'wall'} seconds, medians of {args.runs} runs; "
            f"python floor (import jinja2, yaml): {floor:.3f} s"
        )
        print(
            f"{'chart':<7} {'docs':>6} {'helm':>8} {'pyhelm warm':>12} {'pyhelm cold':>12} "
            f"{'warm/helm':>10} {'cold/helm':>10}"
        )
        for name, (jinja_chart, go_chart) in charts.items():
            if args.only and name not in args.only:
                continue
            cmd = [*pyhelm, "template", "r", str(jinja_chart)]
            helm_cmd = [helm, "template", "r", str(go_chart)] if helm else None
            rounds = [one_round(cmd, helm_cmd, env, cache) for _ in range(args.runs)]
            helm_time = statistics.median(r[0] for r in rounds) if helm else None
            cold = statistics.median(r[1] for r in rounds)
            warm = statistics.median(r[2] for r in rounds)
            docs = rounds[-1][3].count("# Source:")
            helm_text = f"{helm_time:.3f}" if helm_time else "-"
            print(
                f"{name:<7} {docs:>6} {helm_text:>8} {warm:>12.3f} {cold:>12.3f} "
                f"{_in_turn(rounds, 2):>10} {_in_turn(rounds, 1):>10}"
            )
        if args.only and "lab" not in args.only:
            return
        lab = [*pyhelm, "template", "r", str(charts["lab"][0])]
        print(f"lab, warm, against the floor run in turn ({3 * args.runs} pairs): "
              f"{against_floor(lab, floor_cmd, env, 3 * args.runs):.2f}x (goal <= 1.15x)")


if __name__ == "__main__":
    main()
