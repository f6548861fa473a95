"""The template language: Helm's objects and functions in sandboxed Jinja2."""

from __future__ import annotations

import pytest

from pyhelm.errors import ChartError, RenderError
from pyhelm.render import RenderOptions, render_chart


def test_values_key_wins_over_mapping_methods(render_one):
    values = "items: [a, b]\nkeys: k\nvalues: v\nget: g\nupdate: u\n"
    out = render_one(
        "a: {{ Values.items | join(',') }}\nb: {{ Values.keys }}\nc: {{ Values.values }}\n"
        "d: {{ Values.get }}\ne: {{ Values.update }}\n",
        values,
    )
    assert out == "a: a,b\nb: k\nc: v\nd: g\ne: u"


def test_mapping_methods_and_jinja_builtins_still_work_without_such_keys(render_one):
    out = render_one(
        "n: {{ Values.image.items() | list | length }}\n"
        "j: {{ Values.image | tojson }}\n"
        "s: {% for k, v in Values.image | dictsort %}{{ k }}={{ v }};{% endfor %}\n",
        "image: {tag: x, repo: r}\n",
    )
    assert out == 'n: 2\nj: {"repo": "r", "tag": "x"}\ns: repo=r;tag=x;'


def test_release_capabilities_and_chart_objects(render_one):
    out = render_one(
        "name: {{ Release.Name }}\nns: {{ Release.Namespace }}\ninstall: {{ Release.IsInstall }}\n"
        "upgrade: {{ Release.IsUpgrade }}\nrev: {{ Release.Revision }}\nsvc: {{ Release.Service }}\n"
        "kube: {{ Capabilities.KubeVersion }}\nminor: {{ Capabilities.KubeVersion.Minor }}\n"
        "apps: {{ Capabilities.APIVersions.Has('apps/v1') }}\nextra: {{ Capabilities.APIVersions.Has('x/v1') }}\n"
        "chart: {{ Chart.Name }}-{{ Chart.Version }}\nroot: {{ Chart.IsRoot }}\n"
        "tmpl: {{ Template.Name }} {{ Template.BasePath }}\n",
        release_name="web",
        namespace="shop",
        is_upgrade=True,
        revision=4,
        kube_version="v1.30.2",
        api_versions=("x/v1",),
    )
    assert out.splitlines() == [
        "name: web",
        "ns: shop",
        "install: false",
        "upgrade: true",
        "rev: 4",
        "svc: Helm",
        "kube: v1.30.2",
        "minor: 30",
        "apps: true",
        "extra: true",
        "chart: demo-0.1.0",
        "root: true",
        "tmpl: demo/templates/t.yaml demo/templates",
    ]


