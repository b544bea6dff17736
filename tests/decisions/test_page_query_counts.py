"""My tasks, the case decision trail and the drift list read in the same number of queries
however much they show (the MDR list's own count is in test_decision_list_page.py)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.models import DecisionType
from decisions.services import TaskSpec
from tests.decisions.factories import at, record_decision
from tests.factories import CaseFactory
from tests.supervision.factories import (
    CaseDiscussionFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
)

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> int:
    client.get(url)  # the session is warmed the same way at every size
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _tasks_for_sw(world, size: int) -> None:
    for number in range(size):
        tasks = [
            TaskSpec(description=f"Task {number}-{n}", owner=world.sw, due_in_working_days=n)
            for n in range(2)
        ]
        record_decision(world.tm, CaseFactory(allocated_worker=world.sw), tasks=tasks, sign=True)


def test_my_tasks_reads_in_a_fixed_number_of_queries(world):
    _tasks_for_sw(world, 1)
    few = queries_of(world.client("sw"), "/decisions/tasks/mine/")
    _tasks_for_sw(world, 10)
    many = queries_of(world.client("sw"), "/decisions/tasks/mine/")
    assert few == many


def _trail_items(world, size: int) -> None:
    for number in range(size):
        day = datetime.date(2026, 1, 5) + datetime.timedelta(days=7 * number)
        session = HeldSessionFactory(supervisee=world.sw, supervisor=world.tm, held_on=day)
        CaseDiscussionFactory(session=session, case=world.case_sw, scaling=number % 10)
        InformalDiscussionFactory(worker=world.sw, case=world.case_sw, happened_at=at(day, 15))
        record_decision(
            world.tm,
            world.case_sw,
            made_at=at(day, 16),
            decision_type=DecisionType.OTHER,
            level_after=2 + number % 2,
            sign=True,
        )


def test_the_trail_reads_in_a_fixed_number_of_queries(world):
    url = f"/cases/{world.case_sw.pk}/trail/"
    _trail_items(world, 1)
    few = queries_of(world.client("tm"), url)
    _trail_items(world, 12)
    many = queries_of(world.client("tm"), url)
    assert few == many
    body = world.client("tm").get(url).content.decode()
    assert body.count("data-kind=") == 39  # 13 of each kind


def _drifting_cases(world, size: int) -> None:
    for _ in range(size):
        case = CaseFactory(allocated_worker=world.sw, opened_on=datetime.date(2025, 1, 6))
        record_decision(world.tm, case, made_at=at(datetime.date(2025, 2, 3)), sign=True)


def test_the_drift_list_reads_in_a_fixed_number_of_queries(world):
    _drifting_cases(world, 1)
    few = queries_of(world.client("tm"), "/decisions/drift/")
    _drifting_cases(world, 10)
    many = queries_of(world.client("tm"), "/decisions/drift/")
    assert few == many
    body = world.client("tm").get("/decisions/drift/").content.decode()
    assert body.count("data-case=") == 12  # the ten, the one, and the world's own case_sw
