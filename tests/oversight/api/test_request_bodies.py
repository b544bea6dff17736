"""Request bodies the API refuses cleanly: JSON nested too deeply answers 400 and a body over
Django's size limit answers 413 — each as JSON `{"detail": ...}`, never a 500 or an HTML page."""

from __future__ import annotations

import io
import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from oversight.api.parsers import FormParser, JSONParser, RequestTooLarge
from oversight.models import StaffMember
from supervision import services
from supervision.models import SupervisionSession

pytestmark = pytest.mark.django_db

DEEP = "[" * 50_000 + "]" * 50_000
STAFF = "/api/v1/staff/"


def limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def json_body_of_size(size: int) -> str:
    """A well-formed JSON object of exactly `size` bytes."""
    frame = '{"first_name": ""}'
    return frame.replace('""', '"' + "x" * (size - len(frame)) + '"')


def session_for(world) -> SupervisionSession:
    return services.session_start(supervisee=world.sw, actor=world.tm.user)


def assert_json_detail(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail"}, body
    return body["detail"]


# --- nesting ---------------------------------------------------------------------------------


def test_deeply_nested_json_on_a_supervision_answers_400(world, api_as):
    session = session_for(world)
    response = api_as("tm").patch(
        f"/api/v1/supervisions/{session.pk}/", DEEP, content_type="application/json"
    )
    assert "nested too deeply" in assert_json_detail(response, 400)
    assert SupervisionSession.objects.get(pk=session.pk).section_versions == {}


def test_deeply_nested_json_creating_a_person_answers_400_and_creates_nobody(world, api_as):
    before = StaffMember.objects.count()
    response = api_as("bs").post(STAFF, DEEP, content_type="application/json")
    assert "nested too deeply" in assert_json_detail(response, 400)
    assert StaffMember.objects.count() == before


def test_deeply_nested_json_inside_an_object_answers_400(world, token_api_as):
    body = '{"first_name": ' + DEEP + "}"
    response = token_api_as("bs").post(STAFF, body, content_type="application/json")
    assert "nested too deeply" in assert_json_detail(response, 400)


def test_modestly_nested_json_is_judged_by_the_serializer_not_refused(world, api_as):
    body = json.dumps({"first_name": [[[["x"]]]]})
    response = api_as("bs").post(STAFF, body, content_type="application/json")
    assert response.status_code == 400
    assert "first_name" in response.json()


def test_malformed_json_still_answers_400(world, api_as):
    response = api_as("bs").post(STAFF, '{"first_name": ', content_type="application/json")
    assert "JSON parse error" in assert_json_detail(response, 400)


def test_non_finite_numbers_are_still_refused(world, api_as):
    response = api_as("bs").post(STAFF, '{"fte": NaN}', content_type="application/json")
    assert "JSON parse error" in assert_json_detail(response, 400)


# --- size ------------------------------------------------------------------------------------


def test_a_json_body_just_over_the_limit_answers_413(world, api_as):
    body = json_body_of_size(limit() + 1)
    assert len(body.encode()) == limit() + 1
    response = api_as("bs").post(STAFF, body, content_type="application/json")
    detail = assert_json_detail(response, 413)
    assert f"{limit():,} bytes" in detail


def test_a_json_body_just_over_the_limit_on_a_supervision_answers_413(world, token_api_as):
    session = session_for(world)
    body = json.dumps({"field": "agenda", "value": "", "version": 0})
    body = body.replace('"value": ""', '"value": "' + "x" * (limit() + 1 - len(body)) + '"')
    response = token_api_as("tm").patch(
        f"/api/v1/supervisions/{session.pk}/", body, content_type="application/json"
    )
    assert_json_detail(response, 413)
    saved = SupervisionSession.objects.get(pk=session.pk)
    assert (saved.agenda, saved.section_versions) == (session.agenda, {})


def test_a_json_body_at_the_limit_is_read(world, api_as):
    response = api_as("bs").post(STAFF, json_body_of_size(limit()), content_type="application/json")
    assert response.status_code == 400  # judged by the serializer: the name is too long
    assert "first_name" in response.json()


def test_a_form_body_over_the_limit_answers_413(world, api_as):
    body = "first_name=" + "x" * limit()
    response = api_as("bs").post(STAFF, body, content_type="application/x-www-form-urlencoded")
    assert_json_detail(response, 413)


def test_a_multipart_body_over_the_limit_answers_413(world, api_as):
    response = api_as("bs").post(STAFF, {"first_name": "x" * (limit() + 1)}, format="multipart")
    assert_json_detail(response, 413)


def test_an_anonymous_body_over_the_limit_answers_401_not_413(world):
    response = APIClient().post(
        STAFF, json_body_of_size(limit() + 1), content_type="application/json"
    )
    assert response.status_code == 401


class FakeRequest:
    def __init__(self, meta: dict[str, str]) -> None:
        self.META = meta


@pytest.mark.parametrize("parser", [JSONParser(), FormParser()])
def test_the_parsers_refuse_more_bytes_than_the_limit_whatever_the_header_says(parser, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    context = {"request": FakeRequest({"CONTENT_LENGTH": "2"})}
    with pytest.raises(RequestTooLarge):
        parser.parse(io.BytesIO(b'"' + b"x" * 20 + b'"'), parser_context=context)
    with pytest.raises(RequestTooLarge):
        parser.parse(io.BytesIO(b'"' + b"x" * 20 + b'"'), parser_context={"request": None})


@pytest.mark.parametrize("parser", [JSONParser(), FormParser()])
def test_the_parsers_refuse_a_declared_length_over_the_limit_before_reading(parser, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    stream = io.BytesIO(b"{}")
    with pytest.raises(RequestTooLarge):
        parser.parse(stream, parser_context={"request": FakeRequest({"CONTENT_LENGTH": "11"})})
    assert stream.tell() == 0


def test_the_parsers_read_any_size_when_the_limit_is_off(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    body = json.dumps({"text": "x" * 100}).encode()
    context = {"request": FakeRequest({"CONTENT_LENGTH": str(len(body))})}
    assert JSONParser().parse(io.BytesIO(body), parser_context=context) == {"text": "x" * 100}
