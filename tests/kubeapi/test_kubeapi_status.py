"""Errors become Status bodies with the reason and code kubectl classifies by."""

from __future__ import annotations

from pyhelm.cluster.kubeapi.patch import PatchError
from pyhelm.cluster.kubeapi.selectors import SelectorError
from pyhelm.cluster.kubeapi.status import ApiError, from_error, success
from pyhelm.cluster.memory.errors import (
    Cause,
    FieldManagerConflict,
    ObjectExists,
    ObjectInvalid,
    ObjectNotFound,
    StaleObject,
)
from pyhelm.errors import ClusterError, Invalid


def test_not_found_names_the_resource_and_object():
    code, body = from_error(ObjectNotFound("deployments.apps", "api"), "deployments", "api",
                            "apps")
    assert code == 404 and body["reason"] == "NotFound" and body["status"] == "Failure"
    assert body["message"] == 'deployments.apps "api" not found'
    assert body["details"] == {"name": "api", "kind": "deployments", "group": "apps"}


def test_conflicts_and_already_exists_are_409():
    assert from_error(ObjectExists("pods", "web"), "pods", "web")[1]["reason"] == "AlreadyExists"
    code, body = from_error(StaleObject("pods", "web"), "pods", "web")
    assert (code, body["reason"]) == (409, "Conflict")
    assert body["message"].startswith('Operation cannot be fulfilled on pods "web"')


def test_invalid_carries_kind_name_and_causes_for_kubectls_text():
    causes = [Cause("metadata.name", 'Invalid value: "BAD": must be lowercase'),
              Cause("spec.containers[0].image", "Required value", "FieldValueRequired")]
    code, body = from_error(ObjectInvalid("Pod", "x1", causes), "pods", "x1")
    assert code == 422 and body["reason"] == "Invalid"
    assert body["details"] == {"name": "x1", "kind": "Pod", "causes": [
        {"reason": "FieldValueInvalid", "message": 'Invalid value: "BAD": must be lowercase',
         "field": "metadata.name"},
        {"reason": "FieldValueRequired", "message": "Required value",
         "field": "spec.containers[0].image"}]}


def test_field_manager_conflict_keeps_its_causes_without_the_cli_hint():
    cause = Cause(".spec.replicas", 'conflict with "kubectl-client-side-apply" using apps/v1',
                  "FieldManagerConflict")
    code, body = from_error(FieldManagerConflict([cause]), "deployments", "api", "apps")
    assert code == 409 and body["reason"] == "Conflict"
    assert body["message"] == ('Apply failed with 1 conflict: conflict with '
                               '"kubectl-client-side-apply" using apps/v1: .spec.replicas')
    assert body["details"]["causes"][0]["field"] == ".spec.replicas"


def test_plain_errors_fall_back_by_family():
    assert from_error(Invalid("bad"))[0] == 422
    code, body = from_error(PatchError("JSON patch test failed"), "pods", "web")
    assert (code, body["reason"]) == (422, "Invalid") and "details" not in body
    assert from_error(SelectorError("bad selector"))[0] == 400
    assert from_error(ClusterError("boom"))[1]["reason"] == "InternalError"
    assert from_error(ApiError(410, "Expired", "too old"))[1]["code"] == 410


def test_success_status_for_deletes():
    assert success("web", "pods", "") == {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                          "status": "Success",
                                          "details": {"name": "web", "kind": "pods"}}
