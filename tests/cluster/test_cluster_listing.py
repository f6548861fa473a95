"""Listing pods for printing: ``list(summaries=True)`` and its streamed form, ``stream``."""

from __future__ import annotations

import pytest

from pyhelm.cluster.memory import MemoryCluster
from pyhelm.errors import UsageError


def _deployment(name: str, replicas: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> MemoryCluster:
    cluster = MemoryCluster(tmp_path_factory.mktemp("listing") / "state.db")
    cluster.apply([_deployment("web", 4), _deployment("api", 2)])
    return cluster


@pytest.mark.parametrize("selector, field_selector", [
    (None, None), ("app=api", None), (None, "spec.nodeName=node-1"),
    ("app!=api", "status.phase=Running"),
])
def test_stream_yields_what_list_of_summaries_returns(cluster, selector, field_selector):
    listed = cluster.list("v1", "Pod", "default", selector, field_selector, summaries=True)
    with cluster.transaction(write=False):
        streamed = list(cluster.stream("v1", "Pod", "default", selector, field_selector))
    assert streamed == listed
    assert [p["metadata"]["name"] for p in listed] == sorted(p["metadata"]["name"] for p in listed)


def test_stream_of_other_kinds_gives_whole_objects(cluster):
    with cluster.transaction(write=False):
        names = [d["metadata"]["name"] for d in cluster.stream("apps/v1", "Deployment")]
    assert names == ["api", "web"]


def test_stream_needs_an_open_transaction(cluster):
    with pytest.raises(UsageError, match="inside a transaction"):
        cluster.stream("v1", "Pod")


def test_a_bad_selector_is_reported_before_anything_is_read(cluster):
    with cluster.transaction(write=False), pytest.raises(UsageError, match="label selector"):
        cluster.stream("v1", "Pod", selector="app in (a")


def test_a_snapshot_streams_pods_and_serves_every_other_read(cluster):
    listed = cluster.list("v1", "Pod", "default", "app=web", summaries=True)
    with cluster.snapshot():
        assert list(cluster.stream("v1", "Pod", "default", "app=web")) == listed
        assert [d["metadata"]["name"] for d in cluster.list("apps/v1", "Deployment")] \
            == ["api", "web"]
        with pytest.raises(UsageError, match="read-only"):
            cluster.patch(_ref("web"), {"spec": {"replicas": 5}})
    cluster.patch(_ref("web"), {"spec": {"replicas": 4}})  # after it, writes work again


def test_a_fresh_process_resolves_custom_kinds_in_a_snapshot(tmp_path):
    path = tmp_path / "state.db"
    MemoryCluster(path).apply([{
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "crontabs.stable.example.com"},
        "spec": {"group": "stable.example.com", "scope": "Namespaced",
                 "names": {"plural": "crontabs", "kind": "CronTab", "shortNames": ["ct"],
                           "categories": ["all"]},
                 "versions": [{"name": "v1", "served": True, "storage": True}]}}])
    fresh = MemoryCluster(path)
    assert fresh.resolve("ct").kind == "CronTab"
    with fresh.snapshot():
        assert "CronTab" in [info.kind for info in fresh.registry.category("all")]


def _ref(name: str):
    from pyhelm.cluster.base import ObjectRef

    return ObjectRef("apps/v1", "Deployment", "default", name)
