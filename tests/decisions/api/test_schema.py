"""The OpenAPI schema describes the decisions resources, their actions and their refusals."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(world, api_as) -> dict:
    response = api_as("sw").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _component(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_the_schema_lists_the_decisions_resources_and_actions(schema):
    paths = schema["paths"]
    for resource in ("threshold-frameworks", "decisions", "decision-tasks", "escalations"):
        assert "get" in paths[f"/api/v1/{resource}/"], resource
        detail = paths[f"/api/v1/{resource}/{{id}}/"]
        assert "delete" not in detail and "put" not in detail, resource
    assert {"get", "post"} <= set(paths["/api/v1/decisions/"])
    assert "patch" in paths["/api/v1/decisions/{id}/"]
    for action in ("sign", "addenda"):
        assert "post" in paths[f"/api/v1/decisions/{{id}}/{action}/"], action
    for action in ("respond", "escalate", "resolve"):
        assert "post" in paths[f"/api/v1/escalations/{{id}}/{action}/"], action
    assert "post" not in paths["/api/v1/threshold-frameworks/"]
    assert "post" not in paths["/api/v1/decision-tasks/"]
    assert paths["/api/v1/cases/{id}/trail/"]["get"]["operationId"] == "cases_trail_retrieve"


def test_locked_and_conflicting_writes_declare_409(schema):
    paths = schema["paths"]
    patch = paths["/api/v1/decisions/{id}/"]["patch"]["responses"]
    assert {"200", "400", "403", "404", "409"} <= set(patch)
    conflict = patch["409"]["content"]["application/json"]["schema"]["anyOf"]
    assert {"current_version", "changed_by"} <= set(
        _component(schema, conflict[0]["$ref"])["properties"]
    )
    sign = paths["/api/v1/decisions/{id}/sign/"]["post"]["responses"]
    assert {"200", "400", "403", "404", "409"} <= set(sign)


def test_the_schema_marks_what_the_server_sets_read_only(schema):
    record = schema["components"]["schemas"]["Decision"]["properties"]
    for field in ("decision_maker", "made_at", "framework", "status", "signed_at", "version"):
        assert record[field].get("readOnly") is True, field
    create = schema["paths"]["/api/v1/decisions/"]["post"]["requestBody"]
    body = _component(schema, create["content"]["application/json"]["schema"]["$ref"])
    assert {"case", "decision_type", "decision"} <= set(body["required"])
    for field in ("decision_maker", "made_at", "framework", "status", "signed_at", "version"):
        assert field not in body["properties"], field


def test_the_schema_documents_the_list_filters(schema):
    def names(path: str) -> set[str]:
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"]}

    assert {"case", "decision_type", "status", "made_at_after", "made_at_before"} <= names(
        "/api/v1/decisions/"
    )
    assert {"mine", "status", "decision"} <= names("/api/v1/decision-tasks/")
    assert {"kind"} <= names("/api/v1/cases/{id}/trail/")
