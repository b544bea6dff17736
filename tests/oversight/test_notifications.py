"""Notifications (DESIGN §4.7): a subject line and a link, for their recipient alone."""

from __future__ import annotations

import pytest

from oversight import notifications
from oversight.models import Notification, Role

pytestmark = pytest.mark.django_db


def _notice_to(person, url="/teams/"):
    return notifications.notify(recipients=[person], kind="test", subject="Something", url=url)[0]


def test_the_header_counts_unread_notices(world):
    _notice_to(world.tm)
    _notice_to(world.tm)
    html = world.client("tm").get("/teams/").content.decode()
    assert 'aria-label="2 unread"' in html


def test_the_list_shows_only_the_readers_own(world):
    _notice_to(world.tm)
    mine = world.client("tm").get("/notifications/").content.decode()
    theirs = world.client("gm").get("/notifications/").content.decode()
    assert "Something" in mine
    assert "Something" not in theirs and "You have no notifications" in theirs


def test_opening_a_notice_marks_it_read_and_follows_its_link(world):
    notice = _notice_to(world.tm, url=f"/staff/{world.sw.pk}/")
    response = world.client("tm").get(f"/notifications/{notice.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/{world.sw.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert notice.history.first().history_user == world.tm.user


def test_someone_elses_notice_answers_404_and_stays_unread(world):
    notice = _notice_to(world.tm)
    assert world.client("gm").get(f"/notifications/{notice.pk}/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_link_off_the_site_is_never_followed(world):
    notice = _notice_to(world.tm, url="//evil.example/")
    response = world.client("tm").get(f"/notifications/{notice.pk}/")
    assert response["Location"] == "/notifications/"


def test_mark_all_as_read_clears_only_the_readers_notices(world):
    _notice_to(world.tm)
    other = _notice_to(world.gm)
    world.client("tm").post("/notifications/")
    assert not Notification.objects.filter(recipient=world.tm.user, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_a_person_without_a_login_is_not_notified(world):
    from tests.factories import StaffFactory

    assert notifications.notify(recipients=[StaffFactory(user=None)], kind="x", subject="y") == []


def test_a_refused_role_change_shows_the_role_as_it_still_is(world):
    response = world.client("ad").post(f"/staff/{world.tm.pk}/role/", {"role": Role.SOCIAL_WORKER})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is Team manager" in html
    assert "before making PersonTM MarkerTMx a social worker" in html
