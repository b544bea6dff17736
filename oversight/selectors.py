"""Reads that compute: scoped, annotated querysets for the organisation pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from oversight import access
from oversight.access import Purpose, UserLike
from oversight.models import Absence, Case, StaffMember, Team


def today() -> datetime.date:
    return timezone.localdate()


def count_of(queryset: QuerySet[Any], key: str) -> Coalesce:
    """A correlated count of `queryset` rows whose `key` is the outer staff member: one
    index search per worker, where a join and GROUP BY would sort every joined row."""
    counted = (
        queryset.filter(**{key: OuterRef("pk")})
        .order_by()
        .values(key)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def current_absence_filter(day: datetime.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def staff_with_summary(user: UserLike, queryset: QuerySet[StaffMember]) -> QuerySet[StaffMember]:
    """Visible staff with open caseload, duty cases, today's absence and whether the reader
    may see absence details — in one query."""
    day = today()
    absence_today = Absence.objects.filter(current_absence_filter(day), staff=OuterRef("pk"))
    details_visible = StaffMember.objects.filter(
        access.staff_scope_q(user, Purpose.LINE_MANAGEMENT), pk=OuterRef("pk")
    )
    # A colleague's supervisor is named only if the reader may see that person too.
    supervisor_visible = access.visible_to(
        user, StaffMember.objects.filter(pk=OuterRef("supervisor_id"))
    )
    return (
        access.visible_to(user, queryset)
        .select_related("team", "supervisor")
        .annotate(
            open_cases=Count("cases", filter=Q(cases__closed_on__isnull=True)),
            duty_cases=Count("cases", filter=Q(cases__closed_on__isnull=True, cases__is_duty=True)),
            absent_today=Exists(absence_today),
            absence_type_today=Subquery(absence_today.values("absence_type")[:1]),
            absence_details_visible=Exists(details_visible),
            supervisor_visible=Exists(supervisor_visible),
        )
    )


def team_members(user: UserLike, team: Team) -> QuerySet[StaffMember]:
    today_ = today()
    in_post = Q(leaving_date__isnull=True) | Q(leaving_date__gte=today_)
    return staff_with_summary(user, StaffMember.objects.filter(in_post, team=team)).order_by(
        "role", "last_name", "first_name"
    )


def visible_cases(user: UserLike) -> QuerySet[Case]:
    return access.visible_to(user, Case.objects.select_related("team", "allocated_worker"))


def visible_teams(user: UserLike) -> QuerySet[Team]:
    in_post = Q(members__leaving_date__isnull=True) | Q(members__leaving_date__gte=today())
    return (
        access.visible_to(user, Team.objects.select_related("service", "manager"))
        .annotate(member_count=Count("members", filter=in_post, distinct=True))
        .order_by("service__name", "name")
    )


def absences_for(user: UserLike, staff: StaffMember) -> QuerySet[Absence]:
    return access.visible_to(user, Absence.objects.filter(staff=staff)).order_by("-start_date")
