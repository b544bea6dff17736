"""Drift (DESIGN §4.4): open cases slipping out of management oversight.

A case drifts when it has had no MDR, supervision case discussion or informal discussion for
longer than OVERSIGHT["DRIFT_WORKING_DAYS"] working days (20 unless configured), when its
latest signed MDR's review date has passed, when it has overdue MDR tasks, or when its Signs
of Safety scaling fell at each of the last two discussions. The list is two queries (which
cases drift, then those cases with their reasons); each reason is a lookup along one of the
case's own indexes, or a set found once from an index, so its cost does not grow with the
number of workers or teams.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from decisions.models import Decision, DecisionStatus, DecisionTask
from oversight import access
from oversight.access import UserLike
from oversight.models import Case, Role, Service, Team
from oversight.workdays import working_days_before
from supervision.models import ActionStatus, CaseDiscussion, InformalDiscussion

REASONS = {
    "no_oversight": "No management oversight",
    "review_passed": "MDR review date passed",
    "overdue_tasks": "Overdue tasks",
    "scaling_falling": "Scaling fell at the last two discussions",
}


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day`, local time, as an aware moment."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def drift_working_days() -> int:
    return cast(int, settings.OVERSIGHT["DRIFT_WORKING_DAYS"])


@dataclass(frozen=True)
class DriftRow:
    case: Case
    reasons: tuple[str, ...]

    @property
    def reason_labels(self) -> list[str]:
        return [REASONS[reason] for reason in self.reasons]


def _scaling_at(offset: int) -> Subquery:
    """The case's scaling at its `offset`-th most recent case discussion that scored one.

    "Most recent" is the order discussions were recorded in (a case discussion is written in
    its session), read along the case's own index rather than sorting by the session's date
    for every case."""
    return Subquery(
        CaseDiscussion.objects.filter(case=OuterRef("pk"), scaling__isnull=False)
        .order_by("-pk")
        .values("scaling")[offset : offset + 1]
    )


def annotate_drift(cases: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    """`cases` (open ones only) with a boolean per drift reason. Each reason is a lookup along
    one of the case's own indexes (its decisions by date, its discussions, its tasks)."""
    cutoff = working_days_before(today, drift_working_days())
    # From the start of the cutoff day, as a moment: compared as it is stored, a range along
    # the (case, made_at) index rather than a date worked out for every row.
    since = start_of_day(cutoff)
    recent_decision = Decision.objects.filter(case=OuterRef("pk"), made_at__gte=since)
    recent_discussion = CaseDiscussion.objects.filter(
        case=OuterRef("pk"), session__held_on__gte=cutoff
    )
    recent_informal = InformalDiscussion.objects.filter(case=OuterRef("pk"), happened_at__gte=since)
    latest_review = Subquery(
        Decision.objects.filter(case=OuterRef("pk"), status=DecisionStatus.SIGNED)
        .order_by("-made_at", "-pk")
        .values("review_date")[:1]
    )
    # The few cases with an overdue task, found once from the open actions' (status, due
    # date) index rather than looked for case by case.
    overdue = DecisionTask.objects.filter(
        action__status=ActionStatus.OPEN, action__due_date__lt=today
    ).values("decision__case_id")
    return (
        cases.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))
        .annotate(
            no_oversight=Q(opened_on__lt=cutoff)
            & ~Exists(recent_decision)
            & ~Exists(recent_discussion)
            & ~Exists(recent_informal),
            latest_review=latest_review,
            overdue_tasks=Q(pk__in=overdue),
            scaling_0=_scaling_at(0),
            scaling_1=_scaling_at(1),
            scaling_2=_scaling_at(2),
        )
        .annotate(
            review_passed=Q(latest_review__lt=today),
            scaling_falling=Q(scaling_0__lt=Coalesce("scaling_1", -1))
            & Q(scaling_1__lt=Coalesce("scaling_2", -1)),
        )
    )


def drifting(cases: QuerySet[Case], today: datetime.date) -> QuerySet[Case]:
    """The drifting cases among `cases` (already scoped by the access policy), one query."""
    return annotate_drift(cases, today).filter(
        Q(no_oversight=True)
        | Q(review_passed=True)
        | Q(overdue_tasks=True)
        | Q(scaling_falling=True)
    )


def drift_rows(cases: QuerySet[Case], today: datetime.date) -> list[DriftRow]:
    """The drifting cases with their reasons (two queries): which cases drift, judged without
    reading anything else, then those few cases with their reasons and names."""
    ids = list(drifting(cases, today).values_list("pk", flat=True))
    rows = []
    found = annotate_drift(Case.objects.filter(pk__in=ids), today)
    for case in found.select_related("team", "allocated_worker").order_by("reference"):
        reasons = tuple(reason for reason in REASONS if getattr(case, reason))
        rows.append(DriftRow(case=case, reasons=reasons))
    return rows


def area_for(user: UserLike) -> tuple[str, Team | Service | None]:
    """A reader's own drift list: a team manager's team, a group manager's service, else all."""
    me = access.staff_for(user)
    if me is not None and me.role in (Role.TEAM_MANAGER, Role.ASSISTANT_TEAM_MANAGER):
        if me.team is not None and me.team.manager_id == me.pk:
            return "team", me.team  # read with the staff record: no query
        return "team", Team.objects.filter(manager=me).first() or me.team
    if me is not None and me.role == Role.GROUP_MANAGER:
        return "service", Service.objects.filter(group_manager=me).order_by("name").first()
    return "all", None


def drift_cases(user: UserLike, kind: str, area: Team | Service | None) -> QuerySet[Case]:
    """The cases of `area` (a team's, a service's, or all) that `user` may see."""
    cases = access.visible_to(user, Case.objects.all())
    if kind == "team" and area is not None:
        return cases.filter(team_id=area.pk)
    if kind == "service" and area is not None:
        return cases.filter(team__service_id=area.pk)
    return cases
