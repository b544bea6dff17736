"""Absences: the recording rules (services) and the pages that use them (DESIGN §4.1, §5)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from oversight import services
from oversight.models import Absence, AbsenceType
from tests.factories import AbsenceFactory

D = datetime.date


def _record(world, **kwargs) -> Absence:
    values = {
        "staff": world.sw,
        "absence_type": AbsenceType.SICKNESS,
        "start_date": D(2026, 3, 10),
        "end_date": D(2026, 3, 19),
        "notes": "",
        "actor": world.tm.user,
    }
    return services.absence_record(**(values | kwargs))


def _start_date_error(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(excinfo.value.message_dict["start_date"])


# --- recording -------------------------------------------------------------------------------


def test_sickness_excuses_supervision(world):
    absence = _record(world, absence_type=AbsenceType.SICKNESS)
    assert absence.excuses_supervision is True


@pytest.mark.parametrize(
    "absence_type",
    [t for t in AbsenceType.values if t != AbsenceType.ANNUAL_LEAVE],
)
def test_every_type_but_annual_leave_excuses_supervision(world, absence_type):
    assert _record(world, absence_type=absence_type).excuses_supervision is True


def test_annual_leave_does_not_excuse_supervision(world):
    absence = _record(world, absence_type=AbsenceType.ANNUAL_LEAVE)
    absence.refresh_from_db()
    assert absence.excuses_supervision is False


def test_recording_leaves_history_with_the_acting_user_and_a_reason(world):
    absence = _record(world, actor=world.bs.user)
    version = absence.history.get()
    assert version.history_type == "+"
    assert version.history_user == world.bs.user
    assert version.history_change_reason == "Absence recorded"


def test_an_unknown_type_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        _record(world, absence_type="chemotherapy")
    assert "absence_type" in excinfo.value.message_dict
    assert not Absence.objects.filter(staff=world.sw, start_date=D(2026, 3, 10)).exists()


def test_an_end_before_the_start_is_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 9))
    assert "end_date" in excinfo.value.message_dict
    assert not Absence.objects.filter(staff=world.sw, start_date=D(2026, 3, 10)).exists()


def test_a_one_day_absence_is_allowed(world):
    absence = _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 10))
    assert absence.covers(D(2026, 3, 10))
    assert not absence.covers(D(2026, 3, 11))


# --- no overlaps -----------------------------------------------------------------------------


def test_an_absence_overlapping_another_is_refused_naming_the_clash(world):
    _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 19))
    with pytest.raises(ValidationError) as excinfo:
        _record(world, start_date=D(2026, 3, 15), end_date=D(2026, 3, 25))
    message = _start_date_error(excinfo)
    assert "PersonSW MarkerSWx already has an absence from 10 March 2026 to 19 March 2026" in (
        message
    )
    assert "cannot overlap" in message
    assert Absence.objects.filter(staff=world.sw, start_date=D(2026, 3, 15)).count() == 0


def test_an_absence_inside_another_is_refused(world):
    _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 19))
    with pytest.raises(ValidationError):
        _record(world, start_date=D(2026, 3, 12), end_date=D(2026, 3, 13))


def test_an_absence_around_another_is_refused(world):
    _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 19))
    with pytest.raises(ValidationError):
        _record(world, start_date=D(2026, 3, 1), end_date=D(2026, 3, 31))


def test_sharing_just_one_day_is_an_overlap(world):
    _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 19))
    with pytest.raises(ValidationError):
        _record(world, start_date=D(2026, 3, 19), end_date=D(2026, 3, 20))
    with pytest.raises(ValidationError):
        _record(world, start_date=D(2026, 3, 5), end_date=D(2026, 3, 10))


def test_back_to_back_absences_are_allowed(world):
    _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 19))
    after = _record(world, start_date=D(2026, 3, 20), end_date=D(2026, 3, 27))
    before = _record(world, start_date=D(2026, 3, 2), end_date=D(2026, 3, 9))
    assert Absence.objects.filter(pk__in=[after.pk, before.pk]).count() == 2


def test_an_absence_during_an_open_ended_one_is_refused(world):
    # sw2 has been on open-ended leave since 5 January 2026.
    with pytest.raises(ValidationError) as excinfo:
        _record(world, staff=world.sw2, start_date=D(2026, 6, 1), end_date=D(2026, 6, 5))
    message = _start_date_error(excinfo)
    assert "already has an open-ended absence from 05 January 2026" in message
    # The clash is named by its dates, never by its type or notes (health data).
    assert "Maternity" not in message and "NoteSW2secret" not in message
    assert Absence.objects.filter(staff=world.sw2).count() == 1


def test_an_open_ended_absence_starting_before_a_later_one_is_refused(world):
    _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 19))
    with pytest.raises(ValidationError):
        _record(world, start_date=D(2026, 2, 1), end_date=None)


def test_an_absence_before_an_open_ended_one_is_allowed(world):
    absence = _record(world, staff=world.sw2, start_date=D(2025, 12, 1), end_date=D(2026, 1, 4))
    assert absence.pk is not None


def test_another_persons_absence_is_no_clash(world):
    # sw2's open-ended leave does not stop sw being absent at the same time.
    absence = _record(world, staff=world.sw, start_date=D(2026, 6, 1), end_date=None)
    assert absence.pk is not None


# --- changing and ending ---------------------------------------------------------------------


def test_ending_an_open_absence_records_who_ended_it_and_why(world):
    absence = world.absence_sw2
    services.absence_end(absence=absence, end_date=D(2026, 9, 30), actor=world.tm2.user)
    absence.refresh_from_db()
    assert absence.end_date == D(2026, 9, 30)
    latest = absence.history.order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~"
    assert latest.history_user == world.tm2.user
    assert latest.history_change_reason == "Absence ended"
    assert latest.end_date == D(2026, 9, 30)


def test_an_absence_can_end_on_the_day_it_started(world):
    absence = _record(world, start_date=D(2026, 3, 10), end_date=None)
    services.absence_end(absence=absence, end_date=D(2026, 3, 10), actor=world.tm.user)
    assert absence.end_date == D(2026, 3, 10)


def test_ending_before_the_start_is_refused(world):
    absence = world.absence_sw2
    with pytest.raises(ValidationError) as excinfo:
        services.absence_end(absence=absence, end_date=D(2026, 1, 4), actor=world.tm2.user)
    assert "05 January 2026" in " ".join(excinfo.value.message_dict["end_date"])
    absence.refresh_from_db()
    assert absence.end_date is None
    assert absence.history.count() == 1


def test_ending_an_absence_that_has_already_ended_is_refused(world):
    absence = world.absence_sw  # ended 28 Feb 2025
    with pytest.raises(ValidationError) as excinfo:
        services.absence_end(absence=absence, end_date=D(2025, 3, 31), actor=world.tm.user)
    assert "already ended" in " ".join(excinfo.value.message_dict["end_date"])
    absence.refresh_from_db()
    assert absence.end_date == D(2025, 2, 28)


def test_a_later_change_does_not_inherit_the_previous_reason(world):
    absence = _record(world, start_date=D(2026, 3, 10), end_date=None)
    services.absence_end(absence=absence, end_date=D(2026, 3, 12), actor=world.tm.user)
    services.absence_update(absence=absence, actor=world.bs.user, notes="Back early")
    latest = absence.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Absence changed"
    assert latest.history_user == world.bs.user


def test_changing_the_type_to_annual_leave_stops_it_excusing(world):
    absence = _record(world, absence_type=AbsenceType.SICKNESS)
    services.absence_update(
        absence=absence, actor=world.tm.user, absence_type=AbsenceType.ANNUAL_LEAVE
    )
    absence.refresh_from_db()
    assert absence.excuses_supervision is False


def test_changing_dates_onto_another_absence_is_refused(world):
    first = _record(world, start_date=D(2026, 3, 10), end_date=D(2026, 3, 19))
    second = _record(world, start_date=D(2026, 4, 1), end_date=D(2026, 4, 3))
    with pytest.raises(ValidationError):
        services.absence_update(absence=second, actor=world.tm.user, start_date=D(2026, 3, 19))
    second.refresh_from_db()
    assert second.start_date == D(2026, 4, 1)
    # ...but an absence never clashes with itself.
    services.absence_update(absence=first, actor=world.tm.user, end_date=D(2026, 3, 20))
    first.refresh_from_db()
    assert first.end_date == D(2026, 3, 20)


@pytest.mark.parametrize("field", ["staff", "excuses_supervision", "created_at"])
def test_fields_the_service_sets_cannot_be_changed_through_it(world, field):
    absence = _record(world)
    value = {"staff": world.asye, "excuses_supervision": False, "created_at": None}[field]
    with pytest.raises(ValueError, match=field):
        services.absence_update(absence=absence, actor=world.tm.user, **{field: value})
    absence.refresh_from_db()
    assert absence.staff == world.sw
    assert absence.excuses_supervision is True


# --- pages: recording ------------------------------------------------------------------------


def _form(**overrides) -> dict[str, str]:
    return {
        "absence_type": "sickness",
        "start_date": "2026-03-10",
        "end_date": "2026-03-19",
        "notes": "TypedNoteKeep",
    } | overrides


def test_a_team_manager_records_an_absence_for_a_supervisee(world):
    client = world.client("tm")
    url = f"/staff/{world.sw.pk}/absences/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, _form())
    assert response.status_code == 302
    assert response["Location"] == f"/staff/{world.sw.pk}/"
    absence = Absence.objects.get(staff=world.sw, start_date=D(2026, 3, 10))
    assert absence.end_date == D(2026, 3, 19)
    assert absence.notes == "TypedNoteKeep"
    assert absence.excuses_supervision is True
    assert absence.history.get().history_user == world.tm.user


def test_business_support_record_an_open_ended_absence_for_anyone(world):
    response = world.client("bs").post(
        f"/staff/{world.gm.pk}/absences/new/", _form(absence_type="annual_leave", end_date="")
    )
    assert response.status_code == 302
    absence = Absence.objects.get(staff=world.gm)
    assert absence.end_date is None
    assert absence.excuses_supervision is False


def test_a_bad_form_is_shown_again_with_an_error_summary_and_nothing_lost(world):
    response = world.client("tm").post(
        f"/staff/{world.sw.pk}/absences/new/", _form(start_date="2026-03-19", end_date="2026-03-10")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "The end date must be on or after the start date." in html
    assert 'value="2026-03-19"' in html
    assert 'value="2026-03-10"' in html
    assert "TypedNoteKeep" in html
    assert '<option value="sickness" selected>' in html
    assert not Absence.objects.filter(staff=world.sw, start_date=D(2026, 3, 19)).exists()


def test_a_missing_start_date_is_explained(world):
    response = world.client("tm").post(f"/staff/{world.sw.pk}/absences/new/", _form(start_date=""))
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"TypedNoteKeep" in response.content
    assert Absence.objects.filter(staff=world.sw).count() == 1  # the world's own only


def test_an_overlap_is_explained_on_the_form(world):
    response = world.client("tm2").post(
        f"/staff/{world.sw2.pk}/absences/new/",
        _form(start_date="2026-06-01", end_date="2026-06-05"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "already has an open-ended absence from 05 January 2026" in html
    assert 'value="2026-06-01"' in html and "TypedNoteKeep" in html
    assert Absence.objects.filter(staff=world.sw2).count() == 1


def test_a_worker_cannot_record_their_own_absence(world):
    client = world.client("sw")
    url = f"/staff/{world.sw.pk}/absences/new/"
    assert client.get(url).status_code == 404
    assert client.post(url, _form()).status_code == 404
    assert Absence.objects.filter(staff=world.sw).count() == 1


@pytest.mark.parametrize("reader", ["asye", "atm", "psw", "ad", "tm2"])
def test_people_outside_the_line_management_chain_cannot_record_absences(world, reader):
    url = f"/staff/{world.sw.pk}/absences/new/"
    assert world.client(reader).post(url, _form()).status_code == 404
    assert Absence.objects.filter(staff=world.sw).count() == 1


def test_another_teams_manager_cannot_see_a_workers_page(world):
    client = world.client("tm2")
    assert client.get(f"/staff/{world.sw.pk}/").status_code == 404
    assert client.get(f"/staff/{world.sw.pk}/absences/new/").status_code == 404


def test_an_unknown_person_answers_404(world):
    assert world.client("bs").get("/staff/999999/absences/new/").status_code == 404


# --- pages: ending ---------------------------------------------------------------------------


def test_a_line_manager_ends_an_open_absence_from_the_page(world):
    absence = world.absence_sw2
    response = world.client("tm2").post(f"/absences/{absence.pk}/end/", {"end_date": "2026-09-30"})
    assert response.status_code == 302
    absence.refresh_from_db()
    assert absence.end_date == D(2026, 9, 30)
    latest = absence.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == world.tm2.user
    assert latest.history_change_reason == "Absence ended"


def test_ending_before_the_start_is_explained_on_the_page(world):
    absence = world.absence_sw2
    response = world.client("tm2").post(f"/absences/{absence.pk}/end/", {"end_date": "2025-12-01"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b'value="2025-12-01"' in response.content
    absence.refresh_from_db()
    assert absence.end_date is None


@pytest.mark.parametrize("reader", ["sw2", "psw", "tm"])
def test_people_who_may_not_manage_the_absence_cannot_end_it(world, reader):
    absence = world.absence_sw2
    response = world.client(reader).post(f"/absences/{absence.pk}/end/", {"end_date": "2026-09-30"})
    assert response.status_code == 404
    absence.refresh_from_db()
    assert absence.end_date is None


# --- pages: who sees the type and notes ------------------------------------------------------


def test_the_principal_social_worker_sees_only_that_a_worker_is_absent(world):
    response = world.client("psw").get(f"/staff/{world.sw2.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Absent today." in html
    assert "Maternity" not in html
    assert "NoteSW2secret" not in html
    assert "Record an absence" not in html


@pytest.mark.parametrize("reader", ["tm2", "gm2", "bs", "sw2"])
def test_the_line_management_chain_business_support_and_the_person_see_type_and_notes(
    world, reader
):
    response = world.client(reader).get(f"/staff/{world.sw2.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Absent today: Maternity, paternity or adoption leave" in html
    assert "NoteSW2secret" in html


def test_a_colleague_sees_a_past_absence_only_as_excused(world):
    response = world.client("asye").get(f"/staff/{world.sw.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Excused" in html
    assert "Long-term sickness" not in html
    assert "NoteSWsecret" not in html


def test_a_past_absence_is_not_shown_as_absent_today(world):
    response = world.client("tm").get(f"/staff/{world.sw.pk}/")
    assert b"Absent today" not in response.content
    assert b"Long-term sickness" in response.content


def test_an_absence_covering_today_shows_on_the_page(world):
    AbsenceFactory(staff=world.asye, start_date=D(2020, 1, 6), end_date=D(2099, 12, 31))
    response = world.client("tm").get(f"/staff/{world.asye.pk}/")
    assert b"Absent today: Sickness, until" in response.content
