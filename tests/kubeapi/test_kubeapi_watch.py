"""Watch streams: resumption, synthetic ADDED events, the watch-list bookmark, kubectl get -w."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time

import pytest

CM = "/api/v1/namespaces/default/configmaps"


def configmap(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name,
                                                                  "labels": {"w": "1"}}}


def events(api, query: str, count: int) -> list[dict]:
    """The first ``count`` events of a watch (the stream is then dropped)."""
    got = []
    with api.get(api.base_url + CM + "?watch=true&timeoutSeconds=10&" + query,
                 stream=True) as response:
        assert response.status_code == 200
        assert response.headers.get("transfer-encoding") == "chunked"
        for line in response.iter_lines():
            got.append(json.loads(line))
            if len(got) == count:
                break
    return got


def test_watch_list_sends_initial_objects_then_the_end_bookmark_then_changes(api):
    api.post(api.base_url + CM, json=configmap("before"))
    query = "sendInitialEvents=true&allowWatchBookmarks=true&labelSelector=w%3D1"
    got = []
    with api.get(api.base_url + CM + "?watch=true&timeoutSeconds=10&" + query,
                 stream=True) as response:
        for line in response.iter_lines():
            got.append(json.loads(line))
            if got[-1]["type"] == "BOOKMARK":
                api.post(api.base_url + CM, json=configmap("after"))
            if len(got) == 3:
                break
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in got] == [
        ("ADDED", "before"), ("BOOKMARK", None), ("ADDED", "after")]
    bookmark = got[1]["object"]["metadata"]
    assert bookmark["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(bookmark["resourceVersion"]) < int(got[2]["object"]["metadata"]["resourceVersion"])


def test_watch_resumes_after_a_resource_version(api):
    first = api.post(api.base_url + CM, json=configmap("one")).json()
    api.post(api.base_url + CM, json=configmap("two"))
    api.delete(api.base_url + CM + "/one")
    rv = first["metadata"]["resourceVersion"]
    got = events(api, f"resourceVersion={rv}&labelSelector=w%3D1", 2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in got] == [
        ("ADDED", "two"), ("DELETED", "one")]


def test_watch_from_zero_starts_with_what_exists_filtered_by_field_selector(api):
    api.post(api.base_url + CM, json=configmap("a"))
    api.post(api.base_url + CM, json=configmap("b"))
    got = events(api, "resourceVersion=0&fieldSelector=metadata.name%3Db", 1)
    assert got[0]["type"] == "ADDED" and got[0]["object"]["metadata"]["name"] == "b"


def test_table_watch_events_carry_one_row_tables(api):
    api.post(api.base_url + CM, json=configmap("t"))
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    with api.get(api.base_url + CM + "?watch=true&resourceVersion=0&timeoutSeconds=5",
                 headers={"Accept": accept}, stream=True) as response:
        event = json.loads(next(response.iter_lines()))
    assert event["object"]["kind"] == "Table"
    assert [row["cells"][0] for row in event["object"]["rows"]] in (["kube-root-ca.crt"], ["t"])


def test_watch_ends_after_timeout_seconds(api):
    started = time.monotonic()
    with api.get(api.base_url + CM + "?watch=true&resourceVersion=999999&timeoutSeconds=1",
                 stream=True) as response:
        assert list(response.iter_lines()) == []
    assert time.monotonic() - started < 10


@pytest.mark.kubectl
def test_kubectl_get_watch_prints_changes(kubectl, api):
    api.post(api.base_url + CM, json=configmap("seen"))
    proc = subprocess.Popen([*kubectl.argv, "get", "configmaps", "-l", "w=1", "-w",
                             "--output-watch-events"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()

    def next_line() -> list[str]:
        return lines.get(timeout=30).split()[:2]

    try:
        assert next_line() == ["EVENT", "NAME"]
        assert next_line() == ["ADDED", "seen"]
        api.delete(api.base_url + CM + "/seen")
        assert next_line() == ["DELETED", "seen"]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_deleted_events_carry_the_deletions_resource_version(api):
    """Resuming from the last event seen replays nothing (a stale DELETED once looped)."""
    first = api.post(api.base_url + CM, json=configmap("gone")).json()
    api.delete(api.base_url + CM + "/gone")
    deleted = events(api, f"resourceVersion={first['metadata']['resourceVersion']}", 1)[0]
    assert deleted["type"] == "DELETED"
    assert int(deleted["object"]["metadata"]["resourceVersion"]) > int(
        first["metadata"]["resourceVersion"])
    after = deleted["object"]["metadata"]["resourceVersion"]
    with api.get(api.base_url + CM + f"?watch=true&resourceVersion={after}&timeoutSeconds=1",
                 stream=True) as response:
        assert list(response.iter_lines()) == []
