"""Writes through the API leave history naming the person, whether they signed in with a
session or a token; reading one record through the API leaves an access-log line."""

from __future__ import annotations

import pytest

from oversight.models import Absence, AbsenceType, AccessLogEntry, StaffMember

pytestmark = pytest.mark.django_db


def test_a_token_patch_leaves_history_naming_the_tokens_user(world, token_api_as):
    response = token_api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"fte": "0.50"}, format="json"
    )
    assert response.status_code == 200, response.json()
    latest = world.sw.history.latest()
    assert latest.history_type == "~"
    assert str(latest.fte) == "0.50"
    assert latest.history_user == world.bs.user
    assert latest.history_change_reason == "Staff record changed"


def test_a_session_patch_leaves_history_naming_the_signed_in_user(world, api_as):
    response = api_as("bs").patch(f"/api/v1/staff/{world.sw.pk}/", {"fte": "0.70"}, format="json")
    assert response.status_code == 200, response.json()
    latest = world.sw.history.latest()
    assert str(latest.fte) == "0.70"
    assert latest.history_user == world.bs.user


def test_a_token_create_leaves_history_naming_the_tokens_user(world, token_api_as):
    response = token_api_as("bs").post(
        "/api/v1/staff/",
        {
            "employee_number": "EMP-HIST",
            "first_name": "Hana",
            "last_name": "Historic",
            "role": "social_worker",
            "team": world.riverside.pk,
            "start_date": "2026-04-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = StaffMember.objects.get(employee_number="EMP-HIST").history.get()
    assert created.history_type == "+"
    assert created.history_user == world.bs.user


def test_an_absence_recorded_by_token_names_the_manager(world, token_api_as):
    response = token_api_as("tm2").post(
        "/api/v1/absences/",
        {
            "staff": world.sw2.pk,
            "absence_type": AbsenceType.SICKNESS,
            "start_date": "2025-03-03",
            "end_date": "2025-03-04",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    absence = Absence.objects.get(pk=response.json()["id"])
    assert absence.history.get().history_user == world.tm2.user


def test_an_absence_updated_by_token_names_the_manager(world, token_api_as):
    response = token_api_as("tm").patch(
        f"/api/v1/absences/{world.absence_sw.pk}/", {"end_date": "2025-03-07"}, format="json"
    )
    assert response.status_code == 200, response.json()
    latest = world.absence_sw.history.latest()
    assert str(latest.end_date) == "2025-03-07"
    assert latest.history_user == world.tm.user
    assert latest.history_change_reason == "Absence changed"


def test_history_keeps_one_row_per_write(world, token_api_as):
    client = token_api_as("bs")
    before = world.sw.history.count()
    for fte in ("0.90", "0.80"):
        client.patch(f"/api/v1/staff/{world.sw.pk}/", {"fte": fte}, format="json")
    assert world.sw.history.count() == before + 2
    assert [str(row.fte) for row in world.sw.history.all()[:2]] == ["0.80", "0.90"]


def test_a_refused_write_leaves_no_history(world, token_api_as):
    before = world.sw.history.count()
    response = token_api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"supervisor": world.atm.pk}, format="json"
    )
    assert response.status_code == 400
    assert world.sw.history.count() == before


@pytest.mark.parametrize("auth", ["session", "token"])
def test_reading_one_record_through_the_api_is_logged(world, api_as, token_api_as, auth):
    client = (api_as if auth == "session" else token_api_as)("tm")
    assert client.get(f"/api/v1/absences/{world.absence_sw.pk}/").status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.via) == (world.tm.user, "view", "api")
    assert (entry.kind, entry.object_id) == ("absence", str(world.absence_sw.pk))
    assert entry.subject == world.sw


def test_reading_a_staff_record_logs_the_person_as_subject(world, api_as):
    assert api_as("bs").get(f"/api/v1/staff/{world.sw2.pk}/").status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.kind, entry.subject, entry.via) == ("staff", world.sw2, "api")


def test_a_list_is_logged_once_naming_its_records_and_the_organisations_shape_is_not(world, api_as):
    # DESIGN §5: a list that carries content writes one line naming what it returned;
    # services and teams are the organisation's shape, not records about anyone.
    client = api_as("psw")
    for resource in ("services", "teams", "staff", "cases", "absences"):
        assert client.get(f"/api/v1/{resource}/").status_code == 200
    assert sorted(AccessLogEntry.objects.values_list("kind", flat=True)) == [
        "absence",
        "case",
        "staff",
    ]


def test_an_invisible_record_is_not_logged_as_viewed(world, api_as):
    assert api_as("tm2").get(f"/api/v1/absences/{world.absence_sw.pk}/").status_code == 404
    assert not AccessLogEntry.objects.exists()
