"""Every list answers in the same number of queries however many rows it holds."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.models import Role
from tests.api_helpers import results
from tests.factories import AbsenceFactory, CaseFactory, ServiceFactory, StaffFactory, TeamFactory
from tests.oversight.api.conftest import RESOURCES

pytestmark = pytest.mark.django_db

# Session read, user, staff record, count, page, session save (3), and the access log's
# line for the page (its subjects, the line, the records it names: 3): a budget, not a target.
LIST_QUERY_BUDGET = 12


def _grow(world) -> None:
    """Twenty more of everything, spread over teams, supervisors and services."""
    for index in range(20):
        service = ServiceFactory(group_manager=world.gm)
        team = TeamFactory(service=service, manager=world.tm)
        person = StaffFactory(team=world.riverside, supervisor=world.tm, user=None)
        StaffFactory(team=team, role=Role.SENIOR_PRACTITIONER, supervisor=world.tm)
        CaseFactory(allocated_worker=person)
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=7 * index)
        AbsenceFactory(staff=person, start_date=start, end_date=start + datetime.timedelta(days=2))


def _count(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        rows = results(client.get(url))
    return len(queries.captured_queries), len(rows)


@pytest.mark.parametrize("role", ["tm", "psw", "bs", "gm"])
def test_lists_hold_their_query_count_as_rows_grow(world, api_as, role):
    client = api_as(role)
    before = {resource: _count(client, f"/api/v1/{resource}/") for resource in RESOURCES}
    _grow(world)
    for resource in RESOURCES:
        queries, rows = _count(client, f"/api/v1/{resource}/")
        assert queries == before[resource][0], (resource, before[resource][0], queries)
        assert queries <= LIST_QUERY_BUDGET, (resource, queries)
        if role in ("psw", "tm") or resource not in ("cases",):
            assert rows > before[resource][1], f"{role} should see the new {resource}"


def test_a_filtered_list_holds_its_query_count(world, api_as, django_assert_max_num_queries):
    client = api_as("bs")
    _grow(world)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET + 1):  # the filter's choice lookup
        assert len(results(client.get("/api/v1/staff/", {"supervisor": world.tm.pk}))) > 20
