"""Each kind's schema is kept in pyhelm's cache folder; checks read the same from there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyhelm.cluster.memory import MemoryCluster, schema
from pyhelm.errors import Invalid
from tests.cluster.conftest import NGINX_DEPLOY


def _bad_deploy() -> dict:
    bad = {**NGINX_DEPLOY, "spec": {**NGINX_DEPLOY["spec"], "replica": 3}}
    bad["spec"]["template"] = {**bad["spec"]["template"], "spec": {"containers": [
        {"name": "web", "image": "nginx", "ports": [{"containerPort": "eighty"}]}]}}
    return bad


@pytest.mark.skipif(schema.kind_schema("apps/v1", "Deployment") is None,
                    reason="kubernetes-validate's schemas are not installed")
@pytest.mark.parametrize("round", ["first read", "from the cache folder"])
def test_strict_schema_errors_are_the_same_from_the_cache(cluster: MemoryCluster,
                                                          round: str) -> None:
    schema.kind_schema.cache_clear()
    kept = Path(os.environ["PYHELM_CACHE_HOME"]) / "k8s-schemas" / schema.SCHEMA_SET / \
        "deployment-apps-v1.json"
    if round == "first read":
        kept.unlink(missing_ok=True)
    else:
        schema.kind_schema("apps/v1", "Deployment")
        schema.kind_schema.cache_clear()
        assert kept.is_file() and kept.stat().st_size < 100_000  # not the 1.5 MB whole
    with pytest.raises(Invalid) as caught:
        cluster.create(_bad_deploy())
    assert 'unknown field "spec.replica"' in str(caught.value)
    assert "spec.template.spec.containers[0].ports[0].containerPort" in str(caught.value)
