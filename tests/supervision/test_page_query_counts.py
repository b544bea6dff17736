"""The supervision pages read in a fixed number of queries, however big the team or the file.

If a change adds a query per row, these fail; if it adds a fixed query on purpose, update the
number here (and say why in the change)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from oversight.models import Role
from supervision.models import ActionStatus, SessionStatus
from tests.factories import AbsenceFactory, CaseFactory, StaffFactory, TeamFactory
from tests.supervision.factories import (
    ActionFactory,
    CoverFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
    SessionFactory,
    SupervisionRequestFactory,
    at,
)

pytestmark = pytest.mark.django_db

# Signing in (session, user) and the session's idle-timeout refresh (3) are in every count.
# My team: the reader's staff record and cover, the workers with their last session and
# counts, the policy (2), absences, booked sessions, and the records waiting for signatures.
# Every page also counts the reader's unread notifications for the header (1), and a page
# that lists records writes one access-log line per kind it lists (subjects, line, records: 3).
# The decisions app's panel counts the team's drifting cases (1, tests/decisions/test_drift.py).
# Requests for extra supervision: My team and My supervision each read their list (1), and
# My team's list, when it has rows, is one more access-log line (3) — however many requests.
MY_TEAM_QUERIES = 19
MY_SUPERVISION_QUERIES = 27  # with the decisions panel's count of open MDR tasks (1)
HISTORY_QUERIES = 14


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def _team_of(size: int) -> tuple[Client, object]:
    """A manager with `size` supervisees, each with a full file: sessions held, booked and in
    progress, records to sign, actions, informal discussions, absences; plus cover for
    another supervisor's worker."""
    team = TeamFactory()
    manager = StaffFactory(role=Role.TEAM_MANAGER, team=team)
    team.manager = manager
    team.save()
    for number in range(size):
        worker = StaffFactory(team=team, supervisor=manager)
        HeldSessionFactory(supervisee=worker, supervisor=manager, held_on=days_ago(40 + number))
        HeldSessionFactory(supervisee=worker, supervisor=manager, held_on=days_ago(3))
        if number % 3 == 0:
            SessionFactory(supervisee=worker, supervisor=manager, status=SessionStatus.IN_PROGRESS)
        else:
            SessionFactory(supervisee=worker, supervisor=manager, scheduled_for=at(days_ago(-4)))
        ActionFactory(supervisee=worker)
        ActionFactory(supervisee=worker, status=ActionStatus.DONE)
        InformalDiscussionFactory(worker=worker, case=CaseFactory(allocated_worker=worker))
        SupervisionRequestFactory(worker=worker)
        if number % 4 == 0:
            AbsenceFactory(staff=worker, start_date=days_ago(5), end_date=None)
    absent = StaffFactory(role=Role.TEAM_MANAGER, team=TeamFactory())
    StaffFactory(supervisor=absent, team=absent.team)
    CoverFactory(absent_supervisor=absent, covering_manager=manager)
    client = Client()
    client.force_login(manager.user)
    return client, manager


@pytest.mark.parametrize("size", [3, 20])
def test_my_team_reads_in_a_fixed_number_of_queries(django_assert_num_queries, size):
    client, _manager = _team_of(size)
    with django_assert_num_queries(MY_TEAM_QUERIES):
        response = client.get("/supervision/my-team/")
    assert response.status_code == 200
    assert response.content.decode().count("data-staff=") == size + 1  # and the covered worker


def _worker_file(size: int) -> Client:
    manager = StaffFactory(role=Role.TEAM_MANAGER)
    worker = StaffFactory(team=manager.team, supervisor=manager)
    for number in range(size):
        HeldSessionFactory(
            supervisee=worker,
            supervisor=manager,
            held_on=days_ago(30 * number + 1),
            supervisor_signed_at=timezone.now(),
        )
        SessionFactory(supervisee=worker, supervisor=manager, scheduled_for=at(days_ago(-number)))
        ActionFactory(supervisee=worker)
        InformalDiscussionFactory(worker=worker, case=CaseFactory(allocated_worker=worker))
        InformalDiscussionFactory(worker=worker, case=CaseFactory(team=worker.team))
    client = Client()
    client.force_login(worker.user)
    client.worker = worker  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize("size", [2, 15])
def test_my_supervision_reads_in_a_fixed_number_of_queries(django_assert_num_queries, size):
    client = _worker_file(size)
    with django_assert_num_queries(MY_SUPERVISION_QUERIES):
        response = client.get("/supervision/mine/")
    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 15])
def test_the_supervision_history_reads_in_a_fixed_number_of_queries(
    django_assert_num_queries, size
):
    client = _worker_file(size)
    url = f"/staff/{client.worker.pk}/supervision/"  # type: ignore[attr-defined]
    with django_assert_num_queries(HISTORY_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("data-session=") == 2 * size
