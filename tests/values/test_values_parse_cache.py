"""Big values files are parsed once and kept on disk (pyhelm.yamlcache), never served stale."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from pyhelm import yamlcache, yamlio

ITEMS = 2_000  # values.yaml of ~40 KB: past the size where parsing is worth keeping


def _chart(folder: Path, value: str = "v") -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text("apiVersion: v2\nname: big\nversion: 0.1.0\n")
    (folder / "values.yaml").write_text(
        "items:\n" + "".join(f"- name: cm{i}\n  value: {value}{i}\n" for i in range(ITEMS)))
    (folder / "templates" / "last.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\n"
        "data:\n  value: {{ Values['items'][-1].value | quote }}\n")
    return folder


def _entries(isolated_env: Path) -> list[Path]:
    return sorted((isolated_env / "cache" / "yaml-v1").glob("*.marshal"))


def test_a_big_values_file_is_kept_after_its_first_render(pyhelm, tmp_path, isolated_env):
    chart = _chart(tmp_path / "big")
    first = pyhelm("template", "web", str(chart))
    assert first.returncode == 0, first.stderr
    assert len(_entries(isolated_env)) == 1
    second = pyhelm("template", "web", str(chart))
    assert second.stdout == first.stdout
    assert f'value: "v{ITEMS - 1}"' in second.stdout


def test_the_kept_documents_are_used_only_for_the_very_same_text(pyhelm, tmp_path, isolated_env):
    chart = _chart(tmp_path / "big")
    pyhelm("template", "web", str(chart))
    [entry] = _entries(isolated_env)
    magic, text, docs = marshal.loads(entry.read_bytes())
    docs[0]["items"][-1]["value"] = "from the cache"
    entry.write_bytes(marshal.dumps((magic, text, docs)))
    assert 'value: "from the cache"' in pyhelm("template", "web", str(chart)).stdout

    # The same length, other bytes (w for v): parsed anew, whatever the cache holds.
    _chart(tmp_path / "edited", value="w")
    (chart / "values.yaml").write_text((tmp_path / "edited" / "values.yaml").read_text())
    assert f'value: "w{ITEMS - 1}"' in pyhelm("template", "web", str(chart)).stdout


def test_a_damaged_entry_is_ignored_and_replaced(pyhelm, tmp_path, isolated_env):
    chart = _chart(tmp_path / "big")
    pyhelm("template", "web", str(chart))
    [entry] = _entries(isolated_env)
    entry.write_bytes(b"\x00not marshal")
    result = pyhelm("template", "web", str(chart))
    assert result.returncode == 0, result.stderr
    assert f'value: "v{ITEMS - 1}"' in result.stdout
    assert marshal.loads(entry.read_bytes())[1] == (chart / "values.yaml").read_bytes()


def test_a_big_values_file_with_an_error_still_names_its_line(pyhelm, tmp_path, isolated_env):
    chart = _chart(tmp_path / "big")
    with (chart / "values.yaml").open("a") as handle:
        handle.write("broken: [\n")
    result = pyhelm("template", "web", str(chart))
    assert result.returncode == 1
    assert "values.yaml:" in result.stderr and "invalid YAML" in result.stderr
    assert _entries(isolated_env) == []


def test_only_the_newest_entries_are_kept(isolated_env, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(yamlcache, "ENTRIES", 2)
    texts = [("x: 1\n" + "# padding\n" * 2000).replace("1", str(n)) for n in range(3)]
    for text in texts:
        assert yamlio.load(text, "v.yaml", remember=True) == {"x": int(text[3])}
    kept = _entries(isolated_env)
    assert len(kept) == 2
    assert {marshal.loads(p.read_bytes())[1] for p in kept} == {t.encode() for t in texts[1:]}
