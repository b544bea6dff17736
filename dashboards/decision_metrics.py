"""The decisions figures (issue: "Decisions metrics"): MDRs by type and month, contact decisions
within 1 working day, assessments within 45 working days, overdue tasks, escalations waiting
past their response date by stage, and cases in drift — for the cases a scope covers.

Each figure is one aggregate query over the scope's cases (grouped in the database), so the
cost does not grow with the number of workers or teams. Only signed MDRs count as decisions;
drafts are counted apart. Page, API and workbook all read `decision_figures`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from dashboards.compliance import Month
from decisions.drift import drifting
from decisions.models import (
    Clock,
    Decision,
    DecisionStatus,
    DecisionTask,
    DecisionType,
    Escalation,
    EscalationStatus,
)
from oversight.models import Case
from supervision.models import ActionStatus

CONTACT_CLOCK = "contact-decision"
ASSESSMENT_CLOCK = "assessment"


@dataclass(frozen=True)
class Timeliness:
    """Clocks met in the period: how many, and how many in time."""

    met: int = 0
    in_time: int = 0

    @property
    def rate(self) -> Decimal | None:
        if not self.met:
            return None
        return (Decimal(self.in_time) / Decimal(self.met)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )


@dataclass
class TeamMonth:
    team_id: int
    team: str
    month: Month
    decisions: int = 0
    contact: Timeliness = field(default_factory=Timeliness)


@dataclass
class DecisionFigures:
    months: list[Month]
    as_at: datetime.datetime
    by_type_month: dict[str, dict[Month, int]]
    drafts: int
    contact: Timeliness
    assessment: Timeliness
    assessments_overdue: int
    tasks_overdue: int
    escalations_overdue: dict[int, int]
    cases_in_drift: int
    by_team_month: list[TeamMonth]

    @property
    def escalations_overdue_total(self) -> int:
        return sum(self.escalations_overdue.values())

    @property
    def decisions(self) -> int:
        return sum(sum(row.values()) for row in self.by_type_month.values())

    def type_rows(self) -> list[tuple[str, str, list[int], int]]:
        """(type, label, count per month, total) for every type, in the choices' order."""
        rows = []
        for kind, label in DecisionType.choices:
            counts = [self.by_type_month.get(kind, {}).get(month, 0) for month in self.months]
            rows.append((kind, label, counts, sum(counts)))
        return rows


def _month_of(value: datetime.datetime | datetime.date) -> Month:
    return Month(value.year, value.month)


def _timeliness(clocks: QuerySet[Clock]) -> Timeliness:
    counts = clocks.aggregate(
        met=Count("pk"), in_time=Count("pk", filter=Q(met_on__lte=F("due_on")))
    )
    return Timeliness(met=counts["met"], in_time=counts["in_time"])


def decision_figures(
    cases: QuerySet[Case], months: list[Month], *, today: datetime.date | None = None
) -> DecisionFigures:
    """The decisions figures for `cases` (already scoped by the access policy) over `months`."""
    today = today or timezone.localdate()
    first, last = months[0].first, months[-1].last
    decisions = Decision.objects.filter(
        case__in=cases.values("pk"), made_at__date__gte=first, made_at__date__lte=last
    )
    signed = decisions.filter(status=DecisionStatus.SIGNED)
    by_type: dict[str, dict[Month, int]] = defaultdict(dict)
    for row in (
        signed.annotate(month=TruncMonth("made_at"))
        .values("month", "decision_type")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        by_type[row["decision_type"]][_month_of(row["month"])] = row["n"]

    clocks = Clock.objects.filter(decision__case__in=cases.values("pk"))
    met = clocks.filter(met_on__gte=first, met_on__lte=last)
    overdue_tasks = DecisionTask.objects.filter(
        decision__case__in=cases.values("pk"),
        action__status=ActionStatus.OPEN,
        action__due_date__lt=today,
    ).count()
    now = timezone.now()
    escalations = (
        Escalation.objects.filter(
            decision__case__in=cases.values("pk"),
            status=EscalationStatus.OPEN,
            response_due_at__lt=now,
        )
        .values("stage")
        .annotate(n=Count("pk"))
        .order_by("stage")
    )
    return DecisionFigures(
        months=months,
        as_at=now,
        by_type_month=dict(by_type),
        drafts=decisions.filter(status=DecisionStatus.DRAFT).count(),
        contact=_timeliness(met.filter(timescale__code=CONTACT_CLOCK)),
        assessment=_timeliness(met.filter(timescale__code=ASSESSMENT_CLOCK)),
        assessments_overdue=clocks.filter(
            timescale__code=ASSESSMENT_CLOCK, met_on__isnull=True, due_on__lt=today
        ).count(),
        tasks_overdue=overdue_tasks,
        escalations_overdue={row["stage"]: row["n"] for row in escalations},
        cases_in_drift=drifting(cases, today).count(),
        by_team_month=_by_team_month(signed, met, months),
    )


def _by_team_month(
    signed: QuerySet[Decision], met: QuerySet[Clock], months: list[Month]
) -> list[TeamMonth]:
    """Signed MDRs and contact timeliness per team and month (two grouped queries)."""
    rows: dict[tuple[int, Month], TeamMonth] = {}

    def row(team_id: int, team: str, month: Month) -> TeamMonth:
        key = (team_id, month)
        if key not in rows:
            rows[key] = TeamMonth(team_id=team_id, team=team, month=month)
        return rows[key]

    for item in (
        signed.annotate(month=TruncMonth("made_at"))
        .values("case__team", "case__team__name", "month")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        row(
            item["case__team"], item["case__team__name"], _month_of(item["month"])
        ).decisions = item["n"]
    for item in (
        met.filter(timescale__code=CONTACT_CLOCK)
        .annotate(month=TruncMonth("met_on"))
        .values("decision__case__team", "decision__case__team__name", "month")
        .annotate(n=Count("pk"), timely=Count("pk", filter=Q(met_on__lte=F("due_on"))))
        .order_by()
    ):
        target = row(
            item["decision__case__team"],
            item["decision__case__team__name"],
            _month_of(item["month"]),
        )
        target.contact = Timeliness(met=item["n"], in_time=item["timely"])
    in_period = set(months)
    return sorted(
        (r for r in rows.values() if r.month in in_period),
        key=lambda r: (r.team, r.team_id, r.month),
    )
