"""The static repository protocol and the ChartMuseum-compatible API of ``pyhelm serve``."""

from __future__ import annotations

import base64
import gzip

import pytest
import requests
import yaml

from pyhelm.repo.index import file_digest


def upload(url: str, data: bytes, multipart: bool = False, query: str = "", **kwargs) -> requests.Response:
    if multipart:
        return requests.post(f"{url}/api/charts{query}", files={"chart": ("c.tgz", data)}, timeout=30, **kwargs)
    return requests.post(f"{url}/api/charts{query}", data=data, timeout=30, **kwargs)


def test_raw_upload_is_saved_and_listed_in_index_and_api(shared_server, make_archive):
    data = make_archive("web", "1.0.0")
    response = upload(shared_server.url, data)
    assert response.status_code == 201
    assert response.json() == {"saved": True}
    index = yaml.safe_load(requests.get(f"{shared_server.url}/index.yaml", timeout=10).text)
    entry = index["entries"]["web"][0]
    assert entry["version"] == "1.0.0"
    assert entry["urls"] == ["charts/web-1.0.0.tgz"]
    assert entry["digest"] == file_digest(data)
    archive = requests.get(f"{shared_server.url}/charts/web-1.0.0.tgz", timeout=10)
    assert archive.status_code == 200
    assert archive.content == data
    assert archive.headers["content-type"] == "application/gzip"
    assert requests.get(f"{shared_server.url}/web-1.0.0.tgz", timeout=10).content == data
    assert (shared_server.directory / "web-1.0.0.tgz").read_bytes() == data


def test_multipart_upload_with_prov_stores_both(shared_server, make_archive):
    data = make_archive("signed", "0.2.0")
    prov = b"-----BEGIN PGP SIGNED MESSAGE-----\nfake\n"
    response = requests.post(f"{shared_server.url}/api/charts",
                             files={"chart": ("signed-0.2.0.tgz", data), "prov": ("signed-0.2.0.tgz.prov", prov)},
                             timeout=30)
    assert response.status_code == 201, response.text
    assert requests.get(f"{shared_server.url}/charts/signed-0.2.0.tgz.prov", timeout=10).content == prov


def test_existing_version_is_409_unless_forced(shared_server, make_archive):
    first = make_archive("dup", "1.0.0")
    second = make_archive("dup", "1.0.0", app_version="2.0.0")
    assert upload(shared_server.url, first).status_code == 201
    raw = upload(shared_server.url, second)
    assert (raw.status_code, raw.json()) == (409, {"error": "file already exists"})
    form = upload(shared_server.url, second, multipart=True)
    assert (form.status_code, form.json()) == (409, {"error": "chart already exists"})
    assert upload(shared_server.url, second, query="?force").status_code == 201
    assert requests.get(f"{shared_server.url}/charts/dup-1.0.0.tgz", timeout=10).content == second


def test_allow_overwrite_replaces_without_force(serve_repo, tmp_path, make_archive):
    server = serve_repo(tmp_path / "repo", "--allow-overwrite", "--access-log", "off")
    assert upload(server.url, make_archive("ow", "1.0.0")).status_code == 201
    assert upload(server.url, make_archive("ow", "1.0.0", app_version="9")).status_code == 201
    entry = requests.get(f"{server.url}/api/charts/ow/1.0.0", timeout=10).json()
    assert entry["appVersion"] == "9"


@pytest.fixture(scope="module")
def restricted(module_server):
    """A server that refuses ?force and DELETE."""
    return module_server("--disable-force-overwrite", "--disable-delete")


def test_disable_force_overwrite_ignores_force(restricted, make_archive):
    server = restricted
    assert upload(server.url, make_archive("nf", "1.0.0")).status_code == 201
    assert upload(server.url, make_archive("nf", "1.0.0"), query="?force").status_code == 409


def test_not_a_chart_is_400_and_nothing_is_stored(shared_server):
    before = sorted(p.name for p in shared_server.directory.iterdir())
    for body in (b"plain text, not gzip", gzip.compress(b"not a tar at all")):
        response = upload(shared_server.url, body)
        assert response.status_code == 400
        assert "not a valid chart archive" in response.json()["error"]
    assert sorted(p.name for p in shared_server.directory.iterdir()) == before


def test_empty_form_and_empty_body_are_400(shared_server):
    response = requests.post(f"{shared_server.url}/api/charts", files={"other": ("x", b"1")}, timeout=10)
    assert response.status_code == 400
    assert response.json() == {"error": "no package or provenance file found in form fields chart and prov"}
    assert upload(shared_server.url, b"").status_code == 400


def test_upload_over_the_size_limit_is_413(serve_repo, tmp_path, make_archive):
    server = serve_repo(tmp_path / "repo", "--max-upload-size", "100", "--access-log", "off")
    response = upload(server.url, make_archive("big", "1.0.0"))
    assert response.status_code == 413
    assert "--max-upload-size" in response.json()["error"]


