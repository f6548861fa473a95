"""Smaller command-line behaviours of package, repo index, repo list/update and search."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from pyhelm.chart.package import package_chart
from pyhelm.repo.index import IndexFile, index_directory


def test_repo_index_json_writes_json_that_we_and_yaml_readers_load(
    pyhelm, make_chart, tmp_path
) -> None:
    repo = tmp_path / "repo"
    package_chart(make_chart(), repo)
    done = pyhelm("repo", "index", str(repo), "--json")
    assert done.returncode == 0, done.stderr
    text = (repo / "index.yaml").read_text()
    assert json.loads(text)["entries"]["demo"][0]["version"] == "0.1.0"
    assert yaml.safe_load(text) == json.loads(text)
    assert IndexFile.load(repo / "index.yaml").get("demo").version == "0.1.0"


def test_repo_index_reports_corrupt_archives_and_still_writes(pyhelm, make_chart, tmp_path) -> None:
    repo = tmp_path / "repo"
    package_chart(make_chart(), repo)
    (repo / "junk-1.0.0.tgz").write_bytes(b"junk")
    done = pyhelm("repo", "index", str(repo))
    assert done.returncode == 0
    assert "WARNING: " in done.stderr and "junk-1.0.0.tgz: skipped" in done.stderr
    assert list(yaml.safe_load((repo / "index.yaml").read_text())["entries"]) == ["demo"]


def test_rewritten_archive_is_read_again_despite_the_stat_cache(make_chart, tmp_path) -> None:
    repo = tmp_path / "repo"
    chart = make_chart()
    package_chart(chart, repo)
    index_directory(repo).save(repo / "index.yaml")
    first = index_directory(repo, merge_from=repo / "index.yaml").get("demo").digest
    (chart / "Chart.yaml").write_text(
        (chart / "Chart.yaml").read_text().replace("A demo chart", "Changed")
    )
    package_chart(chart, repo)
    again = index_directory(repo, merge_from=repo / "index.yaml").get("demo")
    assert again.digest != first and again.description == "Changed"


def test_package_dependency_update_fills_charts_first(pyhelm, make_chart, tmp_path) -> None:
    make_chart(name="lib", version="0.2.0")
    parent = make_chart(
        name="app",
        extra_yaml="dependencies:\n  - name: lib\n    version: 0.2.x\n"
        "    repository: file://../lib\n",
    )
    done = pyhelm("package", str(parent), "-u", "-d", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert (parent / "Chart.lock").is_file()
    import tarfile

    names = tarfile.open(tmp_path / "out" / "app-0.1.0.tgz").getnames()
    assert "app/charts/lib/Chart.yaml" in names and "app/Chart.lock" in names


def test_empty_configuration_gives_clear_errors(pyhelm) -> None:
    assert "no repositories to show" in pyhelm("repo", "list").stderr
    assert "no repositories found; add one" in pyhelm("repo", "update").stderr
    assert "no repositories configured" in pyhelm("search", "repo", "x").stderr
    assert "no repo named 'x' found" in pyhelm("repo", "remove", "x").stderr


def test_repository_config_flag_points_at_another_file(
    pyhelm, make_chart, static_server, tmp_path
) -> None:
    url, www, _ = static_server
    package_chart(make_chart(), www)
    index_directory(www).save(www / "index.yaml")
    config = tmp_path / "elsewhere" / "repos.yaml"
    assert pyhelm("repo", "add", "x", url, "--repository-config", str(config)).returncode == 0
    assert yaml.safe_load(config.read_text())["repositories"][0]["url"] == url
    assert oct(config.stat().st_mode & 0o777) == "0o600"
    assert not (Path(os.environ["PYHELM_CONFIG_HOME"]) / "repositories.yaml").exists()
    found = pyhelm(
        "search", "repo", "zzz", "--repository-config", str(config), "--fail-on-no-result"
    )
    assert found.returncode == 1 and found.stdout.strip() == "No results found"


def test_adding_the_same_name_with_another_url_needs_force_update(
    pyhelm, make_chart, static_server
) -> None:
    url, www, _ = static_server
    package_chart(make_chart(), www)
    index_directory(www).save(www / "index.yaml")
    assert pyhelm("repo", "add", "x", url).returncode == 0
    same = pyhelm("repo", "add", "x", url)
    assert same.returncode == 0 and "already exists with the same configuration" in same.stdout
    other = pyhelm("repo", "add", "x", url + "/")
    assert other.returncode == 0  # the same URL once the trailing '/' is dropped
    changed = pyhelm("repo", "add", "x", url, "--username", "someone")
    assert changed.returncode == 1 and "--force-update" in changed.stderr
    assert (
        pyhelm("repo", "add", "x", url, "--username", "someone", "--force-update").returncode == 0
    )
