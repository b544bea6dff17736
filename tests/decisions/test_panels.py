"""What decisions add to other apps' pages through panels: Record as MDR on a supervision case
discussion and on an informal discussion about a case, the drift count on My team, the open
task count on My supervision, and the decisions on a case's page — each only for readers the
rules allow."""

from __future__ import annotations

import datetime

import pytest

from supervision import services as supervision_services
from tests.decisions.factories import at, record_decision
from tests.factories import CaseFactory
from tests.supervision.factories import InformalDiscussionFactory

pytestmark = pytest.mark.django_db


def _session_with_discussion(world):
    session = supervision_services.session_start(supervisee=world.sw, actor=world.tm.user)
    discussion = supervision_services.case_discussion_add(
        session=session, case=world.case_sw, actor=world.tm.user
    )
    return session, discussion


def test_record_as_mdr_on_a_case_discussion_for_the_team_manager_only(world):
    session, discussion = _session_with_discussion(world)
    link = f"/cases/{world.case_sw.pk}/decisions/new/?case_discussion={discussion.pk}"
    assert link in world.client("tm").get(f"/supervision/{session.pk}/").content.decode()
    assert link not in world.client("sw").get(f"/supervision/{session.pk}/").content.decode()


def test_record_as_mdr_on_an_informal_discussion_about_a_case(world):
    informal = InformalDiscussionFactory(worker=world.sw, case=world.case_sw, recorded_by=world.tm)
    link = f"?informal_discussion={informal.pk}"
    assert link in world.client("tm").get(f"/informal-discussions/{informal.pk}/").content.decode()
    assert (
        link not in world.client("sw").get(f"/informal-discussions/{informal.pk}/").content.decode()
    )


def test_my_team_counts_the_teams_drifting_cases(world):
    for _ in range(2):
        case = CaseFactory(allocated_worker=world.sw, opened_on=datetime.date(2025, 1, 6))
        record_decision(world.tm, case, made_at=at(datetime.date(2025, 2, 3)), sign=True)
    body = world.client("tm").get("/supervision/my-team/").content.decode()
    # the two, and the world's own case_sw (opened in 2025, never discussed)
    assert "3 cases drifting out of management oversight" in body
    assert "/decisions/drift/" in body


def test_my_supervision_counts_open_tasks(world):
    record_decision(world.tm, world.case_sw, sign=True)
    body = world.client("sw").get("/supervision/mine/").content.decode()
    assert "1 of your actions is a task from management decisions" in body


def test_the_case_page_offers_recording_to_its_managers_only(world):
    record_decision(world.tm, world.case_sw, sign=True)
    url = f"/cases/{world.case_sw.pk}/"
    for key, offered in (("tm", True), ("gm", True), ("sw", False), ("psw", False)):
        body = world.client(key).get(url).content.decode()
        assert ("Record a decision" in body) is offered, key
        assert "Decision trail" in body, key
