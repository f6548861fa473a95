"""The --set grammar (helm-facts §2.12), one table row per rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pyhelm.errors import ValuesError
from pyhelm.strvals import Mode, parse_into, typed_value
from pyhelm.values import parse_set

SET_CASES: list[tuple[str, dict[str, Any]]] = [
    ("a=b,c=d", {"a": "b", "c": "d"}),
    ("a.b.c=1", {"a": {"b": {"c": 1}}}),
    ("a[0].b=1", {"a": [{"b": 1}]}),
    ("sparse[2]=z", {"sparse": [None, None, "z"]}),
    ("arr={a,b,c}", {"arr": ["a", "b", "c"]}),
    (r"name=a\,b", {"name": "a,b"}),
    (r"nodeSelector.kubernetes\.io/role=master", {"nodeSelector": {"kubernetes.io/role": "master"}}),
    (r"p=a\\b", {"p": "a\\b"}),
    (r"l={a\,b,c}", {"l": ["a,b", "c"]}),
    ("a=b=c", {"a": "b=c"}),
    (" lead=1", {" lead": 1}),
    ("x=", {"x": ""}),
    ("a=1,", {"a": 1}),
    ("a.b=1,a.c=2", {"a": {"b": 1, "c": 2}}),
    ("a[1]=x,a[0]=y", {"a": ["y", "x"]}),
    ("a[0][1]=x", {"a": [[None, "x"]]}),
    ("a[0].b[1].c=1", {"a": [{"b": [None, {"c": 1}]}]}),
    ("a={x,y},b=1", {"a": ["x", "y"], "b": 1}),
    ("a={,}", {"a": ["", ""]}),
    ('g="q"', {"g": '"q"'}),
]


@pytest.mark.parametrize(("expr", "expected"), SET_CASES)
def test_set_grammar(expr: str, expected: dict[str, Any]) -> None:
    assert parse_set(expr) == expected


TYPED: list[tuple[str, Any]] = [
    ("true", True), ("True", True), ("TRUE", True), ("false", False), ("fAlse", False),
    ("null", None), ("NULL", None), ("0", 0), ("1", 1), ("-3", -3), ("+5", 5), ("-0", 0),
    ("9223372036854775807", 9223372036854775807),
    ("9223372036854775808", "9223372036854775808"), ("-9223372036854775809", "-9223372036854775809"),
    ("12345678901234567890", "12345678901234567890"),
    ("007", "007"), ("0x10", "0x10"), ("1.5", "1.5"), ("1e3", "1e3"), ("1_000", "1_000"),
    ("", ""), ("yes", "yes"), ("on", "on"), ("٣", "٣"), (" 1", " 1"),
]


@pytest.mark.parametrize(("text", "expected"), TYPED)
def test_set_value_typing(text: str, expected: Any) -> None:
    value = typed_value(text)
    assert value == expected and type(value) is type(expected)


def test_set_string_keeps_every_value_a_string() -> None:
    assert parse_set("a=1,b=true,c=null,d={1,2}", typed=False) == {
        "a": "1", "b": "true", "c": "null", "d": ["1", "2"]}


def test_set_literal_takes_the_whole_rest_verbatim() -> None:
    got = parse_into(r"lit.x[1]=a,b=c{d}\,e", {}, Mode.LITERAL)
    assert got == {"lit": {"x": [None, r"a,b=c{d}\,e"]}}


def test_set_json_values_and_whole_objects() -> None:
    into = parse_into('a=[1,2],b={"x":1},c=,d=null', {}, Mode.JSON)
    assert into == {"a": [1, 2], "b": {"x": 1}, "c": None, "d": None}
    parse_into('{"b": {"y": 2}, "e": 1}', into, Mode.JSON)
    assert into["b"] == {"x": 1, "y": 2} and into["e"] == 1


def test_set_json_keeps_big_integers_exact() -> None:
    assert parse_into("n=12345678901234567890", {}, Mode.JSON) == {"n": 12345678901234567890}


def test_set_file_reads_the_file_contents(tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("line1\nline2\n")
    got = parse_into(f"tls.cert={tmp_path / 'cert.pem'}", {}, Mode.FILE,
                     lambda path: Path(path).read_text())
    assert got == {"tls": {"cert": "line1\nline2\n"}}


def test_set_merges_into_existing_values_in_place() -> None:
    into = {"list": [1, 2, 3], "m": {"keep": 1}}
    parse_set("list[1]=9,m.new=2", into)
    assert into == {"list": [1, 9, 3], "m": {"keep": 1, "new": 2}}


def test_null_from_a_values_file_is_treated_as_absent() -> None:
    # helm v4.1.4 fails here with "interface {} is nil, not []interface {}".
    assert parse_set("list[1]=9,m.k=1", {"list": None, "m": None}) == {"list": [None, 9], "m": {"k": 1}}


def test_null_then_nested_key_in_one_argument_replaces_the_value() -> None:
    assert parse_set("a=null,a.b=1", {"a": [1]}) == {"a": {"b": 1}}


@pytest.mark.parametrize(("expr", "expected"), [
    ("name=[]", {"name": []}),
    ("name={}", {"name": []}),
    ("l[0]=[]", {"l": [[]]}),
])
def test_empty_list_spellings_give_an_empty_list(expr: str, expected: dict[str, Any]) -> None:
    # Helm 4 gives the string "[]" and [""]; its documentation promises an empty list.
    assert parse_set(expr) == expected


def test_set_string_keeps_brackets_as_text() -> None:
    assert parse_set("name=[]", typed=False) == {"name": "[]"}


ERRORS: list[tuple[str, Mode, str]] = [
    ("noequals", Mode.TYPED, "key 'noequals' has no value"),
    ("a.b", Mode.TYPED, "key 'a.b' has no value"),
    (",a=1", Mode.TYPED, "key '' has no value (cannot end with ,)"),
    ("a,b=1", Mode.TYPED, "key 'a' has no value (cannot end with ,)"),
    ("a[70000]=1", Mode.TYPED, "index of 70000 is greater than maximum supported index of 65536"),
    ("a[-1]=1", Mode.TYPED, "negative -1 index not allowed"),
    ("a[x]=1", Mode.TYPED, "list index 'x' of 'a' is not a number"),
    ("a[1 ]=1", Mode.TYPED, "list index '1 ' of 'a' is not a number"),
    ("a[1", Mode.TYPED, "list index of 'a' has no closing ']'"),
    ("a[0]x=1", Mode.TYPED, "unexpected data at end of array index: 'x'"),
    ("a[0]", Mode.TYPED, "key 'a[0]' has no value"),
    ("a={x,y", Mode.TYPED, "list must terminate with '}'"),
    ("a={x}z", Mode.TYPED, "key 'z' has no value"),
    ("a..b=1", Mode.TYPED, "empty key name after 'a'"),
    (".a=1", Mode.TYPED, "empty key name"),
    ("a.b.c." + ".".join(["k"] * 29) + "=1", Mode.TYPED,
     "value name nested level is greater than maximum supported nested level of 30"),
    ("a" + "[0]" * 101 + "=1", Mode.TYPED, "key nests deeper than 100 levels"),
    ("a={bad", Mode.JSON, "invalid JSON at character 4: Expecting property name enclosed in double quotes"),
    ("[1]", Mode.JSON, "expected KEY=JSON or one JSON object"),
    ('{"a": 1', Mode.JSON, "invalid JSON at character 8"),
    ("noequals", Mode.LITERAL, "key 'noequals' has no value"),
]


@pytest.mark.parametrize(("expr", "mode", "message"), ERRORS)
def test_bad_arguments_name_flag_argument_and_problem(expr: str, mode: Mode, message: str) -> None:
    with pytest.raises(ValuesError) as caught:
        parse_into(expr, {}, mode)
    assert str(caught.value).startswith(f"invalid {mode.value} {expr!r}: ")
    assert message in str(caught.value)


def test_thirty_nested_names_are_allowed() -> None:
    assert parse_set(".".join(["k"] * 31) + "=1") is not None


@pytest.mark.parametrize(("before", "expr", "message"), [
    ({"obj": [1]}, "obj.a=2", "cannot set a key inside 'obj': it already holds a list"),
    ({"obj": {"a": 1}}, "obj[0]=2", "cannot set a list index of 'obj': it already holds a map"),
    ({"image": "nginx"}, "image.tag=1", "cannot set a key inside 'image': it already holds the value 'nginx'"),
    ({"l": [[1], 5]}, "l[1][0]=2", "cannot set a list index of 'l[1]'"),
])
def test_writing_into_a_value_of_another_type_is_an_error(
        before: dict[str, Any], expr: str, message: str) -> None:
    with pytest.raises(ValuesError, match="set .*=null first to replace it") as caught:
        parse_set(expr, before)
    assert message in str(caught.value)


def test_an_index_past_the_end_of_an_existing_list_pads_with_nulls() -> None:
    assert parse_set("l[3]=x", {"l": [1]}) == {"l": [1, None, None, "x"]}


def test_max_index_is_allowed() -> None:
    assert len(parse_set("l[65536]=x")["l"]) == 65537
