"""Notifications through the API (DESIGN §4.7): the reader's own alone, newest first, and
marking one seen; anyone else's answers 404."""

from __future__ import annotations

import pytest

from oversight import notifications
from oversight.models import Notification
from tests.api_helpers import results

pytestmark = pytest.mark.django_db


def _notice_to(person, subject="Something"):
    return notifications.notify(recipients=[person], kind="test", subject=subject, url="/teams/")[0]


def test_it_lists_only_the_readers_own_newest_first(world, api_as):
    first = _notice_to(world.tm, "First")
    second = _notice_to(world.tm, "Second")
    _notice_to(world.gm, "Not yours")
    rows = results(api_as("tm").get("/api/v1/notifications/"))
    assert [row["id"] for row in rows] == [second.pk, first.pk]
    assert set(rows[0]) == {"id", "kind", "subject", "url", "created_at", "seen"}
    assert rows[0]["subject"] == "Second" and rows[0]["url"] == "/teams/"
    assert rows[0]["seen"] is False


def test_someone_with_no_notices_sees_an_empty_list(world, api_as):
    _notice_to(world.tm)
    assert results(api_as("gm").get("/api/v1/notifications/")) == []


def test_seen_marks_it_read_with_the_reader_in_history(world, api_as):
    notice = _notice_to(world.tm)
    response = api_as("tm").post(f"/api/v1/notifications/{notice.pk}/seen/")
    assert response.status_code == 200
    assert response.json()["seen"] is True
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert notice.history.first().history_user == world.tm.user
    assert results(api_as("tm").get("/api/v1/notifications/"))[0]["seen"] is True


def test_seen_for_someone_elses_notice_answers_404_and_leaves_it_unread(world, api_as):
    notice = _notice_to(world.tm)
    assert api_as("gm").post(f"/api/v1/notifications/{notice.pk}/seen/").status_code == 404
    assert api_as("tm").post("/api/v1/notifications/999999/seen/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_it_asks_anonymous_callers_to_sign_in(world, client):
    assert client.get("/api/v1/notifications/").status_code == 401


def test_one_notice_reads_as_its_recipients_alone(world, api_as):
    notice = _notice_to(world.tm)
    assert api_as("tm").get(f"/api/v1/notifications/{notice.pk}/").json()["id"] == notice.pk
    assert api_as("gm").get(f"/api/v1/notifications/{notice.pk}/").status_code == 404


def test_notices_cannot_be_written_through_the_api(world, api_as):
    client = api_as("tm")
    assert client.post("/api/v1/notifications/", {"subject": "x"}).status_code == 405
    notice = _notice_to(world.tm)
    assert client.patch(f"/api/v1/notifications/{notice.pk}/", {}).status_code == 405
    assert client.delete(f"/api/v1/notifications/{notice.pk}/").status_code == 405
    assert Notification.objects.count() == 1
