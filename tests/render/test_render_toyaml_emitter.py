"""toYaml's fast writer (yamlemit) writes exactly PyYAML's text for the trees it takes, and
declines the rest."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from pyhelm.chart.create import create_chart
from pyhelm.chart.loader import load_chart
from pyhelm.render import RenderOptions, render_chart, yamlemit
from pyhelm.render.functions import pyyaml_to_yaml, to_yaml

EDGE_STRINGS = [
    "y", "Y", "n", "N", "yes", "Yes", "YES", "yEs", "no", "NO", "on", "On", "ON", "off", "Off",
    "true", "True", "TRUE", "tRue", "false", "FALSE", "null", "Null", "NULL", "nUll", "~",
    "1", "0", "80", "-1", "+1", "0x1f", "0b101", "0o17", "017", "1_000", "1:30", "190:20:30",
    "1.5", "1e3", "1.0e+3", "2020-01-01", "2001-12-14t21:59:43.10-05:00", ".inf", "-.Inf", ".nan",
    "-a", "- a", "-", "--", "---", "---a", "...", "...a", "a: b", "a:", "a:b", ":a", "a #b", "a#b",
    "#a", " lead", "trail ", "", " ", "a b", "a  b", "a\tb", "a/b", "/", "/a/b", "//", "é", "aé",
    "x\ny", "x\n", "\ny", "@a", "`a", "!a", "&a", "*a", "%a", "a,b", ",a", "[a", "a[", "{a", "a}",
    "]a", "}a", "?a", "? a", "a?", "|a", "a|", ">a", "'a", '"a', "a'b", 'a"b', "=", "==", "<<", "<a",
    "a\\b", "\\", "\x00", "\x7f", "a\x85b", "\u2028", "\ufeffa", "_a", "_", "__", ".a", "a.", "a..b",
    "1Gi", "128Mi", "100m", "0m", "0b", "0x", "1e", "12e3", "1E3", "1_a", "a" * 127, "a" * 128,
    "a" * 129, "b" * 300, "a-" * 200, "/" + "x" * 1000,
]  # fmt: skip
PLAIN_WORDS = ["a", "nginx", "IfNotPresent", "ClusterIP", "http", "app.kubernetes.io/name", "image",
               "chart-example.local", "cpu", "memory", "port", "path", "Always", "x_y", "k8s"]
PLAIN_SCALARS = [None, True, False, 0, 1, -1, 80, 10**20, -(10**30)]
OTHER_SCALARS = [1.5, 0.0, float("inf"), b"bytes", 2.0]

#: name -> (strings, scalars, share of trees the writer must answer, share it must answer
#: with more than one line)
POOLS = {
    "plain": (PLAIN_WORDS, PLAIN_SCALARS, 0.99, 0.2),
    "mixed": (PLAIN_WORDS * 20 + EDGE_STRINGS, PLAIN_SCALARS * 5 + OTHER_SCALARS, 0.4, 0.04),
    "edge": (PLAIN_WORDS + EDGE_STRINGS, PLAIN_SCALARS + OTHER_SCALARS, 0.25, 0.003),
}


def _random_tree(rng: random.Random, strings: list[str], scalars: list[object], depth: int = 0) -> object:
    roll = rng.random()
    if depth < 4 and roll < 0.3:
        return {rng.choice(strings): _random_tree(rng, strings, scalars, depth + 1)
                for _ in range(rng.randrange(0, 5))}
    if depth < 4 and roll < 0.5:
        items = [_random_tree(rng, strings, scalars, depth + 1) for _ in range(rng.randrange(0, 4))]
        return tuple(items) if rng.random() < 0.1 else items
    if roll < 0.75:
        return rng.choice(strings)
    return rng.choice(scalars)


@pytest.mark.parametrize("pool", POOLS)
def test_wherever_the_emitter_answers_it_writes_pyyamls_text(pool):
    strings, scalars, share, multiline_share = POOLS[pool]
    rng = random.Random(f"toyaml-{pool}")
    answered = multiline = 0
    trees = 2000
    for _ in range(trees):
        tree = _random_tree(rng, strings, scalars)
        text = yamlemit.emit(tree)
        if text is not None:
            answered += 1
            multiline += "\n" in text
            assert text == pyyaml_to_yaml(tree), tree
    # The writer must take a good share of them, or the comparison proves nothing.
    assert answered > trees * share
    assert multiline > trees * multiline_share


@pytest.mark.parametrize("text", EDGE_STRINGS)
def test_every_edge_string_as_key_value_and_item_is_written_as_pyyaml_does(text):
    for tree in (text, {text: 1}, {"k": text}, [text], [{"k": [text]}]):
        answer = yamlemit.emit(tree)
        assert answer is None or answer == pyyaml_to_yaml(tree)


@pytest.mark.parametrize(("tree", "expected"), [
    ({"b": 1, "a": {"z": True, "x": None}}, "a:\n  x: null\n  z: true\nb: 1"),
    ({"a": [1, 2]}, "a:\n- 1\n- 2"),
    ([{"a": 1, "b": 2}], "- a: 1\n  b: 2"),
    ([[1, 2], []], "- - 1\n  - 2\n- []"),
    ({"a": [{"b": [1]}], "c": {}}, "a:\n- b:\n  - 1\nc: {}"),
    ({}, "{}"), ([], "[]"), (None, "null"), (False, "false"), (-7, "-7"), ("/", "/"),
    ({"limits": {"cpu": "100m", "memory": "128Mi"}}, "limits:\n  cpu: 100m\n  memory: 128Mi"),
])  # fmt: skip
def test_plain_trees_are_written_in_block_style_like_pyyaml(tree, expected):
    assert yamlemit.emit(tree) == expected == pyyaml_to_yaml(tree)


@pytest.mark.parametrize("tree", [
    "on", {"y": 1}, {"a": "1"}, {"a": 1.5}, {1: "a"}, {"a": "x\ny"}, ["é"], {"a": b"x"}, {"a": "a b"},
    {"k" * 129: 1}, {"a": object()},
])  # fmt: skip
def test_anything_not_certainly_plain_goes_to_pyyaml(tree):
    assert yamlemit.emit(tree) is None


def test_to_yaml_falls_back_to_pyyaml_for_what_the_emitter_declines():
    assert to_yaml({"a": "on", "b": 1.5, "c": "x\ny"}) == "a: 'on'\nb: 1.5\nc: |-\n  x\n  y"


SCAFFOLD_VALUES = {
    "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}, "requests": {"cpu": 1}},
    "podAnnotations": {"team": "web", "replicas": "2"},
    "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "on", "effect": "NoSchedule"}],
    "nodeSelector": {"disktype": "ssd"},
    "imagePullSecrets": [{"name": "regcred"}],
    "ingress": {"enabled": True, "annotations": {"a": "b"}, "tls": [{"hosts": ["x.example"]}]},
}


@pytest.mark.parametrize("values", [{}, SCAFFOLD_VALUES], ids=["defaults", "filled"])
def test_the_scaffold_chart_renders_the_same_with_and_without_the_emitter(tmp_path, monkeypatch, values):
    chart = load_chart(create_chart(tmp_path / "mychart"))

    def render() -> str:
        result = render_chart(chart, values, RenderOptions())
        return "\n---\n".join(m.text for m in [*result.manifests, *result.hooks])

    fast = render()
    monkeypatch.setattr(yamlemit, "emit", lambda value: None)
    assert render() == fast
    assert "memory: 128Mi" in fast or not values


def test_templating_the_scaffold_chart_does_not_import_pyyaml(tmp_path):
    create_chart(tmp_path / "mychart")
    code = ("import sys; from pyhelm.cli.main import main; main(['template', 'r', sys.argv[1]]); "
            "print('yaml' in sys.modules, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "mychart")],
                         capture_output=True, text=True, check=False, cwd=Path(__file__).parents[2])
    assert "kind: Deployment" in run.stdout
    assert run.stderr.strip().splitlines()[-1] == "False"
