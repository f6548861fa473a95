"""End to end: package, index, repo add/list/update/remove, search, pull, template from a repo.

The repository is a plain static HTTP server on 127.0.0.1 (the `static_server` fixture).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path


def _publish(
    pyhelm, make_chart, www: Path, url: str, versions=("0.1.0", "0.2.0", "1.0.0-rc.1")
) -> None:
    for v in versions:
        chart = make_chart(
            name="web",
            version=v,
            description="A web server chart",
            extra_yaml="keywords: [nginx, http]\n",
        )
        assert pyhelm("package", str(chart), "-d", str(www)).returncode == 0
    done = pyhelm("repo", "index", str(www), "--url", url)
    assert done.returncode == 0, done.stderr


def test_package_prints_where_it_saved(pyhelm, make_chart, tmp_path: Path) -> None:
    done = pyhelm("package", str(make_chart()), "-d", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip()
        == f"Successfully packaged chart and saved it to: {tmp_path / 'out' / 'demo-0.1.0.tgz'}"
    )


def test_repo_add_update_search_pull_template(
    pyhelm, make_chart, static_server, tmp_path: Path
) -> None:
    url, www, log = static_server
    _publish(pyhelm, make_chart, www, url)
    added = pyhelm("repo", "add", "local", url)
    assert added.returncode == 0, added.stderr
    assert '"local" has been added' in added.stdout

    listed = pyhelm("repo", "list", "-o", "json")
    assert json.loads(listed.stdout) == [{"name": "local", "url": url}]

    found = pyhelm("search", "repo", "nginx", "-o", "json")
    assert json.loads(found.stdout) == [
        {
            "name": "local/web",
            "version": "0.2.0",
            "app_version": "1.0.0",
            "description": "A web server chart",
        }
    ]
    every = pyhelm("search", "repo", "web", "--versions", "--devel", "-o", "json")
    assert [h["version"] for h in json.loads(every.stdout)] == ["1.0.0-rc.1", "0.2.0", "0.1.0"]
    table = pyhelm("search", "repo", "local/", "--version", "~0.1")
    assert table.stdout.splitlines()[0].split("\t")[0].strip() == "NAME"
    assert "0.1.0" in table.stdout.splitlines()[1]

    out = tmp_path / "pulled"
    out.mkdir()
    pulled = pyhelm("pull", "local/web", "--version", "^0.1", "-d", str(out))
    assert pulled.returncode == 0, pulled.stderr
    assert (out / "web-0.1.0.tgz").is_file()
    untarred = pyhelm("pull", "local/web", "--untar", "-d", str(out))
    assert untarred.returncode == 0, untarred.stderr
    assert "version: 0.2.0" in (out / "web" / "Chart.yaml").read_text()

    rendered = pyhelm("template", "site", "local/web", "--version", "0.1.0")
    assert rendered.returncode == 0, rendered.stderr
    assert "name: site-cm" in rendered.stdout

    removed = pyhelm("repo", "remove", "local")
    assert removed.returncode == 0 and '"local" has been removed' in removed.stdout
    assert pyhelm("repo", "list").returncode == 1


def test_repo_update_asks_conditionally_and_skips_unchanged_index(
    pyhelm, make_chart, static_server
) -> None:
    url, www, log = static_server
    _publish(pyhelm, make_chart, www, url)
    an_hour_ago = time.time() - 3600
    os.utime(www / "index.yaml", (an_hour_ago, an_hour_ago))
    assert pyhelm("repo", "add", "local", url).returncode == 0
    log.clear()
    done = pyhelm("repo", "update")
    assert done.returncode == 0, done.stderr
    assert log == ["GET /index.yaml 304"]
    assert "Index unchanged" in done.stdout


def test_an_index_changed_within_the_second_it_was_fetched_is_fetched_again(
    pyhelm, make_chart, static_server
) -> None:
    url, www, log = static_server
    _publish(pyhelm, make_chart, www, url, versions=("0.1.0",))
    stamp = time.time() + 30  # Last-Modified not a second older than Date: a weak validator
    os.utime(www / "index.yaml", (stamp, stamp))
    assert pyhelm("repo", "add", "local", url).returncode == 0
    _publish(pyhelm, make_chart, www, url, versions=("0.1.0", "0.2.0"))
    os.utime(www / "index.yaml", (stamp, stamp))  # changed, with the very same Last-Modified
    log.clear()
    assert pyhelm("repo", "update").returncode == 0
    assert log == ["GET /index.yaml 200"]
    assert "0.2.0" in pyhelm("search", "repo", "web").stdout


def test_one_unreachable_repository_does_not_stop_the_others(
    pyhelm, make_chart, static_server
) -> None:
    url, www, _ = static_server
    _publish(pyhelm, make_chart, www, url)
    assert pyhelm("repo", "add", "good", url).returncode == 0
    assert pyhelm("repo", "add", "other", url).returncode == 0
    (www / "index.yaml").write_text((www / "index.yaml").read_text().replace("0.2.0", "0.3.0"))
    later = (www / "index.yaml").stat().st_mtime + 10
    __import__("os").utime(www / "index.yaml", (later, later))
    config = Path(__import__("os").environ["PYHELM_CONFIG_HOME"]) / "repositories.yaml"
    config.write_text(config.read_text().replace(f"url: {url}\n", "url: http://127.0.0.1:9\n", 1))
    done = pyhelm("repo", "update")
    assert done.returncode == 1
    assert 'Unable to get an update from the "good" chart repository' in done.stdout
    assert "cannot reach http://127.0.0.1:9/index.yaml" in done.stdout
    assert 'Successfully got an update from the "other" chart repository' in done.stdout
    assert "failed to update the following repositories: good" in done.stderr


def test_pull_refuses_an_archive_that_does_not_match_the_index(
    pyhelm, make_chart, static_server, tmp_path
) -> None:
    url, www, _ = static_server
    _publish(pyhelm, make_chart, www, url, versions=("0.1.0",))
    assert pyhelm("repo", "add", "local", url).returncode == 0
    (www / "web-0.1.0.tgz").write_bytes((www / "web-0.1.0.tgz").read_bytes() + b"tampered")
    done = pyhelm("pull", "local/web", "-d", str(tmp_path))
    assert done.returncode == 1
    assert "does not match the index" in done.stderr
    assert not (tmp_path / "web-0.1.0.tgz").exists()


def test_repo_errors_say_how_to_fix(pyhelm, static_server) -> None:
    url, www, _ = static_server
    not_repo = pyhelm("repo", "add", "x", url)
    assert not_repo.returncode == 1 and "is x a chart repository" not in not_repo.stderr
    assert "index.yaml answered 404" in not_repo.stderr
    unknown = pyhelm("template", "r", "nowhere/web")
    assert "run 'pyhelm repo add nowhere <url>' first" in unknown.stderr
    assert unknown.stderr.count("\n") == 1 and unknown.stderr.startswith("Error: ")
    typo = pyhelm("template", "r", "./no-such-chart")
    assert "'./no-such-chart': no such chart folder or archive" in typo.stderr
    bad_url = pyhelm("repo", "add", "x", "ftp://host")
    assert "must start with http:// or https://" in bad_url.stderr


def test_basic_auth_credentials_are_sent(pyhelm, make_chart, tmp_path) -> None:
    import base64
    import http.server
    import threading

    from pyhelm.chart.package import package_chart
    from pyhelm.repo.index import index_directory
    from tests.repo.conftest import write_chart

    www = tmp_path / "auth"
    package_chart(write_chart(tmp_path / "src2", name="secret"), www)
    index_directory(www).save(www / "index.yaml")
    expected = "Basic " + base64.b64encode(b"u:p").decode()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(www), **k)

        def log_message(self, *a):
            pass

        def do_GET(self):
            if self.headers.get("Authorization") != expected:
                self.send_response(401)
                self.end_headers()
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        refused = pyhelm("repo", "add", "private", url)
        assert "answered 401; check --username/--password" in refused.stderr
        done = pyhelm(
            "repo", "add", "private", url, "--username", "u", "--password-stdin", input="p\n"
        )
        assert done.returncode == 0, done.stderr
        assert pyhelm("pull", "private/secret", "-d", str(tmp_path)).returncode == 0
    finally:
        server.shutdown()
        server.server_close()


def test_pull_with_repo_url_needs_no_added_repository(
    pyhelm, make_chart, static_server, tmp_path
) -> None:
    url, www, _ = static_server
    _publish(pyhelm, make_chart, www, url)
    done = pyhelm("pull", "web", "--repo", url, "--version", "~0.1", "-d", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "web-0.1.0.tgz").is_file()
    missing = pyhelm("pull", "nope", "--repo", url, "-d", str(tmp_path))
    assert missing.returncode == 1 and f"{url}: chart 'nope' not found" in missing.stderr
