"""A session's life: booked, started, held (or not held, or cancelled), signed by the
supervisor then the supervisee, locked, and added to only by addenda (DESIGN §4.3)."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from oversight.models import CaseType
from oversight.workdays import add_working_days
from supervision import services
from supervision.models import (
    Addendum,
    NotHeldReason,
    PolicyVariant,
    SessionStatus,
    SessionType,
    SupervisionPolicy,
    SupervisionSession,
)
from supervision.services import RecordLocked
from tests.factories import CaseFactory
from tests.supervision.factories import at

pytestmark = pytest.mark.django_db

D = datetime.date
A_MONDAY = datetime.date(2026, 3, 2)


def started(world, supervisee=None):
    return services.session_start(supervisee=supervisee or world.sw, actor=world.tm.user)


def held(world, *, day=A_MONDAY, minutes=90, supervisee=None):
    session = started(world, supervisee)
    start = at(day, 10)
    return services.session_hold(
        session=session,
        actor=world.tm.user,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=minutes),
    )


def signed_by_supervisor(world, **kwargs):
    return services.session_sign(session=held(world, **kwargs), actor=world.tm.user)


def locked(world):
    session = signed_by_supervisor(world)
    return services.session_sign(session=session, actor=world.sw.user)


# --- booking and starting --------------------------------------------------------------------


def test_a_supervisor_books_a_session_with_an_agenda(world):
    session = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user, agenda="Leave"
    )
    assert session.status == SessionStatus.SCHEDULED
    assert session.supervisor == world.tm
    assert session.acting_for is None
    assert session.agenda == "Leave"


def test_booking_for_someone_you_do_not_supervise_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.session_schedule(
            supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm2.user
        )
    assert not SupervisionSession.objects.exists()


def test_starting_takes_a_caseload_snapshot(world):
    CaseFactory(allocated_worker=world.sw, case_type=CaseType.CHILD_PROTECTION, is_duty=True)
    CaseFactory(allocated_worker=world.sw, closed_on=D(2026, 1, 1))
    session = started(world)
    assert session.status == SessionStatus.IN_PROGRESS
    assert session.started_at is not None
    snapshot = session.caseload_snapshot
    assert snapshot["open_cases"] == 2
    assert snapshot["by_type"] == {CaseType.CHILD_IN_NEED: 1, CaseType.CHILD_PROTECTION: 1}
    assert snapshot["duty_cases"] == 1
    assert snapshot["fte"] == "1.00"


def test_starting_with_a_booked_session_starts_that_session(world):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    session = started(world)
    assert session.pk == booked.pk
    assert SupervisionSession.objects.count() == 1


def test_an_asye_workers_planned_session_is_an_asye_session(world):
    assert started(world, world.asye).session_type == SessionType.ASYE


def test_a_cancelled_session_cannot_be_started(world):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    services.session_cancel(session=booked, actor=world.tm.user)
    with pytest.raises(ValidationError):
        services.session_start(supervisee=world.sw, session=booked, actor=world.tm.user)


def test_a_session_for_someone_else_cannot_be_started_as_this_workers(world):
    booked = services.session_schedule(
        supervisee=world.asye, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    with pytest.raises(ValidationError):
        services.session_start(supervisee=world.sw, session=booked, actor=world.tm.user)
    booked.refresh_from_db()
    assert booked.status == SessionStatus.SCHEDULED


# --- holding ---------------------------------------------------------------------------------


def test_holding_records_the_times_and_the_day(world):
    session = held(world, day=D(2026, 3, 2), minutes=95)
    assert session.status == SessionStatus.HELD
    assert session.held_on == D(2026, 3, 2)
    assert session.duration_minutes == 95
    assert session.is_short is False


def test_a_session_shorter_than_the_policy_minimum_is_held_but_flagged_short(world):
    session = held(world, minutes=89)
    assert session.status == SessionStatus.HELD
    assert session.is_short is True


def test_a_session_is_judged_short_by_the_policy_in_force_on_the_day(world):
    services.policy_create_from_variant(
        variant=PolicyVariant.EMPLOYER_STANDARDS_2024,
        effective_from=D(2026, 6, 1),
        min_minutes=60,
        actor=world.psw.user,
    )
    before = held(world, day=D(2026, 5, 20), minutes=75)
    services.session_sign(session=before, actor=world.tm.user)
    services.session_sign(session=before, actor=world.sw.user)
    after = held(world, day=D(2026, 6, 10), minutes=75)
    assert before.is_short is True
    assert after.is_short is False


def test_a_session_cannot_end_before_it_started(world):
    session = started(world)
    with pytest.raises(ValidationError) as refused:
        services.session_hold(
            session=session,
            actor=world.tm.user,
            started_at=at(D(2026, 3, 2), 11),
            ended_at=at(D(2026, 3, 2), 10),
        )
    assert "ended_at" in refused.value.message_dict
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS


def test_a_session_cannot_end_in_the_future(world):
    session = started(world)
    from django.utils import timezone

    with pytest.raises(ValidationError):
        services.session_hold(
            session=session,
            actor=world.tm.user,
            ended_at=timezone.now() + datetime.timedelta(hours=2),
        )


def test_only_the_recorder_marks_a_session_held(world):
    session = started(world)
    for person in ("sw", "gm", "tm2"):
        with pytest.raises(PermissionDenied):
            services.session_hold(session=session, actor=world.people[person].user)
    session.refresh_from_db()
    assert session.status == SessionStatus.IN_PROGRESS


def test_a_cancelled_session_cannot_be_held(world):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 3, 2)), actor=world.tm.user
    )
    services.session_cancel(session=booked, actor=world.tm.user)
    with pytest.raises(ValidationError):
        services.session_hold(session=booked, actor=world.tm.user)


# --- not held and cancelled ------------------------------------------------------------------


def test_a_session_not_held_keeps_its_reason_and_the_day_it_was_due(world):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 3, 2)), actor=world.tm.user
    )
    session = services.session_not_held(
        session=booked, reason=NotHeldReason.WORKER_ABSENT, actor=world.tm.user
    )
    assert session.status == SessionStatus.NOT_HELD
    assert session.not_held_reason == NotHeldReason.WORKER_ABSENT
    assert session.held_on == D(2026, 3, 2)


def test_not_held_for_another_reason_needs_the_reason_in_words(world):
    booked = started(world)
    with pytest.raises(ValidationError) as refused:
        services.session_not_held(session=booked, reason=NotHeldReason.OTHER, actor=world.tm.user)
    assert "not_held_detail" in refused.value.message_dict
    session = services.session_not_held(
        session=booked, reason=NotHeldReason.OTHER, detail=" Fire drill ", actor=world.tm.user
    )
    assert session.not_held_detail == "Fire drill"


def test_an_unknown_not_held_reason_is_refused(world):
    with pytest.raises(ValidationError):
        services.session_not_held(session=started(world), reason="bored", actor=world.tm.user)


def test_a_held_session_cannot_then_be_not_held(world):
    session = held(world)
    with pytest.raises(ValidationError):
        services.session_not_held(
            session=session, reason=NotHeldReason.WORKER_ABSENT, actor=world.tm.user
        )


def test_a_session_not_held_can_be_recorded_when_none_was_booked(world):
    session = services.session_not_held_for(
        supervisee=world.sw,
        reason=NotHeldReason.SUPERVISOR_ABSENT,
        on=D(2026, 4, 7),
        actor=world.tm.user,
    )
    assert (session.status, session.held_on, session.supervisor) == (
        SessionStatus.NOT_HELD,
        D(2026, 4, 7),
        world.tm,
    )


def test_not_held_for_someone_you_do_not_supervise_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.session_not_held_for(
            supervisee=world.sw, reason=NotHeldReason.WORKER_ABSENT, actor=world.tm2.user
        )
    assert not SupervisionSession.objects.exists()


def test_a_booked_session_can_be_cancelled_but_not_a_started_one(world):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    assert services.session_cancel(session=booked, actor=world.tm.user).status == "cancelled"
    with pytest.raises(ValidationError):
        services.session_cancel(session=started(world), actor=world.tm.user)


def test_the_supervisee_cannot_cancel_their_session(world):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=booked, actor=world.sw.user)


# --- signing and lock ------------------------------------------------------------------------


def test_the_supervisor_cannot_sign_before_the_session_is_held(world):
    with pytest.raises(ValidationError):
        services.session_sign(session=started(world), actor=world.tm.user)


def test_the_supervisee_cannot_sign_before_the_supervisor(world):
    session = held(world)
    with pytest.raises(ValidationError) as refused:
        services.session_sign(session=session, actor=world.sw.user)
    assert "has not signed" in refused.value.messages[0]
    session.refresh_from_db()
    assert session.supervisee_signed_at is None


def test_the_supervisor_signs_first_and_the_record_waits_for_the_supervisee(world):
    session = signed_by_supervisor(world)
    assert session.supervisor_signed_at is not None
    assert session.supervisor_signed_by == world.tm.user
    assert session.status == SessionStatus.HELD
    assert not session.is_locked


def test_the_supervisor_cannot_sign_twice(world):
    session = signed_by_supervisor(world)
    with pytest.raises(ValidationError):
        services.session_sign(session=session, actor=world.tm.user)


def test_both_signatures_lock_the_record(world):
    session = locked(world)
    assert session.status == SessionStatus.SIGNED
    assert session.is_locked
    assert session.locked_at is not None
    assert session.supervisee_signed_at is not None


def test_the_supervisee_may_sign_with_a_comment(world):
    session = services.session_sign(
        session=signed_by_supervisor(world), actor=world.sw.user, comment="  Helpful.  "
    )
    assert session.supervisee_comment == "Helpful."
    assert session.supervisee_disagrees is False


def test_the_supervisee_may_record_disagreement_with_what_they_disagree_with(world):
    session = services.session_sign(
        session=signed_by_supervisor(world),
        actor=world.sw.user,
        comment="The caseload figure is wrong.",
        disagrees=True,
    )
    assert session.supervisee_disagrees is True
    assert session.supervisee_comment == "The caseload figure is wrong."
    assert session.is_locked


def test_disagreeing_without_saying_why_is_refused(world):
    session = signed_by_supervisor(world)
    with pytest.raises(ValidationError) as refused:
        services.session_sign(session=session, actor=world.sw.user, disagrees=True, comment=" ")
    assert "supervisee_comment" in refused.value.message_dict
    session.refresh_from_db()
    assert not session.is_locked


@pytest.mark.parametrize("person", ["gm", "tm2", "psw", "asye"])
def test_nobody_else_signs_the_record(world, person):
    session = signed_by_supervisor(world)
    with pytest.raises(PermissionDenied):
        services.session_sign(session=session, actor=world.people[person].user)


def test_once_the_supervisor_has_signed_they_cannot_change_the_record(world):
    session = signed_by_supervisor(world)
    with pytest.raises(ValidationError):
        services.session_save_field(
            session=session, field="agenda", value="Changed", base_version=0, actor=world.tm.user
        )


def test_a_locked_record_refuses_holding_and_signing_again(world):
    session = locked(world)
    with pytest.raises(RecordLocked):
        services.session_hold(session=session, actor=world.tm.user)
    with pytest.raises(RecordLocked):
        services.session_sign(session=session, actor=world.sw.user)


# --- signed within 5 working days ------------------------------------------------------------


def sign_on(world, session, supervisor_day, supervisee_day):
    with mock.patch("django.utils.timezone.now", return_value=at(supervisor_day, 16)):
        services.session_sign(session=session, actor=world.tm.user)
    with mock.patch("django.utils.timezone.now", return_value=at(supervisee_day, 16)):
        return services.session_sign(session=session, actor=world.sw.user)


def test_signing_deadline_skips_the_weekend_and_the_august_bank_holiday():
    # Thursday 27 August 2026; Monday 31 August is the summer bank holiday.
    assert add_working_days(D(2026, 8, 27), 5) == D(2026, 9, 4)


def test_signed_by_both_on_the_fifth_working_day_after_a_bank_holiday_is_on_time(world):
    session = held(world, day=D(2026, 8, 27))
    session = sign_on(world, session, D(2026, 8, 28), D(2026, 9, 4))
    assert session.signed_on_time is True


def test_signed_after_the_fifth_working_day_is_late(world):
    session = held(world, day=D(2026, 8, 27))
    session = sign_on(world, session, D(2026, 8, 28), D(2026, 9, 7))
    assert session.signed_on_time is False


def test_a_late_supervisor_signature_makes_the_record_late(world):
    session = held(world, day=D(2026, 10, 7))  # a Wednesday: deadline Wednesday 14th
    session = sign_on(world, session, D(2026, 10, 15), D(2026, 10, 15))
    assert session.signed_on_time is False


def test_signed_across_a_weekend_within_five_working_days_is_on_time(world):
    session = held(world, day=D(2026, 10, 7))
    session = sign_on(world, session, D(2026, 10, 9), D(2026, 10, 14))
    assert session.signed_on_time is True


def test_on_time_is_unknown_until_both_have_signed(world):
    assert signed_by_supervisor(world).signed_on_time is None


# --- addenda ---------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["tm", "sw", "gm"])
def test_the_people_in_the_supervision_and_their_managers_add_addenda(world, person):
    session = locked(world)
    addendum = services.addendum_add(
        session=session, text=" Later note ", actor=world.people[person].user
    )
    assert addendum.author == world.people[person]
    assert addendum.text == "Later note"


def test_an_addendum_is_refused_before_the_record_is_locked(world):
    with pytest.raises(ValidationError):
        services.addendum_add(session=held(world), text="Too early", actor=world.tm.user)


@pytest.mark.parametrize("person", ["psw", "bs", "tm2", "asye"])
def test_others_cannot_add_an_addendum(world, person):
    session = locked(world)
    with pytest.raises(PermissionDenied):
        services.addendum_add(session=session, text="Note", actor=world.people[person].user)
    assert not Addendum.objects.exists()


def test_a_blank_addendum_is_refused(world):
    with pytest.raises(ValidationError):
        services.addendum_add(session=locked(world), text="   ", actor=world.tm.user)


@pytest.mark.parametrize("role", ["tm", "gm", "ad", "sw", "bs"])
def test_only_a_principal_social_worker_publishes_a_policy(world, role):
    with pytest.raises(PermissionDenied):
        services.policy_create_from_variant(
            variant=PolicyVariant.ASYE_FRAMEWORK,
            effective_from=D(2027, 1, 1),
            actor=world.people[role].user,
        )
    assert not SupervisionPolicy.objects.filter(effective_from=D(2027, 1, 1)).exists()
