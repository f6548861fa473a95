"""repo_index/ is the project's own repository: it must equal charts/ packaged, byte for byte.

When this fails after a chart changed, regenerate it with:
    pyhelm package charts/* -d repo_index && pyhelm repo index repo_index --merge repo_index/index.yaml
"""

from __future__ import annotations

from pathlib import Path

from pyhelm.chart.package import package_chart
from pyhelm.repo.index import IndexFile, index_directory

ROOT = Path(__file__).resolve().parents[2]
REPO_INDEX = ROOT / "repo_index"
FIX = (
    "regenerate: pyhelm package charts/* -d repo_index && "
    "pyhelm repo index repo_index --merge repo_index/index.yaml"
)


def test_repackaging_charts_gives_the_committed_archives(tmp_path: Path) -> None:
    charts = sorted(p for p in (ROOT / "charts").iterdir() if (p / "Chart.yaml").is_file())
    built = {
        path.name: path.read_bytes()
        for path in (package_chart(chart, tmp_path) for chart in charts)
    }
    committed = {p.name: p.read_bytes() for p in REPO_INDEX.glob("*.tgz")}
    assert sorted(built) == sorted(committed), FIX
    for name, data in built.items():
        assert data == committed[name], f"{name} drifted from charts/; {FIX}"


def test_committed_index_equals_a_fresh_index_apart_from_generated(tmp_path: Path) -> None:
    for archive in REPO_INDEX.glob("*.tgz"):
        (tmp_path / archive.name).write_bytes(archive.read_bytes())
    committed = IndexFile.load(REPO_INDEX / "index.yaml")
    created = {cv.digest: cv.created for cv in committed.all_versions()}
    fresh = index_directory(tmp_path)
    for cv in fresh.all_versions():
        assert cv.digest in created, (
            f"{cv.name} {cv.version} is not in repo_index/index.yaml; {FIX}"
        )
        cv.created = created[cv.digest]
    fresh.generated = committed.generated
    assert fresh.dumps() == (REPO_INDEX / "index.yaml").read_bytes(), FIX
