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
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def pyhelm(env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pyhelm", *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"pyhelm {' '.join(args)} failed: {proc.stderr}")
    return elapsed


def median(runs: int, fn: Callable[[int], float]) -> float:
    return statistics.median(fn(i) for i in range(runs))


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


def main() -> None:
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {
            **os.environ,
            "PYHELM_DATA_HOME": str(tmp / "data"),
            "PYHELM_CACHE_HOME": str(tmp / "c"),
            "PYHELM_CONFIG_HOME": str(tmp / "cfg"),
        }
        nginx = str(ROOT / "charts" / "nginx")
        pyhelm(env, "template", "web", nginx)  # warm caches
        template = median(5, lambda i: pyhelm(env, "template", "web", nginx))
        install = median(
            5,
            lambda i: pyhelm(
                {**env, "PYHELM_STATE": str(tmp / f"i{i}.db")}, "install", "web", nginx
            ),
        )
        rows += [
            ("pyhelm template charts/nginx (process)", template, ""),
            (
                "pyhelm install charts/nginx (process)",
                install,
                f"{install / template:.2f}x template (target <= 1.5x)",
            ),
        ]

        state = str(tmp / "big.db")
        big_env = {**env, "PYHELM_STATE": state}
        chart = many_chart(tmp)
        pyhelm(big_env, "install", "big", str(chart), "-f", str(items_file(tmp, None)))
        upgrade = pyhelm(big_env, "upgrade", "big", str(chart), "-f", str(items_file(tmp, 7)))
        rows.append(
            ("pyhelm upgrade, 1,000 objects, 1 changed (process)", upgrade, "target <= 1 s")
        )
        cfg = Configuration(MemoryCluster(state))
        loaded = load_chart(chart)
        import yaml

        values = yaml.safe_load(items_file(tmp, 8).read_text())
        start = time.perf_counter()
        Upgrade(cfg).run("big", loaded, values)
        rows.append(
            (
                "Upgrade action, 1,000 objects, 1 changed (in process)",
                time.perf_counter() - start,
                "target <= 1 s",
            )
        )

        list_state = str(tmp / "list.db")
        seed_releases(list_state, 1000)
        list_env = {**env, "PYHELM_STATE": list_state}
        listing = median(3, lambda i: pyhelm(list_env, "list", "-A"))
        rows.append(("pyhelm list -A, 1,000 releases (process)", listing, "target <= 0.5 s"))
        install_api = time_install_api(tmp)
        rows.append(("Install action, lab chart (in process)", install_api, ""))

    width = max(len(r[0]) for r in rows)
    print(f"{'case'.ljust(width)}  seconds  note")
    for name, seconds, note in rows:
        print(f"{name.ljust(width)}  {seconds:7.3f}  {note}")


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
