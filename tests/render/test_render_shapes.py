"""Templates of one shape (same tags, other text) share compiled code yet render as their own."""

from __future__ import annotations

import pytest

from pyhelm.errors import RenderError
from pyhelm.render import RenderOptions, render_chart
from pyhelm.render.renderer import render

BODY = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-NAME
  labels:
    {{ include('demo.labels', ctx) | indent(4) | trim }}
data:
  template: {{ Template.Name }}
  text: "TEXT"
{% raw %}  raw: {{ NAME }}{% endraw %}
"""
HELPERS = """\
{% macro labels(ctx) -%}
chart: {{ ctx.Chart.Name }}
{%- endmacro %}
"""


def _texts(result) -> dict[str, str]:
    return {m.source.rsplit("/", 1)[-1]: m.text for m in result.manifests}


def test_same_shape_templates_render_their_own_text_and_name(make_chart):
    texts = {"one": "first \\ 'quoted'", "two": "zwei – ü", "three": "\ufdd0 marker-like"}
    chart = make_chart(
        {
            "templates/_helpers.tpl": HELPERS,
            **{
                f"templates/{n}.yaml": BODY.replace("NAME", n).replace("TEXT", t)
                for n, t in texts.items()
            },
        }
    )
    got = _texts(render_chart(chart, {}, RenderOptions(release_name="rel")))
    for name, text in texts.items():
        assert f"name: rel-{name}\n" in got[f"{name}.yaml"]
        assert f"template: demo/templates/{name}.yaml\n" in got[f"{name}.yaml"]
        assert f'text: "{text}"\n' in got[f"{name}.yaml"]
        assert f"raw: {{{{ {name} }}}}" in got[f"{name}.yaml"]
        assert "labels:\n    chart: demo\n" in got[f"{name}.yaml"]


def test_windows_line_endings_in_same_shape_templates(make_chart):
    chart = make_chart(
        {
            "templates/a.yaml": "kind: A\r\nmetadata:\r\n  name: a-{{ Release.Name }}\r\n",
            "templates/b.yaml": "kind: B\r\nmetadata:\r\n  name: b-{{ Release.Name }}\r\n",
        }
    )
    got = _texts(render_chart(chart, {}, RenderOptions(release_name="r")))
    assert got == {
        "a.yaml": "kind: A\nmetadata:\n  name: a-r",
        "b.yaml": "kind: B\nmetadata:\n  name: b-r",
    }


def test_errors_in_same_shape_templates_name_each_template_and_line(make_chart):
    chart = make_chart(
        {
            "templates/a.yaml": "kind: A\nvalue: {{ Values.missing }}\n",
            "templates/b.yaml": "kind: B\nvalue: {{ Values.missing }}\n",
        }
    )
    errors: list[RenderError] = []
    render(chart, {}, RenderOptions(), errors)
    assert [str(e).splitlines()[0].split(": the mapping")[0] for e in errors] == [
        f"demo/templates/{n}.yaml:2:18: 'missing' is undefined" for n in ("a", "b")
    ]


def test_syntax_error_in_a_template_sharing_a_shape_names_that_template(make_chart):
    chart = make_chart(
        {
            "templates/a.yaml": "kind: A\n{% if Values.x %}\nx: 1\n{% endif %}\n",
            "templates/b.yaml": "kind: B\n{% if Values.x %}\nx: 1\n",
        },
        "x: true\n",
    )
    with pytest.raises(RenderError, match=r"^demo/templates/b.yaml:\d+:\d+: syntax error"):
        render_chart(chart, {}, RenderOptions())


def test_one_compile_per_shape(make_chart):
    from pyhelm.render.codecache import CodeCache
    from pyhelm.render.engine import RenderEnv
    from pyhelm.render.shapes import ShapeCompiler

    compiler = ShapeCompiler(RenderEnv(None, CodeCache(None, "test")).jinja)
    for name in ("a", "b", "c"):
        compiler.compile(f"name: {name}-{{{{ Release.Name }}}}\n", f"demo/templates/{name}.yaml")
    compiler.compile("other: {{ Release.Name }}{{ x }}\n", "demo/templates/d.yaml")
    assert len(compiler.shapes) == 2


def test_same_shape_templates_read_back_from_the_compiled_cache_keep_their_text(make_chart):
    chart = make_chart(
        {f"templates/{n}.yaml": f"kind: K\nmetadata:\n  name: {n}-{{{{ Release.Name }}}}\n"
         for n in ("a", "b", "c")}
    )  # fmt: skip
    cold = _texts(render_chart(chart, {}, RenderOptions(release_name="r")))
    warm = _texts(render_chart(chart, {}, RenderOptions(release_name="r")))
    assert cold == warm == {f"{n}.yaml": f"kind: K\nmetadata:\n  name: {n}-r" for n in "abc"}


def test_a_string_literal_spelling_a_marker_is_kept_as_written(make_chart):
    body = 'kind: K\nmetadata:\n  name: n{{ ("\\ufdd01\\ufdd1" ~ Release.Name) | length }}\n'
    chart = make_chart({"templates/a.yaml": body, "templates/b.yaml": body})
    got = _texts(render_chart(chart, {}, RenderOptions(release_name="r")))
    assert got["a.yaml"].endswith("name: n4") and got["b.yaml"].endswith("name: n4")
