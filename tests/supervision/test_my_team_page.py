"""My team: each supervisee's supervision at a glance, and the records waiting for a signature."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from oversight.models import Role
from supervision.models import ActionStatus, SessionStatus
from tests.factories import AbsenceFactory, StaffFactory
from tests.supervision.factories import (
    ActionFactory,
    CoverFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
    SessionFactory,
    at,
)

pytestmark = pytest.mark.django_db
URL = "/supervision/my-team/"


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _cells(html: str, staff_pk: int) -> list[str]:
    """The text of the cells in the My team row of one supervisee."""
    row = re.search(rf'<tr class="govuk-table__row" data-staff="{staff_pk}">(.*?)</tr>', html, re.S)
    assert row is not None, f"no row for staff {staff_pk}"
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def _section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
    return match.group(0) if match else ""


def _count(html: str, status: str) -> int:
    match = re.search(rf'data-status="{status}">(\d+)<', html)
    assert match is not None, status
    return int(match.group(1))


def test_it_lists_each_supervisee_with_where_their_supervision_stands(world):
    HeldSessionFactory(supervisee=world.sw, held_on=days_ago(10))
    ActionFactory(supervisee=world.sw)
    ActionFactory(supervisee=world.sw)
    ActionFactory(supervisee=world.sw, status=ActionStatus.DONE)
    InformalDiscussionFactory(worker=world.sw)
    html = world.client("tm").get(URL).content.decode()
    name, status, due, last, open_actions, waiting, links = _cells(html, world.sw.pk)
    assert name.startswith("PersonSW MarkerSWx")
    assert status == "In time"
    assert due == f"{days_ago(10) + datetime.timedelta(days=28):%-d %b %Y}"
    assert last == f"{days_ago(10):%-d %b %Y}"
    assert (open_actions, waiting) == ("2", "1")
    assert "Start supervision" in links and "Record informal discussion" in links


def test_each_supervisee_can_be_started_or_noted_from_their_row(world):
    html = world.client("tm").get(URL).content.decode()
    assert f'action="/staff/{world.sw.pk}/supervision/start/"' in html
    assert f'href="/staff/{world.sw.pk}/informal-discussions/new/?next=/supervision/my-team/"' in (
        html
    )


def test_a_session_in_progress_is_continued_rather_than_started(world):
    session = SessionFactory(
        supervisee=world.sw, supervisor=world.tm, status=SessionStatus.IN_PROGRESS
    )
    html = world.client("tm").get(URL).content.decode()
    assert f'href="/supervision/{session.pk}/"' in html
    assert "Continue supervision" in " ".join(_cells(html, world.sw.pk))
    assert f'action="/staff/{world.sw.pk}/supervision/start/"' not in html


def test_the_counts_by_status_are_at_the_top(world):
    HeldSessionFactory(supervisee=world.sw, held_on=days_ago(10))  # in time
    HeldSessionFactory(supervisee=world.asye, held_on=days_ago(60))  # overdue
    HeldSessionFactory(supervisee=world.atm, held_on=days_ago(25))  # due soon
    html = world.client("tm").get(URL).content.decode()
    assert _count(html, "in_time") == 1
    assert _count(html, "overdue") == 1
    assert _count(html, "due_soon") == 1
    assert _count(html, "excused") == 0
    assert _cells(html, world.asye.pk)[1] == "Overdue"


def test_an_absent_supervisee_shows_as_excused_without_the_type_of_absence(world):
    html = world.client("tm2").get(URL).content.decode()
    assert _cells(html, world.sw2.pk)[1] == "Excused"
    assert _count(html, "excused") == 1
    assert "Maternity" not in html and "parental" not in html.lower()
    assert "NoteSW2secret" not in html


def test_it_shows_only_the_managers_own_supervisees(world):
    html = world.client("tm2").get(URL).content.decode()
    assert f'data-staff="{world.sw2.pk}"' in html
    assert "MarkerSWx" not in html
    assert "MarkerASYEx" not in html


def test_a_manager_covering_sees_the_absent_supervisors_supervisees_marked_as_cover(world):
    CoverFactory(absent_supervisor=world.tm2, covering_manager=world.tm)
    html = world.client("tm").get(URL).content.decode()
    name = _cells(html, world.sw2.pk)[0]
    assert "Covering for PersonTM2 MarkerTM2x" in name
    assert "Covering for" not in _cells(html, world.sw.pk)[0]
    assert f'action="/staff/{world.sw2.pk}/supervision/start/"' in html


def test_cover_that_has_ended_no_longer_brings_the_supervisees(world):
    CoverFactory(
        absent_supervisor=world.tm2,
        covering_manager=world.tm,
        start_date=days_ago(30),
        end_date=days_ago(1),
    )
    html = world.client("tm").get(URL).content.decode()
    assert f'data-staff="{world.sw2.pk}"' not in html


def test_records_waiting_for_the_managers_signature_are_queued(world):
    unsigned = HeldSessionFactory(supervisee=world.sw, supervisor=world.tm, held_on=days_ago(3))
    signed_by_me = HeldSessionFactory(
        supervisee=world.asye,
        supervisor=world.tm,
        held_on=days_ago(2),
        supervisor_signed_at=timezone.now(),
        supervisor_signed_by=world.tm.user,
    )
    HeldSessionFactory(supervisee=world.sw2, supervisor=world.tm2, held_on=days_ago(3))
    html = world.client("tm").get(URL).content.decode()
    to_sign = _section(html, "to-sign")
    awaiting = _section(html, "awaiting-supervisee")
    assert f'href="/supervision/{unsigned.pk}/"' in to_sign
    assert f'href="/supervision/{signed_by_me.pk}/"' not in to_sign
    assert f'href="/supervision/{signed_by_me.pk}/"' in awaiting
    assert "MarkerSW2x" not in html


def test_records_signed_by_both_or_not_yet_held_are_not_queued(world):
    SessionFactory(supervisee=world.sw, supervisor=world.tm, scheduled_for=at(days_ago(-3)))
    HeldSessionFactory(
        supervisee=world.asye,
        supervisor=world.tm,
        status=SessionStatus.SIGNED,
        held_on=days_ago(5),
        supervisor_signed_at=timezone.now(),
        supervisee_signed_at=timezone.now(),
    )
    html = world.client("tm").get(URL).content.decode()
    assert "No records are waiting for your signature." in html
    assert "No records are waiting for a supervisee's signature." in html


def test_a_record_past_its_five_working_days_is_marked_late(world):
    HeldSessionFactory(supervisee=world.sw, supervisor=world.tm, held_on=days_ago(30))
    assert "Late" in _section(world.client("tm").get(URL).content.decode(), "to-sign")


def test_a_worker_without_supervisees_is_told_so(world):
    html = world.client("sw").get(URL).content.decode()
    assert 'data-testid="no-supervisees"' in html
    assert 'data-testid="supervisees"' not in html


def test_business_support_see_no_supervision_on_it(world):
    HeldSessionFactory(supervisee=world.sw, supervisor=world.tm, held_on=days_ago(3))
    html = world.client("bs").get(URL).content.decode()
    assert 'data-testid="no-supervisees"' in html
    assert "MarkerSWx" not in html


def test_a_group_manager_sees_the_team_managers_they_supervise(world):
    html = world.client("gm").get(URL).content.decode()
    assert f'data-staff="{world.tm.pk}"' in html
    assert f'data-staff="{world.sw.pk}"' not in html


def test_leavers_are_not_listed(world):
    leaver = StaffFactory(
        team=world.riverside,
        supervisor=world.tm,
        leaving_date=days_ago(10),
        role=Role.SOCIAL_WORKER,
    )
    html = world.client("tm").get(URL).content.decode()
    assert f'data-staff="{leaver.pk}"' not in html


def test_an_excusing_absence_today_overrides_overdue(world):
    HeldSessionFactory(supervisee=world.sw, held_on=days_ago(90))
    AbsenceFactory(staff=world.sw, start_date=days_ago(2), end_date=None)
    html = world.client("tm").get(URL).content.decode()
    assert _cells(html, world.sw.pk)[1] == "Excused"
    assert "Sickness" not in html


def test_the_navigation_offers_my_team_to_managers_and_my_supervision_to_everyone(world):
    as_manager = world.client("tm").get(URL).content.decode()
    assert 'href="/supervision/my-team/"' in as_manager
    assert 'href="/supervision/mine/"' in as_manager
    as_worker = world.client("sw").get("/supervision/mine/").content.decode()
    assert 'href="/supervision/my-team/"' not in as_worker
    assert 'href="/supervision/mine/"' in as_worker


def test_it_asks_an_anonymous_visitor_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
