"""YAML as Helm reads it, alias bombs refused fast, and lint's YAML 1.1 boolean finder."""

from __future__ import annotations

from typing import Any

import pytest

from pyhelm import yamlio, yamlpy
from pyhelm.errors import PyHelmError, ValuesError


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValuesError, match=r"bomb\.yaml: invalid YAML: its aliases \(\*name\) would expand it "
                                          r"by [\d,]+ nodes, more than the limit of 1,000,000"):
        yamlio.load(billion_laughs(), "bomb.yaml", ValuesError)


def test_alias_bomb_in_a_later_document_is_refused_too() -> None:
    with pytest.raises(PyHelmError, match="alias bomb"):
        yamlio.load_all("a: 1\n---\n" + billion_laughs(), "multi.yaml")


def test_merge_key_bomb_is_refused() -> None:
    lines = ["a0: &a0 {k0: 1, j0: 2, i0: 3, h0: 4, g0: 5, f0: 6, e0: 7, d0: 8, c0: 9, b0: 10}"]
    lines += [f"a{i}: &a{i} {{x{i}: [{', '.join(['*a' + str(i - 1)] * 10)}]}}" for i in range(1, 8)]
    with pytest.raises(PyHelmError, match="alias bomb"):
        yamlio.load("\n".join(lines) + "\n", "merge.yaml")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(PyHelmError, match=r"rec\.yaml:1: invalid YAML: an alias refers to a node that contains it"):
        yamlio.load("a: &a [1, *a]\n", "rec.yaml")


def test_modest_aliases_load_as_independent_copies() -> None:
    data = yamlio.load("base: &b {ports: [80]}\nweb: *b\napi:\n  <<: *b\n  name: api\n", "ok.yaml")
    assert data == {"base": {"ports": [80]}, "web": {"ports": [80]}, "api": {"ports": [80], "name": "api"}}
    data["web"]["ports"].append(443)
    assert data["base"] == {"ports": [80]} and data["api"]["ports"] == [80]


SCALARS: list[tuple[str, Any]] = [
    ("1000000", 1000000),
    ("123456789012345678901234567890", 123456789012345678901234567890),
    ("-42", -42),
    ("0x10", 16),
    ("1.5", 1.5),
    ("1e6", "1e6"),
    ("2020-01-01", "2020-01-01"),
    ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("1:30", "1:30"),
    ("=", "="),
    ("yes", True),
    ("Off", False),
    ("y", "y"),
    ("n", "n"),
    ("~", None),
]


@pytest.mark.parametrize(("text", "expected"), SCALARS)
def test_scalars_read_as_helm_reads_them(text: str, expected: Any) -> None:
    value = yamlio.load(f"v: {text}\n", "s.yaml")["v"]
    assert value == expected and type(value) is type(expected)


def test_keys_are_always_strings() -> None:
    assert yamlio.load("on: a\n1: b\nnull: c\nfalse: d\n1.5: e\n", "k.yaml") == {
        "true": "a", "1": "b", "null": "c", "false": "d", "1.5": "e"}


def test_a_list_as_a_key_is_an_error_naming_the_line() -> None:
    with pytest.raises(PyHelmError, match=r"k\.yaml:2:\d+: invalid YAML: found a list or mapping used as a key"):
        yamlio.load("a: 1\n? [x]\n: 2\n", "k.yaml")


def test_load_refuses_a_second_document() -> None:
    with pytest.raises(PyHelmError, match="expected one YAML document, found 2"):
        yamlio.load("a: 1\n---\nb: 2\n", "two.yaml")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(PyHelmError, match="deep.yaml:1:"):
        yamlio.load("a: " + "[" * 5000 + "]" * 5000, "deep.yaml")


def test_dump_keeps_big_integers_and_quotes_ambiguous_strings() -> None:
    text = yamlio.dump({"big": 10**20, "ints": 1000000, "y": "y", "on": "on", "d": "2020-01-01", "t": "1:30"})
    assert "big: 100000000000000000000\n" in text and "ints: 1000000\n" in text
    for quoted in ("'y'", "'on'", "'2020-01-01'"):
        assert quoted in text
    assert yamlio.load(text, "round.yaml") == {"big": 10**20, "ints": 1000000, "y": "y", "on": "on",
                                               "d": "2020-01-01", "t": "1:30"}


def test_find_yaml11_booleans_reports_keys_and_values_with_lines() -> None:
    text = 'on:\n  push: yes\nkeys: [y, "n", N]\nok: true\nquoted: "off"\ntagged: !!str on\nl:\n  - no\n'
    assert yamlio.find_yaml11_booleans(text, "ci.yaml") == [
        "ci.yaml:1: unquoted key 'on' is read as the boolean true (YAML 1.1); quote it (\"on\") if you mean the text",
        "ci.yaml:2: unquoted value 'yes' is read as the boolean true (YAML 1.1); quote it (\"yes\") if you mean "
        "the text",
        "ci.yaml:3: unquoted value 'y' is read as a boolean by Helm (pyhelm keeps it a string); quote it (\"y\") "
        "so every tool reads the same thing",
        "ci.yaml:3: unquoted value 'N' is read as a boolean by Helm (pyhelm keeps it a string); quote it (\"N\") "
        "so every tool reads the same thing",
        "ci.yaml:8: unquoted value 'no' is read as the boolean false (YAML 1.1); quote it (\"no\") if you mean the "
        "text",
    ]


