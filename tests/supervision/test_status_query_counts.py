"""Supervision status costs the same handful of queries for a team of 3 as for a team of 30:
never a query per worker."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.models import Role, StaffMember, Team
from supervision.selectors import supervision_status
from tests.conftest import World
from tests.factories import AbsenceFactory, StaffFactory, TeamFactory
from tests.supervision.factories import (
    ActionFactory,
    CoverFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)
# The reader's staff record, their cover, the policy (versions and rules), the workers with
# their last session and counts, and the workers' absences.
QUERY_BUDGET = 6


def _hire(team: Team, supervisor: StaffMember, count: int) -> None:
    """`count` workers, each with a session, an absence, an open action and an informal
    discussion waiting, some ASYE and one without a supervisor."""
    for index in range(count):
        worker = StaffFactory(
            team=team,
            supervisor=None if index == 2 else supervisor,
            role=Role.ASYE_SOCIAL_WORKER if index % 3 == 0 else Role.SOCIAL_WORKER,
            user=None,
        )
        HeldSessionFactory(
            supervisee=worker,
            supervisor=supervisor,
            held_on=TODAY - datetime.timedelta(days=index % 20 + 1),
        )
        AbsenceFactory(
            staff=worker,
            start_date=TODAY - datetime.timedelta(days=index % 10),
            end_date=TODAY + datetime.timedelta(days=3),
        )
        ActionFactory(supervisee=worker)
        InformalDiscussionFactory(worker=worker, recorded_by=supervisor, manager=supervisor)


def _queries(reader: StaffMember, staff: object) -> tuple[int, int]:
    """(queries, rows) for one fresh request's worth of work: nothing cached on the login."""
    user = get_user_model().objects.get(pk=reader.user.pk)
    with CaptureQueriesContext(connection) as captured:
        rows = supervision_status(user, staff, today=TODAY)
    return len(captured.captured_queries), len(rows)


@pytest.mark.parametrize("reader", ["tm", "gm", "psw"])
def test_a_team_of_thirty_costs_the_same_queries_as_a_team_of_three(world: World, reader):
    team = TeamFactory(service=world.safeguarding, manager=world.tm)
    _hire(team, world.tm, 3)
    three_queries, three_rows = _queries(
        world.people[reader], StaffMember.objects.filter(team=team)
    )
    _hire(team, world.tm, 27)
    thirty_queries, thirty_rows = _queries(
        world.people[reader], StaffMember.objects.filter(team=team)
    )
    assert (three_rows, thirty_rows) == (3, 30)
    assert thirty_queries == three_queries <= QUERY_BUDGET


def test_the_whole_directorate_costs_the_same_queries(world: World, django_assert_num_queries):
    for team in (world.riverside, world.hillside):
        _hire(team, team.manager, 10)
    user = get_user_model().objects.get(pk=world.psw.user.pk)
    with django_assert_num_queries(QUERY_BUDGET):
        rows = supervision_status(user, StaffMember.objects.all(), today=TODAY)
    assert len(rows) > 20


def test_cover_adds_no_query_per_worker(world: World, django_assert_max_num_queries):
    CoverFactory(absent_supervisor=world.tm, covering_manager=world.tm2)
    _hire(world.riverside, world.tm, 15)
    user = get_user_model().objects.get(pk=world.tm2.user.pk)
    with django_assert_max_num_queries(QUERY_BUDGET):
        rows = supervision_status(user, StaffMember.objects.all(), today=TODAY)
    assert len(rows) > 15


def test_nobody_to_show_stops_after_the_first_query(world: World, django_assert_max_num_queries):
    _hire(world.riverside, world.tm, 5)
    user = get_user_model().objects.get(pk=world.bs.user.pk)
    with django_assert_max_num_queries(2):
        assert supervision_status(user, StaffMember.objects.all(), today=TODAY) == []


def test_the_api_holds_its_query_count_as_the_team_grows(world: World):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(world.tm.user)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/metrics/supervision-status/")
        assert response.status_code == 200
        return len(captured.captured_queries), len(response.json()["workers"])

    small = count()
    _hire(world.riverside, world.tm, 25)
    large = count()
    assert large[0] == small[0]
    assert large[1] == small[1] + 25
