"""Who may call the API at all: signed-in people by session or token; nobody anonymously (401,
with `WWW-Authenticate: Token`)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api_helpers import ids, results
from tests.oversight.api.conftest import RESOURCES

pytestmark = pytest.mark.django_db


def _detail_urls(world) -> list[str]:
    return [
        f"/api/v1/services/{world.safeguarding.pk}/",
        f"/api/v1/teams/{world.riverside.pk}/",
        f"/api/v1/staff/{world.sw.pk}/",
        f"/api/v1/cases/{world.case_sw.pk}/",
        f"/api/v1/absences/{world.absence_sw.pk}/",
    ]


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_list_is_refused_without_data(world, resource):
    response = APIClient().get(f"/api/v1/{resource}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "results" not in response.json()
    assert b"Marker" not in response.content


def test_anonymous_detail_is_refused_without_data(world):
    for url in _detail_urls(world):
        response = APIClient().get(url)
        assert response.status_code == 401, url
        assert b"Marker" not in response.content
        assert b"NoteSW" not in response.content


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_writes_are_refused_and_change_nothing(world, resource):
    client = APIClient()
    before = world.sw.last_name
    assert client.post(f"/api/v1/{resource}/", {}, format="json").status_code == 401
    response = client.patch(f"/api/v1/staff/{world.sw.pk}/", {"last_name": "X"}, format="json")
    assert response.status_code == 401
    world.sw.refresh_from_db()
    assert world.sw.last_name == before


def test_anonymous_api_is_not_redirected_to_the_sign_in_page(world):
    response = APIClient().get("/api/v1/staff/")
    assert response.status_code != 302
    assert response["Content-Type"].startswith("application/json")


def test_session_authentication_works(world, api_as):
    assert world.sw.pk in ids(api_as("sw").get("/api/v1/staff/"))


def test_token_authentication_works(world, token_api_as):
    client = token_api_as("tm")
    assert world.sw.pk in ids(client.get("/api/v1/staff/"))
    assert client.get(f"/api/v1/staff/{world.sw.pk}/").json()["id"] == world.sw.pk


def test_token_authentication_is_scoped_like_the_session(world, token_api_as):
    assert world.sw.pk not in ids(token_api_as("tm2").get("/api/v1/staff/"))
    assert token_api_as("tm2").get(f"/api/v1/staff/{world.sw.pk}/").status_code == 404


def test_a_wrong_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get("/api/v1/staff/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


def test_a_deactivated_persons_token_is_refused(world, token_api_as):
    client = token_api_as("sw")
    world.sw.user.is_active = False
    world.sw.user.save()
    response = client.get("/api/v1/staff/")
    assert response.status_code == 401
    assert "results" not in response.json()


def test_a_signed_in_user_without_a_staff_record_sees_nothing(db):
    from tests.factories import UserFactory

    client = APIClient()
    client.force_login(UserFactory(username="nobody"))
    for resource in RESOURCES:
        assert results(client.get(f"/api/v1/{resource}/")) == [], resource


@pytest.mark.parametrize("resource", RESOURCES)
def test_session_answers_are_never_cached(world, api_as, resource):
    response = api_as("psw").get(f"/api/v1/{resource}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_token_answers_are_never_cached(world, token_api_as):
    client = token_api_as("bs")
    for response in (
        client.get("/api/v1/staff/"),
        client.get(f"/api/v1/staff/{world.sw.pk}/"),
        client.get(f"/api/v1/absences/{world.absence_sw.pk}/"),
    ):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


def test_error_answers_to_signed_in_users_are_never_cached(world, api_as):
    client = api_as("sw")
    assert "no-store" in client.get(f"/api/v1/staff/{world.sw2.pk}/")["Cache-Control"]
    response = client.post("/api/v1/staff/", {}, format="json")
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
