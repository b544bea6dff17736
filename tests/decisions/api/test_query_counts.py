"""The decisions lists answer in the same number of queries however many rows they hold."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions import services
from decisions.models import DecisionType
from tests.api_helpers import results
from tests.decisions.api.conftest import DECISIONS, ESCALATIONS, TASKS
from tests.decisions.factories import record_decision
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

# Session and user (as the organisation lists), count, page, the three prefetches (tasks,
# clocks, addenda), the access log's line (3): a budget, not a target.
LIST_QUERY_BUDGET = 16


def _grow(world, count: int) -> None:
    """`count` more signed decisions on new Riverside cases, each with a task, clocks and an
    addendum, and an escalation about it."""
    for _ in range(count):
        case = CaseFactory(allocated_worker=world.sw)
        decision = record_decision(
            world.tm,
            case,
            sign=True,
            decision_type=DecisionType.CONTACT_STRATEGY,
            contact_received_on=timezone.localdate(),
        )
        services.decision_addendum_add(mdr=decision, text="Later note.", actor=world.tm.user)
        services.escalation_raise(mdr=decision, concern="Disagree.", actor=world.sw.user)


def _count(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        rows = results(client.get(url))
    return len(queries.captured_queries), len(rows)


@pytest.mark.parametrize("url", [DECISIONS, TASKS, ESCALATIONS])
@pytest.mark.parametrize("role", ["tm", "sw", "psw"])
def test_lists_hold_their_query_count_as_rows_grow(world, api_as, role, url):
    client = api_as(role)
    _grow(world, 2)
    small_queries, small_rows = _count(client, url)
    _grow(world, 8)
    queries, rows = _count(client, url)
    assert rows > small_rows, f"{role} should see the new rows of {url}"
    assert queries == small_queries, (url, small_queries, queries)
    assert queries <= LIST_QUERY_BUDGET, (url, queries)