def test_list_get_head_and_latest(server, make_archive):
    for name, version in (("alpha", "1.0.0"), ("alpha", "1.10.0"), ("alpha", "1.2.0"), ("beta", "0.1.0")):
        assert upload(server.url, make_archive(name, version)).status_code == 201
    listing = requests.get(f"{server.url}/api/charts", timeout=10).json()
    assert list(listing) == ["alpha", "beta"]
    assert [v["version"] for v in listing["alpha"]] == ["1.10.0", "1.2.0", "1.0.0"]
    versions = requests.get(f"{server.url}/api/charts/alpha", timeout=10)
    assert [v["version"] for v in versions.json()] == ["1.10.0", "1.2.0", "1.0.0"]
    assert requests.get(f"{server.url}/api/charts/alpha/latest", timeout=10).json()["version"] == "1.10.0"
    assert requests.get(f"{server.url}/api/charts/alpha/1.2.0", timeout=10).json()["version"] == "1.2.0"
    head = requests.head(f"{server.url}/api/charts/alpha/1.2.0", timeout=10)
    assert (head.status_code, head.content) == (200, b"")
    assert requests.head(f"{server.url}/api/charts/alpha", timeout=10).status_code == 200
    assert requests.head(f"{server.url}/api/charts/nope", timeout=10).status_code == 404


def test_paging_over_chart_names(server, make_archive):
    for name in ("a1", "b2", "c3"):
        upload(server.url, make_archive(name))
    page = requests.get(f"{server.url}/api/charts?offset=1&limit=1", timeout=10).json()
    assert list(page) == ["b2"]
    bad = requests.get(f"{server.url}/api/charts?offset=-1", timeout=10)
    assert (bad.status_code, bad.json()) == (400, {"error": "offset is not a valid non-negative integer"})
    assert requests.get(f"{server.url}/api/charts?limit=0", timeout=10).status_code == 400


def test_missing_charts_and_versions_are_404_with_json(shared_server, make_archive):
    upload(shared_server.url, make_archive("here", "1.0.0"))
    for path in ("/api/charts/missing", "/api/charts/here/9.9.9", "/api/charts/missing/latest"):
        response = requests.get(shared_server.url + path, timeout=10)
        assert (response.status_code, response.json()) == (404, {"error": "chart not found"}), path
    unknown = requests.get(f"{shared_server.url}/no/such/route", timeout=10)
    assert (unknown.status_code, unknown.json()) == (404, {"error": "not found"})
    assert requests.get(f"{shared_server.url}/charts/missing-1.0.0.tgz", timeout=10).status_code == 404


def test_delete_removes_the_version_and_its_file(shared_server, make_archive):
    upload(shared_server.url, make_archive("gone", "1.0.0"))
    upload(shared_server.url, make_archive("gone", "2.0.0"))
    response = requests.delete(f"{shared_server.url}/api/charts/gone/1.0.0", timeout=10)
    assert (response.status_code, response.json()) == (200, {"deleted": True})
    assert not (shared_server.directory / "gone-1.0.0.tgz").exists()
    assert requests.get(f"{shared_server.url}/charts/gone-1.0.0.tgz", timeout=10).status_code == 404
    index = yaml.safe_load(requests.get(f"{shared_server.url}/index.yaml", timeout=10).text)
    assert [v["version"] for v in index["entries"]["gone"]] == ["2.0.0"]
    again = requests.delete(f"{shared_server.url}/api/charts/gone/1.0.0", timeout=10)
    assert again.status_code == 404
    assert "error" in again.json()


def test_disable_delete_refuses_delete(restricted, make_archive):
    server = restricted
    upload(server.url, make_archive("kept", "1.0.0"))
    response = requests.delete(f"{server.url}/api/charts/kept/1.0.0", timeout=10)
    assert response.status_code == 405
    assert (server.directory / "kept-1.0.0.tgz").exists()


