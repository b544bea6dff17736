"""Saving as the manager types: one section at a time, each with its own version, so nothing
typed is overwritten silently and a retry of the same text is harmless (DESIGN §4.3)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from supervision import services
from supervision.models import CaseDiscussion, NotHeldReason, SupervisionSession
from supervision.services import EditConflict, RecordLocked
from tests.factories import CaseFactory
from tests.supervision.factories import at

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def session(world) -> SupervisionSession:
    return services.session_start(supervisee=world.sw, actor=world.tm.user)


def save(session, field, value, base_version, actor):
    return services.session_save_field(
        session=session, field=field, value=value, base_version=base_version, actor=actor.user
    )


def fresh(session) -> SupervisionSession:
    return SupervisionSession.objects.get(pk=session.pk)


def lock(world, session) -> SupervisionSession:
    services.session_hold(
        session=session,
        actor=world.tm.user,
        started_at=at(D(2026, 3, 2), 10),
        ended_at=at(D(2026, 3, 2), 11, 30),
    )
    services.session_sign(session=session, actor=world.tm.user)
    return services.session_sign(session=session, actor=world.sw.user)


# --- versions and conflicts ------------------------------------------------------------------


def test_each_save_of_a_section_increments_its_version(world, session):
    save(session, "agenda", "First", 0, world.tm)
    saved = save(session, "agenda", "First and second", 1, world.tm)
    assert saved.section_version("agenda") == 2
    assert fresh(session).agenda == "First and second"


def test_a_save_from_a_stale_page_is_a_conflict_carrying_the_other_text(world, session):
    save(session, "agenda", "From the laptop", 0, world.tm)
    with pytest.raises(EditConflict) as conflict:
        save(session, "agenda", "From the tablet", 0, world.tm)
    assert conflict.value.current_value == "From the laptop"
    assert conflict.value.current_version == 1
    assert conflict.value.changed_by == "PersonTM MarkerTMx"
    assert fresh(session).agenda == "From the laptop"


def test_a_conflict_names_the_other_person_who_saved_the_section(world, session):
    save(session, "preparation", "My points: leave, training", 0, world.sw)
    with pytest.raises(EditConflict) as conflict:
        save(session, "preparation", "Manager's version", 0, world.tm)
    assert conflict.value.current_value == "My points: leave, training"
    assert conflict.value.changed_by == "PersonSW MarkerSWx"


def test_a_conflict_names_who_saved_that_section_not_who_saved_last(world, session):
    save(session, "preparation", "My points", 0, world.sw)
    save(session, "agenda", "Agenda", 0, world.tm)
    with pytest.raises(EditConflict) as conflict:
        save(session, "preparation", "Overwrite", 0, world.tm)
    assert conflict.value.changed_by == "PersonSW MarkerSWx"


def test_an_identical_retry_is_not_a_conflict_and_changes_nothing(world, session):
    save(session, "reflection", "Thinking about the family", 0, world.tm)
    versions_before = fresh(session).history.count()
    again = save(session, "reflection", "Thinking about the family", 0, world.tm)
    assert again.section_version("reflection") == 1
    assert fresh(session).history.count() == versions_before


def test_two_different_sections_saved_from_the_same_page_do_not_conflict(world, session):
    save(session, "agenda", "Agenda", 0, world.tm)
    save(session, "capacity_notes", "Near capacity", 0, world.tm)
    saved = fresh(session)
    assert (saved.agenda, saved.capacity_notes) == ("Agenda", "Near capacity")
    assert saved.section_versions == {"agenda": 1, "capacity_notes": 1}


def test_a_save_claiming_a_version_from_the_future_is_a_conflict(world, session):
    with pytest.raises(EditConflict):
        save(session, "agenda", "Agenda", 7, world.tm)


@pytest.mark.parametrize("field", ["status", "supervisor_signed_at", "supervisee", "locked_at"])
def test_only_the_record_sections_can_be_saved(world, session, field):
    with pytest.raises(ValidationError) as refused:
        save(session, field, "x", 0, world.tm)
    assert "field" in refused.value.message_dict


def test_text_must_be_text(world, session):
    with pytest.raises(ValidationError):
        save(session, "agenda", {"html": "<b>"}, 0, world.tm)


# --- who writes what -------------------------------------------------------------------------


def test_a_locked_record_refuses_every_save(world, session):
    lock(world, session)
    with pytest.raises(RecordLocked):
        save(session, "reflection", "After the lock", 0, world.tm)
    with pytest.raises(RecordLocked):
        save(session, "preparation", "After the lock", 0, world.sw)
    assert fresh(session).reflection == ""


def test_the_supervisee_writes_preparation_before_the_session(world):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    saved = save(booked, "preparation", "Points I want to raise", 0, world.sw)
    assert saved.preparation == "Points I want to raise"


@pytest.mark.parametrize("field", ["agenda", "support_notes", "reflection", "wellbeing_score"])
def test_the_supervisee_cannot_write_the_managers_sections(world, session, field):
    with pytest.raises(PermissionDenied):
        save(session, field, "3", 0, world.sw)


@pytest.mark.parametrize("person", ["tm2", "gm", "asye", "psw"])
def test_nobody_outside_the_session_saves_into_it(world, session, person):
    with pytest.raises(PermissionDenied):
        save(session, "preparation", "Intruding", 0, world.people[person])
    with pytest.raises(PermissionDenied):
        save(session, "agenda", "Intruding", 0, world.people[person])


def test_a_session_not_held_has_nothing_to_record(world, session):
    services.session_not_held(
        session=session, reason=NotHeldReason.WORKER_ABSENT, actor=world.tm.user
    )
    with pytest.raises(ValidationError):
        save(session, "agenda", "Anything", 0, world.tm)
    with pytest.raises(ValidationError):
        save(session, "preparation", "Anything", 0, world.sw)


# --- wellbeing and confidentiality values ----------------------------------------------------


@pytest.mark.parametrize("value", [0, 6, "x", "3.5", 4.5, True, -1])
def test_a_wellbeing_score_outside_1_to_5_is_refused(world, session, value):
    with pytest.raises(ValidationError) as refused:
        save(session, "wellbeing_score", value, 0, world.tm)
    assert "wellbeing_score" in refused.value.message_dict
    assert fresh(session).wellbeing_score is None


def test_a_wellbeing_score_typed_as_text_is_kept_as_a_number(world, session):
    assert save(session, "wellbeing_score", "4", 0, world.tm).wellbeing_score == 4
    assert save(session, "wellbeing_score", "", 1, world.tm).wellbeing_score is None


def test_support_notes_can_be_marked_confidential(world, session):
    assert save(session, "support_confidential", "on", 0, world.tm).support_confidential is True
    with pytest.raises(ValidationError):
        save(session, "support_confidential", "perhaps", 1, world.tm)


# --- case discussions ------------------------------------------------------------------------


@pytest.fixture
def discussion(world, session) -> CaseDiscussion:
    return services.case_discussion_add(
        session=session, case=world.case_sw, actor=world.tm.user, worries="School absence"
    )


def save_discussion(discussion, field, value, base_version, actor):
    return services.case_discussion_save_field(
        discussion=discussion, field=field, value=value, base_version=base_version, actor=actor.user
    )


def test_a_case_on_the_supervisees_caseload_is_discussed(world, discussion):
    assert discussion.case == world.case_sw
    assert discussion.worries == "School absence"
    assert discussion.version == 1


def test_a_case_not_on_the_supervisees_caseload_is_refused(world, session):
    with pytest.raises(ValidationError) as refused:
        services.case_discussion_add(session=session, case=world.case_sw2, actor=world.tm.user)
    assert "case" in refused.value.message_dict
    closed = CaseFactory(allocated_worker=world.sw, closed_on=D(2026, 1, 1))
    with pytest.raises(ValidationError):
        services.case_discussion_add(session=session, case=closed, actor=world.tm.user)
    assert not CaseDiscussion.objects.exists()


def test_adding_a_discussion_with_a_scaling_out_of_range_is_refused(world, session):
    with pytest.raises(ValidationError):
        services.case_discussion_add(
            session=session, case=world.case_sw, actor=world.tm.user, scaling=11
        )


def test_adding_a_discussion_with_an_unknown_field_is_refused(world, session):
    with pytest.raises(ValidationError):
        services.case_discussion_add(
            session=session, case=world.case_sw, actor=world.tm.user, version=99
        )


@pytest.mark.parametrize("value", [-1, 11, "ten", "5.5", 5.5, True])
def test_a_scaling_outside_0_to_10_is_refused(world, discussion, value):
    with pytest.raises(ValidationError) as refused:
        save_discussion(discussion, "scaling", value, 1, world.tm)
    assert "scaling" in refused.value.message_dict
    discussion.refresh_from_db()
    assert (discussion.scaling, discussion.version) == (None, 1)


@pytest.mark.parametrize("value", [0, 10, "7"])
def test_a_scaling_from_0_to_10_is_saved(world, discussion, value):
    saved = save_discussion(discussion, "scaling", value, 1, world.tm)
    assert saved.scaling == int(value)
    assert saved.version == 2


def test_a_stale_case_discussion_save_is_a_conflict_with_the_saved_text(world, discussion):
    save_discussion(discussion, "decisions", "Strategy meeting", 1, world.tm)
    with pytest.raises(EditConflict) as conflict:
        save_discussion(discussion, "decisions", "Something else", 1, world.tm)
    assert conflict.value.current_value == "Strategy meeting"
    assert conflict.value.current_version == 2


def test_an_identical_case_discussion_retry_is_not_a_conflict(world, discussion):
    save_discussion(discussion, "decisions", "Strategy meeting", 1, world.tm)
    assert save_discussion(discussion, "decisions", "Strategy meeting", 1, world.tm).version == 2


def test_the_supervisee_cannot_edit_a_case_discussion(world, discussion):
    with pytest.raises(PermissionDenied):
        save_discussion(discussion, "decisions", "Mine", 1, world.sw)


def test_a_case_discussion_of_a_locked_record_is_locked(world, session, discussion):
    lock(world, session)
    with pytest.raises(RecordLocked):
        save_discussion(discussion, "decisions", "Late", 1, world.tm)


def test_a_case_discussion_refuses_fields_it_does_not_have(world, discussion):
    with pytest.raises(ValidationError):
        save_discussion(discussion, "case", world.case_sw2.pk, 1, world.tm)
