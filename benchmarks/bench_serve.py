"""Benchmark ``pyhelm serve`` against nginx serving the same files, in the same run.

    .venv/bin/python benchmarks/bench_serve.py [--duration 5] [--big-entries 15000]

Builds a repository folder with a small index.yaml, a ~10 KB archive and an
~18 MB index, then runs ``wrk -t2 -c32 -d5s --latency`` on loopback against
nginx (the upper bound: static files, two workers, gzip_static) and against
``pyhelm serve`` with auth (bcrypt htpasswd, the credentials sent on every
request), ETag, the access log (to a file) and the real routes on. Prints
req/s and p99 for each, and the ratio to nginx; then times 200 concurrent
uploads of distinct versions. Installs wrk and nginx with apt when missing
(root only). Bounded: about 2 minutes in all.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bcrypt
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pyhelm.chart.package import archive_bytes  # noqa: E402
from pyhelm.repo.index import ChartVersion, IndexFile, file_digest  # noqa: E402

USER, PASSWORD = "bench", "bench-password"


def ensure_tools() -> None:
    missing = [pkg for tool, pkg in (("wrk", "wrk"), ("nginx", "nginx-light")) if not shutil.which(tool)
               and not Path(f"/usr/sbin/{tool}").exists()]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"bench_serve: needs {' '.join(missing)} (apt-get install {' '.join(missing)})")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def make_chart(root: Path, name: str, blob_size: int = 0) -> Path:
    chart = root / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\nappVersion: '1.0'\n"
                                      f"description: benchmark chart {name}\n")
    (chart / "values.yaml").write_text("replicas: 1\n")
    (chart / "templates" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    if blob_size:
        (chart / "blob.txt").write_text(base64.b64encode(os.urandom(blob_size)).decode())
    return chart


def build_repos(work: Path, big_entries: int) -> tuple[Path, Path]:
    """``small/`` (three charts, one ~10 KB archive) and ``big/`` (an ~18 MB index)."""
    charts = work / "src"
    small = work / "small"
    small.mkdir()
    index = IndexFile()
    for name, blob in (("web", 10000), ("api", 0), ("db", 0)):
        meta, data = archive_bytes(make_chart(charts, name, blob))
        filename = f"{name}-{meta.version}.tgz"
        (small / filename).write_bytes(data)
        index.add(ChartVersion.from_metadata(meta, filename, file_digest(data), base_url="charts"))
    index.save(small / "index.yaml")
    big = work / "big"
    big.mkdir()
    meta, data = archive_bytes(make_chart(charts, "big", 0))
    template = big / "template.tgz"
    template.write_bytes(data)
    description = "A benchmark chart with a long description to make the index as large as real ones. " * 8
    big_index = IndexFile()
    for i in range(big_entries):
        name, version = f"chart{i % 1500:04d}", f"1.{i // 1500}.0"
        filename = f"{name}-{version}.tgz"
        os.link(template, big / filename)
        entry = ChartVersion.from_metadata(meta, filename, file_digest(data), base_url="charts")
        entry.name, entry.version, entry.description = name, version, description
        entry.metadata = {**entry.metadata, "name": name, "version": version, "description": description}
        big_index.add(entry)
    template.unlink()
    big_index.save(big / "index.yaml")
    return small, big


def nginx_conf(work: Path, port: int, root: Path) -> Path:
    conf = work / f"nginx-{port}.conf"
    conf.write_text(f"""
