"""Scale 0 -> N -> 0 with this checkout and another one, in turn, in fresh processes.

Run:  .venv/bin/python benchmarks/compare_cluster_scale.py OTHER_CHECKOUT [--runs 5] [--size 10000]

The machine's speed drifts from minute to minute; alternating the two versions lets
the drift hit both alike. Prints the median wall and CPU seconds of each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {bench!r})
from bench_cluster import DEPLOY
from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.memory import MemoryCluster
cluster = MemoryCluster(Path(tempfile.mkdtemp()) / "state.db")
cluster.apply([DEPLOY])
ref = ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment")
out = {{}}
for label, replicas in (("up", {size}), ("down", 0)):
    wall, cpu = time.perf_counter(), time.process_time()
    cluster.patch(ref, {{"spec": {{"replicas": replicas}}}})
    out[label] = (time.perf_counter() - wall, time.process_time() - cpu)
print(json.dumps(out))
"""


def run(checkout: Path, size: int) -> dict[str, list[float]]:
    code = CHILD.format(bench=str(ROOT / "benchmarks"), size=size)
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    # From a neutral folder: `python -c` puts the working folder first on sys.path.
    child = subprocess.run([sys.executable, "-c", code], env=env, cwd="/", capture_output=True,
                           text=True, check=True, timeout=600)
    return json.loads(child.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="another pyhelm checkout (a git worktree)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    versions = {"this": ROOT, "other": args.other.resolve()}
    results: dict[str, list[dict[str, list[float]]]] = {name: [] for name in versions}
    for _ in range(args.runs):
        for name, checkout in versions.items():
            results[name].append(run(checkout, args.size))
    print(f"scale 0 -> {args.size:,} -> 0, medians of {args.runs} runs taken in turn")
    for name, runs in results.items():
        cells = []
        for step in ("up", "down"):
            wall = statistics.median(r[step][0] for r in runs)
            cpu = statistics.median(r[step][1] for r in runs)
            cells.append(f"{step} {wall:.3f} s ({cpu:.3f} cpu)")
        print(f"{name:<6} {versions[name]}: " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
