"""Absences through the API: types and notes are health data (DESIGN §5), only the person's
managers and business support record them, and none may overlap."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.models import Absence, AbsenceType
from tests.api_helpers import results
from tests.factories import AbsenceFactory

pytestmark = pytest.mark.django_db

HIDDEN = {"absence_type": None, "notes": None, "details_visible": False}


def _row(response, absence) -> dict:
    return next(row for row in results(response) if row["id"] == absence.pk)


# --- reading: health data ------------------------------------------------------------------


def test_the_directorate_outside_the_chain_sees_only_that_the_person_is_absent(world, api_as):
    client = api_as("psw")
    detail = client.get(f"/api/v1/absences/{world.absence_sw2.pk}/").json()
    assert detail | HIDDEN == detail
    assert detail["start_date"] == "2026-01-05"
    assert detail["excuses_supervision"] is True
    listed = _row(client.get("/api/v1/absences/"), world.absence_sw2)
    assert listed | HIDDEN == listed
    assert "NoteSW2secret" not in client.get("/api/v1/absences/").content.decode()
    assert "parental_leave" not in client.get("/api/v1/absences/").content.decode()


def test_a_colleague_sees_only_that_a_team_mate_is_absent(world, api_as):
    for reader in ("asye", "atm"):
        detail = api_as(reader).get(f"/api/v1/absences/{world.absence_sw.pk}/").json()
        assert detail["absence_type"] is None, reader
        assert detail["notes"] is None, reader
        assert detail["details_visible"] is False, reader


@pytest.mark.parametrize("reader", ["tm2", "gm2", "bs", "sw2"])
def test_the_chain_business_support_and_the_person_see_the_details(world, api_as, reader):
    detail = api_as(reader).get(f"/api/v1/absences/{world.absence_sw2.pk}/").json()
    assert detail["absence_type"] == AbsenceType.PARENTAL_LEAVE
    assert detail["notes"] == "NoteSW2secret"
    assert detail["details_visible"] is True


def test_one_list_mixes_hidden_and_visible_rows_correctly(world, api_as):
    """tm manages sw but not asye's colleague sw2's chain; give asye an absence tm can read
    and check a reader sees both states side by side."""
    asye_absence = AbsenceFactory(staff=world.asye, notes="NoteASYEsecret")
    response = api_as("sw").get("/api/v1/absences/")
    own = _row(response, world.absence_sw)
    colleague = _row(response, asye_absence)
    assert own["notes"] == "NoteSWsecret" and own["details_visible"] is True
    assert colleague | HIDDEN == colleague
    assert "NoteASYEsecret" not in response.content.decode()


def test_listing_absences_takes_a_constant_number_of_queries(
    world, api_as, django_assert_max_num_queries
):
    client, manager = api_as("psw"), api_as("tm")
    with CaptureQueriesContext(connection) as few:
        assert len(results(client.get("/api/v1/absences/"))) == 2
    for offset, person in enumerate([world.sw, world.asye, world.atm, world.tm, world.sw2] * 2):
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=30 * offset)
        AbsenceFactory(staff=person, start_date=start, end_date=start + datetime.timedelta(days=3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = results(client.get("/api/v1/absences/"))
    assert len(rows) == 12
    assert {row["details_visible"] for row in rows} == {False}
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = results(manager.get("/api/v1/absences/"))
    assert {row["details_visible"] for row in rows} == {True}


def test_filtering_by_person_and_by_day(world, api_as):
    client = api_as("bs")
    rows = results(client.get("/api/v1/absences/", {"staff": world.sw.pk}))
    assert [row["id"] for row in rows] == [world.absence_sw.pk]
    rows = results(client.get("/api/v1/absences/", {"current_on": "2025-02-01"}))
    assert [row["id"] for row in rows] == [world.absence_sw.pk]
    rows = results(client.get("/api/v1/absences/", {"current_on": "2026-06-01"}))
    assert [row["id"] for row in rows] == [world.absence_sw2.pk]


# --- writing -------------------------------------------------------------------------------


def _new_absence(world, **overrides) -> dict:
    return {
        "staff": world.sw.pk,
        "absence_type": AbsenceType.SICKNESS,
        "start_date": "2026-03-02",
        "end_date": "2026-03-06",
        "notes": "Flu",
    } | overrides


def test_a_manager_records_an_absence_for_their_worker(world, api_as):
    response = api_as("tm").post("/api/v1/absences/", _new_absence(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["absence_type"] == AbsenceType.SICKNESS
    assert body["notes"] == "Flu"
    assert body["excuses_supervision"] is True
    absence = Absence.objects.get(pk=body["id"])
    assert absence.staff == world.sw
    assert absence.history.get().history_user == world.tm.user


def test_business_support_record_absences_for_anyone(world, api_as):
    response = api_as("bs").post(
        "/api/v1/absences/",
        _new_absence(world, staff=world.gm2.pk, absence_type=AbsenceType.ANNUAL_LEAVE),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["excuses_supervision"] is False


def test_a_worker_cannot_record_their_own_absence(world, api_as):
    response = api_as("sw").post("/api/v1/absences/", _new_absence(world), format="json")
    assert response.status_code == 404
    assert Absence.objects.filter(staff=world.sw).count() == 1


def test_a_worker_cannot_record_a_colleagues_absence(world, api_as):
    response = api_as("sw").post(
        "/api/v1/absences/", _new_absence(world, staff=world.asye.pk), format="json"
    )
    assert response.status_code == 404
    assert not Absence.objects.filter(staff=world.asye).exists()


def test_a_worker_cannot_change_their_own_absence(world, api_as):
    response = api_as("sw").patch(
        f"/api/v1/absences/{world.absence_sw.pk}/", {"notes": "changed"}, format="json"
    )
    assert response.status_code == 404
    world.absence_sw.refresh_from_db()
    assert world.absence_sw.notes == "NoteSWsecret"


def test_the_directorate_cannot_change_an_absence_it_only_reads(world, api_as):
    response = api_as("psw").patch(
        f"/api/v1/absences/{world.absence_sw2.pk}/", {"notes": "changed"}, format="json"
    )
    assert response.status_code == 404
    world.absence_sw2.refresh_from_db()
    assert world.absence_sw2.notes == "NoteSW2secret"


def test_an_overlapping_absence_is_refused_on_the_start_date(world, api_as):
    response = api_as("tm").post(
        "/api/v1/absences/",
        _new_absence(world, start_date="2025-02-20", end_date="2025-03-10"),
        format="json",
    )
    assert response.status_code == 400
    assert "cannot overlap" in str(response.json()["start_date"])
    assert Absence.objects.filter(staff=world.sw).count() == 1


def test_an_absence_overlapping_an_open_ended_one_is_refused(world, api_as):
    response = api_as("tm2").post(
        "/api/v1/absences/",
        _new_absence(world, staff=world.sw2.pk, start_date="2027-01-04", end_date=None),
        format="json",
    )
    assert response.status_code == 400
    assert "start_date" in response.json()


def test_moving_an_absence_onto_another_is_refused(world, api_as):
    later = AbsenceFactory(
        staff=world.sw, start_date=datetime.date(2025, 6, 2), end_date=datetime.date(2025, 6, 6)
    )
    response = api_as("tm").patch(
        f"/api/v1/absences/{later.pk}/", {"start_date": "2025-02-27"}, format="json"
    )
    assert response.status_code == 400
    assert "start_date" in response.json()
    later.refresh_from_db()
    assert later.start_date == datetime.date(2025, 6, 2)


def test_an_end_before_the_start_is_refused(world, api_as):
    response = api_as("tm").post(
        "/api/v1/absences/",
        _new_absence(world, start_date="2026-03-06", end_date="2026-03-02"),
        format="json",
    )
    assert response.status_code == 400
    assert "end_date" in response.json()


def test_an_end_before_the_stored_start_is_refused_on_patch(world, api_as):
    response = api_as("tm").patch(
        f"/api/v1/absences/{world.absence_sw.pk}/", {"end_date": "2024-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert "end_date" in response.json()


def test_an_invisible_person_is_refused_as_a_bad_reference(world, api_as):
    response = api_as("tm").post(
        "/api/v1/absences/", _new_absence(world, staff=world.sw2.pk), format="json"
    )
    assert response.status_code == 400
    assert "staff" in response.json()
    assert "Marker" not in response.content.decode()
    assert not Absence.objects.filter(staff=world.sw2, notes="Flu").exists()


def test_an_invisible_person_reads_the_same_as_one_that_does_not_exist(world, api_as):
    client = api_as("tm")
    invisible = client.post(
        "/api/v1/absences/", _new_absence(world, staff=world.sw2.pk), format="json"
    )
    missing = client.post(
        "/api/v1/absences/", _new_absence(world, staff=world.sw2.pk + 1000), format="json"
    )
    assert invisible.json()["staff"] == [f'Invalid pk "{world.sw2.pk}" - object does not exist.']
    assert missing.json()["staff"] == [
        f'Invalid pk "{world.sw2.pk + 1000}" - object does not exist.'
    ]


def test_a_manager_changes_the_type_and_excusal_follows(world, api_as):
    response = api_as("tm").patch(
        f"/api/v1/absences/{world.absence_sw.pk}/",
        {"absence_type": AbsenceType.ANNUAL_LEAVE},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["excuses_supervision"] is False
    world.absence_sw.refresh_from_db()
    assert world.absence_sw.excuses_supervision is False


def test_excusal_cannot_be_set_by_the_request(world, api_as):
    response = api_as("tm").post(
        "/api/v1/absences/",
        _new_absence(world, absence_type=AbsenceType.ANNUAL_LEAVE, excuses_supervision=True),
        format="json",
    )
    assert response.status_code == 201
    assert Absence.objects.get(pk=response.json()["id"]).excuses_supervision is False


def test_an_absence_cannot_be_moved_to_another_person(world, api_as):
    response = api_as("tm").patch(
        f"/api/v1/absences/{world.absence_sw.pk}/", {"staff": world.asye.pk}, format="json"
    )
    assert response.status_code == 400
    assert "staff" in response.json()
    world.absence_sw.refresh_from_db()
    assert world.absence_sw.staff == world.sw


def test_absences_cannot_be_deleted(world, api_as):
    response = api_as("bs").delete(f"/api/v1/absences/{world.absence_sw.pk}/")
    assert response.status_code == 405
    assert Absence.objects.filter(pk=world.absence_sw.pk).exists()


def test_an_absence_not_vetted_by_the_viewset_shows_no_health_data(world):
    """The serializer fails closed: without the viewset's `details_visible` annotation the
    type and notes read as null."""
    from oversight.api.serializers import AbsenceSerializer

    data = AbsenceSerializer(Absence.objects.get(pk=world.absence_sw.pk)).data
    assert (data["absence_type"], data["notes"], data["details_visible"]) == (None, None, False)
    assert data["start_date"] == "2025-01-06"


def test_the_options_answer_names_no_absence(world, api_as):
    response = api_as("psw").options(f"/api/v1/absences/{world.absence_sw2.pk}/")
    assert response.status_code == 200
    assert "NoteSW2secret" not in response.content.decode()
    assert "Marker" not in response.content.decode()


def test_a_full_update_replaces_the_dates_and_notes(world, api_as):
    response = api_as("tm").put(
        f"/api/v1/absences/{world.absence_sw.pk}/",
        {
            "staff": world.sw.pk,
            "absence_type": AbsenceType.SICKNESS,
            "start_date": "2025-01-06",
            "end_date": "2025-01-10",
            "notes": "",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    world.absence_sw.refresh_from_db()
    assert (world.absence_sw.absence_type, world.absence_sw.notes) == (AbsenceType.SICKNESS, "")
    assert world.absence_sw.end_date == datetime.date(2025, 1, 10)
