"""Sandbox escapes and resource bombs must fail with a clear SandboxError/RenderError, never run."""

from __future__ import annotations

import pytest

from pyhelm.errors import ChartError, RenderError, SandboxError
from pyhelm.render import RenderOptions, render_chart

ESCAPES = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ Values.__class__ }}",
    "{{ Values.__init__.__globals__ }}",
    "{{ ().__class__.__bases__[0].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ joiner.__init__.__globals__['os'] }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ range.__self__ }}",
    "{{ Files.Get.__func__.__globals__ }}",
    "{{ Capabilities.APIVersions.Has.__globals__ }}",
    "{{ include.__globals__ }}",
    "{{ toYaml.__code__ }}",
    "{{ os.system('id') }}",
    "{{ open('/etc/passwd').read() }}",
    "{{ __import__('os') }}",
    "{{ self.__init__.__globals__ }}",
    "{{ '{0.__class__.__mro__}'.format(Values) }}",
    "{{ '%(a)s' | format(a=Values.__class__) }}",
    "{{ '%s' | format(Values.__class__) }}",
    "{{ Values.items.__self__.__class__ }}",
    "{% set x = Values.__class__ %}{{ x }}",
    "{{ [].pop.__self__.__class__ }}",
    "{{ (Values.l).__getitem__ }}",
    "{% import '../../../etc/passwd' as x %}",
    "{% include '/etc/passwd' %}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_sandbox_escape_is_refused_with_a_clear_error(render_one, payload):
    with pytest.raises(SandboxError) as info:
        render_one(payload + "\n", "l: [1]\n")
    message = str(info.value)
    assert message.startswith("demo/templates/t.yaml:1:")
    assert "sandbox" in message or "unsafe" in message or "leaves the chart" in message


@pytest.mark.parametrize(
    "payload",
    [
        "{{ 'a' * 100000000 }}",
        "{{ [1] * 100000000 }}",
        "{{ 9 ** 99999999 }}",
        "{{ range(100000000) | list | length }}",
    ],
)
def test_memory_and_cpu_bombs_are_refused(render_one, payload):
    with pytest.raises(RenderError):
        render_one(payload + "\n")


def test_repeat_is_bounded(render_one):
    with pytest.raises(RenderError, match="repeat"):
        render_one("{{ repeat(100000000, 'ab') }}\n")


ALIAS_BOMB = """\
a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def test_alias_bomb_in_fromyaml_is_refused(render_one):
    with pytest.raises(RenderError, match="alias"):
        render_one(
            "{{ fromYaml(Values.bomb) | length }}\n",
            "bomb: |\n" + "".join("  " + line + "\n" for line in ALIAS_BOMB.splitlines()),
        )


def test_alias_bomb_in_values_yaml_is_refused(make_chart):
    with pytest.raises(ChartError, match="alias"):
        make_chart({"templates/t.yaml": "a: 1\n"}, values=ALIAS_BOMB)


def test_rendering_does_not_leak_python_repr_of_internals(render_one):
    out = render_one("kind: T\nv: {{ Values.l }}\n", "l: [1, 2]\n")
    assert out == "kind: T\nv: [1, 2]"


def test_alias_bomb_rendered_by_a_template_is_bounded_when_parsed(make_chart):
    from pyhelm.chart.lint import manifest_findings

    body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n" + "".join(
        "  " + line + "\n" for line in ALIAS_BOMB.splitlines()
    )
    chart = make_chart({"templates/cm.yaml": body})
    (manifest,) = render_chart(chart, {}, RenderOptions()).manifests  # split without parsing: cheap
    (finding,) = manifest_findings(manifest.source, manifest.text)
    assert "alias bomb" in finding.message
