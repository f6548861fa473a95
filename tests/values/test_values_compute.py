"""Coalescing (helm-facts §2.11), user values from flags and files, subcharts and globals."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from pyhelm.chart.model import Chart, ChartMetadata, Dependency
from pyhelm.errors import ValuesError
from pyhelm.values import ValueOptions, coalesce, compute_values, enabled_subcharts


def chart(name: str, values: dict[str, Any] | None = None, deps: list[Dependency] | None = None,
          subcharts: list[Chart] | None = None) -> Chart:
    meta = ChartMetadata(name=name, version="0.1.0", dependencies=deps or [])
    return Chart(metadata=meta, values=values or {}, subcharts=subcharts or [])


COALESCE: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("maps merge", {"m": {"a": 1, "b": 2}}, {"m": {"b": 3, "c": 4}}, {"m": {"a": 1, "b": 3, "c": 4}}),
    ("lists replace", {"l": [1, 2, 3]}, {"l": ["x"]}, {"l": ["x"]}),
    ("scalars replace", {"s": 1}, {"s": "two"}, {"s": "two"}),
    ("null deletes a default", {"a": 1, "m": {"b": 2, "c": 3}}, {"a": None, "m": {"b": None}}, {"m": {"c": 3}}),
    ("null deletes a whole map", {"m": {"b": 2}}, {"m": None}, {}),
    ("null with no default stays", {"a": 1}, {"c": None, "m": {"x": None}}, {"a": 1, "c": None, "m": {"x": None}}),
    ("null nested with no default stays", {"m": {"a": 1}}, {"m": {"zz": None}}, {"m": {"a": 1, "zz": None}}),
    ("a map replaces a scalar default", {"dump": 5}, {"dump": {"keep": 1}}, {"dump": {"keep": 1}}),
    ("a scalar replaces a map default", {"m": {"a": 1}}, {"m": 7}, {"m": 7}),
    ("a map fills a null default", {"m": None}, {"m": {"a": 1}}, {"m": {"a": 1}}),
    ("empty override keeps defaults", {"a": {"b": [1]}}, {}, {"a": {"b": [1]}}),
]


@pytest.mark.parametrize(("rule", "base", "override", "expected"), COALESCE, ids=[c[0] for c in COALESCE])
def test_coalesce_rules(rule: str, base: dict[str, Any], override: dict[str, Any],
                        expected: dict[str, Any]) -> None:
    assert coalesce(base, override) == expected


def test_coalesce_leaves_its_inputs_untouched() -> None:
    base = {"m": {"a": 1, "n": {"x": 1}}, "d": 1}
    override = {"m": {"n": {"y": 2}}, "d": None}
    out = coalesce(base, override)
    out["m"]["n"]["z"] = 3
    assert base == {"m": {"a": 1, "n": {"x": 1}}, "d": 1}
    assert override == {"m": {"n": {"y": 2}}, "d": None}


def test_type_clashes_warn_naming_the_path() -> None:
    warnings: list[str] = []
    coalesce({"dump": 5, "m": {"a": 1}}, {"dump": {"k": 1}, "m": "x"}, warn=warnings.append, path="web")
    assert warnings == [
        "skipped value for web.dump: Not a table (the default 5 is replaced by your map)",
        "web.m: your value 'x' replaces the default map",
    ]


def test_compute_values_warns_on_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    compute_values(chart("web", {"dump": 5}), {"dump": {"keep": 1}})
    assert "warning: skipped value for web.dump: Not a table" in capsys.readouterr().err


# -- ValueOptions.merge -----------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_values_files_merge_in_order_and_documents_in_order(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "a: 1\nm: {x: 1, y: 1}\n---\nm: {y: 2}\nb: [1]\n")
    second = write(tmp_path, "b.yaml", "b: [2]\nm: {z: 3}\n")
    assert ValueOptions(value_files=[first, second]).merge() == {
        "a": 1, "b": [2], "m": {"x": 1, "y": 2, "z": 3}}


def test_empty_values_file_and_empty_documents_are_ignored(tmp_path: Path) -> None:
    empty = write(tmp_path, "e.yaml", "")
    comments = write(tmp_path, "c.yaml", "# nothing\n---\n---\na: 1\n")
    assert ValueOptions(value_files=[empty, comments]).merge() == {"a": 1}


def test_null_in_a_later_file_overrides_and_then_deletes_the_default(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "m: {a: 7}\n")
    second = write(tmp_path, "b.yaml", "m: {a: null}\n")
    user = ValueOptions(value_files=[first, second]).merge()
    assert compute_values(chart("c", {"m": {"a": 1, "b": 2}}), user) == {"m": {"b": 2}}


def test_flags_apply_in_helms_order(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("from-file")
    values = write(tmp_path, "v.yaml", "a: yaml\nb: yaml\nc: yaml\nd: yaml\ne: yaml\nf: yaml\n")
    opts = ValueOptions(
        value_files=[values],
        json_values=['{"b": "json", "c": "json", "d": "json", "e": "json", "f": "json"}'],
        set_values=["c=set,d=set,e=set,f=set"],
        string_values=["d=string,e=string,f=string"],
        file_values=[f"e={tmp_path / 'f.txt'},f={tmp_path / 'f.txt'}"],
        literal_values=["f=literal"],
    )
    assert opts.merge() == {"a": "yaml", "b": "json", "c": "set", "d": "string", "e": "from-file",
                            "f": "literal"}


def test_within_one_flag_the_rightmost_wins() -> None:
    assert ValueOptions(set_values=["a=1", "a=2,b=1", "b=3"]).merge() == {"a": 2, "b": 3}


def test_values_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a: 1\n---\nb: 2\n"))
    assert ValueOptions(value_files=["-"]).merge() == {"a": 1, "b": 2}


def test_set_after_a_null_list_in_a_file_just_works(tmp_path: Path) -> None:
    nulls = write(tmp_path, "n2.yaml", "list: null\n")
    assert ValueOptions(value_files=[nulls], set_values=["list[1]=9"]).merge() == {"list": [None, 9]}


def test_large_integers_in_values_files_stay_integers(tmp_path: Path) -> None:
    big = write(tmp_path, "big.yaml", "replicas: 1000000\nhuge: 123456789012345678901234567890\n")
    got = ValueOptions(value_files=[big]).merge()
    assert got == {"replicas": 1000000, "huge": 123456789012345678901234567890}
    assert type(got["replicas"]) is int


def test_missing_values_file_says_so() -> None:
    with pytest.raises(ValuesError, match=r"values file 'nope.yaml' \(-f\) not found; check the path"):
        ValueOptions(value_files=["nope.yaml"]).merge()


def test_values_file_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ValuesError, match="is a folder; name a file"):
        ValueOptions(value_files=[str(tmp_path)]).merge()


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "a: 1\nb: [1\nc: 2\n")
    with pytest.raises(ValuesError, match=r"bad\.yaml:3:\d+: invalid YAML: did not find expected ',' or ']'"):
        ValueOptions(value_files=[bad]).merge()


def test_a_document_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    listy = write(tmp_path, "l.yaml", "a: 1\n---\n- 1\n- 2\n")
    with pytest.raises(ValuesError, match=r"l\.yaml: document 2 must be a mapping of values .*got a list"):
        ValueOptions(value_files=[listy]).merge()


def test_missing_set_file_names_the_file() -> None:
    with pytest.raises(ValuesError, match=r"file 'nope' \(--set-file ...=nope\) not found"):
        ValueOptions(file_values=["a=nope"]).merge()


def test_set_file_that_is_not_text(tmp_path: Path) -> None:
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValuesError, match="is not UTF-8 text"):
        ValueOptions(file_values=[f"a={tmp_path / 'bin'}"]).merge()


# -- subcharts ---------------------------------------------------------------------------


def test_subchart_section_is_defaults_under_parent_section_under_user() -> None:
    sub = chart("db", {"port": 5432, "user": "app", "rm": 1})
    root = chart("web", {"db": {"user": "web", "rm": None}}, [Dependency("db")], [sub])
    got = compute_values(root, {"db": {"port": 6432}})
    assert got == {"db": {"port": 6432, "user": "web", "global": {}}}


def test_globals_are_copied_down_and_the_parent_wins() -> None:
    sub = chart("db", {"global": {"region": "sub", "only": "sub", "m": {"a": 0, "b": 0}}})
    root = chart("web", {"global": {"region": "root", "m": {"a": 1}}}, [Dependency("db")], [sub])
    got = compute_values(root, {"global": {"extra": True}})
    assert got["global"] == {"region": "root", "m": {"a": 1}, "extra": True}
    assert got["db"]["global"] == {"region": "root", "only": "sub", "m": {"a": 1, "b": 0}, "extra": True}


def test_aliases_make_one_subchart_appear_twice() -> None:
    sub = chart("db", {"port": 1})
    root = chart("web", {"primary": {"port": 2}},
                 [Dependency("db", alias="primary"), Dependency("db", alias="replica")], [sub])
    got = compute_values(root, {})
    assert got["primary"]["port"] == 2 and got["replica"]["port"] == 1
    assert [name for name, _ in enabled_subcharts(root, got)] == ["primary", "replica"]


def test_disabled_subchart_is_not_merged_but_its_section_stays() -> None:
    sub = chart("db", {"port": 1, "enabled": True})
    root = chart("web", {"db": {"enabled": True}}, [Dependency("db", condition="db.enabled")], [sub])
    got = compute_values(root, {"db": {"enabled": False}})
    assert got["db"] == {"enabled": False}
    assert enabled_subcharts(root, got) == []


def test_enabled_subcharts_follow_tags_and_conditions() -> None:
    subs = [chart("a"), chart("b"), chart("c"), chart("d")]
    root = chart("web", {}, [Dependency("a", tags=["front"]), Dependency("b", tags=["front", "back"]),
                             Dependency("c", tags=["front"], condition="c.on"), Dependency("d")], subs)
    values = {"tags": {"front": False, "back": True}, "c": {"on": True}}
    assert [name for name, _ in enabled_subcharts(root, values)] == ["b", "c", "d"]


def test_non_boolean_condition_is_ignored_with_a_warning() -> None:
    warnings: list[str] = []
    root = chart("web", {"db": {"enabled": "no"}}, [Dependency("db", condition="db.enabled")], [chart("db")])
    got = compute_values(root, {}, warn=warnings.append)
    assert got["db"] == {"enabled": "no", "global": {}}
    assert warnings == ["condition 'db.enabled' of dependency 'db' is 'no', not true or false; ignored"]


def test_subchart_section_that_is_not_a_map_is_an_error() -> None:
    root = chart("web", {}, [Dependency("db")], [chart("db")])
    with pytest.raises(ValuesError, match=r"values of subchart 'db' \(key 'db'\) must be a map, got a string"):
        compute_values(root, {"db": "oops"})


def test_import_values_sit_under_the_parents_own() -> None:
    sub = chart("db", {"exports": {"conn": {"host": "db", "port": 1}}, "tls": {"on": True}})
    dep = Dependency("db", import_values=["conn", {"child": "tls", "parent": "x.tls"}])
    root = chart("web", {"port": 2}, [dep], [sub])
    got = compute_values(root, {"x": {"tls": {"extra": 1}}})
    assert (got["host"], got["port"], got["x"]) == ("db", 2, {"tls": {"on": True, "extra": 1}})


def test_import_of_a_missing_table_warns_and_skips() -> None:
    warnings: list[str] = []
    root = chart("web", {}, [Dependency("db", import_values=["nothing"])], [chart("db")])
    assert compute_values(root, {}, warn=warnings.append) == {"db": {"global": {}}}
    assert warnings == ["import-values of 'db': 'exports.nothing' is not a map in the subchart's values; skipped"]


def test_compute_values_does_not_change_the_chart_or_user_values() -> None:
    sub = chart("db", {"m": {"a": 1}, "exports": {"e": {"v": 1}}})
    root = chart("web", {"db": {"m": {"b": 2}}}, [Dependency("db", import_values=["e"])], [sub])
    user = {"db": {"m": {"c": 3}}}
    got = compute_values(root, user)
    got["db"]["m"]["z"] = 0
    assert sub.values == {"m": {"a": 1}, "exports": {"e": {"v": 1}}}
    assert root.values == {"db": {"m": {"b": 2}}} and user == {"db": {"m": {"c": 3}}}


def test_deeply_nested_user_values_give_a_clear_error() -> None:
    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(5000):
        cursor["k"] = {}
        cursor = cursor["k"]
    with pytest.raises(ValuesError, match="nest too deeply"):
        compute_values(chart("web", {"k": {}}), deep)


def test_a_subchart_disabled_by_its_own_default_stays_disabled_for_the_renderer() -> None:
    sub = chart("db", {"enabled": False, "port": 1})
    root = chart("web", {}, [Dependency("db", condition="db.enabled")], [sub])
    got = compute_values(root, {})
    assert "db" not in got
    assert enabled_subcharts(root, got) == []
    turned_on = compute_values(root, {"db": {"enabled": True}})
    assert turned_on["db"]["port"] == 1
    assert [name for name, _ in enabled_subcharts(root, turned_on)] == ["db"]


def test_root_tags_decide_nested_dependencies() -> None:
    leaf = chart("leaf", {"v": 1})
    mid = chart("mid", {"tags": {"extra": True}}, [Dependency("leaf", tags=["extra"])], [leaf])
    root = chart("web", {}, [Dependency("mid")], [mid])
    got = compute_values(root, {"tags": {"extra": False}})
    assert "leaf" not in got["mid"]
    assert enabled_subcharts(mid, got["mid"], tags=got["tags"]) == []
    assert [name for name, _ in enabled_subcharts(mid, got["mid"])] == ["leaf"]


@pytest.fixture
def values_server(tmp_path: Path):
    """A static HTTP server on 127.0.0.1 serving tmp_path; yields its base URL."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_values_file_from_a_url(values_server: str, tmp_path: Path) -> None:
    write(tmp_path, "remote.yaml", "a: 1\n---\nb: 2\n")
    assert ValueOptions(value_files=[f"{values_server}/remote.yaml"]).merge() == {"a": 1, "b": 2}


