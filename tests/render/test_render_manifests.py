"""Splitting rendered files into manifests, reading their heads without a parse, Helm's order, hooks."""

from __future__ import annotations

import pytest

from pyhelm import yamlio
from pyhelm.render import RenderOptions, render_chart
from pyhelm.render.manifests import _parse, _scan, manifests_of, split_documents


def test_split_drops_empty_documents_and_keeps_order():
    text = "---\na: 1\n---\n\n---   \nb: 2\n--- # c\nc: 3\n"
    assert split_documents(text) == ["a: 1", "b: 2", "c: 3"]


def test_separator_inside_a_line_is_not_a_separator():
    assert split_documents("a: x---y\nb: '---'\n") == ["a: x---y\nb: '---'"]


HEADS = [
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\n",
    "kind: Pod # comment\napiVersion: v1\nmetadata:\n  labels:\n    name: wrong\n  name: right\n",
    'apiVersion: "v1"\nkind: \'Secret\'\nmetadata:\n    name: "s"\n',
    'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations:\n    "helm.sh/hook": pre-install,post-upgrade\n'
    '    helm.sh/hook-weight: "-5"\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n'
    "    other: |\n      helm.sh/hook: nope\nspec: {}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: flow}\n",
    '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "json"}}',
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n anchored\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations: {a: b}\n  name: x\n",
    "# only a comment",
    "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  metadata:\n    name: inner\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    name: label\n  name: svc\n  namespace: ns\nspec: {}\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n    labels:\n      name: label\n    name: four\nspec: {}\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: first\nkind: Endpoints\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: quoted # comment\n",
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: 'quoted'\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\ndata:\n  k: v\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\n  labels:\n    x: y\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {}\nmetadata:\n  name: b\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n# note\n  namespace: late\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\n  name: b\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    k: v\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    x: y\n    z: w\ndata:\n  k: v\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    x: y\n  name: b\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    x: y\n  namespace: late\n",
]


@pytest.mark.parametrize("doc", HEADS)
def test_line_scan_agrees_with_a_real_parse(doc):
    manifest = manifests_of("c/templates/x.yaml", doc)[0]
    parsed = _parse(doc, "x")
    assert (manifest.api_version, manifest.kind, manifest.name, manifest.namespace) == (
        parsed.get("apiVersion") or "",
        parsed.get("kind") or "",
        parsed.get("name") or "",
        parsed.get("namespace"),
    )


def test_simple_documents_are_scanned_not_parsed():
    head = _scan(HEADS[0])
    assert (head["kind"], head["name"], head["namespace"]) == ("ConfigMap", "a", "ns")


def test_hook_annotations_are_read():
    manifest = manifests_of("c/templates/job.yaml", HEADS[3])[0]
    assert manifest.hook_events == ("pre-install", "post-upgrade")
    assert manifest.hook_weight == -5
    assert manifest.hook_delete_policies == ("before-hook-creation", "hook-succeeded")


def test_unknown_hook_events_drop_the_document_and_test_success_is_test():
    doc = "kind: Pod\nmetadata:\n  name: p\n  annotations:\n    helm.sh/hook: {events}\n"
    assert manifests_of("s", doc.format(events="crd-install")) == []
    assert manifests_of("s", doc.format(events="test-success"))[0].hook_events == ("test",)
    assert manifests_of("s", doc.format(events="nonsense"))[0:1] == []


def test_non_integer_hook_weight_counts_as_zero():
    doc = (
        "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: post-install\n"
        "    helm.sh/hook-weight: heavy\n"
    )
    assert manifests_of("s", doc)[0].hook_weight == 0


def test_install_order_is_helms_with_unknown_kinds_last_alphabetically(make_chart):
    kinds = [
        "Deployment",
        "Zebra",
        "Service",
        "Namespace",
        "Alpha",
        "ConfigMap",
        "ServiceAccount",
        "Job",
    ]
    files = {
        f"templates/{i:02d}.yaml": f"apiVersion: v1\nkind: {k}\nmetadata:\n  name: n{i}\n"
        for i, k in enumerate(kinds)
    }
    result = render_chart(make_chart(files), {}, RenderOptions())
    assert [m.kind for m in result.manifests] == [
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "Service",
        "Deployment",
        "Job",
        "Alpha",
        "Zebra",
    ]


def test_same_kind_keeps_template_path_order_and_document_order(make_chart):
    files = {
        "templates/b.yaml": "kind: ConfigMap\nmetadata:\n  name: b1\n---\nkind: ConfigMap\nmetadata:\n  name: b2\n",
        "templates/a.yaml": "kind: ConfigMap\nmetadata:\n  name: a\n",
    }
    result = render_chart(make_chart(files), {}, RenderOptions())
    assert [m.name for m in result.manifests] == ["a", "b1", "b2"]


def test_hooks_are_apart_and_manifest_text_is_helms_format(make_chart):
    files = {
        "templates/cm.yaml": "kind: ConfigMap\nmetadata:\n  name: c\n",
        "templates/job.yaml": "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: pre-install\n",
    }
    result = render_chart(make_chart(files), {}, RenderOptions())
    assert [m.name for m in result.hooks] == ["j"]
    assert (
        result.manifest_text()
        == "---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\nmetadata:\n  name: c\n"
    )


def test_crds_are_listed_untemplated(make_chart):
    crd = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.b.c\n"
        "spec:\n  description: '{{ not templated }}'\n"
    )
    result = render_chart(make_chart({"crds/crd.yaml": crd}), {}, RenderOptions())
    assert [(c.source, c.name) for c in result.crds] == [("demo/crds/crd.yaml", "a.b.c")]
    assert "{{ not templated }}" in result.crds[0].text


def test_every_rendered_document_is_valid_yaml_of_the_lab_charts(repo_charts):
    for name in ("nginx", "nginx-pod", "webshop"):
        from pyhelm.chart.loader import load_chart

        for manifest in render_chart(load_chart(repo_charts / name), {}, RenderOptions()).manifests:
            assert yamlio.load(manifest.text, manifest.source)["kind"] == manifest.kind


def test_unparseable_head_gives_helms_yaml_parse_error_with_the_rendered_line(make_chart):
    from pyhelm.errors import RenderError

    chart = make_chart(
        {"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ 'a: b' }}\n"}
    )
    with pytest.raises(RenderError) as info:
        render_chart(chart, {}, RenderOptions())
    lines = str(info.value).splitlines()
    assert lines[0].startswith("YAML parse error on demo/templates/cm.yaml: rendered line 4:")
    assert lines[1:3] == ["    |   name: a: b", "    |          ^"]
