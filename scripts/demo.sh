#!/usr/bin/env bash
# The main job, as the README's first command runs it: the Kubernetes lab's
# nginx chart installed into the built-in cluster, then operated the way the
# lab does — self-healing, scaling by values, round-robin Service, rollback.
# Its cluster lives in .demo/cluster.db (kept afterwards, so you can go on
# with `PYHELM_STATE=.demo/cluster.db pyhelm cluster get pods`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYHELM_STATE="$PWD/.demo/cluster.db"
mkdir -p .demo

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step pyhelm cluster reset
step pyhelm template web charts/nginx
step pyhelm install web charts/nginx
step pyhelm cluster get pods
victim=$(pyhelm cluster get pods -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["metadata"]["name"])')
step pyhelm cluster delete pod "$victim"
step pyhelm cluster get pods
step pyhelm upgrade web charts/nginx --set replicaCount=10
step pyhelm cluster get deploy
step pyhelm cluster curl svc/nginx-service
printf '\n\033[1m$ for i in $(seq 10); do pyhelm cluster curl svc/nginx-service 2>&1 >/dev/null; done\033[0m\n'
for _ in $(seq 10); do pyhelm cluster curl svc/nginx-service 2>&1 >/dev/null; done
step pyhelm upgrade web charts/nginx --reuse-values --set image.tag=1.20.1
step pyhelm history web
step pyhelm rollback web 1
step pyhelm cluster get pods
step pyhelm list
step pyhelm uninstall web
step pyhelm cluster get all
