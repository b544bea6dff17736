"""Supervision's reminders (DESIGN §4.7): records awaiting a signature (and again when late),
supervision due soon and overdue, actions due and overdue, cover starting and ending — each
once, only to those who may see the record, a subject line and a link without note text."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oversight.models import Notification, Reminder, StaffMember
from oversight.reminders import SYSTEM_READER, send_reminders
from oversight.workdays import add_working_days
from supervision.models import ActionStatus, CoverStatus, SessionStatus
from supervision.policy import Status
from supervision.selectors import supervision_status
from supervision.services import SIGN_OFF_WORKING_DAYS
from tests.factories import StaffFactory
from tests.supervision.factories import (
    ActionFactory,
    CoverFactory,
    HeldSessionFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def _told(kind, person=None):
    notices = Notification.objects.filter(kind=kind)
    if person is not None:
        notices = notices.filter(recipient=person.user)
    return list(notices.order_by("pk"))


def _stages(kind, person):
    return sorted(
        Reminder.objects.filter(kind=kind, recipient=person).values_list("stage", flat=True)
    )


# --- awaiting a signature -------------------------------------------------------------------


def test_a_held_record_reminds_the_supervisor_once_then_once_more_when_late(world, today):
    session = HeldSessionFactory(supervisee=world.sw, held_on=today)
    send_reminders(today=today)
    send_reminders(today=today)
    (notice,) = _told("signature-awaited", world.tm)
    assert "awaits your signature" in notice.subject
    assert notice.url == f"/supervision/{session.pk}/"
    deadline = add_working_days(today, SIGN_OFF_WORKING_DAYS)
    send_reminders(today=deadline)  # on the deadline it is not late yet
    assert len(_told("signature-awaited", world.tm)) == 1
    send_reminders(today=deadline + ONE_DAY)
    send_reminders(today=deadline + 2 * ONE_DAY)
    assert _stages("signature-awaited", world.tm) == ["awaiting", "late"]
    assert "past its sign-off date" in _told("signature-awaited", world.tm)[-1].subject
    assert _told("signature-awaited", world.sw) == []  # not theirs to sign yet


def test_once_the_supervisor_has_signed_it_awaits_the_supervisee(world, today):
    HeldSessionFactory(supervisee=world.sw, held_on=today, supervisor_signed_at=timezone.now())
    send_reminders(today=today)
    assert _stages("signature-awaited", world.sw) == ["awaiting"]
    assert _told("signature-awaited", world.tm) == []
    assert "Your supervision record" in _told("signature-awaited", world.sw)[0].subject


def test_a_signed_record_or_one_not_yet_held_reminds_nobody(world, today):
    SessionFactory(supervisee=world.sw, status=SessionStatus.SCHEDULED)
    HeldSessionFactory(
        supervisee=world.sw2,
        held_on=today,
        status=SessionStatus.SIGNED,
        supervisor_signed_at=timezone.now(),
        supervisee_signed_at=timezone.now(),
    )
    send_reminders(today=today)
    assert _told("signature-awaited") == []


def test_the_signature_reminder_carries_no_note_text(
    world, today, mailoutbox, django_capture_on_commit_callbacks
):
    StaffMember.objects.filter(pk=world.tm.pk).update(email="tm@example.org")
    HeldSessionFactory(
        supervisee=world.sw, held_on=today, agenda="AgendaSecret", support_notes="WellSecret"
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=today)
    mails = [mail for mail in mailoutbox if "signature" in mail.subject]
    assert len(mails) == 1
    for text in ("AgendaSecret", "WellSecret"):
        assert text not in mails[0].body and text not in mails[0].subject


# --- supervision due ------------------------------------------------------------------------


def test_overdue_supervision_reminds_the_worker_and_their_supervisor_once(world, today):
    # Nobody in the world has been supervised since starting in 2020: all are overdue.
    send_reminders(today=today)
    send_reminders(today=today)
    send_reminders(today=today + ONE_DAY)
    mine = _told("supervision-due", world.sw)
    assert len(mine) == 1 and "Your next supervision is overdue" in mine[0].subject
    assert mine[0].url == "/supervision/mine/"
    about_sw = [n for n in _told("supervision-due", world.tm) if world.sw.full_name in n.subject]
    assert len(about_sw) == 1 and about_sw[0].url == f"/staff/{world.sw.pk}/supervision/"
    # tm2 does not supervise sw and is told nothing about them.
    assert not [n for n in _told("supervision-due", world.tm2) if world.sw.full_name in n.subject]


def test_supervision_due_soon_reminds_once_and_again_when_overdue(world, today):
    HeldSessionFactory(supervisee=world.sw, held_on=today - datetime.timedelta(days=40))
    (status,) = supervision_status(
        SYSTEM_READER, StaffMember.objects.filter(pk=world.sw.pk), today=today
    )
    soon = status.due_date - datetime.timedelta(days=3)
    (early,) = supervision_status(
        SYSTEM_READER, StaffMember.objects.filter(pk=world.sw.pk), today=soon
    )
    assert early.status == Status.DUE_SOON
    send_reminders(today=soon)
    send_reminders(today=soon + ONE_DAY)
    assert _stages("supervision-due", world.sw) == [f"soon:{early.due_date.isoformat()}"]
    late = early.due_date + datetime.timedelta(days=15)
    send_reminders(today=late)
    send_reminders(today=late)
    assert [stage.split(":")[0] for stage in _stages("supervision-due", world.sw)] == [
        "overdue",
        "soon",
    ]


def test_supervision_due_is_a_fixed_number_of_queries_however_many_workers(world, today):
    with CaptureQueriesContext(connection) as few:
        send_reminders(today=today)
    for _ in range(6):
        StaffFactory(team=world.riverside, supervisor=world.tm)
    Reminder.objects.filter(kind="supervision-due").delete()  # test set-up only
    with CaptureQueriesContext(connection) as more:
        send_reminders(today=today)
    assert Reminder.objects.filter(kind="supervision-due").count() > 12
    assert len(more) == len(few)


# --- actions --------------------------------------------------------------------------------


def test_an_action_due_tomorrow_and_then_overdue_reminds_its_owner_once_each(world, today):
    action = ActionFactory(
        supervisee=world.sw, owner=world.sw, due_date=today + ONE_DAY, description="SecretPlan"
    )
    send_reminders(today=today)
    send_reminders(today=today)
    send_reminders(today=today + ONE_DAY)  # due today: neither tomorrow nor overdue
    assert _stages("action-due", world.sw) == ["tomorrow"]
    send_reminders(today=today + 2 * ONE_DAY)
    send_reminders(today=today + 3 * ONE_DAY)
    assert _stages("action-due", world.sw) == ["overdue", "tomorrow"]
    for notice in _told("action-due", world.sw):
        assert "SecretPlan" not in notice.subject
    assert Reminder.objects.get(kind="action-due", stage="overdue").subject_id == action.pk


def test_a_manager_owning_an_action_is_told_whose_plan_it_is_in(world, today):
    ActionFactory(supervisee=world.sw, owner=world.tm, due_date=today - ONE_DAY)
    send_reminders(today=today)
    (notice,) = _told("action-due", world.tm)
    assert world.sw.full_name in notice.subject and "overdue" in notice.subject
    assert notice.url == f"/staff/{world.sw.pk}/supervision/"


def test_a_closed_action_reminds_nobody(world, today):
    ActionFactory(supervisee=world.sw, due_date=today - ONE_DAY, status=ActionStatus.DONE)
    send_reminders(today=today)
    assert _told("action-due") == []


def test_the_action_reminder_e_mail_carries_no_note_text_and_follows_the_setting(
    world, today, mailoutbox, django_capture_on_commit_callbacks
):
    StaffMember.objects.filter(pk=world.sw.pk).update(email="sw@example.org")
    StaffMember.objects.filter(pk=world.sw2.pk).update(
        email="sw2@example.org", email_notifications=False
    )
    ActionFactory(supervisee=world.sw, due_date=today + ONE_DAY, description="SecretPlanSW")
    ActionFactory(supervisee=world.sw2, due_date=today + ONE_DAY, description="SecretPlanSW2")
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=today)
    action_mails = [mail for mail in mailoutbox if "action" in mail.subject]
    assert [mail.to for mail in action_mails] == [["sw@example.org"]]
    assert "SecretPlanSW" not in action_mails[0].body
    assert not [mail for mail in mailoutbox if "sw2@example.org" in mail.to]
    assert len(_told("action-due", world.sw2)) == 1  # still told in Oversight


# --- cover ----------------------------------------------------------------------------------


def test_cover_starting_and_ending_tomorrow_reminds_the_covering_manager_once_each(world, today):
    start = today + ONE_DAY
    CoverFactory(
        absent_supervisor=world.tm,
        covering_manager=world.gm,
        start_date=start,
        end_date=start + datetime.timedelta(days=7),
    )
    send_reminders(today=today)
    send_reminders(today=today)
    assert _stages("cover", world.gm) == ["starts"]
    send_reminders(today=today + datetime.timedelta(days=7))
    send_reminders(today=today + datetime.timedelta(days=7))
    assert _stages("cover", world.gm) == ["ends", "starts"]
    assert _told("cover", world.gm)[0].url == f"/staff/{world.tm.pk}/"


def test_cover_only_proposed_reminds_nobody(world, today):
    CoverFactory(
        absent_supervisor=world.tm,
        covering_manager=world.gm,
        start_date=today + ONE_DAY,
        status=CoverStatus.PROPOSED,
    )
    send_reminders(today=today)
    assert _told("cover") == []


def test_a_covering_manager_who_may_not_see_the_cover_is_not_told(world, today):
    # tm may not see tm2 (another service), so not the cover for them either.
    CoverFactory(absent_supervisor=world.tm2, covering_manager=world.tm, start_date=today + ONE_DAY)
    send_reminders(today=today)
    assert _told("cover") == []
    assert not Reminder.objects.filter(kind="cover").exists()
