"""Filters of the decisions API's lists (django-filter FilterSets). The decisions list
shares the pages' filters (`decisions/filters.py`); tasks and escalations have theirs here.
Every record a filter names is scoped by the access policy (`visible_choices`), so a filter
cannot be used to learn that a hidden case or decision exists.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from decisions import filters
from decisions.models import (
    Decision,
    DecisionTask,
    Escalation,
    EscalationStatus,
)
from oversight import access
from oversight.filters import StrictBooleanFilter, visible_choices
from oversight.models import Case
from supervision.models import ActionStatus


class DecisionFilter(filters.DecisionFilter):
    """The decisions pages' filters (type, level, status, overdue tasks, `made_at_after` /
    `made_at_before`), and the case, which a page has in its path."""

    case = django_filters.ModelChoiceFilter(queryset=visible_choices(Case))

    class Meta(filters.DecisionFilter.Meta):
        fields = ["case", *filters.DecisionFilter.Meta.fields]


class DecisionTaskFilter(django_filters.FilterSet):
    mine = StrictBooleanFilter(method="filter_mine", label="Tasks you own")
    status = django_filters.ChoiceFilter(field_name="action__status", choices=ActionStatus.choices)
    decision = django_filters.ModelChoiceFilter(queryset=visible_choices(Decision))

    class Meta:
        model = DecisionTask
        fields = ["mine", "status", "decision"]

    def filter_mine(
        self, queryset: QuerySet[DecisionTask], name: str, value: bool | None
    ) -> QuerySet[DecisionTask]:
        if value is None:
            return queryset
        me = access.staff_for(self.request.user) if self.request is not None else None
        if me is None:
            return queryset.none() if value else queryset
        return queryset.filter(action__owner=me) if value else queryset.exclude(action__owner=me)


class EscalationFilter(django_filters.FilterSet):
    decision = django_filters.ModelChoiceFilter(queryset=visible_choices(Decision))
    status = django_filters.ChoiceFilter(choices=EscalationStatus.choices)

    class Meta:
        model = Escalation
        fields = ["decision", "status"]
