"""Repository benchmark: pyhelm against helm v4, whole processes, medians and max RSS.

    .venv/bin/python benchmarks/bench_repo.py [--runs N] [--helm PATH]

Generates 1,000 archives (200 charts x 5 versions) and a 15,000-entry index
(about 18 MB of YAML), then times, for both tools in the same run:
  * ``repo index DIR`` cold (no index, no cache),
  * ``repo index DIR --merge old.yaml`` with one archive added,
  * ``repo update`` of the big index served on 127.0.0.1 (re-downloaded each run),
  * ``search repo KEYWORD`` on the big index.
Prints one table; never asserts. Bounded: a few minutes on a busy 2-core machine.
"""

from __future__ import annotations

import argparse
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyhelm.chart.package import archive_bytes  # noqa: E402
from pyhelm.repo import emit  # noqa: E402

PYHELM = [sys.executable, "-m", "pyhelm"]


def make_archives(folder: Path, charts: int = 200, versions: int = 5, prefix: str = "app") -> None:
    src = folder.parent / f"src-{folder.name}"
    for c in range(charts):
        chart = src / f"{prefix}{c:03d}"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text(
            f'apiVersion: v2\nname: {prefix}{c:03d}\nversion: 0.1.0\nappVersion: "1.{c}.0"\n'
            f"description: Application number {c} with a deployment and a service\n"
            "keywords: [web, bench]\nmaintainers:\n  - name: Bench\n    email: bench@example.com\n"
        )
        (chart / "values.yaml").write_text(
            "replicaCount: 2\nimage:\n  repository: nginx\n  tag: '1.25'\n"
        )
        (chart / "templates" / "deployment.yaml").write_text(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ Release.Name }}\n" * 5
        )
        (chart / "templates" / "service.yaml").write_text("apiVersion: v1\nkind: Service\n" * 5)
        for v in range(versions):
            meta, data = archive_bytes(chart, version=f"0.{v}.0")
            (folder / f"{meta.name}-{meta.version}.tgz").write_bytes(data)


def make_big_index(path: Path, charts: int = 1500, versions: int = 10) -> None:
    entries = {}
    for c in range(charts):
        name = f"chart-{c:04d}"
        entries[name] = [
            {
                "annotations": {
                    "artifacthub.io/changes": f"- kind: added\n  description: feature {v} of {name}\n"
                    "- kind: fixed\n  description: a bug in the templates\n"
                    "- kind: changed\n  description: default resources and "
                    "probes follow the upstream recommendations",
                    "category": "web",
                },
                "apiVersion": "v2",
                "appVersion": f"{v}.{c % 7}.0",
                "created": "2026-11-25T17:42:10.024466271Z",
                "dependencies": [
                    {
                        "name": "common",
                        "repository": "https://charts.example.com",
                        "version": "2.x.x",
                        "tags": ["common"],
                    }
                ],
                "description": f"A Helm chart for service {c}, which does many interesting things; "
                "a description about as long as real ones are",
                "digest": f"{c * 100 + v:064x}",
                "home": f"https://example.com/{name}",
                "icon": "https://example.com/icon.png",
                "kubeVersion": ">=1.23.0-0",
                "keywords": ["web", "http", f"kw{c % 50}"],
                "maintainers": [
                    {
                        "email": "jane@example.com",
                        "name": "Jane Doe",
                        "url": "https://example.com/jane",
                    },
                    {"email": "bob@example.com", "name": "Bob Roe"},
                ],
                "name": name,
                "sources": [f"https://github.com/example/{name}"],
                "type": "application",
                "urls": [f"https://charts.example.com/{name}-{v}.{c % 5}.{v}.tgz"],
                "version": f"{v}.{c % 5}.{v}",
            }
            for v in range(versions)
        ]
    doc = {"apiVersion": "v1", "entries": entries, "generated": "2026-11-25T17:42:10.023309329Z"}
    path.write_text(emit.dumps(doc))


def run(cmd: list[str], env: dict[str, str], before=None) -> tuple[float, float]:
    """(seconds, max RSS in MB) of one whole process.

    ``/usr/bin/time`` reports the RSS: a child forked straight from this big
    benchmark process would count the parent's pages until its exec.
    """
    if before:
        before()
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *cmd],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    return elapsed, int(done.stderr.strip().splitlines()[-1]) / 1024


