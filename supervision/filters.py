"""Filters for supervision's lists, shared by pages and the API (django-filter FilterSets).
Every choice a filter offers is scoped by the access policy (`visible_choices`)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from oversight.filters import StrictBooleanFilter, visible_choices
from oversight.models import Case, StaffMember
from supervision.models import (
    Action,
    ActionStatus,
    CaseDiscussion,
    InformalDiscussion,
    SessionStatus,
    SupervisionSession,
)


class SupervisionFilter(django_filters.FilterSet):
    supervisee = django_filters.ModelChoiceFilter(queryset=visible_choices(StaffMember))
    supervisor = django_filters.ModelChoiceFilter(queryset=visible_choices(StaffMember))
    status = django_filters.ChoiceFilter(choices=SessionStatus.choices)
    held_on = django_filters.DateFromToRangeFilter(
        label="Held on (held_on_after, held_on_before: inclusive dates)"
    )

    class Meta:
        model = SupervisionSession
        fields = ["supervisee", "supervisor", "status", "held_on"]


class CaseDiscussionFilter(django_filters.FilterSet):
    session = django_filters.ModelChoiceFilter(queryset=visible_choices(SupervisionSession))
    case = django_filters.ModelChoiceFilter(queryset=visible_choices(Case))

    class Meta:
        model = CaseDiscussion
        fields = ["session", "case"]


class InformalDiscussionFilter(django_filters.FilterSet):
    worker = django_filters.ModelChoiceFilter(queryset=visible_choices(StaffMember))
    incorporated = StrictBooleanFilter(
        method="filter_incorporated", label="Already pulled into a session"
    )

    class Meta:
        model = InformalDiscussion
        fields = ["worker", "incorporated"]

    def filter_incorporated(
        self, queryset: QuerySet[InformalDiscussion], name: str, value: bool | None
    ) -> QuerySet[InformalDiscussion]:
        if value is None:
            return queryset
        return queryset.filter(incorporated_into__isnull=not value)


class ActionFilter(django_filters.FilterSet):
    supervisee = django_filters.ModelChoiceFilter(queryset=visible_choices(StaffMember))
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)
    overdue = StrictBooleanFilter(method="filter_overdue", label="Open and past its due date")

    class Meta:
        model = Action
        fields = ["supervisee", "status", "overdue"]

    def filter_overdue(
        self, queryset: QuerySet[Action], name: str, value: bool | None
    ) -> QuerySet[Action]:
        if value is None:
            return queryset
        overdue = Q(status=ActionStatus.OPEN, due_date__lt=timezone.localdate())
        return queryset.filter(overdue if value else ~overdue)
