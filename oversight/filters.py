"""FilterSets shared by the API (and pages where they help).

A filter that names another record (a team, a supervisor, a worker) accepts only records the
reader may see: anything else is "not one of the available choices", exactly like an id that
does not exist, so a filter cannot be used to learn that a hidden record exists.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from oversight import access
from oversight.models import Absence, Case, Service, StaffMember, Team
from oversight.selectors import current_absence_filter


def visible_choices(model: type[Model]) -> Callable[[HttpRequest | None], QuerySet[Any]]:
    """The choices of a ModelChoiceFilter: the rows of `model` the requesting user may see."""

    def choices(request: HttpRequest | None) -> QuerySet[Any]:
        if request is None:
            return model._default_manager.none()
        return access.visible_to(request.user, model._default_manager.all())

    return choices


class StrictBooleanField(forms.NullBooleanField):
    """`true`/`false` (or `1`/`0`); anything else is an error rather than silently ignored,
    so `?open=ture` does not quietly answer every case."""

    widget = forms.TextInput
    TRUE = frozenset({"true", "1"})
    FALSE = frozenset({"false", "0"})

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError("Enter true or false.", code="invalid")

    def validate(self, value: Any) -> None:
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class TeamFilter(django_filters.FilterSet):
    service = django_filters.ModelChoiceFilter(queryset=visible_choices(Service))

    class Meta:
        model = Team
        fields = ["service"]


class StaffFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(queryset=visible_choices(Team))
    team__service = django_filters.ModelChoiceFilter(
        queryset=visible_choices(Service), label="Service"
    )
    supervisor = django_filters.ModelChoiceFilter(queryset=visible_choices(StaffMember))
    name = django_filters.CharFilter(method="filter_name", label="Name contains")
    in_post_on = django_filters.DateFilter(method="filter_in_post_on", label="In post on")

    class Meta:
        model = StaffMember
        fields = [
            "team",
            "team__service",
            "role",
            "employment_type",
            "supervisor",
            "employee_number",
        ]

    def filter_name(
        self, queryset: QuerySet[StaffMember], name: str, value: str
    ) -> QuerySet[StaffMember]:
        return queryset.filter(Q(first_name__icontains=value) | Q(last_name__icontains=value))

    def filter_in_post_on(
        self, queryset: QuerySet[StaffMember], name: str, value: datetime.date
    ) -> QuerySet[StaffMember]:
        return queryset.filter(start_date__lte=value).filter(
            Q(leaving_date__isnull=True) | Q(leaving_date__gte=value)
        )


class CaseFilter(django_filters.FilterSet):
    team = django_filters.ModelChoiceFilter(queryset=visible_choices(Team))
    allocated_worker = django_filters.ModelChoiceFilter(queryset=visible_choices(StaffMember))
    open = StrictBooleanFilter(
        field_name="closed_on", lookup_expr="isnull", label="Open (not closed)"
    )
    is_duty = StrictBooleanFilter(label="Duty")

    class Meta:
        model = Case
        fields = ["team", "allocated_worker", "case_type", "is_duty", "reference"]


class AbsenceFilter(django_filters.FilterSet):
    staff = django_filters.ModelChoiceFilter(queryset=visible_choices(StaffMember))
    current_on = django_filters.DateFilter(method="filter_current_on", label="Current on")

    class Meta:
        model = Absence
        fields = ["staff"]

    def filter_current_on(
        self, queryset: QuerySet[Absence], name: str, value: datetime.date
    ) -> QuerySet[Absence]:
        return queryset.filter(current_absence_filter(value))
