"""Auth (htpasswd bcrypt, bearer tokens, anonymous reads) and path escapes of ``pyhelm serve``."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from urllib.parse import urlsplit

import bcrypt
import pytest
import requests

TOKEN = "s3cret-token-0123456789"


@pytest.fixture(scope="module")
def auth_files(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("auth")
    htpasswd = tmp_path / "users.htpasswd"
    alice = bcrypt.hashpw(b"wonderland", bcrypt.gensalt(rounds=4)).decode()
    bob = bcrypt.hashpw(b"builder", bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$", 1)
    htpasswd.write_text(f"# users\nalice:{alice}\nbob:{bob}\n")
    tokens = tmp_path / "tokens"
    tokens.write_text(f"ci:{TOKEN}\n")
    return htpasswd, tokens


@pytest.fixture(scope="module")
def secured(module_server, auth_files):
    htpasswd, tokens = auth_files
    return module_server("--auth-file", str(htpasswd), "--token-file", str(tokens))


def test_every_route_needs_credentials_when_auth_is_on(secured, make_archive):
    for method, path in (("GET", "/index.yaml"), ("GET", "/"), ("GET", "/api/charts"),
                         ("HEAD", "/index.yaml"), ("GET", "/charts/x-1.0.0.tgz"),
                         ("DELETE", "/api/charts/x/1.0.0")):
        response = requests.request(method, secured.url + path, timeout=10)
        assert response.status_code == 401, (method, path)
        assert 'Basic realm="pyhelm"' in response.headers["www-authenticate"]
    post = requests.post(f"{secured.url}/api/charts", data=make_archive("locked"), timeout=10)
    assert (post.status_code, post.json()) == (401, {"error": "unauthorized"})


def test_health_needs_no_credentials(secured):
    assert requests.get(f"{secured.url}/health", timeout=10).status_code == 200


def test_bcrypt_users_including_apache_2y_hashes(secured, make_archive):
    ok = requests.post(f"{secured.url}/api/charts", data=make_archive("byalice"), auth=("alice", "wonderland"),
                       timeout=10)
    assert ok.status_code == 201
    assert requests.get(f"{secured.url}/index.yaml", auth=("bob", "builder"), timeout=10).status_code == 200
    for user, password in (("alice", "wrong"), ("carol", "wonderland"), ("bob", "")):
        assert requests.get(f"{secured.url}/index.yaml", auth=(user, password), timeout=10).status_code == 401
    log = secured.directory.parent / "access.log"
    deadline = time.monotonic() + 10  # the log is written in batches, a few times a second
    while " - alice [" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert " - alice [" in log.read_text()


def test_bearer_tokens(secured, make_archive):
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert requests.post(f"{secured.url}/api/charts", data=make_archive("bytoken"), headers=good,
                         timeout=10).status_code == 201
    bad = {"Authorization": "Bearer not-the-token-at-all"}
    assert requests.get(f"{secured.url}/api/charts", headers=bad, timeout=10).status_code == 401
    malformed = {"Authorization": "Basic !!!not-base64"}
    assert requests.get(f"{secured.url}/api/charts", headers=malformed, timeout=10).status_code == 401


def test_anonymous_get_lets_reads_through_but_not_writes(serve_repo, tmp_path, auth_files, make_archive):
    htpasswd, _ = auth_files
    server = serve_repo(tmp_path / "repo", "--auth-file", str(htpasswd), "--anonymous-get",
                        "--access-log", "off")
    assert requests.post(f"{server.url}/api/charts", data=make_archive("anon"), auth=("alice", "wonderland"),
                         timeout=10).status_code == 201
    assert requests.get(f"{server.url}/index.yaml", timeout=10).status_code == 200
    assert requests.get(f"{server.url}/charts/anon-0.1.0.tgz", timeout=10).status_code == 200
    assert requests.head(f"{server.url}/api/charts/anon", timeout=10).status_code == 200
    assert requests.post(f"{server.url}/api/charts", data=make_archive("anon2"), timeout=10).status_code == 401
    assert requests.delete(f"{server.url}/api/charts/anon/0.1.0", timeout=10).status_code == 401


@pytest.mark.parametrize("content, message", [
    ("alice:$apr1$abc$def\n", "only bcrypt is accepted"),
    ("just-a-name\n", "expected 'user:bcrypt-hash'"),
])
def test_unusable_htpasswd_is_a_clear_startup_error(tmp_path, content, message):
    htpasswd = tmp_path / "users.htpasswd"
    htpasswd.write_text(content)
    result = subprocess.run([sys.executable, "-m", "pyhelm", "serve", "--dir", str(tmp_path / "r"), "--port", "0",
                             "--auth-file", str(htpasswd)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {htpasswd}:1:")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("flags, message", [
    (["--anonymous-get"], "--anonymous-get only makes sense with --auth-file or --token-file"),
    (["--tls-cert", "cert.pem"], "--tls-cert and --tls-key go together"),
    (["--port", "70000"], "--port 70000: must be between 0 and 65535"),
    (["--auth-file", "missing.htpasswd"], "--auth-file missing.htpasswd: no such file"),
])
def test_bad_serve_flags_are_usage_errors(pyhelm, tmp_path, flags, message):
    result = pyhelm("serve", "--dir", str(tmp_path / "r"), *flags)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: {message}")
    assert result.stderr.count("\n") == 1


ESCAPES = [
    "/charts/../../etc/passwd",
    "/charts/..%2f..%2f..%2fetc%2fpasswd",
    "/charts/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/charts/..%252f..%252fetc%252fpasswd",
    "/..%2f..%2f..%2fetc%2fpasswd.tgz",
    "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd.tgz",
    "/charts/%2fetc%2fpasswd",
    "/charts//etc/passwd",
    "/chart/..%2f..%2f..%2fetc%2fpasswd",
    "/api/charts/..%2f..%2fetc/passwd",
    "/charts/.pyhelm-served",
    "/charts/notes.tgz",
    "/charts/planted-1.0.0.tgz",
    "/planted-1.0.0.tgz",
    "/charts/index.yaml",
]


def test_no_request_path_reaches_a_file_outside_the_index(server, make_archive):
    requests.post(f"{server.url}/api/charts", data=make_archive("real"), timeout=10)
    (server.directory / "notes.tgz").write_bytes(b"private notes")
    (server.directory / "planted-1.0.0.tgz").write_bytes(make_archive("planted", "1.0.0"))
    netloc = urlsplit(server.url).netloc
    for path in ESCAPES:
        connection = http.client.HTTPConnection(netloc, timeout=10)
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        assert response.status in (400, 404), (path, response.status)
        assert b"root:" not in body and b"private notes" not in body, path
