"""Chart dependencies: Chart.lock, dependency update/build/list, the check at render time."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pyhelm.chart.dependencies import check_dependencies, list_dependencies, update_dependencies
from pyhelm.chart.loader import load_chart
from pyhelm.chart.package import package_chart
from pyhelm.errors import DependencyError
from pyhelm.repo.index import index_directory


def _parent(make_chart, deps_yaml: str):
    return make_chart(name="parent", extra_yaml=f"dependencies:\n{deps_yaml}")


def _serve_versions(make_chart, www: Path, url: str, versions: list[str]) -> None:
    for v in versions:
        package_chart(make_chart(name="lib", version=v), www)
    index_directory(www, url).save(www / "index.yaml")


def test_update_resolves_constraint_from_a_repository_url(make_chart, static_server) -> None:
    url, www, _ = static_server
    _serve_versions(make_chart, www, url, ["1.0.0", "1.4.2", "2.0.0"])
    parent = _parent(make_chart, f"  - name: lib\n    version: ^1.2\n    repository: {url}\n")
    update_dependencies(parent)
    assert sorted(p.name for p in (parent / "charts").iterdir()) == ["lib-1.4.2.tgz"]
    lock = yaml.safe_load((parent / "Chart.lock").read_text())
    assert lock["dependencies"] == [{"name": "lib", "repository": url, "version": "1.4.2"}]
    assert lock["digest"].startswith("sha256:")
    assert check_dependencies(load_chart(parent)).subchart("lib").version == "1.4.2"


def test_update_and_build_through_an_added_repository_alias(
    pyhelm, make_chart, static_server
) -> None:
    url, www, _ = static_server
    _serve_versions(make_chart, www, url, ["1.0.0"])
    assert pyhelm("repo", "add", "stable", url).returncode == 0
    parent = _parent(
        make_chart, "  - name: lib\n    version: '>=1.0.0'\n    repository: '@stable'\n"
    )
    done = pyhelm("dependency", "update", str(parent))
    assert done.returncode == 0, done.stderr
    assert (
        yaml.safe_load((parent / "Chart.lock").read_text())["dependencies"][0]["repository"] == url
    )
    _serve_versions(
        make_chart, www, url, ["1.0.0", "1.1.0"]
    )  # newer upstream: build keeps the lock
    shutil.rmtree(parent / "charts")
    built = pyhelm("dependency", "build", str(parent))
    assert built.returncode == 0, built.stderr
    assert [p.name for p in (parent / "charts").iterdir()] == ["lib-1.0.0.tgz"]
    listed = pyhelm("dependency", "list", str(parent))
    assert listed.stdout.splitlines()[1].split() == ["lib", ">=1.0.0", "@stable", "ok"]
    again = pyhelm("dependency", "update", str(parent))
    assert again.returncode == 0
    assert [p.name for p in (parent / "charts").iterdir()] == [
        "lib-1.1.0.tgz"
    ]  # old archive removed


def test_file_dependency_is_packaged_into_charts(make_chart) -> None:
    make_chart(name="lib", version="0.3.0")
    parent = _parent(
        make_chart, "  - name: lib\n    version: ~0.3\n    repository: file://../lib\n"
    )
    update_dependencies(parent)
    assert (parent / "charts" / "lib-0.3.0.tgz").is_file()


def test_file_dependency_outside_the_constraint_is_refused(make_chart) -> None:
    make_chart(name="lib", version="0.3.0")
    parent = _parent(make_chart, "  - name: lib\n    version: ^1\n    repository: file://../lib\n")
    with pytest.raises(DependencyError, match="version 0.3.0, which does not satisfy '\\^1'"):
        update_dependencies(parent)


def test_render_refuses_missing_dependencies_with_the_fix(pyhelm, make_chart) -> None:
    make_chart(name="lib", version="0.3.0")
    parent = _parent(
        make_chart, "  - name: lib\n    version: ~0.3\n    repository: file://../lib\n"
    )
    done = pyhelm("template", "x", str(parent))
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {parent}: dependency 'lib' is in Chart.yaml but missing from charts/; "
        f"run 'pyhelm dependency build {parent}'\n"
    )
    assert pyhelm("dependency", "build", str(parent)).returncode == 0
    assert pyhelm("template", "x", str(parent)).returncode == 0


def test_render_refuses_a_lock_out_of_date_with_chart_yaml(pyhelm, make_chart) -> None:
    make_chart(name="lib", version="0.3.0")
    parent = _parent(
        make_chart, "  - name: lib\n    version: ~0.3\n    repository: file://../lib\n"
    )
    update_dependencies(parent)
    text = (parent / "Chart.yaml").read_text().replace("~0.3", "^0.3")
    (parent / "Chart.yaml").write_text(text)
    done = pyhelm("template", "x", str(parent))
    assert "Chart.lock is out of date" in done.stderr and "pyhelm dependency update" in done.stderr
    assert "out of sync" in pyhelm("dependency", "build", str(parent)).stderr


def test_render_refuses_a_subchart_of_the_wrong_version(make_chart, tmp_path) -> None:
    make_chart(name="lib", version="0.3.0")
    parent = _parent(make_chart, "  - name: lib\n    version: ^2\n")
    (parent / "charts").mkdir()
    package_chart(tmp_path / "src" / "lib", parent / "charts")
    with pytest.raises(DependencyError, match="version 0.3.0, which does not satisfy"):
        check_dependencies(load_chart(parent))
    assert [s.status for s in list_dependencies(parent)] == ["wrong version"]


def test_unknown_alias_repository_says_to_add_it(make_chart) -> None:
    parent = _parent(make_chart, "  - name: lib\n    version: 1.0.0\n    repository: '@nowhere'\n")
    with pytest.raises(DependencyError, match="run 'pyhelm repo add nowhere <url>'"):
        update_dependencies(parent)


@pytest.mark.helm
def test_lock_digest_matches_helms(helm_bin, make_chart, pyhelm) -> None:
    make_chart(name="child", version="0.1.0")
    parent = _parent(
        make_chart,
        (
            "  - name: child\n    version: '>=0.1.0 <1.0.0'\n    repository: file://../child\n"
            "    condition: child.enabled\n    tags: [backend]\n    alias: kid\n"
            "    import-values:\n      - child: service\n        parent: svc\n"
        ),
    )
    subprocess.run([helm_bin, "dependency", "update", str(parent)], check=True, capture_output=True)
    assert pyhelm("dependency", "list", str(parent)).stdout.splitlines()[1].split()[-1] == "ok"
    built = pyhelm("dependency", "build", str(parent))  # accepts Helm's lock: same digest
    assert built.returncode == 0, built.stderr
    helm_lock = yaml.safe_load((parent / "Chart.lock").read_text())
    update_dependencies(parent)
    assert yaml.safe_load((parent / "Chart.lock").read_text())["digest"] == helm_lock["digest"]
    shutil.rmtree(parent / "charts")
    rebuilt = subprocess.run([helm_bin, "dependency", "build", str(parent)], capture_output=True, text=True)
    assert rebuilt.returncode == 0, rebuilt.stderr  # helm accepts our Chart.lock
    assert (parent / "charts" / "child-0.1.0.tgz").is_file()


def test_file_system_trouble_is_one_error_line(pyhelm, make_chart) -> None:
    make_chart(name="lib", version="0.3.0")
    parent = _parent(make_chart, "  - name: lib\n    version: ~0.3\n    repository: file://../lib\n")
    (parent / "charts").write_text("not a folder")
    done = pyhelm("dependency", "update", str(parent))
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1
    assert "charts" in done.stderr and "Traceback" not in done.stderr
