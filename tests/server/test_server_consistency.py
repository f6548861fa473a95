"""Consistency of ``pyhelm serve`` under concurrent writes, crashes and restarts."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import requests
import yaml

from pyhelm.repo.index import IndexFile, file_digest


def versions_in(url: str, name: str) -> set[str]:
    index = yaml.safe_load(requests.get(f"{url}/index.yaml", timeout=30).text)
    return {v["version"] for v in (index["entries"] or {}).get(name, [])}


def test_200_concurrent_uploads_of_distinct_versions_all_land(server, make_archive):
    archives = {f"1.0.{i}": make_archive("busy", f"1.0.{i}") for i in range(200)}

    def post(item):
        version, data = item
        return version, requests.post(f"{server.url}/api/charts", data=data, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = dict(pool.map(post, archives.items()))
    assert set(results.values()) == {201}
    assert versions_in(server.url, "busy") == set(archives)
    on_disk = IndexFile.load(server.directory / "index.yaml")
    assert {cv.version for cv in on_disk.entries["busy"]} == set(archives)
    assert len(list(server.directory.glob("busy-*.tgz"))) == 200


def test_concurrent_uploads_and_deletes_lose_nothing(server, make_archive):
    for i in range(20):
        requests.post(f"{server.url}/api/charts", data=make_archive("mixed", f"0.0.{i}"), timeout=30)
    new = {f"1.0.{i}": make_archive("mixed", f"1.0.{i}") for i in range(20)}

    def work(job):
        kind, version = job
        if kind == "delete":
            return requests.delete(f"{server.url}/api/charts/mixed/{version}", timeout=60).status_code
        return requests.post(f"{server.url}/api/charts", data=new[version], timeout=60).status_code

    jobs = [("delete", f"0.0.{i}") for i in range(20)] + [("add", v) for v in new]
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(work, jobs[::2] + jobs[1::2]))
    assert set(codes) <= {200, 201}
    assert versions_in(server.url, "mixed") == set(new)
    assert {p.name for p in server.directory.glob("mixed-*.tgz")} == {f"mixed-{v}.tgz" for v in new}


def test_killed_mid_upload_restarts_with_a_valid_index(serve_repo, tmp_path, make_archive):
    repo = tmp_path / "repo"
    server = serve_repo(repo, "--access-log", "off")
    archives = {f"2.0.{i}": make_archive("crash", f"2.0.{i}") for i in range(60)}
    saved: list[str] = []

    def post(version: str) -> None:
        try:
            response = requests.post(f"{server.url}/api/charts", data=archives[version], timeout=30)
        except requests.RequestException:
            return
        if response.status_code == 201:
            saved.append(version)

    # One upload stuck half-way (headers and half the body sent) while a burst runs.
    host, port = urlsplit(server.url).netloc.split(":")
    half = socket.create_connection((host, int(port)))
    body = archives["2.0.0"]
    half.sendall(b"POST /api/charts HTTP/1.1\r\nHost: x\r\nContent-Type: application/gzip\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[: len(body) // 2])
    with ThreadPoolExecutor(max_workers=16) as pool:
        futures = [pool.submit(post, v) for v in list(archives)[1:]]
        deadline = time.monotonic() + 60
        while len(saved) < 10 and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()
        for future in futures:
            future.result()
    half.close()
    assert saved, "no upload finished before the kill"

    restarted = serve_repo(repo, "--access-log", "off")
    index = IndexFile.load(repo / "index.yaml")
    listed = {cv.version: cv for cv in index.entries.get("crash", [])}
    assert set(saved) <= set(listed), "an upload acknowledged with 201 was lost"
    on_disk = {p.name for p in repo.glob("*.tgz")}
    assert on_disk == {f"crash-{v}.tgz" for v in listed}
    for version, cv in listed.items():
        assert cv.digest == file_digest((repo / f"crash-{version}.tgz").read_bytes())
    assert not list(repo.glob(".*.tmp"))
    assert versions_in(restarted.url, "crash") == set(listed)


def test_stale_index_is_rebuilt_on_start(tmp_path, make_archive, serve_repo):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a-1.0.0.tgz").write_bytes(make_archive("a", "1.0.0"))
    (repo / "index.yaml").write_text("apiVersion: v1\nentries: {}\ngenerated: '2020-01-01T00:00:00Z'\n")
    (repo / ".b-1.0.0.tgz.x1y2.tmp").write_bytes(b"half an archive from a crash")
    server = serve_repo(repo, "--access-log", "off")
    assert versions_in(server.url, "a") == {"1.0.0"}
    assert not (repo / ".b-1.0.0.tgz.x1y2.tmp").exists()
    assert any("rebuilding" in line and "archives it does not list" in line for line in server.output)
    server.stop()
    (repo / "a-1.0.0.tgz").unlink()
    server = serve_repo(repo, "--access-log", "off")
    assert versions_in(server.url, "a") == set()


def test_fresh_index_is_served_byte_for_byte_and_left_alone(tmp_path, make_archive, serve_repo):
    repo = tmp_path / "repo"
    repo.mkdir()
    data = make_archive("keep", "1.0.0")
    (repo / "keep-1.0.0.tgz").write_bytes(data)
    index_text = (
        "apiVersion: v1\nentries:\n  keep:\n  - apiVersion: v2\n    name: keep\n    version: 1.0.0\n"
        f"    digest: {file_digest(data)}\n    created: '2021-01-01T00:00:00Z'\n    urls:\n    - keep-1.0.0.tgz\n"
        "generated: '2021-01-01T00:00:00Z'\n"
    )
    (repo / "index.yaml").write_text(index_text)
    before = sorted(p.name for p in repo.iterdir())
    server = serve_repo(repo, "--access-log", "off")
    assert requests.get(f"{server.url}/keep-1.0.0.tgz", timeout=10).content == data
    assert requests.get(f"{server.url}/index.yaml", timeout=10).text == index_text
    assert server.stop() == 0
    assert (repo / "index.yaml").read_text() == index_text
    assert sorted(p.name for p in repo.iterdir()) == before, "serving must leave the folder as it was"


def test_second_server_on_the_same_folder_is_refused(server, pyhelm):
    result = pyhelm("serve", "--dir", str(server.directory), "--port", "0")
    assert result.returncode == 1
    assert "another 'pyhelm serve' is already serving this folder" in result.stderr


def test_sigterm_lets_an_upload_in_flight_finish(server, make_archive):
    data = make_archive("late", "1.0.0")
    host, port = urlsplit(server.url).netloc.split(":")
    connection = socket.create_connection((host, int(port)))
    connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")  # the server has taken the connection
    assert connection.recv(4096).startswith(b"HTTP/1.1 200")
    connection.sendall(b"POST /api/charts HTTP/1.1\r\nHost: x\r\nContent-Type: application/gzip\r\n"
                       + f"Content-Length: {len(data)}\r\n\r\n".encode() + data[:100])
    time.sleep(0.3)
    server.proc.terminate()
    time.sleep(0.3)
    connection.sendall(data[100:])
    answer = connection.recv(4096)
    connection.close()
    assert answer.startswith(b"HTTP/1.1 201")
    assert server.proc.wait(timeout=20) == 0
    assert "late" in IndexFile.load(server.directory / "index.yaml").entries


def test_default_folder_is_repo_index_in_the_working_folder(tmp_path):
    repo_index = Path(__file__).resolve().parents[2] / "repo_index"
    shutil.copytree(repo_index, tmp_path / "repo_index")
    proc = subprocess.Popen([sys.executable, "-m", "pyhelm", "serve", "--port", "0", "--access-log", "off"],
                            cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "serving repo_index at http://127.0.0.1:" in line
        url = line.split(" at ", 1)[1].split("/ (", 1)[0]
        names = set(requests.get(f"{url}/api/charts", timeout=10).json())
        assert names == set(IndexFile.load(repo_index / "index.yaml").entries)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
