"""Filters for the decisions lists, shared by pages and the API (django-filter FilterSets)."""

from __future__ import annotations

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from decisions.models import Decision, DecisionStatus, DecisionTask, DecisionType
from oversight.filters import StrictBooleanFilter
from supervision.models import ActionStatus


class DecisionFilter(django_filters.FilterSet):
    decision_type = django_filters.ChoiceFilter(
        label="Type of decision", choices=DecisionType.choices, empty_label="Any type"
    )
    level = django_filters.NumberFilter(
        field_name="level_after__number", label="Threshold level after the decision"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=DecisionStatus.choices, empty_label="Draft or signed"
    )
    overdue_tasks = StrictBooleanFilter(
        method="filter_overdue_tasks", label="Has an open task past its due date"
    )
    made_at = django_filters.DateFromToRangeFilter(
        label="Made between (made_at_after, made_at_before: inclusive dates)"
    )

    class Meta:
        model = Decision
        fields = ["decision_type", "level", "status", "overdue_tasks", "made_at"]

    def filter_overdue_tasks(
        self, queryset: QuerySet[Decision], name: str, value: bool | None
    ) -> QuerySet[Decision]:
        if value is None:
            return queryset
        overdue = Exists(
            DecisionTask.objects.filter(
                decision=OuterRef("pk"),
                action__status=ActionStatus.OPEN,
                action__due_date__lt=timezone.localdate(),
            )
        )
        return queryset.filter(overdue if value else ~overdue)
