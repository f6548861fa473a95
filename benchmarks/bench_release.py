"""Benchmark: releases on the built-in cluster.

Prints a table of:
- ``pyhelm install`` of the lab chart (charts/nginx) as a whole process, against
  ``pyhelm template`` of the same chart (target: install <= 1.5x template);
- ``pyhelm upgrade`` of a release of 1,000 objects where one object changes,
  as a whole process and as the in-process ``Upgrade`` action (target: <= 1 s);
- ``pyhelm list -A`` over 1,000 releases, as a whole process (target: <= 0.5 s).

Run: ``.venv/bin/python benchmarks/bench_release.py`` (well under two minutes).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyhelm import yamlio  # noqa: E402
from pyhelm.chart.loader import load_chart  # noqa: E402
from pyhelm.cluster.memory import MemoryCluster  # noqa: E402
from pyhelm.release.actions.config import Configuration  # noqa: E402
from pyhelm.release.actions.install import Install  # noqa: E402
from pyhelm.release.actions.upgrade import Upgrade  # noqa: E402
from pyhelm.release.drivers import SecretDriver  # noqa: E402
from pyhelm.release.model import Info, Release, Status, now  # noqa: E402

MANY = """{% for item in Values['items'] %}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-{{ item.name }}
data:
  value: "{{ item.value }}"
{% endfor %}
"""


CPU: dict[str, float] = {}


def pyhelm(env: dict[str, str], *args: str) -> float:
    """Wall seconds of one whole ``pyhelm`` process; its CPU seconds go to ``CPU[args[0]]``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pyhelm", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[args[0]] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"pyhelm {' '.join(args)} failed: {proc.stderr}")
    return elapsed


def many_chart(tmp: Path) -> Path:
    chart = tmp / "many"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: many\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("items: []\n")
    (chart / "templates" / "cms.yaml").write_text(MANY)
    return chart


def items_file(tmp: Path, changed: int | None) -> Path:
    path = tmp / f"items-{changed}.yaml"
    lines = ["items:"] + [
        f"- {{name: c{i}, value: v{i}{'x' if i == changed else ''}}}" for i in range(1000)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def measure(runs: int, env: dict[str, str], *args: str) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` whole ``pyhelm`` processes."""
    walls, cpus = [], []
    for _ in range(runs):
        walls.append(pyhelm(env, *args))
        cpus.append(CPU[args[0]])
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    rows: list[tuple[str, float, float | None, str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {
            **os.environ,
            "PYHELM_DATA_HOME": str(tmp / "data"),
            "PYHELM_CACHE_HOME": str(tmp / "c"),
            "PYHELM_CONFIG_HOME": str(tmp / "cfg"),
            # as an installed pyhelm runs: bytecode cached (outside the source tree)
            "PYTHONPYCACHEPREFIX": str(tmp / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        nginx = str(ROOT / "charts" / "nginx")
        pyhelm({**env, "PYHELM_STATE": str(tmp / "warm.db")}, "install", "web", nginx)  # warm
        template = measure(5, env, "template", "web", nginx)
        installs = []
        for i in range(5):
            installs.append(
                measure(1, {**env, "PYHELM_STATE": str(tmp / f"i{i}.db")}, "install", "web", nginx)
            )
        install = (
            statistics.median(w for w, _ in installs),
            statistics.median(c for _, c in installs),
        )
        rows.append(("pyhelm template charts/nginx (process)", *template, ""))
        rows.append(
            (
                "pyhelm install charts/nginx (process)",
                *install,
                f"{install[0] / template[0]:.2f}x template wall, "
                f"{install[1] / template[1]:.2f}x CPU (target <= 1.5x)",
            )
        )

        big_env = {**env, "PYHELM_STATE": str(tmp / "big.db")}
        chart = many_chart(tmp)
        pyhelm(big_env, "install", "big", str(chart), "-f", str(items_file(tmp, None)))
        upgrade = measure(1, big_env, "upgrade", "big", str(chart), "-f", str(items_file(tmp, 7)))
        rows.append(
            ("pyhelm upgrade, 1,000 objects, 1 changed (process)", *upgrade, "target <= 1 s")
        )
        cfg = Configuration(MemoryCluster(big_env["PYHELM_STATE"]))
        values = yamlio.load(items_file(tmp, 8).read_text(), "items")
        start = time.perf_counter()
        Upgrade(cfg).run("big", load_chart(chart), values)
        rows.append(
            (
                "Upgrade action, 1,000 objects, 1 changed (in process)",
                time.perf_counter() - start,
                None,
                "target <= 1 s",
            )
        )

        list_env = {**env, "PYHELM_STATE": str(tmp / "list.db")}
        seed_releases(list_env["PYHELM_STATE"], 1000)
        listing = measure(3, list_env, "list", "-A")
        rows.append(("pyhelm list -A, 1,000 releases (process)", *listing, "target <= 0.5 s"))
        rows.append(("Install action, lab chart (in process)", time_install_api(tmp), None, ""))

    width = max(len(r[0]) for r in rows)
    print(f"{'case'.ljust(width)}  wall s   CPU s  note")
    for name, wall, cpu, note in rows:
        cpu_text = f"{cpu:6.3f}" if cpu is not None else "     -"
        print(f"{name.ljust(width)}  {wall:6.3f}  {cpu_text}  {note}")


def seed_releases(state: str, count: int) -> None:
    """``count`` deployed releases in 10 namespaces, written straight into storage."""
    cluster = MemoryCluster(state)
    chart = {"metadata": {"name": "nginx", "version": "0.1.0", "appVersion": "1.25"}}
    manifest = "---\n# Source: nginx/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n" * 5
    for ns in range(10):
        namespace = f"team-{ns}"
        try:
            cluster.create(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
            )
        except Exception:  # noqa: BLE001 - already there
            pass
        driver = SecretDriver(cluster, namespace)
        for i in range(count // 10):
            driver.create(
                Release(
                    f"app-{i}",
                    namespace,
                    1,
                    Info(Status.DEPLOYED, now(), now(), description="Install complete"),
                    chart=chart,
                    manifest=manifest,
                )
            )
    cluster.close()


def time_install_api(tmp: Path) -> float:
    cfg = Configuration(MemoryCluster(str(tmp / "api.db")))
    chart = load_chart(ROOT / "charts" / "nginx")
    start = time.perf_counter()
    Install(cfg).run("web", chart, {})
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
