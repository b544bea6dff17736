"""The MDR list: who may see it, its filters, and a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from decisions.models import DecisionType
from oversight.models import AccessLogEntry
from tests.decisions.factories import record_decision
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

# The same at every size: signing in and the session's refresh, the reader's staff record and
# scope, unread notifications, the count and the page (one query with its related rows and
# the overdue-task annotation), and the access-log line naming the page's records.
LIST_QUERIES = 13


def _decisions(world, size: int) -> None:
    for number in range(size):
        case = CaseFactory(allocated_worker=world.sw)
        record_decision(
            world.tm,
            case,
            sign=number % 2 == 0,
            decision_type=DecisionType.STEP_UP,
            level_before=2,
            level_after=3,
        )


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_reads_in_a_fixed_number_of_queries(world, django_assert_num_queries, size):
    _decisions(world, size)
    client = world.client("tm")
    client.get("/decisions/")  # the session is warmed the same way at every size
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/decisions/")
    assert response.content.decode().count("data-decision=") == size


def test_the_list_logs_what_it_showed(world):
    decision = record_decision(world.tm, world.case_sw)
    world.client("gm").get("/decisions/")
    assert AccessLogEntry.objects.filter(
        user=world.gm.user, kind="decision", items__object_id=str(decision.pk)
    ).exists()


def test_filters_by_status_level_type_overdue_and_date(world):
    draft = record_decision(
        world.tm, world.case_sw, decision_type=DecisionType.STEP_UP, level_before=2, level_after=3
    )
    signed = record_decision(world.tm, world.case_sw, sign=True)
    client = world.client("tm")

    def shown(query: str) -> set[int]:
        body = client.get(f"/decisions/?{query}").content.decode()
        return {d.pk for d in (draft, signed) if f'data-decision="{d.pk}"' in body}

    assert shown("status=draft") == {draft.pk}
    assert shown("status=signed") == {signed.pk}
    assert shown("level=3") == {draft.pk}
    assert shown(f"decision_type={DecisionType.ALLOCATION}") == {signed.pk}
    assert shown("overdue_tasks=true") == set()
    action = signed.tasks.get().action
    action.due_date = timezone.localdate() - datetime.timedelta(days=1)
    action.save()
    assert shown("overdue_tasks=true") == {signed.pk}
    today = timezone.localdate()
    assert shown(f"made_at_after={today}&made_at_before={today}") == {draft.pk, signed.pk}
    assert shown(f"made_at_before={today - datetime.timedelta(days=1)}") == set()
    assert "Enter true or false." in client.get("/decisions/?overdue_tasks=maybe").content.decode()


@pytest.mark.parametrize("key", ["sw", "asye", "bs"])
def test_refuses_the_list_to_workers_and_business_support(world, key):
    assert world.client(key).get("/decisions/").status_code == 404


def test_the_list_shows_only_decisions_in_scope(world):
    mine = record_decision(world.tm, world.case_sw)
    theirs = record_decision(world.tm2, world.case_sw2)
    body = world.client("tm2").get("/decisions/").content.decode()
    assert f'data-decision="{theirs.pk}"' in body and f'data-decision="{mine.pk}"' not in body
