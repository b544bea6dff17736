"""Limits on what people enter about the organisation: notes of a sensible length, and start
dates that could be real (1 January 1950 to a year from today) — refused with a specific
message by the services, the pages and the API alike (oversight/validators.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from oversight import services
from oversight.models import Absence, AbsenceType, Case, Role, StaffMember
from oversight.validators import latest_date, validate_plausible_date
from supervision import services as supervision_services
from supervision.models import PolicyVariant
from tests.supervision.factories import at

pytestmark = pytest.mark.django_db

D = datetime.date
TOO_EARLY = D(1, 1, 1)


# "A year from today" is read when each test runs, never when the module is collected: a run
# that crosses midnight would otherwise test yesterday's bound against today's rule.
def a_year_ahead() -> datetime.date:
    return latest_date(timezone.localdate())


def too_late() -> datetime.date:
    return a_year_ahead() + datetime.timedelta(days=1)


def too_early() -> datetime.date:
    return TOO_EARLY


def api(world, key: str) -> APIClient:
    client = APIClient()
    client.force_login(world.people[key].user)
    return client


def _new_person(world, **overrides) -> dict:
    return {
        "employee_number": "EMP-LIMIT1",
        "first_name": "Nia",
        "last_name": "Newstarter",
        "role": Role.SOCIAL_WORKER,
        "team": world.riverside.pk,
        "supervisor": world.tm.pk,
        "start_date": "2026-04-01",
    } | overrides


# --- the date rule ---------------------------------------------------------------------------


def test_the_first_of_january_1950_and_a_year_from_today_are_allowed():
    validate_plausible_date(D(1950, 1, 1))
    validate_plausible_date(a_year_ahead())


def test_a_date_before_1950_is_refused_saying_why():
    with pytest.raises(ValidationError) as refused:
        validate_plausible_date(D(1949, 12, 31))
    assert refused.value.messages == [
        "Enter a date on or after 1 January 1950 (31 December 1949 is too long ago)."
    ]


def test_a_date_more_than_a_year_ahead_is_refused_saying_why():
    with pytest.raises(ValidationError) as refused:
        validate_plausible_date(too_late())
    (message,) = refused.value.messages
    assert message.startswith("Enter a date no more than a year from today")
    latest = a_year_ahead()
    assert f"{latest.day} {latest:%B %Y}" in message


# --- staff -----------------------------------------------------------------------------------


@pytest.mark.parametrize("start_date", [too_early, too_late], ids=["too_early", "too_late"])
def test_a_staff_start_date_out_of_range_is_refused_by_the_service(world, start_date):
    with pytest.raises(ValidationError) as refused:
        services.staff_create(
            actor=world.bs.user,
            first_name="Nia",
            last_name="Newstarter",
            employee_number="EMP-LIMIT1",
            role=Role.SOCIAL_WORKER,
            team=world.riverside,
            supervisor=world.tm,
            start_date=start_date(),
        )
    assert "start_date" in refused.value.message_dict
    assert not StaffMember.objects.filter(employee_number="EMP-LIMIT1").exists()


def test_a_staff_start_date_of_year_one_is_refused_by_the_api(world):
    response = api(world, "bs").post(
        "/api/v1/staff/", _new_person(world, start_date="0001-01-01"), format="json"
    )
    assert response.status_code == 400
    assert "1 January 1950" in response.json()["start_date"][0]
    assert not StaffMember.objects.filter(employee_number="EMP-LIMIT1").exists()


def test_an_asye_start_date_out_of_range_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        services.staff_update(staff=world.asye, actor=world.bs.user, asye_start_date=too_late())
    assert "no more than a year from today" in refused.value.message_dict["asye_start_date"][0]
    world.asye.refresh_from_db()
    assert world.asye.asye_start_date == D(2026, 1, 5)


# --- absences --------------------------------------------------------------------------------


@pytest.mark.parametrize("start_date", [too_early, too_late], ids=["too_early", "too_late"])
def test_an_absence_start_date_out_of_range_is_refused_by_the_service(world, start_date):
    with pytest.raises(ValidationError) as refused:
        services.absence_record(
            staff=world.asye,
            absence_type=AbsenceType.SICKNESS,
            start_date=start_date(),
            actor=world.tm.user,
        )
    assert "start_date" in refused.value.message_dict
    assert not Absence.objects.filter(staff=world.asye).exists()


def test_an_absence_start_date_of_year_one_is_refused_on_the_page_keeping_the_notes(world):
    response = world.client("tm").post(
        f"/staff/{world.asye.pk}/absences/new/",
        {
            "absence_type": "sickness",
            "start_date": "0001-01-01",
            "end_date": "",
            "notes": "TypedNoteKeep",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a date on or after 1 January 1950" in html
    assert "TypedNoteKeep" in html
    assert not Absence.objects.filter(staff=world.asye).exists()


def test_an_absence_start_date_of_year_one_is_refused_by_the_api(world):
    response = api(world, "tm").post(
        "/api/v1/absences/",
        {"staff": world.asye.pk, "absence_type": "sickness", "start_date": "0001-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "1 January 1950" in str(response.json()["start_date"])


def test_a_megabyte_of_absence_notes_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        services.absence_record(
            staff=world.asye,
            absence_type=AbsenceType.SICKNESS,
            start_date=D(2026, 3, 2),
            notes="n" * 1_000_000,
            actor=world.tm.user,
        )
    assert "too long" in refused.value.message_dict["notes"][0]


def test_a_megabyte_of_absence_notes_is_refused_by_the_api(world):
    response = api(world, "tm").post(
        "/api/v1/absences/",
        {
            "staff": world.asye.pk,
            "absence_type": "sickness",
            "start_date": "2026-03-02",
            "notes": "n" * 1_000_000,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "too long" in response.json()["notes"][0]
    assert not Absence.objects.filter(staff=world.asye).exists()


def test_over_long_absence_notes_are_refused_on_the_page_keeping_them(world):
    typed = "TypedNoteKeep" + "n" * 20_000
    response = world.client("tm").post(
        f"/staff/{world.asye.pk}/absences/new/",
        {"absence_type": "sickness", "start_date": "2026-03-02", "end_date": "", "notes": typed},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This text is too long" in html
    assert typed in html
    assert not Absence.objects.filter(staff=world.asye).exists()


def test_nul_in_absence_notes_is_removed(world):
    absence = services.absence_record(
        staff=world.asye,
        absence_type=AbsenceType.SICKNESS,
        start_date=D(2026, 3, 2),
        notes="Flu\u0000 and rest",
        actor=world.tm.user,
    )
    assert Absence.objects.get(pk=absence.pk).notes == "Flu and rest"


# --- cases, sessions, policies ---------------------------------------------------------------


def test_a_case_opened_before_1950_is_refused(world):
    case = Case(
        reference="CH-OLD1",
        label="AB",
        case_type="child_in_need",
        team=world.riverside,
        opened_on=D(1900, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        case.full_clean()
    assert "opened_on" in refused.value.message_dict


def test_a_session_held_before_1950_is_refused(world):
    session = supervision_services.session_start(supervisee=world.sw, actor=world.tm.user)
    with pytest.raises(ValidationError) as refused:
        supervision_services.session_hold(
            session=session,
            actor=world.tm.user,
            started_at=at(D(1900, 3, 2), 10),
            ended_at=at(D(1900, 3, 2), 11, 30),
        )
    assert "held_on" in refused.value.message_dict
    session.refresh_from_db()
    assert session.held_on is None


def test_a_policy_taking_effect_more_than_a_year_ahead_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        supervision_services.policy_create_from_variant(
            variant=PolicyVariant.ASYE_FRAMEWORK, effective_from=too_late(), actor=world.psw.user
        )
    assert "effective_from" in refused.value.message_dict


def test_nul_in_a_staff_name_through_the_api_is_removed_as_on_the_pages(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(world.bs.user)
    response = client.patch(
        f"/api/v1/staff/{world.sw.pk}/", {"last_name": "Whit\u0000lock"}, format="json"
    )
    assert response.status_code == 200, response.json()
    world.sw.refresh_from_db()
    assert world.sw.last_name == "Whitlock"


def test_half_a_character_in_a_team_name_through_the_api_is_refused(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(world.bs.user)
    response = client.patch(
        f"/api/v1/teams/{world.riverside.pk}/",
        '{"name": "River\\ud83d"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["name"][0]