def test_files_object(make_chart):
    chart = make_chart(
        {
            "templates/cm.yaml": "kind: ConfigMap\ndata:\n  one: {{ Files.Get('conf/a.txt') | quote }}\n"
            "  lines: {{ Files.Lines('conf/a.txt') | length }}\n"
            "  missing: '{{ Files.Get('nope') }}'\n"
            "  {{ Files.Glob('conf/*').AsConfig() | indent(2) | trim }}\n"
            "sec:\n  {{ Files.Glob('conf/b.txt').AsSecrets() | indent(2) | trim }}\n",
            "conf/a.txt": "hello\nworld\n",
            "conf/b.txt": "b",
        }
    )
    text = render_chart(chart, {}, RenderOptions()).manifests[0].text
    assert text == (
        "kind: ConfigMap\ndata:\n  one: \"hello\\nworld\\n\"\n  lines: 2\n  missing: ''\n  a.txt: |\n    hello\n    world\n"
        "  b.txt: b\nsec:\n  b.txt: Yg=="
    )


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("Values.m | toYaml | nindent(2)", "\n  a: 1\n  b:\n  - x"),
        ("'a: [1, 2]' | fromYaml | toJson", '{"a":[1,2]}'),
        ("Values.m | toJson", '{"a":1,"b":["x"]}'),
        ("'{\"k\": 5}' | fromJson | toYaml | quote", '"k: 5"'),
        ("'x\\ny' | indent(2)", "  x\n  y"),
        ("indent(2, 'x')", "  x"),
        ("'x' | nindent(2)", "\n  x"),
        ("'a\"b' | quote", '"a\\"b"'),
        ("true | quote", '"true"'),
        ("'x' | squote", "'x'"),
        ("'hi' | b64enc", "aGk="),
        ("'aGk=' | b64dec", "hi"),
        ("'abc' | sha256sum", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("Values.empty | default('d')", "d"),
        ("Values.zero | default(5)", "5"),
        ("Values.nokey | default('d')", "d"),
        ("default('d', 'v')", "v"),
    ("Values.empty | default('d', true)", "d"),
    ("Values.nokey | d('x')", "x"),
        ("empty(Values.empty)", "true"),
        ("coalesce(Values.empty, Values.zero, 'c')", "c"),
        ("true | ternary('yes', 'no')", "yes"),
        ("ternary('yes', 'no', false)", "no"),
        ("'abcdef' | trunc(3)", "abc"),
        ("'abcdef' | trunc(-2)", "ef"),
        ("'name-' | trimSuffix('-')", "name"),
        ("'v1.2' | trimPrefix('v')", "1.2"),
        ("'Ab' | upper", "AB"),
        ("'Ab' | lower", "ab"),
        ("'hello world' | title", "Hello World"),
        ("'a.b' | replace('.', '-')", "a-b"),
        ("regexMatch('^v[0-9]+$', 'v12')", "true"),
        ("'v12' | regexMatch('^v[0-9]+$')", "true"),
        ("regexReplaceAll('a(x*)b', '-axxb-', '${1}W')", "-xxW-"),
        ("semverCompare('>=1.20.0-0', 'v1.35.0')", "true"),
        ("semverCompare('<1.20', '1.35.0')", "false"),
        ("randAlphaNum(12) | length", "12"),
        ("uuidv4() | length", "36"),
        ("date('2006-01-02', 0)", "1970-01-01"),
        ("Values.big", "12345678901234567890"),
        ("Values.million", "1000000"),
        ("Values.m | toYaml | length > 0", "true"),
        ("list(1, 2) | has(2)", "true"),
        ("hasKey(dict(a=1), 'a')", "true"),
        ("lookup('v1', 'Secret', 'default', 'x') | length", "0"),
        ("none", ""),
    ],
)
def test_functions(render_one, expr, expected):
    values = "m: {a: 1, b: [x]}\nempty: ''\nzero: 0\nbig: 12345678901234567890\nmillion: 1000000\n"
    assert render_one(
        "kind: T\nv: {{ " + expr + " }}\n", values
    ) == f"kind: T\nv: {expected}".rstrip(" ")


def test_large_integers_stay_integers_through_to_yaml(render_one):
    out = render_one(
        "kind: T\nv:{{ Values | toYaml | nindent(2) }}\n",
        "count: 1000000\nbig: 12345678901234567890\n",
    )
    assert out == "kind: T\nv:\n  big: 12345678901234567890\n  count: 1000000"


def test_include_of_named_helper_with_chart_prefix_and_bare_name(make_chart):
    chart = make_chart(
        {
            "templates/_helpers.tpl": "{% macro fullname(ctx) -%}{{ ctx.Release.Name }}-{{ ctx.Chart.Name }}"
            "{%- endmacro %}\n{% macro service_name(ctx) %}svc{% endmacro %}\n",
            "templates/cm.yaml": "a: {{ include('demo.fullname', ctx) }}\nb: {{ include('fullname', ctx) }}\n"
            "c: {{ include('demo.service-name', ctx) }}\n"
            "d: {{ include('demo.fullname', ctx) | upper }}\n",
        }
    )
    text = render_chart(chart, {}, RenderOptions(release_name="web")).manifests[0].text
    assert text == "a: web-demo\nb: web-demo\nc: svc\nd: WEB-DEMO"


