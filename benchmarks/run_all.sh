#!/usr/bin/env bash
# Every benchmark, one after the other; each prints its own table.
# `make bench` runs this with .tools/bin (helm, kubectl) and the venv on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${PYTHON:-.venv/bin/python}"
for bench in render values repo serve cluster release kubeapi; do
  printf '\n===== benchmarks/bench_%s.py =====\n' "$bench"
  "$py" "benchmarks/bench_$bench.py"
done