def test_find_yaml11_booleans_tells_keys_from_values_in_flow_maps() -> None:
    found = yamlio.find_yaml11_booleans("m: {off: Off, x: [on]}\n", "f.yaml")
    assert [line.split(" is read")[0] for line in found] == [
        "f.yaml:1: unquoted key 'off'", "f.yaml:1: unquoted value 'Off'", "f.yaml:1: unquoted value 'on'"]


def test_find_yaml11_booleans_stops_quietly_at_a_syntax_error() -> None:
    assert yamlio.find_yaml11_booleans("a: yes\nb: [\n", "bad.yaml") == [
        "bad.yaml:1: unquoted value 'yes' is read as the boolean true (YAML 1.1); quote it (\"yes\") if you "
        "mean the text"]


CORPUS = [
    "", "# only a comment\n", "a: 1\n", "- 1\n- 2\n", "plain text\n",
    "a: {b: [1, 2.5, -3, +4, .5, 1., -.inf, .NaN, 0x1F, 0, 1_000]}\n",
    "a: null\nb: ~\nc: Null\nd:\ne: true\nf: False\ng: TRUE\n",
    "on: 1\nyes: 2\nno: 3\nOff: 4\n", "a: y\nb: n\nc: Y\nd: N\n",
    "a: 010\nb: 0o10\nc: 0b11\nd: -007\n", "a: 1e6\nb: 1.5e+3\nc: 2E-2\n",
    "a: 2020-01-01\nb: 2001-12-14t21:59:43.10-05:00\nc: 1:30\nd: 10:05:30\n",
    "a: =\nb: '='\nc: \"quoted: yes\"\nd: 'on'\n", "1: a\n2.5: b\ntrue: c\nnull: d\n",
    "a: 1\na: 2\n", "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n",
    "a: \"\\u00e9\\t\\x41\"\nb: 'it''s'\nc: url?x=1&y=2\n", "key with spaces: value with: colon\n",
    "list:\n- name: a\n  v: 1\n- name: b\n  v: 2\n", "big: 123456789012345678901234567890\n",
    "a: &x 1\nb: 2\n", "a: v1.20.1\nb: 1.2.3\nc: '007'\n", "---\na: 1\n", "a: [1, 2\n",
    "a: b\n  c: d\n", "\ta: 1\n", "a: 'unterminated\n", "\ufeffa: 1\n", "a: 1\r\nb: [x, y]\r\n",
    "cpu: 0.5\nmem: 1.5Gi\n", "a: [on, off]\n", "'yes': quoted\n", "a: 2.0\n",
    "a: |\n  echo hi", "a: |+\n  x\n\n\n", "a: >-\n  folded\n  more\n", "|\n  top\n", "null\n",
    "a: \"multi\n  line\"\n", "a: plain\n  continued\n",
    "a: Ready?\n", "# Mount it?\na: 1\n", "a: Hi!\n", "a: x*y\n", "a: \"*.example.com\"\n",
    "? a\n: b\n", "a: *x\n", "{\"a\":*b}\n", "a: !!str 1\n", "- ?x\n", "a: [x,*y]\n", "a: b?c\n",
]


@pytest.mark.parametrize("text", CORPUS)
def test_fast_and_careful_loaders_agree(text: str) -> None:
    fast = yamlio._load_fast(text)
    if fast is None:
        return  # the text goes to PyYAML; nothing to compare
    assert repr(fast) == repr(yamlpy.load_all(text, "corpus.yaml", PyHelmError))


def test_plain_values_files_take_the_fast_path() -> None:
    text = "replicaCount: 3\nimage:\n  repository: nginx\n  tag: \"1.20\"\nports: [80, 443]\nlabels: {}\n"
    assert yamlio._load_fast(text) == [{"replicaCount": 3, "image": {"repository": "nginx", "tag": "1.20"},
                                        "ports": [80, 443], "labels": {}}]


def test_random_texts_read_the_same_on_both_paths() -> None:
    """Wherever yaml-rs answers, PyYAML (the reference) gives the same value and no error."""
    import random

    rng = random.Random(9)
    tokens = ["a", "b", ": ", "\n", "  ", "- ", "[", "]", "{", "}", ", ", '"q"', "'s'", "1", "2.5", "true",
              "null", "~", "x y", "#c", "|", ">", "-", ":", '"', "'", "\\", "é", "@", "%", "&a ", " ", "0x1",
              "1_0", ".5", "yes", "1:2", "2020-01-01", "=", "|-", ">+", "\n  ", "\n    ", "*", "!", "?",
              "*a", "!t ", "? ", "a?", "b*", "x!", ":*", "!!str "]
    answered = 0
    for _ in range(3000):
        text = "".join(rng.choice(tokens) for _ in range(rng.randint(1, 14)))
        fast = yamlio._load_fast(text)
        if fast is not None:
            answered += 1
            assert repr(fast) == repr(yamlpy.load_all(text, "fuzz.yaml", PyHelmError)), text
    assert answered > 500


def test_boolean_finder_skips_only_texts_that_cannot_hold_such_a_word() -> None:
    """Texts without a lone on/off/yes/no/y/n are answered without a YAML scan; the answer is
    always the full scan's."""
    import random

    rng = random.Random(5)
    tokens = ["a", ": ", "\n", "  ", "- ", "[", "]", "{", "}", ", ", "on", "On", "off", "y", "N", "yes",
              "no", "on-demand", "y.z", "n/a", "_on", "on1", "cron", "'on'", '"no"', "#", "x"]
    for _ in range(2000):
        text = "".join(rng.choice(tokens) for _ in range(rng.randint(1, 12)))
        assert yamlio.find_yaml11_booleans(text, "f.yaml") == yamlpy.find_yaml11_booleans(text, "f.yaml"), text
