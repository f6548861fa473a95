"""Fixtures for the built-in cluster: a throw-away cluster on a fake clock, and lab manifests."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from pyhelm.cluster.memory import MemoryCluster
from pyhelm.cluster.memory.clock import FakeClock

NGINX_POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "nginx-pod", "labels": {"app": "nginx"}},
    "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [
        {"name": "web", "containerPort": 80, "protocol": "TCP"}]}]},
}
NGINX_DEPLOY: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "nginx-deployment", "labels": {"app": "nginx"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
             "template": {"metadata": {"labels": {"app": "nginx"}},
                          "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [
                              {"name": "web", "containerPort": 80, "protocol": "TCP"}]}]}}},
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cluster(clock: FakeClock) -> Iterator[MemoryCluster]:
    c = MemoryCluster(":memory:", clock)
    yield c
    c.close()


@pytest.fixture
def pod() -> dict[str, Any]:
    return copy.deepcopy(NGINX_POD)


@pytest.fixture
def deploy() -> dict[str, Any]:
    return copy.deepcopy(NGINX_DEPLOY)
