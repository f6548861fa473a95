#!/usr/bin/env bash
# Instructions per pod (valgrind's callgrind) for scaling a Deployment 0 -> N and N -> 0:
# steady where seconds are not on a shared machine. Usage: cluster_instructions.sh [CHECKOUT] [N]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
checkout="$(cd "${1:-$root}" && pwd)"
n="${2:-2000}"
py="$root/.venv/bin/python"
script="$(mktemp --suffix .py)"
trap 'rm -f "$script"' EXIT
cat > "$script" <<PY
import sys, tempfile
from pathlib import Path
sys.path.insert(0, "$root/benchmarks")
from bench_cluster import DEPLOY
from pyhelm.cluster.base import ObjectRef
from pyhelm.cluster.memory import MemoryCluster
n, steps = int(sys.argv[1]), sys.argv[2]
cluster = MemoryCluster(Path(tempfile.mkdtemp()) / "state.db")
cluster.apply([DEPLOY])
ref = ObjectRef("apps/v1", "Deployment", "default", "nginx-deployment")
cluster.patch(ref, {"spec": {"replicas": 2}})  # warm: first-use imports and caches
cluster.patch(ref, {"spec": {"replicas": 0}})
if steps in ("up", "updown"):
    cluster.patch(ref, {"spec": {"replicas": n}})
if steps == "updown":
    cluster.patch(ref, {"spec": {"replicas": 0}})
PY
count() {
  (cd / && PYTHONPATH="$checkout" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$py" "$script" "$n" "$1" 2>&1 | awk '/Collected/ {print $4}')
}
none=$(count none); up=$(count up); updown=$(count updown)
echo "$checkout: scaling 0 -> $n: $(( (up - none) / n )) instructions per pod;" \
     "$n -> 0: $(( (updown - up) / n )) per pod"
