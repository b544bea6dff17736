"""The OpenAPI schema describes the five organisation resources, without generator warnings,
and says honestly that health-data fields can read as null."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.oversight.api.conftest import RESOURCES

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(world, api_as) -> dict:
    response = api_as("sw").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_schema_lists_the_five_resources(schema):
    assert schema["openapi"].startswith("3.")
    for resource in RESOURCES:
        assert f"/api/v1/{resource}/" in schema["paths"], resource
        assert f"/api/v1/{resource}/{{id}}/" in schema["paths"], resource


def test_the_schema_offers_no_delete(schema):
    for resource in RESOURCES:
        assert "delete" not in schema["paths"][f"/api/v1/{resource}/{{id}}/"], resource


def test_the_schema_documents_session_and_token_authentication(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["knoxApiToken"]["name"] == "Authorization"
    assert "Token" in schemes["knoxApiToken"]["description"]
    assert schemes["cookieAuth"]["in"] == "cookie"


def test_the_schema_marks_server_set_fields_read_only(schema):
    staff = schema["components"]["schemas"]["Staff"]["properties"]
    for field in ("id", "created_at", "updated_at", "username", "full_name"):
        assert staff[field].get("readOnly") is True, field
    absence_request = schema["components"]["schemas"]["AbsenceRequest"]["properties"]
    assert "excuses_supervision" not in absence_request
    assert "details_visible" not in absence_request


def test_health_data_reads_as_nullable_but_must_be_given_on_write(schema):
    components = schema["components"]["schemas"]
    answer = components["Absence"]["properties"]
    assert answer["absence_type"]["nullable"] is True
    assert answer["notes"]["nullable"] is True
    request = components["AbsenceRequest"]["properties"]
    assert "nullable" not in request["absence_type"]
    assert "nullable" not in request["notes"]
    assert "absence_type" in components["AbsenceRequest"]["required"]


def test_the_schema_documents_the_filters(schema):
    staff_parameters = {p["name"] for p in schema["paths"]["/api/v1/staff/"]["get"]["parameters"]}
    assert {"team", "role", "supervisor", "name", "in_post_on", "page"} <= staff_parameters
    case_parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/cases/"]["get"]["parameters"]
    }
    assert case_parameters["open"]["type"] == "boolean"
    assert case_parameters["is_duty"]["type"] == "boolean"


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    assert "/api/v1/absences/" in target.read_text()


def test_the_schema_needs_sign_in(world):
    response = APIClient().get("/api/schema/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_schema_documents_token_revocation(schema):
    for path in ("/api/v1/auth/tokens/revoke/", "/api/v1/auth/tokens/revoke-all/"):
        responses = schema["paths"][path]["post"]["responses"]
        assert {"204", "401"} <= set(responses), path


def test_the_docs_page_answers_for_a_signed_in_user(world, api_as):
    response = api_as("sw").get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
    assert "no-store" in response["Cache-Control"]
