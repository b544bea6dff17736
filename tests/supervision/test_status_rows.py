"""The workers `supervision_status` hands back are staff records pages can use as they are:
names, role, team and supervisor read without another query, in the order they were asked
for, and anything not read up front still there when asked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from oversight.models import Role, StaffMember
from supervision.selectors import supervision_status
from tests.conftest import World
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)


def test_a_workers_names_team_and_supervisor_cost_no_query(world: World, django_assert_num_queries):
    rows = supervision_status(world.tm.user, StaffMember.objects.all(), today=TODAY)
    with django_assert_num_queries(0):
        seen = {
            row.staff.pk: (
                row.staff.full_name,
                row.staff.get_role_display(),
                row.staff.team.name if row.staff.team else None,
                row.staff.supervisor.full_name if row.staff.supervisor else None,
            )
            for row in rows
        }
    assert seen[world.sw.pk] == (
        world.sw.full_name,
        "Social worker",
        "Riverside",
        world.tm.full_name,
    )


def test_a_worker_without_a_team_or_supervisor_reads_as_none_without_a_query(
    world: World, django_assert_num_queries
):
    waiting = StaffFactory(team=None, supervisor=None, role=Role.SOCIAL_WORKER, user=None)
    [row] = supervision_status(
        world.psw.user, StaffMember.objects.filter(pk=waiting.pk), today=TODAY
    )
    with django_assert_num_queries(0):
        assert (row.staff.team, row.staff.supervisor) == (None, None)


def test_each_worker_is_the_staff_record_itself(world: World):
    [row] = supervision_status(
        world.tm.user, StaffMember.objects.filter(pk=world.sw.pk), today=TODAY
    )
    assert row.staff == world.sw
    assert row.staff.supervisor == world.tm
    # Fields no page shows are not read up front, but are there when asked for.
    assert row.staff.fte == Decimal("1.00")
    assert row.staff.created_at == StaffMember.objects.get(pk=world.sw.pk).created_at


def test_workers_come_back_in_the_order_asked_for(world: World):
    staff = StaffMember.objects.filter(team=world.riverside)
    forwards = [row.staff.pk for row in supervision_status(world.tm.user, staff, today=TODAY)]
    backwards = [
        row.staff.pk
        for row in supervision_status(
            world.tm.user, staff.order_by("-last_name", "-first_name"), today=TODAY
        )
    ]
    assert len(forwards) >= 3
    assert backwards == forwards[::-1]