worker_processes 2;
pid {work}/nginx-{port}.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  types {{ application/x-yaml yaml; application/gzip tgz; }}
  gzip_static on;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location /charts/ {{ alias {root}/; }}
  }}
}}
""")
    return conf


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_pyhelm(directory: Path, work: Path) -> tuple[subprocess.Popen[str], str]:
    htpasswd = work / "users.htpasswd"
    htpasswd.write_text(f"{USER}:{bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt()).decode()}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pyhelm", "serve", "--dir", str(directory), "--port", "0",
         "--auth-file", str(htpasswd), "--access-log", str(work / f"access-{directory.name}.log")],
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "serving" in line and " at http" in line:
            return proc, line.split(" at ", 1)[1].split("/ (", 1)[0]
    raise SystemExit("bench_serve: pyhelm serve did not start")


def wrk(url: str, duration: int, headers: dict[str, str]) -> tuple[float, str]:
    args = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, timeout=duration + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"bench_serve: {url} answered {errors.group(1)} errors:\n{out}")
    return (float(rps.group(1)) if rps else 0.0), (p99.group(1) if p99 else "?")


def bench_uploads(url: str, work: Path, count: int = 200) -> tuple[float, int]:
    chart = make_chart(work / "upload-src", "burst")
    archives = [archive_bytes(chart, version=f"2.0.{i}")[1] for i in range(count)]
    auth = (USER, PASSWORD)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        codes = list(pool.map(lambda d: requests.post(f"{url}/api/charts", data=d, auth=auth, timeout=120)
                              .status_code, archives))
    took = time.perf_counter() - started
    index = requests.get(f"{url}/index.yaml", auth=auth, timeout=60).text
    landed = len(re.findall(r"burst-2\.0\.\d+\.tgz", index))
    assert codes.count(201) == count, codes
    return took, landed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--big-entries", type=int, default=19000, help="entries of the big index")
    args = parser.parse_args()
    ensure_tools()
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    work.chmod(0o755)  # nginx workers read the files as an unprivileged user
    small, big = build_repos(work, args.big_entries)
    for repo in (small, big):
        data = (repo / "index.yaml").read_bytes()
        (repo / "index.yaml.gz").write_bytes(__import__("gzip").compress(data, 6))
    big_size = (big / "index.yaml").stat().st_size
    archive = next(small.glob("web-*.tgz"))
    targets = [
        ("small index.yaml", small, "/index.yaml", {}),
        (f"archive {archive.stat().st_size // 1024} KB", small, f"/charts/{archive.name}", {}),
        (f"big index {big_size / 1e6:.0f} MB", big, "/index.yaml", {}),
        (f"big index {big_size / 1e6:.0f} MB, gzip", big, "/index.yaml", {"Accept-Encoding": "gzip"}),
    ]
    credentials = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    procs: dict[Path, tuple[subprocess.Popen[str], str]] = {}
    nginx: dict[Path, tuple[Path, int]] = {}
    startup: dict[Path, float] = {}
    try:
        for repo in (small, big):
            port = free_port()
            conf = nginx_conf(work, port, repo)
            subprocess.run(["nginx", "-c", str(conf)], check=True)
            nginx[repo] = (conf, port)
            started = time.perf_counter()
            procs[repo] = start_pyhelm(repo, work)
            startup[repo] = time.perf_counter() - started
        for _, url in procs.values():  # one request each: the server checks the password once (bcrypt)
            requests.get(f"{url}/api/charts/none", auth=(USER, PASSWORD), timeout=30)
        time.sleep(1)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"wrk -t2 -c32 -d{args.duration}s on loopback; pyhelm serve with auth, ETag, access log on; "
              f"{os.cpu_count()} cores, load average {load}\n")
        print(f"{'target':<26} {'nginx req/s':>12} {'p99':>9} {'pyhelm req/s':>13} {'p99':>9} {'ratio':>6}")
        for label, repo, path, headers in targets:
            n_rps, n_p99 = wrk(f"http://127.0.0.1:{nginx[repo][1]}{path}", args.duration, headers)
            p_rps, p_p99 = wrk(procs[repo][1] + path, args.duration,
                               {**headers, "Authorization": f"Basic {credentials}"})
            ratio = p_rps / n_rps if n_rps else 0
            print(f"{label:<26} {n_rps:>12,.0f} {n_p99:>9} {p_rps:>13,.0f} {p_p99:>9} {ratio:>5.2f}x", flush=True)
        print(f"\npyhelm serve start-up (process start to listening): small repo {startup[small]:.2f} s, "
              f"{big_size / 1e6:.0f} MB index {startup[big]:.2f} s")
        took, landed = bench_uploads(procs[small][1], work)
        print(f"200 concurrent uploads (32 clients, basic auth): {took:.2f} s, "
              f"{200 / took:.0f} uploads/s, {landed}/200 in the index")
    finally:
        for proc, _ in procs.values():
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        for conf, _ in nginx.values():
            subprocess.run(["nginx", "-c", str(conf), "-s", "quit"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
