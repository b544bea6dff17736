"""My supervision (a worker's own), a worker's supervision history, and marking actions done."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from supervision.models import Action, ActionStatus, NotHeldReason, SessionStatus, SessionType
from tests.factories import CaseFactory
from tests.supervision.factories import (
    ActionFactory,
    CoverFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
    SessionFactory,
    at,
)

pytestmark = pytest.mark.django_db
URL = "/supervision/mine/"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</(table|ul|dl)>', html, re.S)
    return match.group(0) if match else ""


# --- My supervision --------------------------------------------------------------------------


def test_it_shows_when_my_next_supervision_is_due(world):
    HeldSessionFactory(supervisee=world.sw, held_on=days_ago(10))
    html = world.client("sw").get(URL).content.decode()
    status = _section(html, "my-status")
    assert "In time" in status
    assert f"{days_ago(10) + datetime.timedelta(days=28):%-d %b %Y}" in status
    assert "Every 28 days" in status


def test_records_to_read_and_sign_link_to_the_session(world):
    ready = HeldSessionFactory(
        supervisee=world.sw, held_on=days_ago(2), supervisor_signed_at=timezone.now()
    )
    not_yet = HeldSessionFactory(supervisee=world.sw, held_on=days_ago(1))
    html = world.client("sw").get(URL).content.decode()
    assert f'href="/supervision/{ready.pk}/"' in _section(html, "to-sign")
    assert f'href="/supervision/{not_yet.pk}/"' not in _section(html, "to-sign")
    assert f'href="/supervision/{not_yet.pk}/"' in _section(html, "waiting-for-supervisor")


def test_a_signature_past_its_date_is_tagged_late_for_the_worker(world):
    late = HeldSessionFactory(
        supervisee=world.sw, held_on=days_ago(21), supervisor_signed_at=timezone.now()
    )
    fresh = HeldSessionFactory(
        supervisee=world.sw, held_on=days_ago(1), supervisor_signed_at=timezone.now()
    )
    to_sign = _section(world.client("sw").get(URL).content.decode(), "to-sign")
    rows = {m.group(1): m.group(0) for m in re.finditer(r'/supervision/(\d+)/.*?</li>', to_sign)}
    assert 'data-testid="late">Late<' in rows[str(late.pk)]
    assert "Late" not in rows[str(fresh.pk)]


def test_booked_sessions_invite_preparation(world):
    booked = SessionFactory(supervisee=world.sw, scheduled_for=at(days_ago(-5), 14, 0))
    html = world.client("sw").get(URL).content.decode()
    section = _section(html, "booked")
    assert f'href="/supervision/{booked.pk}/"' in section
    assert "write your preparation" in section


def test_my_open_actions_can_be_marked_done(world):
    open_action = ActionFactory(supervisee=world.sw, description="Update the chronology")
    ActionFactory(supervisee=world.sw, description="Closed one", status=ActionStatus.DONE)
    html = world.client("sw").get(URL).content.decode()
    actions = _section(html, "actions")
    assert "Update the chronology" in actions
    assert "Closed one" not in actions
    assert f'action="/actions/{open_action.pk}/status/"' in actions


def test_informal_discussions_with_me_are_listed(world):
    discussion = InformalDiscussionFactory(worker=world.sw, case=world.case_sw)
    html = world.client("sw").get(URL).content.decode()
    section = _section(html, "discussions")
    assert f'href="/informal-discussions/{discussion.pk}/"' in section
    assert "CH-SW0001" in section
    assert "Waiting for your next session" in section


def test_a_team_case_outside_my_caseload_is_not_named(world):
    other = CaseFactory(team=world.riverside, allocated_worker=world.asye, label="HiddenLbl")
    InformalDiscussionFactory(worker=world.sw, case=other)
    html = world.client("sw").get(URL).content.decode()
    assert other.reference not in html
    assert "A case outside your view" in html


def test_nobody_elses_supervision_appears_on_mine(world):
    HeldSessionFactory(
        supervisee=world.asye, held_on=days_ago(2), supervisor_signed_at=timezone.now()
    )
    ActionFactory(supervisee=world.asye, description="ASYE's own action")
    InformalDiscussionFactory(worker=world.asye)
    html = world.client("sw").get(URL).content.decode()
    assert "ASYE's own action" not in html
    assert "Nothing is waiting for your signature." in html
    assert "No informal discussions have been recorded with you." in html


def test_business_support_see_no_supervision_data(world):
    HeldSessionFactory(
        supervisee=world.sw, held_on=days_ago(2), supervisor_signed_at=timezone.now()
    )
    html = world.client("bs").get(URL).content.decode()
    assert 'data-testid="no-schedule"' in html
    assert "MarkerSWx" not in html
    assert not re.search(r'href="/supervision/\d+/"', html)
    assert "Nothing is waiting for your signature." in html


# --- marking an action ----------------------------------------------------------------------


def test_marking_an_action_done_records_who_did_it_and_goes_back(world):
    action = ActionFactory(supervisee=world.sw)
    response = world.client("sw").post(
        f"/actions/{action.pk}/status/", {"status": "done", "next": URL}
    )
    assert response.status_code == 302
    assert response["Location"] == URL
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.closed_on == timezone.localdate()
    assert action.history.first().history_user == world.sw.user


def test_the_manager_can_mark_a_supervisees_action_done(world):
    action = ActionFactory(supervisee=world.sw)
    world.client("tm").post(f"/actions/{action.pk}/status/", {"status": "cancelled"})
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


def test_marking_an_action_never_goes_back_to_another_site(world):
    action = ActionFactory(supervisee=world.sw)
    for unsafe in ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]:
        response = world.client("sw").post(
            f"/actions/{action.pk}/status/", {"status": "done", "next": unsafe}
        )
        assert response["Location"] == URL


def test_an_action_out_of_sight_answers_404_and_is_unchanged(world):
    action = ActionFactory(supervisee=world.sw)
    for role in ["tm2", "asye", "bs"]:
        response = world.client(role).post(f"/actions/{action.pk}/status/", {"status": "done"})
        assert response.status_code == 404, role
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_someone_who_may_read_an_action_but_not_change_it_gets_404(world):
    action = ActionFactory(supervisee=world.sw)
    response = world.client("psw").post(f"/actions/{action.pk}/status/", {"status": "done"})
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_an_unknown_action_status_is_refused_without_a_crash(world):
    action = ActionFactory(supervisee=world.sw)
    response = world.client("sw").post(f"/actions/{action.pk}/status/", {"status": "finished"})
    assert response.status_code == 400
    assert Action.objects.get(pk=action.pk).status == ActionStatus.OPEN


def test_actions_change_only_by_post(world):
    action = ActionFactory(supervisee=world.sw)
    assert world.client("sw").get(f"/actions/{action.pk}/status/").status_code == 405


# --- supervision history --------------------------------------------------------------------


def _history(world, role: str, person: str) -> str:
    response = world.client(role).get(f"/staff/{world.people[person].pk}/supervision/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_history_lists_each_session_with_its_outcome(world):
    signed = HeldSessionFactory(
        supervisee=world.sw,
        supervisor=world.tm,
        held_on=days_ago(40),
        status=SessionStatus.SIGNED,
        signed_on_time=True,
    )
    short = HeldSessionFactory(
        supervisee=world.sw, supervisor=world.tm, held_on=days_ago(10), is_short=True
    )
    missed = SessionFactory(
        supervisee=world.sw,
        supervisor=world.tm,
        status=SessionStatus.NOT_HELD,
        held_on=days_ago(70),
        not_held_reason=NotHeldReason.OPERATIONAL_EMERGENCY,
        session_type=SessionType.EXTRA,
    )
    html = _history(world, "tm", "sw")
    rows = re.findall(r'data-session="(\d+)">(.*?)</tr>', html, re.S)
    assert [int(pk) for pk, _ in rows] == [short.pk, signed.pk, missed.pk]
    text = {int(pk): " ".join(re.sub(r"<[^>]+>", " ", row).split()) for pk, row in rows}
    assert "Signed" in text[signed.pk] and text[signed.pk].endswith("Yes")
    assert "Shorter than the policy's minimum (90 minutes)" in text[short.pk]
    assert "Waiting for signatures" in text[short.pk]
    assert "Operational emergency" in text[missed.pk]
    assert "Extra (requested)" in text[missed.pk]
    assert "PersonTM MarkerTMx" in text[signed.pk]


def test_the_history_shows_who_acted_as_cover(world):
    CoverFactory(absent_supervisor=world.tm, covering_manager=world.tm2)
    HeldSessionFactory(
        supervisee=world.sw, supervisor=world.tm2, acting_for=world.tm, held_on=days_ago(3)
    )
    assert "acting for PersonTM MarkerTMx" in _history(world, "tm", "sw")


def test_a_worker_sees_their_own_history(world):
    session = HeldSessionFactory(supervisee=world.sw, held_on=days_ago(3))
    assert f'href="/supervision/{session.pk}/"' in _history(world, "sw", "sw")


def test_another_teams_manager_gets_404_on_the_history(world):
    HeldSessionFactory(supervisee=world.sw, held_on=days_ago(3))
    assert world.client("tm2").get(f"/staff/{world.sw.pk}/supervision/").status_code == 404


def test_colleagues_and_business_support_see_no_records_in_a_history(world):
    session = HeldSessionFactory(supervisee=world.sw, held_on=days_ago(3))
    for role in ["asye", "bs"]:
        html = _history(world, role, "sw")
        assert f'href="/supervision/{session.pk}/"' not in html, role
        assert "There are no supervision records" in html


def test_the_history_offers_to_start_supervision_only_to_the_supervisor(world):
    start = f'action="/staff/{world.sw.pk}/supervision/start/"'
    assert start in _history(world, "tm", "sw")
    assert start not in _history(world, "gm", "sw")
    assert start not in _history(world, "sw", "sw")
