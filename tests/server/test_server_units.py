"""The server's building blocks on their own: validators, gzip negotiation, uploads, auth files, log lines."""

from __future__ import annotations

import io
import re
import tarfile

import pytest

from pyhelm.repo.server.accesslog import AccessLog
from pyhelm.repo.server.auth import AuthFileError, load_htpasswd, load_tokens
from pyhelm.repo.server.http import HTTPError, Resource, accepts_gzip
from pyhelm.repo.server.upload import inspect, read_upload


@pytest.mark.parametrize("header, matches", [
    (b'"abc"', True), (b'W/"abc"', True), (b'"x", "abc"', True), (b"*", True),
    (b'"abcd"', False), (b"abc", False), (b"", False),
])
def test_if_none_match(header, matches):
    assert Resource.build(b"body", b"text/plain", etag="abc").matches(header) is matches


@pytest.mark.parametrize("header, accepted", [
    (b"gzip", True), (b"gzip, deflate, br", True), (b"br;q=1.0, GZIP;q=0.5", True), (b"*", True),
    (b"gzip;q=0", False), (b"identity", False), (b"deflate", False),
])
def test_accept_encoding(header, accepted):
    assert accepts_gzip(header) is accepted


def test_small_bodies_are_not_gzipped_and_large_ones_are():
    assert Resource.build(b"x" * 100, b"text/plain", compress=True).start_gzip is None
    big = Resource.build(b"entries: {}\n" * 500, b"application/x-yaml", compress=True)
    assert big.gzip_body is not None and len(big.gzip_body) < len(big.body)


def multipart(parts: dict[str, bytes], boundary: str = "b0undary") -> tuple[bytes, bytes]:
    body = b""
    for name, data in parts.items():
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}.bin\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}".encode(), body


def test_multipart_parts_keep_binary_bytes_exactly():
    archive = bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"
    content_type, body = multipart({"chart": archive, "prov": b"signature"})
    upload = read_upload(content_type, body)
    assert (upload.archive, upload.prov, upload.multipart) == (archive, b"signature", True)


def test_raw_body_is_the_archive():
    upload = read_upload(b"application/gzip", b"\x1f\x8bdata")
    assert (upload.archive, upload.prov, upload.multipart) == (b"\x1f\x8bdata", None, False)


@pytest.mark.parametrize("content_type, body, message", [
    (b"application/gzip", b"", "empty request body"),
    (b"multipart/form-data", b"x", "without a boundary"),
    (b"multipart/form-data; boundary=zz", b"garbage that is not multipart", "malformed multipart"),
])
def test_bad_upload_bodies_are_400(content_type, body, message):
    with pytest.raises(HTTPError) as info:
        read_upload(content_type, body)
    assert info.value.status == 400
    assert message in info.value.message


def tgz(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def test_uploaded_chart_names_that_would_make_odd_file_names_are_refused():
    archive = tgz({"odd/Chart.yaml": b"apiVersion: v2\nname: odd name\nversion: 1.0.0\n"})
    with pytest.raises(HTTPError) as info:
        inspect(archive)
    assert info.value.status == 400
    assert "odd name-1.0.0.tgz is improperly formatted" in info.value.message


def test_unsafe_archives_are_400():
    archive = tgz({"evil/Chart.yaml": b"apiVersion: v2\nname: evil\nversion: 1.0.0\n", "evil/../../x": b"1"})
    with pytest.raises(HTTPError) as info:
        inspect(archive)
    assert info.value.status == 400
    assert "escapes the chart folder" in info.value.message


def test_valid_archive_is_named_after_its_chart():
    inspected = inspect(tgz({"ok/Chart.yaml": b"apiVersion: v2\nname: ok\nversion: 1.2.3+build.1\n"}))
    assert inspected.filename == "ok-1.2.3+build.1.tgz"
    assert re.fullmatch(r"[0-9a-f]{64}", inspected.digest)


def test_token_file_rules(tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("# comment\nci:abcdefghijklmnopqrstuvwxyz\nanother-long-enough-token\n")
    assert sorted(load_tokens(tokens).values()) == ["ci", "token"]
    tokens.write_text("short\n")
    with pytest.raises(AuthFileError, match=r"tokens:1: a token must be at least 16 characters"):
        load_tokens(tokens)


def test_missing_htpasswd_names_the_file(tmp_path):
    with pytest.raises(AuthFileError, match=r"nope: cannot read"):
        load_htpasswd(tmp_path / "nope")


def test_access_log_line_format():
    stream = io.StringIO()
    log = AccessLog(stream)
    scope = {"client": ("10.1.2.3", 5555), "method": "GET", "path": "/api/charts", "query_string": b"limit=1",
             "http_version": "1.1"}
    log.record(scope, "alice", 200, 42, 0.0)
    log.flush()
    assert re.fullmatch(
        r'10\.1\.2\.3 - alice \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET /api/charts\?limit=1 HTTP/1\.1" '
        r"200 42 [\d.]+ms\n", stream.getvalue())
