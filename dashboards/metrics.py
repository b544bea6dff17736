"""Every figure a dashboard shows, for one scope and period, each with the rows behind it.

Figures are computed when asked — no overnight job, no cache — so a record signed a second ago
is in the next page load. Each piece is a fixed number of queries whatever the scope's size.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import QuerySet
from django.utils import timezone

from dashboards.caseloads import TeamCaseloads, WorkerCaseload, caseloads_by_team, worker_caseloads
from dashboards.compliance import ComplianceReport, Month, Tally, monthly_compliance
from dashboards.scope import Scope
from oversight.access import Purpose, UserLike
from oversight.models import StaffMember
from supervision.models import Action, ActionStatus, SupervisionRequest
from supervision.policy import Status
from supervision.selectors import WorkerStatus, status_summary, supervision_status


class Rag:
    """Red / amber / green against a target, as GOV.UK tag colours."""

    GREEN = "green"
    AMBER = "yellow"
    RED = "red"
    NONE = "grey"

    LABELS = {GREEN: "On target", AMBER: "Near target", RED: "Below target", NONE: "No figure"}
    # Amber: within this much below the target (10 percentage points). Pages and workbooks
    # colour by this one band, and the workbook's About sheet states it from here.
    AMBER_BAND = Decimal("0.10")

    @staticmethod
    def of(rate: Decimal | None, target: Decimal) -> str:
        """Green at or above target; amber within the band below it; red below that."""
        if rate is None:
            return Rag.NONE
        if rate >= target:
            return Rag.GREEN
        if rate >= target - Rag.AMBER_BAND:
            return Rag.AMBER
        return Rag.RED


@dataclass(frozen=True)
class OverdueAction:
    pk: int
    description: str
    due_date: datetime.date
    supervisee_id: int
    supervisee: str
    owner: str


@dataclass(frozen=True)
class RequestFigures:
    """Requests for extra supervision made in a month, and how long workers waited for the
    session: the median of whole days from asking to the session booked (accepted ones)."""

    asked: int
    booked: int
    median_days_to_session: float | None


@dataclass
class Dashboard:
    scope: Scope
    months: list[Month]
    month: Month  # the month the headline figures are for
    today: datetime.date
    compliance: ComplianceReport
    statuses: list[WorkerStatus]
    caseloads: list[WorkerCaseload]
    overdue_actions: list[OverdueAction]
    requests: RequestFigures

    # Each figure below is read several times by a page (the view, then the template): worked
    # out once per dashboard.

    @cached_property
    def headline(self) -> Tally:
        # From the month's arrays: building every worker's row just to add them up is slow
        # for a directorate.
        return self.compliance.by_month()[self.month]

    @property
    def target(self) -> Decimal:
        return self.compliance.targets[self.month]

    @cached_property
    def headline_rag(self) -> str:
        return Rag.of(self.headline.rate, self.target)

    @cached_property
    def status_counts(self) -> dict[Status, int]:
        return status_summary(self.statuses)

    @cached_property
    def teams(self) -> list[TeamCaseloads]:
        return caseloads_by_team(self.caseloads)


def dashboard(
    user: UserLike, scope: Scope, months: list[Month], *, month: Month, today: datetime.date
) -> Dashboard:
    staff = scope.staff(user)
    return Dashboard(
        scope=scope,
        months=months,
        month=month,
        today=today,
        compliance=monthly_compliance(user, staff, months, today=today),
        statuses=supervision_status(user, staff, today=today, purpose=Purpose.PERFORMANCE),
        caseloads=worker_caseloads(staff, today=today),
        overdue_actions=overdue_actions(staff, today=today),
        requests=supervision_request_figures(staff, month),
    )


def supervision_request_figures(staff: QuerySet[StaffMember], month: Month) -> RequestFigures:
    """The month's requests for extra supervision from workers in scope (one query, read as
    two dates a row: a month's requests are few, and the median is not SQL everywhere)."""
    rows = SupervisionRequest.objects.filter(
        worker__in=staff.values("pk"),
        created_at__date__gte=month.first,
        created_at__date__lte=month.last,
    ).values_list("created_at", "session__scheduled_for")
    asked = 0
    waits: list[int] = []
    for created_at, scheduled_for in rows:
        asked += 1
        if scheduled_for is not None:
            waits.append((timezone.localdate(scheduled_for) - timezone.localdate(created_at)).days)
    return RequestFigures(
        asked=asked,
        booked=len(waits),
        median_days_to_session=float(statistics.median(waits)) if waits else None,
    )


def overdue_actions(staff: QuerySet[StaffMember], *, today: datetime.date) -> list[OverdueAction]:
    """Open actions past their due date for workers in scope, oldest first (one query, read as
    plain values: a directorate can have thousands)."""
    rows = (
        Action.objects.filter(
            supervisee__in=staff.values("pk"), status=ActionStatus.OPEN, due_date__lt=today
        )
        .order_by("due_date", "pk")
        .values_list(
            "pk",
            "description",
            "due_date",
            "supervisee_id",
            "supervisee__first_name",
            "supervisee__last_name",
            "owner__first_name",
            "owner__last_name",
        )
    )
    return [
        OverdueAction(
            pk=pk,
            description=description,
            due_date=due_date,  # type: ignore[arg-type]  # never null: filtered on due_date
            supervisee_id=supervisee_id,
            supervisee=f"{supervisee_first} {supervisee_last}",
            owner=f"{owner_first} {owner_last}",
        )
        for (
            pk,
            description,
            due_date,
            supervisee_id,
            supervisee_first,
            supervisee_last,
            owner_first,
            owner_last,
        ) in rows
    ]
