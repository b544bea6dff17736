"""`/api/v1/supervisions/`: book, start, save sections with optimistic locking, hold, not
held, sign and add to — each with its refusals, answered 400/403/404/409, never 500."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from oversight.models import AccessLogEntry, CaseType
from supervision import rules, services
from supervision.models import SessionStatus, SupervisionSession
from supervision.selectors import with_support_notes_hidden
from tests.api_helpers import ids, results
from tests.conftest import ROLES
from tests.factories import CaseFactory, StaffFactory
from tests.supervision.api.conftest import (
    D,
    held,
    locked,
    signed_by_supervisor,
    started,
    url,
)
from tests.supervision.factories import (
    ActionFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
    SessionFactory,
    at,
)

pytestmark = pytest.mark.django_db

SUPERVISIONS = "/api/v1/supervisions/"


def save(client, session, field, value, version):
    return client.patch(
        url(session), {"field": field, "value": value, "version": version}, format="json"
    )


# --- booking ---------------------------------------------------------------------------------


def test_a_supervisor_books_a_session(world, api_as):
    response = api_as("tm").post(
        SUPERVISIONS,
        {"supervisee": world.sw.pk, "scheduled_for": "2026-12-01T10:00:00Z", "agenda": "Leave"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["supervisor"], body["agenda"]) == (
        "scheduled",
        world.tm.pk,
        "Leave",
    )
    session = SupervisionSession.objects.get(pk=body["id"])
    assert session.history.get().history_user == world.tm.user


def test_booking_ignores_server_set_fields(world, api_as):
    response = api_as("tm").post(
        SUPERVISIONS,
        {
            "supervisee": world.sw.pk,
            "scheduled_for": "2026-12-01T10:00:00Z",
            "status": "signed",
            "supervisor": world.gm.pk,
            "supervisor_signed_at": "2026-11-01T10:00:00Z",
            "section_versions": {"agenda": 9},
            "is_short": True,
        },
        format="json",
    )
    assert response.status_code == 201
    session = SupervisionSession.objects.get(pk=response.json()["id"])
    assert session.status == SessionStatus.SCHEDULED
    assert session.supervisor == world.tm
    assert session.supervisor_signed_at is None
    assert session.section_versions == {}
    assert session.is_short is False


def test_booking_for_someone_you_can_see_but_do_not_supervise_is_forbidden(world, api_as):
    response = api_as("gm").post(
        SUPERVISIONS,
        {"supervisee": world.sw.pk, "scheduled_for": "2026-12-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 403
    assert "do not supervise" in response.json()["detail"]
    assert not SupervisionSession.objects.exists()


def test_booking_for_someone_you_cannot_see_is_not_found(world, api_as):
    response = api_as("tm").post(
        SUPERVISIONS,
        {"supervisee": world.sw2.pk, "scheduled_for": "2026-12-01T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 404
    assert not SupervisionSession.objects.exists()


def test_booking_without_a_date_names_the_field(world, api_as):
    response = api_as("tm").post(SUPERVISIONS, {"supervisee": world.sw.pk}, format="json")
    assert response.status_code == 400
    assert "scheduled_for" in response.json()


# --- starting --------------------------------------------------------------------------------


def test_starting_with_a_supervisee_pulls_in_discussions_and_brings_open_actions(world, api_as):
    CaseFactory(allocated_worker=world.sw, case_type=CaseType.CHILD_PROTECTION, is_duty=True)
    discussion = InformalDiscussionFactory(worker=world.sw, advice="Ring the school")
    action = ActionFactory(supervisee=world.sw, description="Visit grandmother")
    response = api_as("tm").post(
        f"{SUPERVISIONS}start/", {"supervisee": world.sw.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["caseload_snapshot"]["open_cases"] == 2
    assert body["caseload_snapshot"]["duty_cases"] == 1
    assert [d["advice"] for d in body["informal_discussions"]] == ["Ring the school"]
    assert [r["action"]["description"] for r in body["action_reviews"]] == ["Visit grandmother"]
    assert body["action_reviews"][0]["action"]["id"] == action.pk
    discussion.refresh_from_db()
    assert discussion.incorporated_into_id == body["id"]


def test_starting_twice_returns_the_session_in_progress(world, api_as):
    client = api_as("tm")
    first = client.post(f"{SUPERVISIONS}start/", {"supervisee": world.sw.pk}, format="json")
    second = client.post(f"{SUPERVISIONS}start/", {"supervisee": world.sw.pk}, format="json")
    assert first.json()["id"] == second.json()["id"]
    assert SupervisionSession.objects.count() == 1


def test_starting_a_booked_session_by_its_id(world, api_as):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    response = api_as("tm").post(url(booked, "start"))
    assert response.status_code == 200
    assert response.json()["id"] == booked.pk
    assert response.json()["status"] == "in_progress"


@pytest.mark.parametrize("role", ["sw", "gm", "asye", "psw"])
def test_starting_supervision_for_someone_you_do_not_supervise_is_forbidden(world, api_as, role):
    response = api_as(role).post(
        f"{SUPERVISIONS}start/", {"supervisee": world.sw.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not SupervisionSession.objects.exists()


def test_starting_supervision_for_someone_you_cannot_see_is_not_found(world, api_as):
    response = api_as("tm2").post(
        f"{SUPERVISIONS}start/", {"supervisee": world.sw.pk}, format="json"
    )
    assert response.status_code == 404
    assert not SupervisionSession.objects.exists()


def test_starting_a_booked_session_you_cannot_see_is_not_found(world, api_as):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    assert api_as("tm2").post(url(booked, "start")).status_code == 404
    booked.refresh_from_db()
    assert booked.status == SessionStatus.SCHEDULED


def test_a_cover_manager_starts_supervision_and_the_record_shows_who_they_acted_for(world, api_as):
    services.cover_set(
        absent_supervisor=world.tm,
        covering_manager=world.tm2,
        start_date=D(2026, 11, 1),
        end_date=D(2026, 12, 31),
        actor=world.gm.user,
    )
    response = api_as("tm2").post(
        f"{SUPERVISIONS}start/", {"supervisee": world.sw.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["supervisor"], response.json()["acting_for"]) == (
        world.tm2.pk,
        world.tm.pk,
    )


# --- saving a section ------------------------------------------------------------------------


def test_saving_a_section_raises_its_version(world, api_as):
    session = started(world)
    response = save(api_as("tm"), session, "reflection", "Thinking about the family", 0)
    assert response.status_code == 200, response.json()
    assert response.json()["reflection"] == "Thinking about the family"
    assert response.json()["section_versions"]["reflection"] == 1
    response = save(api_as("tm"), session, "reflection", "Thinking more", 1)
    assert response.json()["section_versions"]["reflection"] == 2


def test_a_conflicting_edit_is_refused_with_both_values(world, api_as):
    session = started(world)
    assert save(api_as("tm"), session, "capacity_notes", "First text", 0).status_code == 200
    response = save(api_as("tm"), session, "capacity_notes", "Second text", 0)
    assert response.status_code == 409
    body = response.json()
    assert body["field"] == "capacity_notes"
    assert body["your_value"] == "Second text"
    assert body["current_value"] == "First text"
    assert body["current_version"] == 1
    assert "changed by PersonTM MarkerTMx" in body["detail"]
    assert body["changed_by"] == "PersonTM MarkerTMx"
    session.refresh_from_db()
    assert session.capacity_notes == "First text"


def test_a_conflict_names_the_other_person_in_changed_by(world, api_as):
    session = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    assert save(api_as("sw"), session, "preparation", "My cases", 0).status_code == 200
    response = save(api_as("tm"), session, "preparation", "Manager's points", 0)
    assert response.status_code == 409
    body = response.json()
    assert body["changed_by"] == "PersonSW MarkerSWx"
    assert "was changed by PersonSW MarkerSWx while you were editing" in body["detail"]


def test_a_conflict_whose_saver_is_not_recorded_has_a_null_changed_by(world, api_as):
    session = started(world)
    assert save(api_as("tm"), session, "agenda", "First text", 0).status_code == 200
    session.history.update(history_user=None)
    response = save(api_as("tm"), session, "agenda", "Second text", 0)
    assert response.status_code == 409
    body = response.json()
    assert body["changed_by"] is None
    assert "changed by someone else" in body["detail"]


def test_the_same_text_sent_twice_is_not_a_conflict(world, api_as):
    session = started(world)
    client = api_as("tm")
    assert save(client, session, "agenda", "Caseload", 0).status_code == 200
    assert save(client, session, "agenda", "Caseload", 0).status_code == 200


def test_editing_a_locked_record_is_a_conflict_with_a_clear_message(world, api_as):
    session = locked(world)
    response = save(api_as("tm"), session, "reflection", "Late thought", 0)
    assert response.status_code == 409
    assert "locked" in response.json()["detail"]
    assert "addendum" in response.json()["detail"]


@pytest.mark.parametrize(
    "field",
    [
        "status",
        "supervisor",
        "acting_for",
        "section_versions",
        "is_short",
        "locked_at",
        "caseload_snapshot",
        "held_on",
        "supervisor_signed_at",
    ],
)
def test_server_set_fields_cannot_be_saved(world, api_as, field):
    session = started(world)
    response = save(api_as("tm"), session, field, "signed", 0)
    assert response.status_code == 400
    assert "field" in response.json()
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS


def test_a_patch_naming_fields_directly_is_refused(world, api_as):
    session = started(world)
    response = api_as("tm").patch(
        url(session), {"status": "signed", "reflection": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "one field at a time" in response.json()["reflection"][0]
    assert "status" in response.json()
    session.refresh_from_db()
    assert (session.status, session.reflection) == (SessionStatus.IN_PROGRESS, "")


def test_a_wellbeing_score_outside_one_to_five_is_refused(world, api_as):
    response = save(api_as("tm"), started(world), "wellbeing_score", 6, 0)
    assert response.status_code == 400
    assert "wellbeing_score" in response.json()


def test_the_supervisee_writes_their_preparation_but_not_the_record(world, api_as):
    session = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    assert save(api_as("sw"), session, "preparation", "My cases", 0).status_code == 200
    response = save(api_as("sw"), session, "agenda", "My agenda", 0)
    assert response.status_code == 403
    assert "supervisor" in response.json()["detail"]


def test_someone_who_can_see_the_record_but_does_not_record_it_is_forbidden(world, api_as):
    response = save(api_as("gm"), started(world), "reflection", "Not mine", 0)
    assert response.status_code == 403


def test_someone_who_cannot_see_the_record_is_not_found(world, api_as):
    for role in ("tm2", "asye", "bs"):
        assert save(api_as(role), started(world), "reflection", "x", 0).status_code == 404


def test_put_is_not_offered(world, api_as):
    response = api_as("tm").put(url(started(world)), {"reflection": "x"}, format="json")
    assert response.status_code == 405


def test_a_save_by_token_leaves_history_naming_the_tokens_user(world, token_api_as):
    session = started(world)
    response = save(token_api_as("tm"), session, "cpd_learning", "Trauma-informed practice", 0)
    assert response.status_code == 200
    latest = session.history.latest()
    assert latest.cpd_learning == "Trauma-informed practice"
    assert latest.history_user == world.tm.user
    assert latest.history_change_reason == "cpd_learning saved"


# --- held, not held --------------------------------------------------------------------------


def test_marking_held_records_times_and_flags_a_short_session(world, api_as):
    response = api_as("tm").post(
        url(started(world), "hold"),
        {"started_at": "2026-11-02T10:00:00Z", "ended_at": "2026-11-02T11:00:00Z"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["held_on"], body["duration_minutes"]) == ("held", "2026-11-02", 60)
    assert body["is_short"] is True


def test_a_session_cannot_end_before_it_started(world, api_as):
    session = started(world)
    response = api_as("tm").post(
        url(session, "hold"),
        {"started_at": "2026-11-02T11:00:00Z", "ended_at": "2026-11-02T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "ended_at" in response.json()
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS


def test_only_the_recorder_marks_held(world, api_as):
    session = started(world)
    assert api_as("sw").post(url(session, "hold")).status_code == 403
    assert api_as("tm2").post(url(session, "hold")).status_code == 404


def test_recording_not_held_keeps_the_reason(world, api_as):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 11, 2)), actor=world.tm.user
    )
    response = api_as("tm").post(
        url(booked, "not-held"), {"reason": "worker_absent"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["not_held_reason"], body["held_on"]) == (
        "not_held",
        "worker_absent",
        "2026-11-02",
    )


def test_not_held_for_another_reason_needs_the_detail(world, api_as):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 11, 2)), actor=world.tm.user
    )
    response = api_as("tm").post(url(booked, "not-held"), {"reason": "other"}, format="json")
    assert response.status_code == 400
    assert "detail" in response.json()
    response = api_as("tm").post(url(booked, "not-held"), {"reason": "snow"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()


def test_a_held_session_cannot_then_be_not_held(world, api_as):
    response = api_as("tm").post(
        url(held(world), "not-held"), {"reason": "worker_absent"}, format="json"
    )
    assert response.status_code == 400
    assert "cannot be not held" in response.json()["non_field_errors"][0]


# --- signing and addenda ---------------------------------------------------------------------


def test_both_sign_and_the_record_locks(world, api_as):
    session = held(world)
    assert api_as("tm").post(url(session, "sign")).status_code == 200
    response = api_as("sw").post(
        url(session, "sign"),
        {"comment": "I see the caseload differently", "disagrees": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "signed"
    assert body["is_locked"] is True
    assert body["locked_at"] is not None
    assert body["supervisee_disagrees"] is True
    assert body["supervisee_comment"] == "I see the caseload differently"


def test_disagreeing_without_saying_why_is_refused(world, api_as):
    response = api_as("sw").post(
        url(signed_by_supervisor(world), "sign"), {"disagrees": True}, format="json"
    )
    assert response.status_code == 400
    assert "comment" in response.json()


def test_the_supervisee_signs_after_the_supervisor(world, api_as):
    response = api_as("sw").post(url(held(world), "sign"))
    assert response.status_code == 400
    assert "after them" in response.json()["non_field_errors"][0]


def test_signing_a_record_you_can_see_but_is_not_yours_is_forbidden(world, api_as):
    session = signed_by_supervisor(world)
    response = api_as("gm").post(url(session, "sign"))
    assert response.status_code == 403
    assert "Only the supervisor and the supervisee" in response.json()["detail"]
    session.refresh_from_db()
    assert session.supervisee_signed_at is None


def test_signing_a_record_you_cannot_see_is_not_found(world, api_as):
    session = signed_by_supervisor(world)
    for role in ("asye", "sw2", "tm2"):
        assert api_as(role).post(url(session, "sign")).status_code == 404
    session.refresh_from_db()
    assert session.supervisee_signed_at is None


def test_signing_a_locked_record_again_is_a_conflict(world, api_as):
    assert api_as("sw").post(url(locked(world), "sign")).status_code == 409


def test_an_addendum_is_added_to_a_locked_record(world, api_as):
    session = locked(world)
    response = api_as("sw").post(url(session, "addenda"), {"text": "One more thing"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["author"] == world.sw.pk
    record = api_as("tm").get(url(session)).json()
    assert [a["text"] for a in record["addenda"]] == ["One more thing"]


def test_an_addendum_to_a_record_not_yet_locked_is_refused(world, api_as):
    response = api_as("tm").post(url(held(world), "addenda"), {"text": "x"}, format="json")
    assert response.status_code == 400


def test_an_empty_addendum_is_refused(world, api_as):
    response = api_as("tm").post(url(locked(world), "addenda"), {"text": ""}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()


def test_an_addendum_by_someone_who_cannot_see_the_record_is_not_found(world, api_as):
    response = api_as("tm2").post(url(locked(world), "addenda"), {"text": "x"}, format="json")
    assert response.status_code == 404


# --- reading ---------------------------------------------------------------------------------


def test_the_record_includes_everything_in_it(world, api_as):
    session = started(world)
    case = world.case_sw
    services.case_discussion_add(session=session, case=case, actor=world.tm.user, scaling=6)
    services.action_create(
        supervisee=world.sw,
        description="Book CP training",
        owner=world.sw,
        session=session,
        actor=world.tm.user,
    )
    body = api_as("tm").get(url(session)).json()
    assert [(d["case_reference"], d["scaling"]) for d in body["case_discussions"]] == [
        ("CH-SW0001", 6)
    ]
    assert [a["description"] for a in body["actions"]] == ["Book CP training"]
    assert body["is_locked"] is False
    assert body["duration_minutes"] is None
    assert body["section_versions"] == {}


def test_reading_a_record_writes_the_access_log_and_a_list_one_line(world, api_as):
    session = started(world)
    client = api_as("gm")
    assert client.get(SUPERVISIONS).status_code == 200
    listed = AccessLogEntry.objects.get()
    assert list(listed.items.values_list("object_id", flat=True)) == [str(session.pk)]
    listed.delete()
    assert client.get(url(session)).status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.kind, entry.object_id, entry.via) == (
        world.gm.user,
        "supervision",
        str(session.pk),
        "api",
    )
    assert entry.subject == world.sw


def test_business_support_sees_no_supervision_records(world, api_as):
    session = held(world)
    client = api_as("bs")
    assert results(client.get(SUPERVISIONS)) == []
    assert client.get(url(session)).status_code == 404


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("tm", True),
        ("sw", True),
        ("gm", True),
        ("psw", True),
        ("ad", True),
        ("asye", False),
        ("atm", False),
        ("tm2", False),
        ("sw2", False),
        ("bs", False),
    ],
)
def test_records_are_seen_by_the_supervisee_their_managers_and_the_directorate(
    world, api_as, role, sees
):
    session = started(world)
    assert (session.pk in ids(api_as(role).get(SUPERVISIONS))) is sees
    assert api_as(role).get(url(session)).status_code == (200 if sees else 404)


def test_the_list_filters_by_supervisee_status_and_held_dates(world, api_as):
    early = HeldSessionFactory(supervisee=world.sw, held_on=D(2026, 1, 5))
    late = HeldSessionFactory(supervisee=world.sw, held_on=D(2026, 3, 2))
    other = HeldSessionFactory(supervisee=world.asye, held_on=D(2026, 3, 2))
    booked = SessionFactory(supervisee=world.sw)
    client = api_as("tm")
    assert ids(client.get(SUPERVISIONS, {"supervisee": world.sw.pk})) == {
        early.pk,
        late.pk,
        booked.pk,
    }
    assert ids(client.get(SUPERVISIONS, {"status": "scheduled"})) == {booked.pk}
    assert ids(
        client.get(SUPERVISIONS, {"held_on_after": "2026-02-01", "held_on_before": "2026-03-31"})
    ) == {late.pk, other.pk}
    assert ids(client.get(SUPERVISIONS, {"supervisor": world.tm.pk})) == {
        early.pk,
        late.pk,
        other.pk,
        booked.pk,
    }


def test_filtering_by_someone_you_cannot_see_is_refused_like_a_missing_id(world, api_as):
    response = api_as("tm").get(SUPERVISIONS, {"supervisee": world.sw2.pk})
    assert response.status_code == 400
    assert "supervisee" in response.json()


def test_the_list_holds_its_query_count_as_records_grow(world, api_as):
    def grow(n: int) -> None:
        for _ in range(n):
            worker = StaffFactory(team=world.riverside, supervisor=world.tm)
            case = CaseFactory(allocated_worker=worker)
            InformalDiscussionFactory(worker=worker)
            ActionFactory(supervisee=worker)
            session = services.session_start(supervisee=worker, actor=world.tm.user)
            services.case_discussion_add(session=session, case=case, actor=world.tm.user)
            services.session_save_field(
                session=session,
                field="support_confidential",
                value=True,
                base_version=0,
                actor=world.tm.user,
            )

    client = api_as("psw")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = results(client.get(SUPERVISIONS))
        return len(queries.captured_queries), len(rows)

    grow(2)
    small = count()
    grow(8)
    large = count()
    assert (small[1], large[1]) == (2, 10)
    print("QUERIES", small, large)
    assert large[0] == small[0], (small, large)
    assert large[0] <= 19  # 16, and the access log's line for the page (3)


# --- confidential support notes --------------------------------------------------------------


def confidential(world) -> SupervisionSession:
    session = started(world)
    session = services.session_save_field(
        session=session,
        field="support_notes",
        value="NotesSecretX",
        base_version=0,
        actor=world.tm.user,
    )
    return services.session_save_field(
        session=session,
        field="support_confidential",
        value=True,
        base_version=0,
        actor=world.tm.user,
    )


@pytest.mark.parametrize(
    ("role", "reads"),
    [("tm", True), ("sw", True), ("gm", True), ("psw", False), ("ad", False)],
)
def test_confidential_notes_are_null_for_auditors_and_the_assistant_director(
    world, api_as, role, reads
):
    session = confidential(world)
    client = api_as(role)
    detail = client.get(url(session)).json()
    (listed,) = [row for row in results(client.get(SUPERVISIONS)) if row["id"] == session.pk]
    for body in (detail, listed):
        assert body["support_notes"] == ("NotesSecretX" if reads else None)
        assert body["support_notes_hidden"] is (not reads)
        assert body["support_confidential"] is True
    assert ("NotesSecretX" in client.get(SUPERVISIONS).content.decode()) is reads


def test_notes_once_confidential_stay_hidden_after_the_flag_is_cleared(world, api_as):
    session = confidential(world)
    services.session_save_field(
        session=session,
        field="support_confidential",
        value=False,
        base_version=1,
        actor=world.tm.user,
    )
    body = api_as("psw").get(url(session)).json()
    assert body["support_notes"] is None
    assert body["support_notes_hidden"] is True


def test_notes_never_confidential_are_read_by_everyone_who_sees_the_record(world, api_as):
    session = services.session_save_field(
        session=started(world),
        field="support_notes",
        value="Plain notes",
        base_version=0,
        actor=world.tm.user,
    )
    body = api_as("psw").get(url(session)).json()
    assert (body["support_notes"], body["support_notes_hidden"]) == ("Plain notes", False)


def test_the_list_annotation_agrees_with_the_access_rule_for_every_role(world):
    confidential(world)
    cleared = services.session_start(supervisee=world.asye, actor=world.tm.user)
    cleared = services.session_save_field(
        session=cleared,
        field="support_confidential",
        value=True,
        base_version=0,
        actor=world.tm.user,
    )
    services.session_save_field(
        session=cleared,
        field="support_confidential",
        value=False,
        base_version=1,
        actor=world.tm.user,
    )
    services.session_start(supervisee=world.sw2, actor=world.tm2.user)
    for role in ROLES:
        user = world.people[role].user
        for session in with_support_notes_hidden(user, SupervisionSession.objects.all()):
            expected = "support_notes" in rules.hidden_session_fields(user, session)
            assert session.support_notes_hidden is expected, (role, session.supervisee)


def test_a_superuser_reads_confidential_notes(world):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    session = confidential(world)
    client = APIClient()
    client.force_login(admin)
    assert client.get(url(session)).json()["support_notes"] == "NotesSecretX"


def test_the_api_never_answers_500_to_nonsense(world, api_as):
    session = started(world)
    client = api_as("tm")
    for path, body in [
        (f"{SUPERVISIONS}start/", {"supervisee": "abc"}),
        (f"{SUPERVISIONS}start/", {"supervisee": 99999}),
        (url(session, "hold"), {"started_at": "yesterday"}),
        (url(session, "sign"), {"disagrees": "perhaps"}),
        (url(session, "not-held"), {}),
        (SUPERVISIONS, {"supervisee": world.sw.pk, "scheduled_for": "2026-13-45"}),
    ]:
        response = client.post(path, body, format="json")
        assert 400 <= response.status_code < 500, (path, response.status_code)
    response = client.patch(url(session), [1, 2], format="json")
    assert response.status_code == 400
    for path in (
        SUPERVISIONS,
        f"{SUPERVISIONS}start/",
        "/api/v1/informal-discussions/",
        "/api/v1/actions/",
        "/api/v1/case-discussions/",
    ):
        response = client.post(path, [world.sw.pk], format="json")
        assert response.status_code == 400, (path, response.status_code)
        assert "non_field_errors" in response.json()


def test_someone_you_cannot_see_is_not_found_before_the_rest_of_the_body_is_judged(world, api_as):
    response = api_as("tm2").post(
        f"{SUPERVISIONS}start/", {"supervisee": world.sw.pk, "session_type": "x"}, format="json"
    )
    assert response.status_code == 404
    response = api_as("tm2").post(url(started(world), "hold"), {"ended_at": "x"}, format="json")
    assert response.status_code == 404