def test_include_passes_arguments_as_a_jinja2_macro_call_does(make_chart):
    """Missing arguments take their defaults, keywords and extra arguments reach the macro,
    and an include inside a loop sees the loop's variables."""
    chart = make_chart(
        {
            "templates/_helpers.tpl": "{% macro pair(a, b='B') %}{{ a }}/{{ b }}{% endmacro %}\n"
            "{% macro rest(a) %}{{ a }}+{{ varargs | join(',') }}{% endmacro %}\n"
            "{% macro named(a) %}{{ a }}:{{ kwargs | dictsort | join(',') }}{% endmacro %}\n",
            "templates/cm.yaml": "a: {{ include('pair', 1) }}\nb: {{ include('pair', 1, 2) }}\n"
            "c: {{ include('pair', b=3, a=4) }}\nd: {{ include('rest', 1, 2, 3) }}\n"
            "e: {{ include('named', 1, x=2) }}\n"
            "f: {% for i in [1, 2] %}{{ include('pair', i, i * 10) }};{% endfor %}\n",
        }
    )
    text = render_chart(chart, {}, RenderOptions(release_name="web")).manifests[0].text
    assert text == "a: 1/B\nb: 1/2\nc: 4/3\nd: 1+2,3\ne: 1:('x', 2)\nf: 1/10;2/20;"


def test_helpers_importable_and_see_the_charts_objects(make_chart):
    chart = make_chart(
        {
            "templates/_lib.tpl": "{% macro label() %}app: {{ Values.app }}{% endmacro %}",
            "templates/cm.yaml": "{% import '_lib.tpl' as lib %}\n{{ lib.label() }}\n",
        },
        values="app: shop\n",
    )
    assert render_chart(chart, {}, RenderOptions()).manifests[0].text == "app: shop"


def test_helpers_and_partials_are_not_manifests(make_chart):
    chart = make_chart(
        {
            "templates/_helpers.tpl": "kind: Nope\n",
            "templates/_part.yaml": "kind: Nope\n",
            "templates/cm.yaml": "kind: ConfigMap\n",
        }
    )
    assert [m.kind for m in render_chart(chart, {}, RenderOptions()).manifests] == ["ConfigMap"]


def test_unknown_named_template_says_how_to_define_it(render_one):
    with pytest.raises(
        RenderError, match=r"t.yaml:1:.*no named template 'demo.nope'.*macro nope\(ctx\)"
    ):
        render_one("a: {{ include('demo.nope', ctx) }}\n")


def test_tpl_renders_values_as_templates(render_one):
    out = render_one(
        "a: {{ tpl(Values.t, ctx) }}\n",
        "t: '{{ Release.Name }}-{{ Values.x }}'\nx: 1\n",
        release_name="r",
    )
    assert out == "a: r-1"


def test_required_and_fail_name_file_and_line(render_one):
    with pytest.raises(RenderError) as info:
        render_one("a: 1\nb: {{ Values.x | required('x is required!') }}\n")
    assert (
        str(info.value).splitlines()[0]
        == "demo/templates/t.yaml:2:4: execution error: x is required!"
    )
    with pytest.raises(RenderError, match="t.yaml:1:.*execution error: boom"):
        render_one("{{ fail('boom') }}")


def test_undefined_value_error_shows_line_and_caret(render_one):
    with pytest.raises(RenderError) as info:
        render_one("a: 1\nimage: {{ Values.image.tagg }}\n", "image: {tag: x}\n")
    assert str(info.value).splitlines() == [
        "demo/templates/t.yaml:2:24: 'tagg' is undefined: the mapping has no such key "
        "(for an optional value use `| default(...)`, or test `is defined`)",
        "    2 | image: {{ Values.image.tagg }}",
        "      |                        ^",
    ]


def test_syntax_error_names_file_and_line(render_one):
    with pytest.raises(RenderError, match=r"^demo/templates/t.yaml:3:\d+: syntax error: .*endfor"):
        render_one("a: 1\n{% for x in Values.l %}\nb: {{ x }}\n", "l: [1]\n")


