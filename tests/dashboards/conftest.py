"""The hand-checked team of EXAMPLES.md (March 2026), shared by the dashboard tests."""

from __future__ import annotations

import datetime

import pytest

from oversight.models import AbsenceType, Role, StaffMember
from supervision.models import NotHeldReason, SessionStatus
from tests.factories import AbsenceFactory, StaffFactory, TeamFactory, UserFactory
from tests.supervision.factories import HeldSessionFactory


@pytest.fixture
def team_manager():
    team = TeamFactory(name="Riverside")
    manager = StaffFactory(
        role=Role.TEAM_MANAGER,
        team=team,
        supervisor=None,
        user=UserFactory(username="tm.compliance"),
    )
    team.manager = manager
    team.save()
    return manager


def worker(manager: StaffMember, name: str, **kwargs) -> StaffMember:
    return StaffFactory(
        first_name=name,
        last_name="Worker",
        team=manager.team,
        supervisor=manager,
        start_date=kwargs.pop("start_date", datetime.date(2024, 1, 8)),
        **kwargs,
    )


def held(staff: StaffMember, day: datetime.date, **kwargs):
    return HeldSessionFactory(supervisee=staff, supervisor=staff.supervisor, held_on=day, **kwargs)


@pytest.fixture
def march_team(team_manager):
    """The eight workers M1–M8 of EXAMPLES.md."""
    m = {}
    m["M1"] = worker(team_manager, "M1")
    held(m["M1"], datetime.date(2026, 3, 10))
    m["M2"] = worker(team_manager, "M2")
    m["M3"] = worker(team_manager, "M3")
    AbsenceFactory(
        staff=m["M3"],
        absence_type=AbsenceType.PARENTAL_LEAVE,
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 9, 30),
    )
    m["M4"] = worker(team_manager, "M4")
    AbsenceFactory(
        staff=m["M4"], start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 13)
    )
    m["M5"] = worker(team_manager, "M5")
    AbsenceFactory(
        staff=m["M5"], start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 16)
    )
    m["M6"] = worker(
        team_manager,
        "M6",
        role=Role.ASYE_SOCIAL_WORKER,
        asye_start_date=datetime.date(2026, 1, 5),
        start_date=datetime.date(2026, 1, 5),
    )
    held(m["M6"], datetime.date(2026, 3, 9))
    m["M7"] = worker(team_manager, "M7", start_date=datetime.date(2026, 3, 20))
    m["M8"] = worker(team_manager, "M8")
    HeldSessionFactory(
        supervisee=m["M8"],
        supervisor=team_manager,
        held_on=datetime.date(2026, 3, 12),
        status=SessionStatus.NOT_HELD,
        not_held_reason=NotHeldReason.WORKER_ABSENT,
    )
    return m
