"""The per-person e-mail setting (DESIGN §4.7): a person turns e-mail copies of their
notifications off on My details; notices still appear in Oversight."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from oversight import notifications, services
from oversight.models import Notification, StaffMember

pytestmark = pytest.mark.django_db


def _with_address(person, **fields):
    StaffMember.objects.filter(pk=person.pk).update(email=f"{person.pk}@example.org", **fields)
    return StaffMember.objects.get(pk=person.pk)


def test_e_mail_copies_are_on_unless_turned_off(world):
    assert world.sw.email_notifications is True


def test_my_details_offers_the_setting_to_the_person_alone(world):
    mine = world.client("sw").get(f"/staff/{world.sw.pk}/").content.decode()
    theirs = world.client("tm").get(f"/staff/{world.sw.pk}/").content.decode()
    assert 'action="/me/notifications/"' in mine and "checked" in mine
    assert 'action="/me/notifications/"' not in theirs


def test_turning_it_off_keeps_history_with_the_person(world):
    response = world.client("sw").post("/me/notifications/", {})
    assert response.status_code == 302 and response["Location"] == "/me/"
    world.sw.refresh_from_db()
    assert world.sw.email_notifications is False
    entry = world.sw.history.first()
    assert entry.history_user == world.sw.user
    assert entry.history_change_reason == "E-mail notifications turned off"
    world.client("sw").post("/me/notifications/", {"email_notifications": "on"})
    world.sw.refresh_from_db()
    assert world.sw.email_notifications is True


def test_the_setting_page_takes_only_a_post(world):
    assert world.client("sw").get("/me/notifications/").status_code == 405


def test_nobody_changes_someone_elses_setting(world):
    with pytest.raises(PermissionDenied):
        services.staff_set_email_notifications(staff=world.sw, enabled=False, actor=world.tm.user)


def test_notify_e_mails_those_who_want_it_and_not_those_who_turned_it_off(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    wants = _with_address(world.tm)
    declined = _with_address(world.gm, email_notifications=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(recipients=[wants, declined], kind="test", subject="Hello")
    assert [mail.to for mail in mailoutbox] == [[wants.email]]
    assert Notification.objects.filter(recipient=declined.user).count() == 1
