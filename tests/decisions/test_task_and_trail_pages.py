"""My tasks and the case decision trail."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from decisions.models import DecisionType
from decisions.services import TaskSpec
from oversight.models import AccessLogEntry
from supervision.models import ActionStatus
from tests.decisions.factories import at, record_decision
from tests.supervision.factories import CaseDiscussionFactory, HeldSessionFactory

pytestmark = pytest.mark.django_db


def test_my_tasks_lists_the_workers_task_with_its_decision(world):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    response = world.client("sw").get("/decisions/tasks/mine/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Visit the child at home" in body
    assert f"/decisions/{decision.pk}/" in body and world.case_sw.reference in body
    assert AccessLogEntry.objects.filter(user=world.sw.user, kind="decision-task").exists()


def test_my_tasks_puts_open_tasks_first_and_tags_the_overdue(world):
    decision = record_decision(world.tm, world.case_sw, no_tasks_reason="", tasks=[])
    from decisions import services

    services.decision_update(
        mdr=decision,
        actor=world.tm.user,
        tasks=[
            TaskSpec(description="DoneTaskX", owner=world.sw, due_in_working_days=1),
            TaskSpec(description="OpenTaskX", owner=world.sw, due_in_working_days=2),
        ],
    )
    done, late = (task.action for task in decision.tasks.order_by("pk"))
    done.status = ActionStatus.DONE
    done.save()
    late.due_date = timezone.localdate() - datetime.timedelta(days=3)
    late.save()
    body = world.client("sw").get("/decisions/tasks/mine/").content.decode()
    assert body.index("OpenTaskX") < body.index("DoneTaskX")
    assert "Overdue" in body


def test_my_tasks_shows_nobody_elses_tasks(world):
    record_decision(world.tm, world.case_sw)
    body = world.client("sw2").get("/decisions/tasks/mine/").content.decode()
    assert "Visit the child at home" not in body
    assert "You have no open tasks." in body


def test_marking_a_task_done_from_my_tasks(world):
    decision = record_decision(world.tm, world.case_sw)
    action = decision.tasks.get().action
    response = world.client("sw").post(
        f"/actions/{action.pk}/status/", {"status": "done", "next": "/decisions/tasks/mine/"}
    )
    assert response.status_code == 302 and response["Location"] == "/decisions/tasks/mine/"
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_the_trail_lists_a_case_discussion_then_the_decision(world):
    session = HeldSessionFactory(
        supervisee=world.sw,
        supervisor=world.tm,
        held_on=timezone.localdate() - datetime.timedelta(days=20),
    )
    CaseDiscussionFactory(session=session, case=world.case_sw, discussion="EarlierTalkX", scaling=3)
    decision = record_decision(
        world.tm,
        world.case_sw,
        decision="LaterDecisionX",
        decision_type=DecisionType.STEP_UP,
        level_before=2,
        level_after=3,
        scaling=6,
        made_at=at(timezone.localdate() - datetime.timedelta(days=2)),
    )
    response = world.client("sw").get(f"/cases/{world.case_sw.pk}/trail/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("EarlierTalkX") < body.index("LaterDecisionX")
    assert 'data-testid="level-table"' in body and 'data-testid="scaling-table"' in body
    assert "<svg" in body and 'role="img"' in body
    assert "Record a decision" not in body  # the worker reads; managers record
    logged = AccessLogEntry.objects.filter(user=world.sw.user)
    assert logged.filter(kind="case", object_id=str(world.case_sw.pk)).exists()
    assert logged.filter(kind="decision", items__object_id=str(decision.pk)).exists()


def test_the_trail_offers_recording_to_the_team_manager(world):
    body = world.client("tm").get(f"/cases/{world.case_sw.pk}/trail/").content.decode()
    assert f"/cases/{world.case_sw.pk}/decisions/new/" in body
    assert 'data-testid="empty-trail"' in body


@pytest.mark.parametrize("key", ["sw2", "tm2", "bs", "asye"])
def test_refuses_the_trail_out_of_scope(world, key):
    record_decision(world.tm, world.case_sw)
    assert world.client(key).get(f"/cases/{world.case_sw.pk}/trail/").status_code == 404
