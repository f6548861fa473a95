#!/usr/bin/env bash
# The main job, as the README's first command runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "\$ pyhelm template web charts/nginx"
pyhelm template web charts/nginx
