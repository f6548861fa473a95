"""Interop with the real helm v4 binary, both ways: archives and index.yaml."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.helm


def _helm(helm_bin: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([helm_bin, *args], capture_output=True, text=True, cwd=cwd, timeout=60)
    assert done.returncode == 0, done.stderr
    return done


def test_helm_reads_our_archive(helm_bin, pyhelm, make_chart, tmp_path) -> None:
    chart = make_chart(name="web", version="1.2.3", extra_yaml="keywords: [nginx]\n")
    assert pyhelm("package", str(chart), "-d", str(tmp_path)).returncode == 0
    shown = yaml.safe_load(_helm(helm_bin, "show", "chart", str(tmp_path / "web-1.2.3.tgz")).stdout)
    assert (shown["name"], shown["version"], shown["keywords"]) == ("web", "1.2.3", ["nginx"])
    values = _helm(helm_bin, "show", "values", str(tmp_path / "web-1.2.3.tgz")).stdout
    assert values.strip() == "replicaCount: 1"


def test_helm_adds_searches_and_pulls_from_our_repository(
    helm_bin, pyhelm, make_chart, static_server, tmp_path
) -> None:
    url, www, _ = static_server
    for v in ("0.1.0", "0.2.0"):
        pyhelm(
            "package",
            str(make_chart(name="web", version=v, description="Our web chart")),
            "-d",
            str(www),
        )
    assert pyhelm("repo", "index", str(www), "--url", url).returncode == 0
    _helm(helm_bin, "repo", "add", "ours", url)
    found = json.loads(_helm(helm_bin, "search", "repo", "ours/web", "-l", "-o", "json").stdout)
    assert [(h["name"], h["version"], h["description"]) for h in found] == [
        ("ours/web", "0.2.0", "Our web chart"),
        ("ours/web", "0.1.0", "Our web chart"),
    ]
    _helm(helm_bin, "pull", "ours/web", "--version", "0.1.0", "-d", str(tmp_path))
    assert (tmp_path / "web-0.1.0.tgz").read_bytes() == (www / "web-0.1.0.tgz").read_bytes()


def test_we_read_helms_archives_and_index(
    helm_bin, pyhelm, make_chart, static_server, tmp_path
) -> None:
    url, www, _ = static_server
    for v in ("0.1.0", "0.3.0-beta.1"):
        _helm(helm_bin, "package", str(make_chart(name="hweb", version=v)), "-d", str(www))
    _helm(helm_bin, "repo", "index", str(www), "--url", url)
    assert pyhelm("repo", "add", "helms", url).returncode == 0
    found = json.loads(pyhelm("search", "repo", "hweb", "--devel", "-l", "-o", "json").stdout)
    assert [h["version"] for h in found] == ["0.3.0-beta.1", "0.1.0"]
    out = tmp_path / "out"
    out.mkdir()
    pulled = pyhelm("pull", "helms/hweb", "--untar", "-d", str(out))
    assert pulled.returncode == 0, pulled.stderr
    assert (out / "hweb" / "templates" / "configmap.yaml").is_file()
    rendered = pyhelm("template", "r", "helms/hweb")
    assert rendered.returncode == 0 and "name: r-cm" in rendered.stdout


def test_we_read_helms_json_index_and_merge_it(helm_bin, pyhelm, make_chart, tmp_path) -> None:
    repo = tmp_path / "repo"
    _helm(helm_bin, "package", str(make_chart(name="j", version="1.0.0")), "-d", str(repo))
    _helm(helm_bin, "repo", "index", str(repo), "--json")
    assert (repo / "index.yaml").read_text().lstrip().startswith("{")
    pyhelm("package", str(make_chart(name="k", version="2.0.0")), "-d", str(repo))
    done = pyhelm("repo", "index", str(repo), "--merge", str(repo / "index.yaml"))
    assert done.returncode == 0, done.stderr
    merged = yaml.safe_load((repo / "index.yaml").read_text())
    assert sorted(merged["entries"]) == ["j", "k"]
    listed = _helm(helm_bin, "show", "chart", str(repo / "k-2.0.0.tgz")).stdout
    assert "name: k" in listed
