"""Benchmark of the built-in cluster: scale to N replicas and back, `get pods`, apply N objects.

Run:  .venv/bin/python benchmarks/bench_cluster.py [--sizes 100,1000,10000]

Each size runs in a fresh child process (so its peak memory is its own) on a
fresh state file. Wall time and CPU time are both printed: the machine is
shared, and CPU time is what the code itself costs. Targets (issue 5): 10,000
replicas Running and persisted <= 1.5 s, back to 0 <= 1.5 s, `get pods` on
10,000 <= 0.5 s, applying 1,000 objects <= 0.5 s, memory < 300 MB; growth from
100 to 10,000 should be linear (the per-item column stays flat).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEPLOY: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx-deployment", "labels": {"app": "nginx"}},
    "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "nginx"}},
             "template": {"metadata": {"labels": {"app": "nginx"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [
                              {"name": "web", "containerPort": 80, "protocol": "TCP"}]}]}}},
}


def manifest_set(n: int) -> list[dict[str, Any]]:
    """A chart-like mix: ConfigMaps, Secrets, Services and single-replica Deployments."""
    objs: list[dict[str, Any]] = []
    for i in range(n):
        name = f"app-{i}"
        kind = i % 10
        if kind < 4:
            objs.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                         "data": {"config.yaml": f"replicas: {i}\nname: {name}\n"}})
        elif kind < 7:
            objs.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
                         "stringData": {"password": f"secret-{i}"}})
        elif kind < 9:
            objs.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                         "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}})
        else:
            deploy = copy.deepcopy(DEPLOY)
            deploy["metadata"]["name"] = name
            deploy["spec"]["replicas"] = 1
            for labels in (deploy["spec"]["selector"]["matchLabels"],
                           deploy["spec"]["template"]["metadata"]["labels"]):
                labels["app"] = name
            objs.append(deploy)
    return objs


def _timed(fn: Any) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(n: int) -> dict[str, Any]:
    """Run every scenario for size ``n`` in this process; returns the figures."""
    from pyhelm.cluster.base import ObjectRef
    from pyhelm.cluster.memory import MemoryCluster
    from pyhelm.cluster.memory.printing import GetOptions, format_objects

    folder = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    cluster = MemoryCluster(folder / "state.db")
    cluster.apply([DEPLOY])
    ref = ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment")
    out: dict[str, Any] = {"n": n}
    out["up"] = _timed(lambda: cluster.patch(ref, {"spec": {"replicas": n}}))
    with MemoryCluster(folder / "state.db") as reader:  # persisted: another reader sees them
        running = sum(p["status"]["phase"] == "Running"
                      for p in reader.list("v1", "Pod", "default", summaries=True))
    assert running == n, f"{running} pods running, wanted {n}"

    def get_pods() -> None:  # what `pyhelm cluster get pods` does after start-up
        with cluster.snapshot():
            pods = cluster.stream("v1", "Pod", "default")
            format_objects([(cluster.resolve("pods"), pods)], GetOptions(), cluster.clock.now())

    out["get"] = _timed(get_pods)
    env = {**os.environ, "PYHELM_STATE": str(folder / "state.db")}
    wall = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pyhelm", "cluster", "get", "pods"], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    out["get_cli"] = (time.perf_counter() - wall, 0.0)
    out["down"] = _timed(lambda: cluster.patch(ref, {"spec": {"replicas": 0}}))
    assert cluster.list("v1", "Pod", "default") == []
    objs = manifest_set(n)
    out["apply"] = _timed(lambda: cluster.apply(objs, field_manager="pyhelm"))
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["db_mb"] = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.size:
        print(json.dumps(measure(args.size)))
        return 0
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        child = subprocess.run([sys.executable, __file__, "--size", str(n)], cwd=ROOT,
                               capture_output=True, text=True, timeout=600)
        if child.returncode:
            print(child.stderr, file=sys.stderr)
            return 1
        results.append(json.loads(child.stdout))
    header = (f"{'N':>6}  {'scale 0->N':>16}  {'get pods':>15}  {'get pods CLI':>12}  "
              f"{'scale N->0':>16}  {'apply N objs':>16}  {'us/item up':>10}  "
              f"{'peak RSS':>8}  {'state':>7}")
    print(header)
    print("-" * len(header))

    def cell(pair: list[float]) -> str:
        return f"{pair[0]:6.3f}s ({pair[1]:5.2f}cpu)"

    for r in results:
        print(f"{r['n']:>6}  {cell(r['up']):>16}  {cell(r['get']):>15}  "
              f"{r['get_cli'][0]:11.3f}s  {cell(r['down']):>16}  {cell(r['apply']):>16}  "
              f"{1e6 * r['up'][1] / r['n']:10.0f}  {r['rss_mb']:6.0f}MB  {r['db_mb']:5.1f}MB")
    print(f"load average at end: {os.getloadavg()[0]:.2f}  (times: wall seconds, and CPU "
          "seconds of the process in brackets)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
