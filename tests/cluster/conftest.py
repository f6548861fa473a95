"""Fixtures for the built-in cluster: a throw-away cluster on a fake clock, and lab manifests."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from pyhelm.cluster.memory import MemoryCluster
from pyhelm.cluster.memory.clock import FakeClock
from tests.conftest import LAB_DEPLOY_YAML, LAB_POD_YAML

NGINX_POD: dict[str, Any] = yaml.safe_load(LAB_POD_YAML)
NGINX_DEPLOY: dict[str, Any] = yaml.safe_load(LAB_DEPLOY_YAML)


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