def test_index_etag_304_and_gzip(shared_server, make_archive):
    for i in range(8):  # an index large enough to be worth compressing
        upload(shared_server.url, make_archive("zipped", f"1.0.{i}"))
    first = requests.get(f"{shared_server.url}/index.yaml", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["content-type"] == "application/x-yaml"
    etag = first.headers["etag"]
    again = requests.get(f"{shared_server.url}/index.yaml", headers={"If-None-Match": etag}, timeout=10)
    assert (again.status_code, again.content) == (304, b"")
    plain = requests.get(f"{shared_server.url}/index.yaml", headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "content-encoding" not in plain.headers
    assert plain.text == first.text
    upload(shared_server.url, make_archive("zipped", "2.0.0"))
    changed = requests.get(f"{shared_server.url}/index.yaml", headers={"If-None-Match": etag}, timeout=10)
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


def test_head_of_index_and_archive(shared_server, make_archive):
    data = make_archive("headed", "1.0.0")
    upload(shared_server.url, data)
    head = requests.head(f"{shared_server.url}/charts/headed-1.0.0.tgz", timeout=10)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(data))
    assert head.headers["etag"] == f'"{file_digest(data)}"'
    assert requests.head(f"{shared_server.url}/index.yaml", timeout=10).status_code == 200


def test_health_and_info(shared_server):
    assert requests.get(f"{shared_server.url}/health", timeout=10).json() == {"healthy": True}
    assert "version" in requests.get(f"{shared_server.url}/info", timeout=10).json()


def test_access_log_records_requests_after_graceful_stop(server, tmp_path, make_archive):
    upload(server.url, make_archive("logged", "1.0.0"))
    requests.get(f"{server.url}/index.yaml", timeout=10)
    assert server.stop() == 0
    log = (tmp_path / "access.log").read_text()
    assert '"POST /api/charts HTTP/1.1" 201' in log
    assert '"GET /index.yaml HTTP/1.1" 200' in log


def test_large_index_is_streamed_whole_and_replaced_on_change(serve_repo, tmp_path, make_archive):
    repo = tmp_path / "repo"
    repo.mkdir()
    for i in range(3):
        (repo / f"wide-1.0.{i}.tgz").write_bytes(make_archive("wide", f"1.0.{i}"))
    from pyhelm.repo.index import index_directory

    index = index_directory(repo, base_url="charts")
    padding = "x" * 400_000
    for cv in index.all_versions():
        cv.metadata["description"] = cv.description = padding
    index.save(repo / "index.yaml")
    size = (repo / "index.yaml").stat().st_size
    assert size > 1024 * 1024
    server = serve_repo(repo, "--access-log", "off")
    plain = requests.get(f"{server.url}/index.yaml", headers={"Accept-Encoding": "identity"}, timeout=30)
    assert plain.content == (repo / "index.yaml").read_bytes()
    assert int(plain.headers["content-length"]) == size
    zipped = requests.get(f"{server.url}/index.yaml", headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == plain.content
    assert upload(server.url, make_archive("wide", "2.0.0")).status_code == 201
    after = requests.get(f"{server.url}/index.yaml", timeout=30)
    assert after.headers["etag"] != plain.headers["etag"]
    assert "2.0.0" in after.text and after.content == (repo / "index.yaml").read_bytes()


def test_values_and_templates_of_a_version(shared_server, make_archive):
    upload(shared_server.url, make_archive("shown", "1.0.0"))
    values = requests.get(f"{shared_server.url}/api/charts/shown/1.0.0/values", timeout=10)
    assert values.status_code == 200
    assert values.text == "replicas: 1\nimage: nginx  # the web server\n"
    templates = requests.get(f"{shared_server.url}/api/charts/shown/latest/templates", timeout=10).json()
    assert [t["name"] for t in templates["templates"]] == ["templates/cm.yaml"]
    assert base64.b64decode(templates["templates"][0]["data"]).startswith(b"apiVersion: v1\nkind: ConfigMap")
    assert templates["values"] == {"replicas": 1, "image": "nginx"}
    missing = requests.get(f"{shared_server.url}/api/charts/shown/9.9.9/values", timeout=10)
    assert (missing.status_code, missing.json()) == (404, {"error": "chart not found"})


def provenance(name: str, version: str) -> bytes:
    """A provenance file as 'helm package --sign' lays it out (the signature itself is not checked)."""
    return (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
        f"apiVersion: v2\nname: {name}\nversion: {version}\n\n...\nfiles:\n"
        f"  {name}-{version}.tgz: sha256:00\n"
        "-----BEGIN PGP SIGNATURE-----\n\nwsBcBAEBCgAQBQJ\n-----END PGP SIGNATURE-----\n"
    ).encode()


def test_provenance_uploaded_after_its_chart(shared_server, make_archive):
    url = shared_server.url
    upload(url, make_archive("provd", "1.0.0"))
    prov = provenance("provd", "1.0.0")
    response = requests.post(f"{url}/api/prov", data=prov, timeout=10)
    assert (response.status_code, response.json()) == (201, {"saved": True})
    assert requests.get(f"{url}/charts/provd-1.0.0.tgz.prov", timeout=10).content == prov
    form = requests.post(f"{url}/api/charts", files={"prov": ("p.prov", provenance("provd", "1.0.0"))}, timeout=10)
    assert form.status_code == 201
    orphan = requests.post(f"{url}/api/prov", data=provenance("provd", "7.0.0"), timeout=10)
    assert orphan.status_code == 404
    assert "upload the chart before its provenance file" in orphan.json()["error"]
    junk = requests.post(f"{url}/api/prov", data=b"not signed at all", timeout=10)
    assert junk.status_code == 400
    assert requests.delete(f"{url}/api/charts/provd/1.0.0", timeout=10).status_code == 200
    assert not (shared_server.directory / "provd-1.0.0.tgz.prov").exists()
