"""The browsable page of ``pyhelm serve``, checked in real headless Chromium."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ICON = "data:image/svg+xml;base64," + base64.b64encode(
    b'<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" height="48" '
    b'rx="8" fill="#0f62fe"/></svg>').decode()

pytestmark = pytest.mark.chromium


@pytest.fixture
def chromium(tmp_path):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium not found; run scripts/install-system-deps.sh")
        pytest.skip("chromium not found; run scripts/install-system-deps.sh")

    def run(url: str, *extra: str) -> str:
        result = subprocess.run(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1100,1000", *extra, url],
            capture_output=True, text=True, timeout=90,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    return run


@pytest.fixture(scope="module")
def populated(module_server, make_archive):
    server = module_server()
    charts = [("web", "1.0.0", {"icon": ICON}), ("web", "1.1.0", {"icon": ICON}), ("api", "0.3.0", {})]
    for name, version, extra in charts:
        response = requests.post(f"{server.url}/api/charts", data=make_archive(name, version, **extra), timeout=30)
        assert response.status_code == 201
    return server


def test_listing_shows_every_chart_with_versions_and_the_repo_add_line(populated, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "server-page-index.png"
    screenshot.unlink(missing_ok=True)
    chromium(populated.url + "/", f"--screenshot={screenshot}")
    assert screenshot.stat().st_size > 1000
    dom = chromium(populated.url + "/", "--dump-dom")
    assert re.search(r'id="chart-count">\s*2\s*<', dom)
    web = dom[dom.index('id="chart-web"'):]
    assert 'href="/chart/web"' in web
    assert re.search(r'class="version"[^>]*>1\.1\.0<', web), "latest version is shown first"
    assert "app 1.0.0" in web and "The web test chart" in web
    assert 'src="data:image/svg+xml' in web
    assert ">1.1.0</a>" in web and ">1.0.0</a>" in web
    assert f"helm repo add local {populated.url}" in dom
    assert f"pyhelm repo add local {populated.url}" in dom


def test_chart_page_renders_readme_safely_and_shows_values(populated, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "server-page-chart.png"
    chromium(populated.url + "/chart/web", f"--screenshot={screenshot}")
    assert screenshot.stat().st_size > 1000
    dom = chromium(populated.url + "/chart/web", "--dump-dom")
    assert '<h1 id="chart-name">web</h1>' in dom
    assert "<strong>test</strong>" in dom and "<table>" in dom
    assert "<script" not in dom, "raw HTML in a README must be escaped"
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom
    assert "replicas: 1" in dom and "# the web server" in dom
    assert "helm install my-web local/web --version 1.1.0" in dom
    assert dom.count('href="/charts/web-1.') == 2


def test_page_has_no_external_assets_and_a_strict_policy(populated):
    page = requests.get(populated.url + "/", timeout=10)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert not re.search(r'<(link|script)\b', page.text)
    assert requests.get(populated.url + "/chart/nope", timeout=10).status_code == 404


def test_empty_repository_says_how_to_push(server):
    page = requests.get(server.url + "/", timeout=10).text
    assert "No charts yet" in page and f"pyhelm push CHART {server.url}" in page
