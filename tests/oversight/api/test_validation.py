"""Malformed input answers 400 with a message on the field at fault — never a 500."""

from __future__ import annotations

import pytest

from oversight.models import AbsenceType, Role

pytestmark = pytest.mark.django_db


def _person(world, **overrides) -> dict:
    return {
        "employee_number": "EMP-VAL",
        "first_name": "Val",
        "last_name": "Idation",
        "role": Role.SOCIAL_WORKER,
        "team": world.riverside.pk,
        "start_date": "2026-04-01",
    } | overrides


@pytest.mark.parametrize(
    "field, value",
    [
        ("start_date", "not-a-date"),
        ("start_date", "2026-02-30"),
        ("start_date", 20260401),
        ("start_date", None),
        ("role", "chief_wizard"),
        ("employment_type", "volunteer"),
        ("team", "riverside"),
        ("team", [1, 2]),
        ("team", {"id": 1}),
        ("supervisor", "abc"),
        ("supervisor", -1),
        ("fte", "lots"),
        ("fte", "0.123"),
        ("fte", "12345"),
        ("email", "not-an-email"),
        ("first_name", ""),
        ("first_name", "x" * 500),
        ("asye_start_date", "yesterday"),
    ],
)
def test_malformed_staff_fields_answer_400_on_the_field(world, api_as, field, value):
    response = api_as("bs").post("/api/v1/staff/", _person(world, **{field: value}), format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()
    assert isinstance(response.json()[field], list)


def test_missing_required_staff_fields_are_each_named(world, api_as):
    response = api_as("bs").post("/api/v1/staff/", {}, format="json")
    assert response.status_code == 400
    assert {"employee_number", "first_name", "last_name", "role", "start_date"} <= set(
        response.json()
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("start_date", "soon"),
        ("end_date", "2026-13-01"),
        ("absence_type", "hangover"),
        ("absence_type", None),
        ("absence_type", ""),
        ("staff", "sw"),
        ("staff", None),
        ("staff", 3.5),
    ],
)
def test_malformed_absence_fields_answer_400_on_the_field(world, api_as, field, value):
    body = {
        "staff": world.sw.pk,
        "absence_type": AbsenceType.SICKNESS,
        "start_date": "2026-03-02",
        "end_date": "2026-03-06",
    } | {field: value}
    response = api_as("tm").post("/api/v1/absences/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


@pytest.mark.parametrize(
    "field, value",
    [("closed_on", "later"), ("case_type", "adoption"), ("is_duty", "perhaps"), ("team", "x")],
)
def test_malformed_case_fields_answer_400_on_the_field(world, api_as, field, value):
    from django.contrib.auth.models import Permission

    world.tm.user.user_permissions.add(Permission.objects.get(codename="change_case"))
    response = api_as("tm").patch(
        f"/api/v1/cases/{world.case_sw.pk}/", {field: value}, format="json"
    )
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


@pytest.mark.parametrize(
    "query",
    [
        {"team": "abc"},
        {"supervisor": "1.5"},
        {"role": "chief_wizard"},
        {"in_post_on": "tomorrow"},
        {"team__service": "x"},
    ],
)
def test_malformed_staff_filters_answer_400_on_the_parameter(world, api_as, query):
    response = api_as("bs").get("/api/v1/staff/", query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


@pytest.mark.parametrize(
    "url, query",
    [
        ("/api/v1/cases/", {"open": "perhaps"}),
        ("/api/v1/cases/", {"case_type": "adoption"}),
        ("/api/v1/cases/", {"is_duty": "maybe"}),
        ("/api/v1/absences/", {"current_on": "2026-02-31"}),
        ("/api/v1/absences/", {"staff": "me"}),
        ("/api/v1/teams/", {"service": "x"}),
    ],
)
def test_malformed_filters_answer_400(world, api_as, url, query):
    response = api_as("psw").get(url, query)
    assert response.status_code == 400, response.content[:300]
    assert set(response.json()) == set(query)


@pytest.mark.parametrize("resource", ["services", "teams", "staff", "cases", "absences"])
@pytest.mark.parametrize("pk", ["abc", "1.5", "-1", "99999999999999999999999"])
def test_a_non_numeric_or_absurd_id_in_the_path_is_404(world, api_as, resource, pk):
    response = api_as("psw").get(f"/api/v1/{resource}/{pk}/")
    assert response.status_code == 404


def test_a_body_that_is_not_json_is_400(world, api_as):
    response = api_as("bs").generic(
        "PATCH", f"/api/v1/staff/{world.sw.pk}/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_json_list_instead_of_an_object_is_400(world, api_as):
    response = api_as("bs").post("/api/v1/staff/", [1, 2, 3], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_an_unsupported_media_type_is_415(world, api_as):
    response = api_as("bs").generic(
        "POST", "/api/v1/staff/", "<staff/>", content_type="application/xml"
    )
    assert response.status_code == 415


def test_a_pk_that_overflows_the_database_is_a_bad_reference(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/",
        {"supervisor": 99999999999999999999999},
        format="json",
    )
    assert response.status_code == 400
    assert "supervisor" in response.json()
