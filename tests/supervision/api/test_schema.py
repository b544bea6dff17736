"""The OpenAPI schema describes supervision's resources and their optimistic locking."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(world, api_as) -> dict:
    response = api_as("sw").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_lists_the_supervision_resources_and_actions(schema):
    paths = schema["paths"]
    for resource in (
        "supervisions",
        "case-discussions",
        "informal-discussions",
        "actions",
        "supervision-policies",
    ):
        assert f"/api/v1/{resource}/" in paths, resource
        assert "delete" not in paths[f"/api/v1/{resource}/{{id}}/"], resource
        assert "put" not in paths[f"/api/v1/{resource}/{{id}}/"], resource
    for action in ("start", "hold", "not-held", "sign", "addenda"):
        assert "post" in paths[f"/api/v1/supervisions/{{id}}/{action}/"], action
    assert "post" in paths["/api/v1/supervisions/start/"]


def test_the_schema_documents_saving_one_field_with_its_version(schema):
    patch = schema["paths"]["/api/v1/supervisions/{id}/"]["patch"]
    assert '{"field": "support_notes", "value": "…", "version": 3}' in patch["description"]
    assert "409" in patch["responses"]
    request = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert set(schema["components"]["schemas"][request.rsplit("/", 1)[1]]["properties"]) == {
        "field",
        "value",
        "version",
    }


def test_the_schema_marks_every_field_of_a_record_read_only(schema):
    record = schema["components"]["schemas"]["Supervision"]["properties"]
    for field in (
        "status",
        "supervisor",
        "acting_for",
        "section_versions",
        "locked_at",
        "is_short",
        "caseload_snapshot",
        "held_on",
        "supervisor_signed_at",
    ):
        assert record[field].get("readOnly") is True, field
    assert record["support_notes"]["nullable"] is True
