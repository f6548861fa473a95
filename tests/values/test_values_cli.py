"""End to end: the values flags of the real ``pyhelm template`` command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from values_helpers import Spec, write_chart

DUMP = "{{ Values | tojson }}\n"


def make_chart(tmp_path: Path, values: dict[str, Any], schema: dict[str, Any] | None = None) -> Path:
    root = write_chart(tmp_path / "src", Spec("web", values, schema=schema))
    (root / "templates" / "values.yaml").write_text(DUMP)
    return root


def rendered_values(stdout: str) -> dict[str, Any]:
    body = stdout.split("# Source: web/templates/values.yaml\n", 1)[1]
    return json.loads(body.split("\n---", 1)[0])


def test_files_and_set_flags_reach_the_templates(pyhelm, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"image": {"repo": "nginx", "tag": "1.0"}, "replicas": 1, "ports": [80]})
    (tmp_path / "prod.yaml").write_text("replicas: 3\nimage: {tag: '1.19'}\n---\nreplicas: 5\n")
    (tmp_path / "motd.txt").write_text("hello\n")
    done = pyhelm("template", "web", str(chart), "-f", "prod.yaml", "--set", "image.tag=1.20.1,ports[1]=443",
                  "--set-string", "build=007", "--set-file", "motd=motd.txt", "--set-json", 'extra={"a":[1]}',
                  "--set-literal", "note=a,b\\,c", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert rendered_values(done.stdout) == {
        # --set builds a new list, which replaces the default one (as in Helm)
        "image": {"repo": "nginx", "tag": "1.20.1"}, "replicas": 5, "ports": [None, 443], "build": "007",
        "motd": "hello\n", "extra": {"a": [1]}, "note": "a,b\\,c"}


def test_values_from_stdin(pyhelm, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"a": 1})
    done = pyhelm("template", "web", str(chart), "-f", "-", input="a: 2\nbig: 1000000\n")
    assert done.returncode == 0, done.stderr
    assert rendered_values(done.stdout) == {"a": 2, "big": 1000000}
    assert '"big": 1000000' in done.stdout


def test_bad_set_argument_is_one_error_line(pyhelm, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {})
    done = pyhelm("template", "web", str(chart), "--set", "ports[x]=1")
    assert done.returncode != 0
    assert done.stderr == "Error: invalid --set 'ports[x]=1': list index 'x' of 'ports' is not a number\n"


def test_missing_values_file(pyhelm, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {})
    done = pyhelm("template", "web", str(chart), "-f", "prod.yaml")
    assert done.returncode != 0
    assert done.stderr == "Error: values file 'prod.yaml' (-f) not found; check the path\n"


def test_yaml_error_in_a_values_file_names_file_and_line(pyhelm, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {})
    (tmp_path / "bad.yaml").write_text("a: 1\nb:\n  - [1\n")
    done = pyhelm("template", "web", str(chart), "-f", "bad.yaml", cwd=tmp_path)
    assert done.returncode != 0
    assert done.stderr.startswith("Error: bad.yaml:4:1: invalid YAML: ")
    assert "Traceback" not in done.stderr


def test_alias_bomb_in_a_values_file_is_refused(pyhelm, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {})
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    done = pyhelm("template", "web", str(chart), "-f", "bomb.yaml", cwd=tmp_path, timeout=30)
    assert done.returncode != 0
    assert "Error: bomb.yaml: invalid YAML: its aliases (*name) would expand it by" in done.stderr


def test_schema_violations_are_all_listed(pyhelm, tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {
        "replicas": {"type": "integer", "minimum": 0},
        "ports": {"type": "array", "items": {"type": "integer"}}}}
    chart = make_chart(tmp_path, {"replicas": 1, "ports": [80]}, schema)
    done = pyhelm("template", "web", str(chart), "--set", "replicas=-1,ports[2]=x")
    assert done.returncode != 0
    assert done.stderr == (
        "Error: values don't meet the schema of chart web: ports[0]: null is not of type 'integer'; "
        "ports[1]: null is not of type 'integer'; "
        "ports[2]: 'x' is not of type 'integer'; replicas: -1 is less than the minimum of 0\n")


def test_map_over_a_scalar_default_warns_and_renders(pyhelm, tmp_path: Path) -> None:
    chart = make_chart(tmp_path, {"dump": 5})
    done = pyhelm("template", "web", str(chart), "--set", "dump.keep=1")
    assert done.returncode == 0, done.stderr
    assert rendered_values(done.stdout) == {"dump": {"keep": 1}}
    assert "warning: skipped value for web.dump: Not a table" in done.stderr
