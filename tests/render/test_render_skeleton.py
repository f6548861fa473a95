"""The regex skeleton of a template cuts its text exactly as Jinja2's lexer does, or declines."""

from __future__ import annotations

import random

import pytest

from pyhelm.render import skeleton
from pyhelm.render.codecache import CodeCache
from pyhelm.render.engine import RenderEnv

TAGS = [
    "{{ x }}", "{{- x }}", "{{ x -}}", "{{+ x }}", "{{ f('a', [1]) }}",
    "{% if x %}", "{%- if x %}", "{% if x -%}", "{%+ if x %}", "{% if x +%}", "{%- endif -%}",
    "{# note #}", "{#- note -#}", "{# note +#}",
    "{{ '}}' }}", "{% set a = '%}' %}", "{{ {'a': 1} }}", "{% raw %}{{ x }}{% endraw %}",
    "{{ \"it's\" }}", "{{ a % 2 }}",
]  # fmt: skip
TEXTS = [
    "", " ", "  ", "\n", "\n\n", "\t", "\n  ", " \n\t",
    "a", "a b", " a ", "\n  a\n", "a\n  ", "a\n", "\n a",
]  # fmt: skip


def _lexed_texts(source: str) -> list[str]:
    lexer = RenderEnv(None, CodeCache(None, "t")).jinja.lexer
    return [value for _, kind, value in lexer.tokeniter(source, "t") if kind == "data"]


def _random_template(rng: random.Random) -> str:
    return "".join(rng.choice(TEXTS) + rng.choice(TAGS) for _ in range(rng.randint(0, 5))) + (
        rng.choice(TEXTS)
    )


@pytest.mark.parametrize("seed", range(40))
def test_split_agrees_with_the_lexer_or_declines(seed):
    rng = random.Random(seed)
    for _ in range(50):
        source = _random_template(rng)
        cut = skeleton.split(source)
        if cut is not None:
            assert cut[1] == _lexed_texts(source), source


def test_templates_with_one_skeleton_lex_alike_but_for_their_text():
    lexer = RenderEnv(None, CodeCache(None, "t")).jinja.lexer

    def shape(source: str) -> list[tuple[int, str, str]]:
        return [(n, k, "" if k == "data" else v) for n, k, v in lexer.tokeniter(source, "t")]

    rng = random.Random(7)
    seen: dict[str, list[tuple[int, str, str]]] = {}
    for _ in range(3000):
        source = _random_template(rng).replace("a", rng.choice(["a", "bc", "d e", "f\ng"]))
        cut = skeleton.split(source)
        if cut is not None:
            assert seen.setdefault(cut[0], shape(source)) == shape(source), source


@pytest.mark.parametrize(
    "source",
    ["{{ '}}' }}", "{% raw %}{{ x }}{% endraw %}", "a\r\n{{ x }}", "{{ {'a': 1} }}", "{{ a % 2 }}"],
)
def test_declines_what_one_regex_cannot_cut_safely(source):
    assert skeleton.split(source) is None
