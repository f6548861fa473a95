"""pyhelm computes the same values tree as the real helm v4, scenario by scenario.

Each case writes a chart, runs ``helm template`` with a template printing
``toJson .Values``, and compares that with ``compute_values``. Cases where
pyhelm differs on purpose are in test_values_compute.py, not here.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from values_helpers import Spec, helm_values, write_chart

from pyhelm.chart.loader import load_chart
from pyhelm.values import ValueOptions, compute_values

pytestmark = pytest.mark.helm

SUB = Spec("sub", {"rm": 1, "x": 1, "keep": 1, "enabled": True, "global": {"a": 0, "b": 2, "m": {"p": 0, "q": 2}}})
LEAF = Spec("leaf", {"leafval": 1, "enabled": True})

SCENARIOS: dict[str, tuple[Spec, dict[str, list[str]]]] = {
    "defaults only": (Spec("par", {"a": 1, "list": [1, 2, 3]}), {}),
    "set replaces lists, merges maps, null deletes": (
        Spec("par", {"list": [1, 2, 3], "nested": {"a": 1, "b": 2}, "del": "x"}),
        {"set_values": ["list[0]=x,nested.a=9,del=null,new=null,nested.zz=null"]},
    ),
    "map over a scalar default": (Spec("par", {"dump": 5}), {"set_values": ["dump.keep=1"]}),
    "scalar over a map default": (Spec("par", {"nested": {"a": 1}}), {"set_values": ["nested=7"]}),
    "parent section and user values over subchart defaults": (
        Spec("par", {"sub": {"rm": None, "x": 2}}, [{"name": "sub"}], [SUB]),
        {"set_values": ["sub.keep=null,sub.new=1"]},
    ),
    "globals flow down, the parent wins": (
        Spec("par", {"global": {"a": 1, "m": {"p": 1}}}, [{"name": "sub"}], [SUB]),
        {"set_values": ["global.c=3"]},
    ),
    "one subchart under two aliases": (
        Spec("par", {"one": {"x": 10}, "two": {"x": 20}},
             [{"name": "sub", "alias": "one"}, {"name": "sub", "alias": "two"}], [SUB]),
        {},
    ),
    "condition false in subchart defaults disables it": (
        Spec("par", {}, [{"name": "sub", "condition": "sub.enabled"}],
             [Spec("sub", {"enabled": False, "x": 1})]),
        {},
    ),
    "condition turned on by the user": (
        Spec("par", {}, [{"name": "sub", "condition": "sub.enabled"}],
             [Spec("sub", {"enabled": False, "x": 1})]),
        {"set_values": ["sub.enabled=true"]},
    ),
    "condition off keeps the parent's section": (
        Spec("par", {"sub": {"enabled": False, "mine": 1}}, [{"name": "sub", "condition": "sub.enabled"}],
             [SUB]),
        {},
    ),
    "first resolvable condition wins": (
        Spec("par", {"flags": {"s": False}}, [{"name": "sub", "condition": "missing.path,flags.s,sub.enabled"}],
             [SUB]),
        {},
    ),
    "tags disable, a true tag wins": (
        Spec("par", {"tags": {"front": False, "back": False}},
             [{"name": "sub", "tags": ["front"]}, {"name": "leaf", "tags": ["front", "back"]}], [SUB, LEAF]),
        {"set_values": ["tags.back=true"]},
    ),
    "condition overrides tags": (
        Spec("par", {"tags": {"front": False}},
             [{"name": "sub", "tags": ["front"], "condition": "sub.enabled"}], [SUB]),
        {},
    ),
    "unlisted subchart is always enabled": (Spec("par", {}, [], [SUB]), {}),
    "nested subcharts get the root's globals": (
        Spec("par", {"global": {"g": "root"}, "mid": {"leaf": {"leafval": 2}}}, [{"name": "mid"}],
             [Spec("mid", {"global": {"g": "mid", "h": "mid"}}, [{"name": "leaf"}], [LEAF])]),
        {"set_values": ["mid.leaf.extra=3"]},
    ),
    "root tags reach nested dependencies": (
        Spec("par", {}, [{"name": "mid"}],
             [Spec("mid", {"tags": {"extra": True}}, [{"name": "leaf", "tags": ["extra"]}], [LEAF])]),
        {"set_values": ["tags.extra=false"]},
    ),
    "values files merge in order, documents too, null deletes": (
        Spec("par", {"m": {"a": 1, "b": 2, "c": 3}, "l": [1]}),
        {"files": ["m: {a: 10}\nl: [2]\n---\nm: {b: 20}\n", "m: {a: null, d: 4}\n"]},
    ),
    "subchart null defaults: top level dropped, nested kept": (
        Spec("par", {"s": {"m": {"z": 1}}}, [{"name": "s"}], [Spec("s", {"nil": None, "m": {"x": None, "w": 1}})]),
        {},
    ),
    "user null deletes a subchart default the parent also sets": (
        Spec("par", {"s": {"a": 1, "m": {"k": 1}, "d": 1}}, [{"name": "s"}],
             [Spec("s", {"a": 2, "m": {"k": 2, "j": 3}})]),
        {"files": ["s: {a: null, m: {k: null}, d: null, nil: null}\n"]},
    ),
    "parent's null global deletes the subchart's": (
        Spec("par", {"global": {"g": {"a": None, "b": 1}}}, [{"name": "s"}],
             [Spec("s", {"global": {"g": {"a": 1, "c": None}}})]),
        {},
    ),
    "a null global in the section blocks the parent's map": (
        Spec("par", {"global": {"m": {"a": 1}, "x": 1}}, [{"name": "s"}], [Spec("s", {})]),
        {"files": ["s: {global: {m: null, x: null}}\n"]},
    ),
    "import-values, both forms, parent wins": (
        Spec("par", {"x": "parent"},
             [{"name": "sub", "import-values": ["data", {"child": "default", "parent": "imp"}]}],
             [Spec("sub", {"exports": {"data": {"x": "child", "v": "child"}}, "default": {"z": 1}})]),
        {},
    ),
    "import-values come from defaults, not from user values for the child": (
        Spec("par", {}, [{"name": "sub", "import-values": ["data"]}],
             [Spec("sub", {"exports": {"data": {"x": "child"}}})]),
        {"set_values": ["sub.exports.data.x=user"]},
    ),
    "import-values through two levels": (
        Spec("par", {}, [{"name": "mid", "import-values": [{"child": "fromleaf", "parent": "top"}]}],
             [Spec("mid", {}, [{"name": "leaf", "import-values": [{"child": "out", "parent": "fromleaf"}]}],
                   [Spec("leaf", {"out": {"v": 1, "w": 2}})])]),
        {},
    ),
    "import-values then user values on top": (
        Spec("par", {}, [{"name": "sub", "import-values": [{"child": "default", "parent": "imp.deep"}]}],
             [Spec("sub", {"default": {"z": 1, "w": 2}})]),
        {"set_values": ["imp.deep.w=5,sub.default.z=9"]},
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_computed_values_match_helm(name: str, tmp_path: Path, helm_bin: str) -> None:
    spec, flags = SCENARIOS[name]
    chart_dir = write_chart(tmp_path, spec)
    files = []
    for i, text in enumerate(flags.get("files", [])):
        files.append(str(tmp_path / f"values{i}.yaml"))
        Path(files[-1]).write_text(text)
    args: list[str] = [arg for path in files for arg in ("-f", path)]
    args += [arg for value in flags.get("set_values", []) for arg in ("--set", value)]
    expected = helm_values(helm_bin, chart_dir, *args)
    user = ValueOptions(value_files=files, set_values=flags.get("set_values", [])).merge()
    assert compute_values(load_chart(chart_dir), user, warn=None) == expected


SET_CASES: list[list[str]] = [
    ["--set", "a=b=c,x=,n=null,i=-3,z=007,f=1.5,big=12345678901234567890,T=True,F=FALSE"],
    ["--set", "sp[2]=z,q[1].a=1,nested.deep.key=v"],
    ["--set", r"n2={a\,b,c},k\.x=1,e=a\\b,w= lead ,q=\"q\""],
    ["--set", "hex=0x10,exp=1e3,plus=+5,neg0=-0,zero=0,maxint=9223372036854775807,over=9223372036854775808"],
    ["--set", "a[0][1]=x,b[1].c[0]=y"],
    ["--set-string", "a=1,b=true,c=null,l={1,2}"],
    ["--set-json", '{"a":1,"b":{"c":null}}', "--set-json", ' {"b":{"d":[1,2]}}'],
    ["--set-json", 'a=[1,2],b={"x":1},c=', "--set-json", "l[1]=true"],
    ["--set-literal", r"lit=a,b=c{d}\,e"],
    ["--set", "a=1", "--set-string", "a=2"],
    ["--set-string", "a=2", "--set", "b=1", "--set-json", "a=3,b=4", "--set-literal", "c=4"],
]


@pytest.mark.parametrize("args", SET_CASES, ids=lambda a: " ".join(a))
def test_set_flags_match_helm(args: list[str], tmp_path: Path, helm_bin: str) -> None:
    chart_dir = write_chart(tmp_path, Spec("c"))
    expected = helm_values(helm_bin, chart_dir, *args)
    flags: dict[str, list[str]] = {}
    names = {"--set": "set_values", "--set-string": "string_values", "--set-json": "json_values",
             "--set-literal": "literal_values"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        flags.setdefault(names[flag], []).append(value)
    assert compute_values(load_chart(chart_dir), ValueOptions(**flags).merge()) == expected


def _random_tree(rng: random.Random, depth: int) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key in rng.sample("abcd", rng.randint(1, 3)):
        roll = rng.random()
        if depth < 2 and roll < 0.35:
            tree[key] = _random_tree(rng, depth + 1)
        elif roll < 0.5:
            tree[key] = None
        elif roll < 0.6:
            tree[key] = [rng.randint(0, 3)]
        else:
            tree[key] = rng.choice([1, "x", True])
    return tree


@pytest.mark.parametrize("seed", range(12))
def test_random_trees_coalesce_as_in_helm(seed: int, tmp_path: Path, helm_bin: str) -> None:
    """Random defaults, subchart defaults, globals and -f files with nulls and type clashes."""
    rng = random.Random(seed)
    parent = {**_random_tree(rng, 0), "s": _random_tree(rng, 1), "global": _random_tree(rng, 1)}
    sub = {**_random_tree(rng, 0), "global": _random_tree(rng, 1)}
    chart_dir = write_chart(tmp_path, Spec("p", parent, [{"name": "s"}], [Spec("s", sub)]))
    files = [tmp_path / "u1.yaml", tmp_path / "u2.yaml"]
    files[0].write_text(yaml.safe_dump(_random_tree(rng, 0)))
    files[1].write_text(yaml.safe_dump({"s": {**_random_tree(rng, 0), "global": _random_tree(rng, 1)}}))
    expected = helm_values(helm_bin, chart_dir, "-f", str(files[0]), "-f", str(files[1]))
    user = ValueOptions(value_files=[str(f) for f in files]).merge()
    assert compute_values(load_chart(chart_dir), user, warn=None) == expected
