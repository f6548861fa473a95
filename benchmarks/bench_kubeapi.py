"""Benchmark: the built-in cluster's Kubernetes API under the real kubectl.

Prints a table of:
- 1,000 sequential creates from one client (requests over one keep-alive TLS
  connection) of ConfigMaps, then of Pods (each scheduled and started by the
  controllers within its request);
- the real ``kubectl get pods`` on those 1,000 pods, as a whole process
  (target: at most 1 s);
- the real ``kubectl apply -f`` of the lab's Deployment (target: at most 1 s),
  first apply (create), then a changed re-apply.

Run: ``.venv/bin/python benchmarks/bench_kubeapi.py`` (about a minute).
"""

from __future__ import annotations

import base64
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
KUBECTL = ROOT / ".tools" / "bin" / "kubectl"
#: The lab's Deployment (lab/nginx-deploy.yaml), its image a placeholder.
DEPLOY = (ROOT / "lab" / "nginx-deploy.yaml").read_text().replace("image: nginx\n", "image: {image}\n")


def start_server(work: Path) -> tuple[subprocess.Popen[str], Path]:
    env = {**os.environ, "PYHELM_STATE": str(work / "state.db"),
           "PYHELM_DATA_HOME": str(work / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyhelm", "cluster", "serve", "--port", "0",
         "--kubeconfig-out", str(work / "kubeconfig")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("export KUBECONFIG="):
            return proc, Path(line.strip().split("=", 1)[1])
    raise SystemExit(f"the server did not start: {proc.stderr.read() if proc.stderr else ''}")


def session_for(kubeconfig: Path, work: Path) -> tuple[requests.Session, str]:
    config = yaml.safe_load(kubeconfig.read_text())
    cluster = config["clusters"][0]["cluster"]
    ca = work / "ca.crt"
    ca.write_bytes(base64.b64decode(cluster["certificate-authority-data"]))
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify
    session.verify = str(ca)
    session.headers["Authorization"] = f"Bearer {config['users'][0]['user']['token']}"
    return session, cluster["server"]


def creates(session: requests.Session, url: str, kind: str, count: int) -> float:
    plural = {"ConfigMap": "configmaps", "Pod": "pods"}[kind]
    start = time.perf_counter()
    for n in range(count):
        body = ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{n}"},
                 "data": {"n": str(n)}} if kind == "ConfigMap" else
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"pod-{n}",
                                                                 "labels": {"app": "bench"}},
                 "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
        response = session.post(f"{url}/api/v1/namespaces/default/{plural}", json=body)
        response.raise_for_status()
    return time.perf_counter() - start


def kubectl(kubeconfig: Path, cache: Path, *args: str, stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run([str(KUBECTL), "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache),
                    *args], input=stdin, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def count_pods(kubeconfig: Path, cache: Path) -> int:
    result = subprocess.run([str(KUBECTL), "--kubeconfig", str(kubeconfig), "--cache-dir",
                             str(cache), "get", "pods", "--no-headers"],
                            check=True, capture_output=True, text=True)
    return len(result.stdout.splitlines())


def main() -> None:
    if not KUBECTL.exists():
        raise SystemExit(f"{KUBECTL} missing: run scripts/fetch-tools.sh")
    work = Path(tempfile.mkdtemp(prefix="bench-kubeapi-"))
    proc, kubeconfig = start_server(work)
    rows: list[tuple[str, str, str]] = []
    try:
        session, url = session_for(kubeconfig, work)
        seconds = creates(session, url, "ConfigMap", 1000)
        rows.append(("1,000 sequential ConfigMap creates", f"{seconds:.2f} s",
                     f"{1000 / seconds:.0f} req/s"))
        seconds = creates(session, url, "Pod", 1000)
        rows.append(("1,000 sequential Pod creates (scheduled, Running)", f"{seconds:.2f} s",
                     f"{1000 / seconds:.0f} req/s"))
        cache = work / "cache"
        pods = count_pods(kubeconfig, cache)
        assert pods == 1000, f"expected 1,000 pods, kubectl shows {pods}"
        cold = kubectl(kubeconfig, cache, "get", "pods")
        warm = [kubectl(kubeconfig, cache, "get", "pods") for _ in range(5)]
        rows.append(("kubectl get pods, 1,000 pods (cold discovery cache)", f"{cold:.2f} s",
                     "target <= 1 s"))
        rows.append(("kubectl get pods, 1,000 pods (median of 5)",
                     f"{statistics.median(warm):.2f} s", "target <= 1 s"))
        first = kubectl(kubeconfig, cache, "apply", "-f", "-", stdin=DEPLOY.format(image="nginx"))
        again = kubectl(kubeconfig, cache, "apply", "-f", "-",
                        stdin=DEPLOY.format(image="nginx:1.20.1"))
        rows.append(("kubectl apply -f nginx-deploy.yaml (create)", f"{first:.2f} s",
                     "target <= 1 s"))
        rows.append(("kubectl apply -f nginx-deploy.yaml (changed image)", f"{again:.2f} s",
                     "target <= 1 s"))
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'time':>8}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>8}  {note}")


if __name__ == "__main__":
    main()