def test_error_in_helper_names_helper_line_and_the_including_template(make_chart):
    chart = make_chart(
        {
            "templates/_helpers.tpl": "{% macro name(ctx) %}\n{{ ctx.Values.missing }}\n{% endmacro %}\n",
            "templates/cm.yaml": "a: 1\nb: {{ include('demo.name', ctx) }}\n",
        }
    )
    with pytest.raises(RenderError) as info:
        render_chart(chart, {}, RenderOptions())
    lines = str(info.value).splitlines()
    assert lines[0].startswith("demo/templates/_helpers.tpl:2:")
    assert lines[-1] == "  included from demo/templates/cm.yaml:2"


def test_include_recursion_is_bounded(make_chart):
    chart = make_chart(
        {
            "templates/_helpers.tpl": "{% macro loop(ctx) %}{{ include('demo.loop', ctx) }}{% endmacro %}\n",
            "templates/cm.yaml": "a: {{ include('demo.loop', ctx) }}\n",
        }
    )
    with pytest.raises(RenderError, match="nested more than 64 levels"):
        render_chart(chart, {}, RenderOptions())


def test_tpl_recursion_is_bounded(render_one):
    with pytest.raises(RenderError, match="nested more than 64 levels|recursion"):
        render_one("a: {{ tpl(Values.t, ctx) }}\n", "t: '{{ tpl(Values.t, ctx) }}'\n")


def test_lookup_uses_the_given_function(render_one):
    def lookup(api_version, kind, namespace, name):
        return {"data": {"k": f"{kind}/{namespace}/{name}"}}

    out = render_one("a: {{ lookup('v1', 'Secret', 'ns', 's').data.k }}\n", lookup=lookup)
    assert out == "a: Secret/ns/s"


def test_booleans_and_null_print_as_helm_does(render_one):
    assert (
        render_one(
            "a: {{ Values.t }}\nb: {{ Values.f }}\nc: {{ Values.n }}\n",
            "t: true\nf: false\nn: null\n",
        )
        == "a: true\nb: false\nc:"
    )


def test_library_chart_is_not_installable(make_chart):
    chart = make_chart({}, chart_yaml="apiVersion: v2\nname: demo\nversion: 0.1.0\ntype: library\n")
    with pytest.raises(ChartError, match="library charts are not installable"):
        render_chart(chart, {}, RenderOptions())


def test_notes_are_rendered_apart_from_manifests(make_chart):
    chart = make_chart(
        {"templates/NOTES.txt": "Hello {{ Release.Name }}\n", "templates/cm.yaml": "kind: A\n"}
    )
    result = render_chart(chart, {}, RenderOptions(release_name="web"))
    assert result.notes == "Hello web\n"
    assert [m.source for m in result.manifests] == ["demo/templates/cm.yaml"]


def test_compiled_templates_are_cached_on_disk(make_chart, isolated_env):
    chart = make_chart({"templates/cm.yaml": "kind: ConfigMap\n"})
    render_chart(chart, {}, RenderOptions())
    cached = list((isolated_env / "cache").rglob("*.cache"))
    assert cached, "a compiled template should be stored under PYHELM_CACHE_HOME"
    assert render_chart(chart, {}, RenderOptions()).manifests[0].kind == "ConfigMap"


def test_error_in_a_subchart_names_the_subchart_path(make_chart):
    chart = make_chart(
        {
            "templates/cm.yaml": "kind: ConfigMap\n",
            "charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 0.1.0\n",
            "charts/db/templates/_helpers.tpl": "{% macro name(ctx) %}db-{{ ctx.Values.nope }}{% endmacro %}\n",
            "charts/db/templates/svc.yaml": "kind: Service\nmetadata:\n  name: {{ include('name', ctx) }}\n",
        }
    )
    with pytest.raises(RenderError) as info:
        render_chart(chart, {}, RenderOptions())
    lines = str(info.value).splitlines()
    assert lines[0].startswith("demo/charts/db/templates/_helpers.tpl:1:")
    assert lines[-1] == "  included from demo/charts/db/templates/svc.yaml:3"