def test_values_url_that_is_missing_says_so(values_server: str) -> None:
    with pytest.raises(ValuesError, match=r"cannot fetch values file http://127.0.0.1:\d+/nope.yaml \(-f\): "
                                          r"HTTP 404"):
        ValueOptions(value_files=[f"{values_server}/nope.yaml"]).merge()


def test_null_globals_count_as_empty() -> None:
    sub = chart("db", {"global": None, "port": 1})
    root = chart("web", {"global": None}, [Dependency("db")], [sub])
    assert compute_values(root, {}, warn=None)["db"] == {"global": {}, "port": 1}


@pytest.mark.parametrize("seed", range(40))
def test_enabled_subcharts_agree_with_what_compute_values_merged(seed: int) -> None:
    """The renderer asks enabled_subcharts on computed values; it must match the merge."""
    import random

    rng = random.Random(seed)

    def flag() -> Any:
        return rng.choice([True, False, None, "yes", {"deep": True}])

    def maybe(key: str) -> dict[str, Any]:
        return {key: flag()} if rng.random() < 0.6 else {}

    subs = [chart(name, {**maybe("enabled"), "v": 1}) for name in ("a", "b", "c")]
    deps = [Dependency("a", condition="a.enabled", tags=["t1"]),
            Dependency("b", condition="flags.b,b.enabled", alias="bee"),
            Dependency("c", tags=["t1", "t2"])]
    root = chart("web", {"flags": maybe("b"), "tags": {**maybe("t1"), **maybe("t2")}}, deps, subs)
    user = {"a": maybe("enabled"), "bee": maybe("enabled"), "tags": maybe("t2")}
    got = compute_values(root, user, warn=None)
    merged = {name for name in ("a", "bee", "c") if isinstance(got.get(name), dict) and got[name].get("v") == 1}
    assert {name for name, _ in enabled_subcharts(root, got)} == merged
