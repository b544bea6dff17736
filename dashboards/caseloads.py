"""Caseloads: open and duty cases per worker and per FTE, and their spread in each team
(median, maximum, how many are above the threshold), with duty workers — whose caseloads
swing with the rota — shown apart from the others. One query for the whole scope."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db.models import Q, QuerySet

from oversight.models import PRACTITIONER_ROLES, Case, Role, StaffMember
from oversight.selectors import count_of

CASE_HOLDING_ROLES = sorted({*PRACTITIONER_ROLES, Role.ASSISTANT_TEAM_MANAGER})


def caseload_threshold() -> int:
    return cast(int, settings.OVERSIGHT["CASELOAD_THRESHOLD"])


@dataclass(frozen=True)
class WorkerCaseload:
    staff_id: int
    name: str
    team_id: int | None
    team: str
    service: str
    role: str
    employment_type: str
    fte: Decimal
    open_cases: int
    duty_cases: int

    @property
    def per_fte(self) -> Decimal:
        return (Decimal(self.open_cases) / self.fte).quantize(Decimal("0.1"))

    @property
    def is_duty_worker(self) -> bool:
        return self.duty_cases > 0


@dataclass
class Spread:
    workers: int = 0
    median: float | None = None
    maximum: int | None = None
    above_threshold: int = 0


@dataclass
class TeamCaseloads:
    team_id: int | None
    team: str
    service: str
    rows: list[WorkerCaseload] = field(default_factory=list)

    @property
    def duty_spread(self) -> Spread:
        return self.spread(duty=True)

    def spread(self, *, duty: bool | None = None) -> Spread:
        """The spread of open cases (all workers; or only duty / only non-duty workers)."""
        counts = [row.open_cases for row in self.rows if duty is None or row.is_duty_worker == duty]
        if not counts:
            return Spread()
        return Spread(
            workers=len(counts),
            median=statistics.median(counts),
            maximum=max(counts),
            above_threshold=sum(count > caseload_threshold() for count in counts),
        )


def worker_caseloads(staff: QuerySet[StaffMember], *, today: datetime.date) -> list[WorkerCaseload]:
    """Every case-holding worker of `staff` in post today, with open and duty cases."""
    open_cases = Case.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=today), opened_on__lte=today
    )
    rows = (
        staff.filter(role__in=CASE_HOLDING_ROLES, start_date__lte=today)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=today))
        .annotate(
            open_cases=count_of(open_cases, "allocated_worker"),
            duty_cases=count_of(open_cases.filter(is_duty=True), "allocated_worker"),
        )
        .order_by("team__service__name", "team__name", "last_name", "first_name", "pk")
        .values(
            "pk",
            "first_name",
            "last_name",
            "team_id",
            "team__name",
            "team__service__name",
            "role",
            "employment_type",
            "fte",
            "open_cases",
            "duty_cases",
        )
    )
    return [
        WorkerCaseload(
            staff_id=row["pk"],
            name=f"{row['first_name']} {row['last_name']}",
            team_id=row["team_id"],
            team=row["team__name"] or "No team",
            service=row["team__service__name"] or "",
            role=row["role"],
            employment_type=row["employment_type"],
            fte=row["fte"],
            open_cases=row["open_cases"],
            duty_cases=row["duty_cases"],
        )
        for row in rows
    ]


def caseloads_by_team(rows: list[WorkerCaseload]) -> list[TeamCaseloads]:
    teams: dict[int | None, TeamCaseloads] = {}
    grouped: dict[int | None, list[WorkerCaseload]] = defaultdict(list)
    for row in rows:
        grouped[row.team_id].append(row)
        teams.setdefault(row.team_id, TeamCaseloads(row.team_id, row.team, row.service))
    for team_id, team_rows in grouped.items():
        teams[team_id].rows = team_rows
    return sorted(teams.values(), key=lambda t: (t.service, t.team))
