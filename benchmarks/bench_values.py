"""Values benchmark: in-process costs of pyhelm's values layer, and helm v4 beside it.

    .venv/bin/python benchmarks/bench_values.py [--runs N] [--helm PATH]

In process (median of N runs, milliseconds):
  * ``compute_values`` of the lab chart (charts/nginx) with three --set values;
  * ``compute_values`` of a chart with a subchart, globals and an alias;
  * ``compute_values`` with a 5,000-item list (of maps) in the user values;
  * ``ValueOptions.merge`` of a 5,000-item -f file, against a bare libyaml load
    of the same text (the cost of the hardened loader);
  * ``parse_set`` of one argument with 1,000 pairs;
  * refusing a billion-laughs values file.
Whole processes (median of N runs, seconds), both tools on the same chart:
  ``template`` of a one-template chart with the 5,000-item -f file.
Prints one table; never asserts. Bounded: well under a minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyhelm.chart.loader import load_chart  # noqa: E402
from pyhelm.chart.model import Chart, ChartMetadata, Dependency  # noqa: E402
from pyhelm.errors import ValuesError  # noqa: E402
from pyhelm.values import ValueOptions, compute_values, parse_set  # noqa: E402

ITEMS = 5000


def median_ms(func: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def median_s(cmd: list[str], runs: int, cwd: Path) -> float:
    """Median wall time of ``cmd`` after one warm-up run (which also writes .pyc files)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, capture_output=True, cwd=cwd, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, cwd=cwd, env=env)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{cmd[0]} failed: {done.stderr.decode()[:300]}")
    return statistics.median(times)


def umbrella() -> Chart:
    db = Chart(ChartMetadata("db", "0.1.0"), values={
        "image": {"repository": "postgres", "tag": "16"}, "port": 5432, "enabled": True,
        "global": {"region": "eu"}, "resources": {"limits": {"cpu": "1"}}})
    deps = [Dependency("db", condition="primary.enabled", alias="primary"),
            Dependency("db", condition="replica.enabled", alias="replica")]
    return Chart(ChartMetadata("shop", "0.1.0", dependencies=deps), subcharts=[db], values={
        "global": {"region": "us", "image": {"pullPolicy": "IfNotPresent"}},
        "replica": {"enabled": False}, "web": {"replicas": 3}})


def values_file(folder: Path) -> Path:
    path = folder / "big.yaml"
    items = "".join(f"  - name: item-{i}\n    value: {i}\n    labels: {{tier: web}}\n" for i in range(ITEMS))
    path.write_text("items:\n" + items)
    return path


def bomb_file(folder: Path) -> Path:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    path = folder / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def refuse(path: Path) -> None:
    try:
        ValueOptions(value_files=[str(path)]).merge()
    except ValuesError:
        return
    raise SystemExit("the alias bomb was not refused")


def in_process(folder: Path, runs: int) -> list[tuple[str, float]]:
    nginx = load_chart(ROOT / "charts" / "nginx")
    lab_user = ValueOptions(set_values=["image.tag=1.20.1,replicaCount=10,service.port=8080"]).merge()
    shop = umbrella()
    big = values_file(folder)
    big_user = ValueOptions(value_files=[str(big)]).merge()
    big_text = big.read_text()
    pairs = ",".join(f"k{i}.sub[{i % 7}]=v{i}" for i in range(1000))
    bomb = bomb_file(folder)
    return [
        ("compute_values, lab chart + 3 --set", median_ms(lambda: compute_values(nginx, lab_user), runs)),
        ("compute_values, subchart x2 aliases + globals", median_ms(lambda: compute_values(shop, {}), runs)),
        (f"compute_values, {ITEMS:,}-item list in values", median_ms(lambda: compute_values(nginx, big_user), runs)),
        (f"merge -f file of {ITEMS:,} items (hardened loader)",
         median_ms(lambda: ValueOptions(value_files=[str(big)]).merge(), runs)),
        (f"bare libyaml load of the same {ITEMS:,} items",
         median_ms(lambda: yaml.load(big_text, Loader=yaml.CSafeLoader), runs)),
        ("parse_set, one argument of 1,000 pairs", median_ms(lambda: parse_set(pairs), runs)),
        ("refuse a billion-laughs -f file", median_ms(lambda: refuse(bomb), runs)),
    ]


def processes(folder: Path, runs: int, helm: str | None) -> list[tuple[str, float, float | None]]:
    chart = folder / "one"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: one\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("items: []\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  count: \"{{ n }}\"\n")
    helm_chart = folder / "helm-one"
    shutil.copytree(chart, helm_chart)
    (helm_chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  count: \"{{ len .Values.items }}\"\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  count: \"{{ Values['items'] | length }}\"\n")
    big = values_file(folder)
    pyhelm = median_s([sys.executable, "-m", "pyhelm", "template", "r", str(chart), "-f", str(big)], runs, folder)
    theirs = median_s([helm, "template", "r", str(helm_chart), "-f", str(big)], runs, folder) if helm else None
    return [(f"template with a {ITEMS:,}-item -f file", pyhelm, theirs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--helm", default=str(ROOT / ".tools" / "bin" / "helm"))
    args = parser.parse_args()
    helm = args.helm if Path(args.helm).exists() else shutil.which("helm")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = in_process(folder, args.runs)
        whole = processes(folder / "proc", args.runs, helm)
    print(f"{'in process (median of ' + str(args.runs) + ')':<52} {'ms':>9}")
    for name, ms in rows:
        print(f"{name:<52} {ms:>9.2f}")
    print()
    print(f"{'whole process (median of ' + str(args.runs) + ')':<52} {'pyhelm s':>9} {'helm s':>9}")
    for name, ours, theirs in whole:
        print(f"{name:<52} {ours:>9.3f} {theirs if theirs is not None else float('nan'):>9.3f}")


if __name__ == "__main__":
    main()
