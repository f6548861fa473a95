"""Release records as Helm keeps them: Secret layout, history, pruning, big records."""

from __future__ import annotations

import base64
import gzip
import json
import os

import pytest
from release_fakes import FakeCluster

from pyhelm.cluster.base import ObjectRef
from pyhelm.errors import ReleaseExists, ReleaseNotFound
from pyhelm.release import codec
from pyhelm.release.drivers import PART_SIZE, MemoryDriver, SecretDriver
from pyhelm.release.model import Info, Release, Status, now
from pyhelm.release.storage import ReleaseStorage


def make_release(
    name: str = "web",
    version: int = 1,
    status: Status = Status.DEPLOYED,
    namespace: str = "default",
    **kw: object,
) -> Release:
    return Release(
        name=name,
        namespace=namespace,
        version=version,
        info=Info(status, first_deployed=now(), last_deployed=now(), description="x"),
        chart={"metadata": {"name": "nginx", "version": "0.1.0", "appVersion": "1.16.0"}},
        config={"replicaCount": 2},
        manifest="---\n# Source: a\nkind: X\n",
        **kw,
    )


def test_secret_has_helms_exact_layout() -> None:
    cluster = FakeCluster()
    SecretDriver(cluster, "default", clock=lambda: 1700000000).create(make_release(version=3))
    secret = cluster.get(ObjectRef("v1", "Secret", "default", "sh.helm.release.v1.web.v3"))
    assert secret["type"] == "helm.sh/release.v1"
    labels = secret["metadata"]["labels"]
    assert labels == {
        "name": "web",
        "owner": "helm",
        "status": "deployed",
        "version": "3",
        "createdAt": "1700000000",
    }
    inner = base64.b64decode(secret["data"]["release"])
    record = json.loads(gzip.decompress(base64.b64decode(inner)))
    assert record["name"] == "web" and record["version"] == 3
    assert record["info"]["status"] == "deployed"
    assert record["config"] == {"replicaCount": 2}
    assert set(record) >= {
        "name",
        "namespace",
        "version",
        "info",
        "chart",
        "config",
        "manifest",
        "hooks",
        "apply_method",
    }


def test_decoder_accepts_plain_json_records() -> None:
    text = base64.b64encode(json.dumps(make_release().to_dict()).encode()).decode()
    assert codec.decode(text).name == "web"


def test_corrupt_record_is_a_clear_error() -> None:
    with pytest.raises(Exception, match="corrupt"):
        codec.decode("bm90IGpzb24=", source="Secret default/x")


@pytest.mark.parametrize("driver", ["memory", "secret"])
def test_history_last_and_deployed(driver: str) -> None:
    d = MemoryDriver("default") if driver == "memory" else SecretDriver(FakeCluster(), "default")
    storage = ReleaseStorage(d)
    storage.create(make_release(version=1, status=Status.SUPERSEDED))
    storage.create(make_release(version=2, status=Status.DEPLOYED))
    storage.create(make_release(version=3, status=Status.FAILED))
    assert [r.version for r in storage.history("web")] == [1, 2, 3]
    assert storage.last("web").version == 3
    assert storage.deployed("web").version == 2
    assert storage.last("other") is None
    with pytest.raises(ReleaseExists):
        storage.create(make_release(version=3))
    with pytest.raises(ReleaseNotFound, match="no revision 9"):
        storage.get("web", 9)


def test_prune_keeps_the_last_deployed_revision() -> None:
    storage = ReleaseStorage(SecretDriver(FakeCluster(), "default"))
    storage.create(make_release(version=1, status=Status.DEPLOYED))
    for v in (2, 3, 4):
        storage.create(make_release(version=v, status=Status.FAILED))
    removed = storage.prune("web", 2)
    assert removed == [2, 3]
    assert [r.version for r in storage.history("web")] == [1, 4]


def test_list_reads_summaries_without_decoding_records() -> None:
    cluster = FakeCluster()
    storage = ReleaseStorage(SecretDriver(cluster, "default"))
    storage.create(make_release(version=1, status=Status.SUPERSEDED))
    storage.create(make_release(version=2))
    # Corrupt the payloads: listing must still work from labels and the summary annotation.
    for obj in cluster.objects.values():
        if obj["kind"] == "Secret":
            obj["data"]["release"] = base64.b64encode(b"garbage").decode()
    [summary] = storage.latest_summaries()
    assert (summary.name, summary.revision, summary.status, summary.chart, summary.app_version) == (
        "web",
        2,
        Status.DEPLOYED,
        "nginx-0.1.0",
        "1.16.0",
    )


def test_records_written_by_helm_are_listed_by_decoding() -> None:
    cluster = FakeCluster()
    release = make_release()
    cluster.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "helm.sh/release.v1",
            "metadata": {
                "name": "sh.helm.release.v1.web.v1",
                "namespace": "default",
                "labels": {"name": "web", "owner": "helm", "status": "deployed", "version": "1"},
            },
            "data": {"release": base64.b64encode(codec.encode(release).encode()).decode()},
        }
    )
    [summary] = ReleaseStorage(SecretDriver(cluster, None)).latest_summaries()
    assert summary.chart == "nginx-0.1.0"


def test_records_over_one_mebibyte_are_split_and_read_back() -> None:  # helm#9788
    cluster = FakeCluster()
    big = base64.b64encode(os.urandom(1_800_000)).decode()  # incompressible
    release = make_release()
    release.chart["files"] = [{"name": "files/blob", "data": big}]
    storage = ReleaseStorage(SecretDriver(cluster, "default"))
    storage.create(release)
    secrets = cluster.names("Secret")
    assert secrets[0] == "sh.helm.release.v1.web.v1" and len(secrets) >= 3
    for obj in cluster.objects.values():
        if obj["kind"] == "Secret":
            assert len(base64.b64decode(obj["data"]["release"])) <= PART_SIZE
    assert storage.get("web", 1).chart["files"][0]["data"] == big
    assert [s.name for s in storage.latest_summaries()] == ["web"]
    storage.delete("web", 1)
    assert cluster.names("Secret") == []


def test_updating_a_split_record_to_a_small_one_removes_its_parts() -> None:
    cluster = FakeCluster()
    storage = ReleaseStorage(SecretDriver(cluster, "default"))
    release = make_release()
    release.chart["files"] = [
        {"name": "b", "data": base64.b64encode(os.urandom(1_200_000)).decode()}
    ]
    storage.create(release)
    release.chart["files"] = []
    storage.update(release)
    assert cluster.names("Secret") == ["sh.helm.release.v1.web.v1"]
    assert storage.get("web", 1).chart["files"] == []
