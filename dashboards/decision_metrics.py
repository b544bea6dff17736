"""The decisions figures (issue: "Decisions metrics"): MDRs by type and month, contact decisions
within 1 working day, assessments within 45 working days, overdue tasks, escalations waiting
past their response date by stage, and cases in drift — for the cases a scope covers.

Each figure is one aggregate query over the scope's cases (grouped in the database), so the
cost does not grow with the number of workers or teams. Only signed MDRs count as decisions;
drafts are counted apart. Page, API and workbook all read `decision_figures`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
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


def _starts(months: list[Month]) -> list[datetime.datetime]:
    """The moment each month starts, local time, and the moment after the last one ends."""
    days = [month.first for month in months] + [months[-1].next().first]
    return [timezone.make_aware(datetime.datetime.combine(d, datetime.time.min)) for d in days]


def _per_month(field: str, bounds: list[Any], *, where: Q | None = None) -> dict[str, Count]:
    """Count(…) per month, as `m0`, `m1`, …: rows whose `field` falls in that month (and meet
    `where`). Grouped with plain comparisons along the field's index, not a month worked out
    for every row (SQLite has no native date truncation, so Django's is a Python call a row)."""
    condition = where if where is not None else Q()
    return {
        f"m{index}": Count(
            "pk",
            filter=condition
            & Q(**{f"{field}__gte": bounds[index], f"{field}__lt": bounds[index + 1]}),
        )
        for index in range(len(bounds) - 1)
    }


def _clock_figures(
    clocks: QuerySet[Clock], first: datetime.date, last: datetime.date, today: datetime.date
) -> dict[str, int]:
    """Contact decisions and assessments met in the period (and in time), and assessments
    overdue today: one pass over the scope's clocks."""
    met = Q(met_on__gte=first, met_on__lte=last)
    in_time = met & Q(met_on__lte=F("due_on"))
    contact, assessment = Q(timescale__code=CONTACT_CLOCK), Q(timescale__code=ASSESSMENT_CLOCK)
    return clocks.aggregate(
        contact_met=Count("pk", filter=contact & met),
        contact_in_time=Count("pk", filter=contact & in_time),
        assessment_met=Count("pk", filter=assessment & met),
        assessment_in_time=Count("pk", filter=assessment & in_time),
        assessments_overdue=Count(
            "pk", filter=assessment & Q(met_on__isnull=True, due_on__lt=today)
        ),
    )


def _scoped(queryset: QuerySet[Any], path: str, cases: QuerySet[Case]) -> QuerySet[Any]:
    """`queryset` limited to records on `cases`: its decisions' (`path` "decision") or its own
    (`path` "case"). Through the decisions' ids, so a team's few are found along the
    decision's own index rather than by testing every clock or task of the authority."""
    on_cases = {"case__in": cases.values("pk")}
    if path == "case":
        return queryset.filter(**on_cases)
    if not cases.query.where:
        return queryset  # every case (the directorate): no decision to test them against
    return queryset.filter(decision__in=Decision.objects.filter(**on_cases).values("pk"))


def decision_figures(
    cases: QuerySet[Case], months: list[Month], *, today: datetime.date | None = None
) -> DecisionFigures:
    """The decisions figures for `cases` (already scoped by the access policy) over `months`."""
    today = today or timezone.localdate()
    starts = _starts(months)
    first, last = months[0].first, months[-1].last
    decisions = _scoped(Decision.objects.all(), "case", cases).filter(
        made_at__gte=starts[0], made_at__lt=starts[-1]
    )
    signed = decisions.filter(status=DecisionStatus.SIGNED)
    by_type: dict[str, dict[Month, int]] = {}
    for row in signed.values("decision_type").annotate(**_per_month("made_at", starts)).order_by():
        by_type[row["decision_type"]] = {
            month: row[f"m{index}"] for index, month in enumerate(months) if row[f"m{index}"]
        }

    clocks = _scoped(Clock.objects.all(), "decision", cases)
    met = clocks.filter(met_on__gte=first, met_on__lte=last)
    timed = _clock_figures(clocks, first, last, today)
    overdue_tasks = _scoped(DecisionTask.objects.all(), "decision", cases).filter(
        action__status=ActionStatus.OPEN, action__due_date__lt=today
    )
    now = timezone.now()
    escalations = (
        _scoped(Escalation.objects.all(), "decision", cases)
        .filter(status=EscalationStatus.OPEN, response_due_at__lt=now)
        .values("stage")
        .annotate(n=Count("pk"))
        .order_by("stage")
    )
    return DecisionFigures(
        months=months,
        as_at=now,
        by_type_month=by_type,
        drafts=decisions.filter(status=DecisionStatus.DRAFT).count(),
        contact=Timeliness(met=timed["contact_met"], in_time=timed["contact_in_time"]),
        assessment=Timeliness(met=timed["assessment_met"], in_time=timed["assessment_in_time"]),
        assessments_overdue=timed["assessments_overdue"],
        tasks_overdue=overdue_tasks.count(),
        escalations_overdue={row["stage"]: row["n"] for row in escalations},
        cases_in_drift=drifting(cases, today).count(),
        by_team_month=_by_team_month(signed, met, months, starts),
    )


def _by_team_month(
    signed: QuerySet[Decision],
    met: QuerySet[Clock],
    months: list[Month],
    starts: list[datetime.datetime],
) -> list[TeamMonth]:
    """Signed MDRs and contact timeliness per team and month (two grouped queries)."""
    rows: dict[tuple[int, Month], TeamMonth] = {}

    def row(team_id: int, team: str, month: Month) -> TeamMonth:
        key = (team_id, month)
        if key not in rows:
            rows[key] = TeamMonth(team_id=team_id, team=team, month=month)
        return rows[key]

    for item in (
        signed.values("case__team", "case__team__name")
        .annotate(**_per_month("made_at", starts))
        .order_by()
    ):
        for index, month in enumerate(months):
            if item[f"m{index}"]:
                row(item["case__team"], item["case__team__name"], month).decisions = item[
                    f"m{index}"
                ]
    days = [month.first for month in months] + [months[-1].next().first]
    in_time = Q(met_on__lte=F("due_on"))
    contact_counts = {
        **_per_month("met_on", days),
        **{f"t{k}": v for k, v in _per_month("met_on", days, where=in_time).items()},
    }
    for item in (
        met.filter(timescale__code=CONTACT_CLOCK)
        .values("decision__case__team", "decision__case__team__name")
        .annotate(**contact_counts)
        .order_by()
    ):
        for index, month in enumerate(months):
            if item[f"m{index}"]:
                target = row(
                    item["decision__case__team"], item["decision__case__team__name"], month
                )
                target.contact = Timeliness(met=item[f"m{index}"], in_time=item[f"tm{index}"])
    in_period = set(months)
    return sorted(
        (r for r in rows.values() if r.month in in_period),
        key=lambda r: (r.team, r.team_id, r.month),
    )