def test_subchart_sees_its_own_helpers_and_parent_can_call_them_by_prefix(make_chart):
    chart = make_chart(
        {
            "templates/_helpers.tpl": "{% macro name(ctx) %}parent{% endmacro %}",
            "templates/cm.yaml": "kind: ConfigMap\nmetadata:\n  name: {{ include('name', ctx) }}-{{ include('db.name', ctx) }}\n",
            "charts/db/Chart.yaml": "apiVersion: v2\nname: db\nversion: 0.1.0\n",
            "charts/db/templates/_helpers.tpl": "{% macro name(ctx) %}sub{% endmacro %}",
            "charts/db/templates/svc.yaml": "kind: Service\nmetadata:\n  name: {{ include('name', ctx) }}\n",
        }
    )
    result = render_chart(chart, {}, RenderOptions())
    assert sorted((m.source, m.name) for m in result.manifests) == [
        ("demo/charts/db/templates/svc.yaml", "sub"),
        ("demo/templates/cm.yaml", "parent-sub"),
    ]


def test_an_edited_template_is_recompiled_not_served_from_the_cache(make_chart):
    from pathlib import Path

    from pyhelm.chart.loader import load_chart

    chart = make_chart({"templates/cm.yaml": "kind: ConfigMap\nv: one\n"})
    assert render_chart(chart, {}, RenderOptions()).manifests[0].text.endswith("v: one")
    folder = Path(chart.source)
    (folder / "templates" / "cm.yaml").write_text("kind: ConfigMap\nv: two\n")
    assert render_chart(load_chart(folder), {}, RenderOptions()).manifests[0].text.endswith("v: two")


def test_a_corrupt_cache_file_only_costs_a_compile(make_chart, isolated_env):
    chart = make_chart({"templates/cm.yaml": "kind: ConfigMap\n"})
    render_chart(chart, {}, RenderOptions())
    for cached in (isolated_env / "cache").rglob("*.cache"):
        cached.write_bytes(b"\x00garbage")
    assert render_chart(chart, {}, RenderOptions()).manifests[0].kind == "ConfigMap"


def test_a_failing_lookup_is_reported_at_the_template_line(render_one):
    from pyhelm.errors import ClusterUnreachable

    def lookup(api_version, kind, namespace, name):
        raise ClusterUnreachable("cluster unreachable: connection refused")

    with pytest.raises(RenderError, match=r"t.yaml:2:\d+: cluster unreachable: connection refused"):
        render_one("kind: T\nv: {{ lookup('v1', 'Secret', 'ns', 's') }}\n", lookup=lookup)


def test_ctx_template_name_in_a_helper_is_the_including_templates(make_chart):
    chart = make_chart({
        "templates/_helpers.tpl": "{% macro who(ctx) %}{{ ctx.Template.Name }}{% endmacro %}",
        "templates/cm.yaml": "kind: ConfigMap\nby: {{ include('who', ctx) }}\n",
    })
    text = render_chart(chart, {}, RenderOptions()).manifests[0].text
    assert text == "kind: ConfigMap\nby: demo/templates/cm.yaml"


@pytest.mark.parametrize(("pattern", "expected"), [
    ("conf/*", ["conf/a.txt", "conf/b.ini"]),
    ("conf/**", ["conf/a.txt", "conf/b.ini", "conf/deep/c.txt"]),
    ("**.txt", ["conf/a.txt", "conf/deep/c.txt", "top.txt"]),
    ("conf/*.{txt,ini}", ["conf/a.txt", "conf/b.ini"]),
    ("conf/[ab].*", ["conf/a.txt", "conf/b.ini"]),
    ("conf/[a-b].txt", ["conf/a.txt"]),
    ("conf/[!a].*", ["conf/b.ini"]),
    ("conf/?.txt", ["conf/a.txt"]),
    ("*.txt", ["top.txt"]),
])
def test_files_glob_follows_helms_glob(pattern, expected):
    from pyhelm.render.objects import Files

    files = Files({p: b"" for p in ("conf/a.txt", "conf/b.ini", "conf/deep/c.txt", "top.txt")})
    assert sorted(files.Glob(pattern)) == expected
