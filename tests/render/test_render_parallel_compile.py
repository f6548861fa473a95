"""A cold render of a chart of many different templates compiles them on two cores: same output
as a warm or serial render, the same errors, and nothing left running, whatever the child does."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from pyhelm.errors import RenderError
from pyhelm.render import RenderOptions, parallel, render_chart

#: Distinct templates: each has a tag of its own, so each is a shape of its own.
COUNT = 2 * parallel.FORK_MIN_SHAPES + 3
HELPERS = """\
{% macro labels(ctx) -%}
chart: {{ ctx.Chart.Name }}
{%- endmacro %}
"""
BODY = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{{{ Release.Name }}}}-cm{i}
  labels:
    {{{{ include('demo.labels', ctx) | indent(4) | trim }}}}
data:
  sum: "{{{{ Values.base + {i} }}}}"
{{% if Values.base > {i} %}}
  small: "yes"
{{% endif %}}
"""
NOTES = "Release {{ Release.Name }} has {{ Values.base }}.\n"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="compiles in parallel by forking")


def _files(broken: int | None = None) -> dict[str, str]:
    files = {"templates/_helpers.tpl": HELPERS, "templates/NOTES.txt": NOTES}
    for i in range(COUNT):
        files[f"templates/cm{i:02d}.yaml"] = BODY.format(i=i)
    if broken is not None:
        files[f"templates/cm{broken:02d}.yaml"] += "{% if Values.base %}\nnever closed\n"
    return files


def _output(chart) -> str:
    result = render_chart(chart, {}, RenderOptions(release_name="rel"))
    return "".join(f"{m.source}\n{m.text}" for m in result.manifests) + result.notes


def _children() -> list[int]:
    """Processes whose parent is this one (running or zombie)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                found.append(int(entry.name))
    return found


@pytest.fixture
def chart(make_chart):
    return make_chart(_files(), values="base: 5\n")


def test_cold_render_equals_warm_and_serial_render(chart, monkeypatch):
    cold = _output(chart)
    warm = _output(chart)
    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    monkeypatch.setattr(parallel, "FORK_MIN_SHAPES", 10**9)
    serial = _output(chart)
    assert cold == warm == serial
    assert 'sum: "12"' in cold and "Release rel has 5." in cold
    assert _children() == []


@pytest.fixture
def forks(monkeypatch) -> list[int]:
    """The ids of the children the render forks (``os.fork`` still forks)."""
    pids: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    return pids


def test_cold_render_forks_one_child_and_reaps_it(chart, forks):
    _output(chart)
    assert len(forks) == 1
    assert _children() == []
    _output(chart)  # warm: nothing to compile, no fork
    assert len(forks) == 1


def test_syntax_error_in_one_of_many_templates_names_its_file_and_line(make_chart, monkeypatch):
    chart = make_chart(_files(broken=7), values="base: 5\n")
    with pytest.raises(RenderError) as cold:
        _output(chart)
    assert _children() == []
    monkeypatch.setattr(parallel, "FORK_MIN_SHAPES", 10**9)
    with pytest.raises(RenderError) as serial:
        _output(chart)
    assert str(cold.value) == str(serial.value)
    assert str(cold.value).startswith("demo/templates/cm07.yaml:13:1: syntax error")


def _fails_to_send(fd: int, payload: bytes) -> None:
    raise OSError("FakeBrokenPipe: the child cannot send")


def _sends_half(fd: int, payload: bytes) -> None:
    os.write(fd, payload[: len(payload) // 2])


def _dies(fd: int, payload: bytes) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("child_send", [_fails_to_send, _sends_half, _dies])
def test_a_failing_child_costs_only_speed(chart, monkeypatch, forks, child_send):
    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    monkeypatch.setattr(parallel, "send_to_parent", child_send)
    got = _output(chart)
    assert len(forks) == 1
    monkeypatch.setattr(parallel, "FORK_MIN_SHAPES", 10**9)
    serial = _output(chart)
    assert got == serial
    assert _children() == []


def test_a_render_that_cannot_fork_compiles_serially(chart, monkeypatch):
    def fake_failing_fork() -> int:
        raise BlockingIOError("FakeForkFailure: Resource temporarily unavailable")

    expected = _output(chart)
    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    monkeypatch.setattr(os, "fork", fake_failing_fork)
    assert _output(chart) == expected


def test_a_process_ignoring_sigchld_still_renders(chart, monkeypatch):
    expected = _output(chart)
    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
    try:
        assert _output(chart) == expected
    finally:
        signal.signal(signal.SIGCHLD, previous)
    assert _children() == []
