"""Label and field selectors in the form kubectl and helm send them."""

from __future__ import annotations

import pytest

from pyhelm.cluster.kubeapi.selectors import (
    SelectorError,
    equality_labels,
    field_matcher,
    label_matcher,
    parse_label_selector,
)


def pod(pod_name: str, **labels: str) -> dict:
    return {"metadata": {"name": pod_name, "namespace": "default", "labels": labels},
            "involvedObject": {"name": pod_name, "uid": "u-1"}, "status": {"phase": "Running"}}


@pytest.mark.parametrize(("selector", "expected"), [
    ("", ["a", "b", "c"]),
    ("name=rel,owner=helm", ["a"]),
    ("owner==helm", ["a", "b"]),
    ("owner!=helm", ["c"]),
    ("name in (rel, other)", ["a", "c"]),
    ("name notin (rel)", ["b", "c"]),
    ("status", ["b"]),
    ("!status", ["a", "c"]),
    ("owner=helm,!status", ["a"]),
])
def test_label_selectors(selector, expected):
    pods = [pod("a", name="rel", owner="helm"), pod("b", owner="helm", status="deployed"),
            pod("c", name="other")]
    matches = label_matcher(selector)
    assert [p["metadata"]["name"] for p in pods if matches(p)] == expected


def test_equality_requirements_are_offered_to_the_store():
    requirements = parse_label_selector("name=rel,owner=helm,tier in (a)")
    assert equality_labels(requirements) == {"name": "rel", "owner": "helm"}


def test_field_selectors_over_dotted_paths():
    matches = field_matcher("involvedObject.name=web,involvedObject.uid=u-1,status.phase!=Failed")
    assert matches(pod("web"))
    assert not matches(pod("db"))
    assert field_matcher("metadata.name=web")(pod("web"))


@pytest.mark.parametrize("bad", ["a in (x", "=x", "a b"])
def test_bad_label_selector_names_the_requirement(bad):
    with pytest.raises(SelectorError, match="label selector"):
        parse_label_selector(bad)


def test_bad_field_selector():
    with pytest.raises(SelectorError, match="invalid field selector"):
        field_matcher("metadata.name in (a)")
