"""Real Helm (v4) as a client of ``pyhelm serve``, and ``pyhelm push`` against it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import bcrypt
import pytest
import requests

from pyhelm.chart.package import archive_bytes, package_chart
from pyhelm.repo.index import index_directory

CHARTS = Path(__file__).resolve().parents[2] / "charts"

pytestmark = pytest.mark.helm


def helm(helm_bin: str, *args: str) -> subprocess.CompletedProcess[str]:
    if "-d" in args:  # helm pull writes into an existing folder only
        Path(args[args.index("-d") + 1]).mkdir(parents=True, exist_ok=True)
    return subprocess.run([helm_bin, *args], capture_output=True, text=True, timeout=60)


def test_helm_repo_add_update_search_pull(helm_bin, pyhelm, server, tmp_path):
    pushed = pyhelm("push", str(CHARTS / "nginx"), server.url)
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.startswith("Pushed nginx-")
    version = archive_bytes(CHARTS / "nginx")[0].version
    assert helm(helm_bin, "repo", "add", "mine", server.url).returncode == 0
    update = helm(helm_bin, "repo", "update", "mine")
    assert update.returncode == 0, update.stderr
    search = helm(helm_bin, "search", "repo", "mine/")
    assert search.returncode == 0, search.stderr
    rows = [line.split() for line in search.stdout.splitlines()]
    assert ["mine/nginx", version] in [row[:2] for row in rows]
    pull = helm(helm_bin, "pull", "mine/nginx", "--version", version, "-d", str(tmp_path / "pulled"))
    assert pull.returncode == 0, pull.stderr
    pulled = (tmp_path / "pulled" / f"nginx-{version}.tgz").read_bytes()
    assert pulled == (server.directory / f"nginx-{version}.tgz").read_bytes()


def test_helm_reads_a_helm_style_repository_with_relative_urls(helm_bin, serve_repo, tmp_path):
    repo = tmp_path / "repo"
    archive = package_chart(CHARTS / "nginx", repo)
    index_directory(repo).save(repo / "index.yaml")
    server = serve_repo(repo, "--access-log", "off")
    assert helm(helm_bin, "repo", "add", "plain", server.url).returncode == 0
    pull = helm(helm_bin, "pull", "plain/nginx", "-d", str(tmp_path / "out"))
    assert pull.returncode == 0, pull.stderr
    assert (tmp_path / "out" / archive.name).read_bytes() == archive.read_bytes()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command for a certificate")
def test_helm_with_basic_auth_over_tls(helm_bin, pyhelm, serve_repo, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )
    htpasswd = tmp_path / "users"
    htpasswd.write_text(f"ci:{bcrypt.hashpw(b'pw', bcrypt.gensalt(rounds=4)).decode()}\n")
    server = serve_repo(tmp_path / "repo", "--tls-cert", str(cert), "--tls-key", str(key),
                        "--auth-file", str(htpasswd), "--access-log", "off")
    assert server.url.startswith("https://127.0.0.1:")
    refused = pyhelm("push", str(CHARTS / "nginx"), server.url, "--ca-file", str(cert))
    assert refused.returncode == 1
    assert "401 unauthorized" in refused.stderr and "--username" in refused.stderr
    pushed = pyhelm("push", str(CHARTS / "nginx"), server.url, "--ca-file", str(cert), "-u", "ci", "-p", "pw")
    assert pushed.returncode == 0, pushed.stderr
    denied = helm(helm_bin, "repo", "add", "sec", server.url, "--ca-file", str(cert))
    assert denied.returncode != 0
    added = helm(helm_bin, "repo", "add", "sec", server.url, "--ca-file", str(cert),
                 "--username", "ci", "--password", "pw")
    assert added.returncode == 0, added.stderr
    pull = helm(helm_bin, "pull", "sec/nginx", "-d", str(tmp_path / "out"))
    assert pull.returncode == 0, pull.stderr
    page = requests.get(server.url + "/", auth=("ci", "pw"), verify=str(cert), timeout=10)
    assert f"helm repo add local {server.url}" in page.text


def test_push_to_a_repository_added_by_name_uses_its_url_and_credentials(pyhelm, serve_repo, tmp_path):
    htpasswd = tmp_path / "users"
    htpasswd.write_text(f"ci:{bcrypt.hashpw(b'pw', bcrypt.gensalt(rounds=4)).decode()}\n")
    server = serve_repo(tmp_path / "repo", "--auth-file", str(htpasswd), "--access-log", "off")
    added = pyhelm("repo", "add", "mine", server.url, "--username", "ci", "--password", "pw")
    assert added.returncode == 0, added.stderr
    pushed = pyhelm("push", str(CHARTS / "nginx"), "mine", "--version", "9.9.9")
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.strip() == f"Pushed nginx-9.9.9.tgz to {server.url}"
    assert (server.directory / "nginx-9.9.9.tgz").is_file()


def test_push_errors_are_one_clear_line(pyhelm, server, tmp_path, make_archive):
    archive = tmp_path / "dup-1.0.0.tgz"
    archive.write_bytes(make_archive("dup", "1.0.0"))
    assert pyhelm("push", str(archive), server.url).returncode == 0
    again = pyhelm("push", str(archive), server.url)
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1
    assert "409" in again.stderr and "bump the chart's version" in again.stderr
    assert pyhelm("push", str(archive), server.url, "--force").returncode == 0
    nowhere = pyhelm("push", str(archive), "http://127.0.0.1:1")
    assert nowhere.returncode == 1
    assert nowhere.stderr.startswith("Error: http://127.0.0.1:1: cannot reach the server")
    missing = pyhelm("push", str(tmp_path / "missing"), server.url)
    assert (missing.returncode, missing.stderr.startswith("Error: ")) == (1, True)
    not_url = pyhelm("push", str(archive), "myrepo")
    assert not_url.returncode == 2
    assert "'myrepo' is neither a URL (http:// or https://) nor a repository added with" in not_url.stderr
