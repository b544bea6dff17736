"""Reminders in the spine (DESIGN §4.7): each once per subject and stage, only to those who
may see the subject, delivered as notices (e-mail as each person chose)."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from oversight import reminders
from oversight.models import Notification, Reminder, StaffMember

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def about_sw2(world, monkeypatch):
    """The only reminder source: tell tm, sw and tm2 something about sw2 (tm and sw may not
    see sw2; tm2 manages them)."""

    def source(today):
        for person in StaffMember.objects.select_related("user").filter(
            pk__in=[world.tm.pk, world.sw.pk, world.tm2.pk]
        ):
            yield reminders.Due(
                recipient=person,
                kind="test-reminder",
                stage="first",
                subject_model=StaffMember,
                subject_id=world.sw2.pk,
                subject="Something about a worker",
                url=f"/staff/{world.sw2.pk}/",
            )

    monkeypatch.setattr(reminders, "_sources", [source])
    return source


def _notices(kind="test-reminder"):
    return Notification.objects.filter(kind=kind)


def test_a_reminder_goes_only_to_those_who_may_see_its_subject(world, about_sw2):
    reminders.send_reminders(today=TODAY)
    assert list(_notices().values_list("recipient", flat=True)) == [world.tm2.user_id]
    sent = Reminder.objects.get()
    assert (sent.recipient, sent.stage, sent.sent_on) == (world.tm2, "first", TODAY)
    assert sent.subject_kind == "oversight.staffmember" and sent.subject_id == world.sw2.pk


def test_running_it_again_sends_nothing_new(world, about_sw2):
    reminders.send_reminders(today=TODAY)
    assert reminders.send_reminders(today=TODAY) == []
    assert reminders.send_reminders(today=TODAY + datetime.timedelta(days=3)) == []
    assert _notices().count() == 1 and Reminder.objects.count() == 1


def test_a_deactivated_login_is_not_reminded(world, about_sw2):
    world.tm2.user.is_active = False
    world.tm2.user.save()
    assert reminders.send_reminders(today=TODAY) == []


def test_what_was_sent_is_kept_in_history(world, about_sw2):
    reminders.send_reminders(today=TODAY)
    entry = Reminder.objects.get().history.get()
    assert entry.history_change_reason == "Reminder sent"


def test_the_reminder_is_e_mailed_as_a_subject_line_and_a_link(
    world, about_sw2, mailoutbox, django_capture_on_commit_callbacks
):
    world.tm2.email = "tm2@example.org"
    world.tm2.save()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(today=TODAY)
    (mail,) = mailoutbox
    assert mail.to == ["tm2@example.org"]
    assert mail.subject == "Oversight: Something about a worker"
    assert mail.body.splitlines()[0] == "Something about a worker"
    assert f"/staff/{world.sw2.pk}/" in mail.body


def test_no_e_mail_for_someone_who_turned_e_mail_off(
    world, about_sw2, mailoutbox, django_capture_on_commit_callbacks
):
    StaffMember.objects.filter(pk=world.tm2.pk).update(
        email="tm2@example.org", email_notifications=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders(today=TODAY)
    assert mailoutbox == []
    assert _notices().count() == 1  # still told in Oversight


def test_the_access_check_is_a_fixed_number_of_queries_however_many_recipients(
    world, django_assert_num_queries
):
    people = list(StaffMember.objects.select_related("user"))
    # One for the union of every recipient's view; one for supervision's cover lookup.
    with django_assert_num_queries(2):
        seen = reminders.visible_pairs(StaffMember, [(p, world.sw2.pk) for p in people])
    readers = {pk for pk, _ in seen}
    assert world.tm2.pk in readers and world.psw.pk in readers
    assert world.sw.pk not in readers and world.tm.pk not in readers


def test_the_command_sends_them_and_says_how_many(world, about_sw2, capsys):
    call_command("send_reminders", "--date", TODAY.isoformat())
    assert "1 reminder sent for 10 Mar 2026." in capsys.readouterr().out
    call_command("send_reminders", "--date", TODAY.isoformat())
    assert "0 reminders sent" in capsys.readouterr().out


def test_supervision_registers_its_reminders():
    names = {source.__name__ for source in reminders.registered_sources()}
    assert {"signatures_awaited", "supervision_due", "actions_due", "cover_changes"} <= names