def compare(
    py_cmd: list[str],
    helm_cmd: list[str],
    env: dict[str, str],
    runs: int,
    before_py=None,
    before_helm=None,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Medians of both tools, their runs interleaved so both see the same machine load."""
    py, helm = [], []
    for _ in range(runs):
        py.append(run(py_cmd, env, before_py))
        helm.append(run(helm_cmd, env, before_helm))
    return (
        (statistics.median(r[0] for r in py), max(r[1] for r in py)),
        (statistics.median(r[0] for r in helm), max(r[1] for r in helm)),
    )


def serve(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(folder), **k)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--helm", default=str(ROOT / ".tools" / "bin" / "helm"))
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-repo-"))
    env = dict(os.environ)
    for var in (
        "PYHELM_CONFIG_HOME",
        "PYHELM_CACHE_HOME",
        "PYHELM_DATA_HOME",
        "HELM_CONFIG_HOME",
        "HELM_CACHE_HOME",
        "HELM_DATA_HOME",
    ):
        env[var] = str(work / var.lower())
    rows: list[tuple[str, tuple[float, float], tuple[float, float]]] = []
    try:
        t0 = time.perf_counter()
        archives = work / "archives"
        archives.mkdir()
        make_archives(archives)
        extra = work / "extra"
        extra.mkdir()
        make_archives(extra, charts=1, versions=1, prefix="new")
        new_archive = next(extra.glob("*.tgz"))
        big = work / "www"
        big.mkdir()
        make_big_index(big / "index.yaml")
        size = (big / "index.yaml").stat().st_size / 1e6
        print(
            f"# generated 1000 archives and a 15000-entry index ({size:.1f} MB) "
            f"in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )

        dirs = {}
        for tool in ("pyhelm", "helm"):
            dirs[tool] = work / f"repo-{tool}"
            shutil.copytree(archives, dirs[tool])
        cmds = {"pyhelm": PYHELM, "helm": [opts.helm]}

        def reset(tool):
            def clear():
                (dirs[tool] / "index.yaml").unlink(missing_ok=True)
                shutil.rmtree(env["PYHELM_CACHE_HOME"], ignore_errors=True)

            return clear

        rows.append(
            (
                "repo index, 1000 archives, cold",
                *compare(
                    PYHELM + ["repo", "index", str(dirs["pyhelm"])],
                    [opts.helm, "repo", "index", str(dirs["helm"])],
                    env,
                    opts.runs,
                    reset("pyhelm"),
                    reset("helm"),
                ),
            )
        )
        merge_cmds = {}
        for tool, cmd in cmds.items():
            old = work / f"old-{tool}.yaml"
            run(cmd + ["repo", "index", str(dirs[tool])], env)
            shutil.copy(dirs[tool] / "index.yaml", old)
            shutil.copy(new_archive, dirs[tool] / new_archive.name)
            merge_cmds[tool] = cmd + ["repo", "index", str(dirs[tool]), "--merge", str(old)]
        rows.append(
            (
                "repo index --merge, +1 archive",
                *compare(merge_cmds["pyhelm"], merge_cmds["helm"], env, opts.runs),
            )
        )

        url, server = serve(big)
        try:
            run(PYHELM + ["repo", "add", "big", url], env)
            run([opts.helm, "repo", "add", "big", url], env)
            stamp = [time.time()]

            def touch():  # a changed index (new digest, new Last-Modified) before every run
                stamp[0] += 10
                path = big / "index.yaml"
                text = path.read_text()
                head, _, _ = text.rpartition("generated: ")
                when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp[0]))
                path.write_text(f'{head}generated: "{when}"\n')
                os.utime(path, (stamp[0], stamp[0]))

            rows.append(
                (
                    "repo update, 15000 entries",
                    *compare(
                        PYHELM + ["repo", "update"],
                        [opts.helm, "repo", "update"],
                        env,
                        max(3, opts.runs - 2),
                        touch,
                        touch,
                    ),
                )
            )
            rows.append(
                (
                    "search repo, 15000 entries",
                    *compare(
                        PYHELM + ["search", "repo", "chart-0042"],
                        [opts.helm, "search", "repo", "chart-0042"],
                        env,
                        max(3, opts.runs - 2),
                    ),
                )
            )
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{'benchmark':34} {'pyhelm s':>9} {'helm s':>8} {'ratio':>6} {'pyhelm MB':>10} {'helm MB':>8}"
    )
    for name, (pt, pm), (ht, hm) in rows:
        print(f"{name:34} {pt:9.3f} {ht:8.3f} {pt / ht:6.2f} {pm:10.0f} {hm:8.0f}")


if __name__ == "__main__":
    main()
