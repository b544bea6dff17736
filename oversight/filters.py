"""FilterSets shared by the API (and pages where they help)."""

import django_filters

from oversight.models import Absence, Case, StaffMember, Team


class TeamFilter(django_filters.FilterSet):
    class Meta:
        model = Team
        fields = ["service"]


class StaffFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(method="filter_name", label="Name contains")
    in_post_on = django_filters.DateFilter(method="filter_in_post_on")

    class Meta:
        model = StaffMember
        fields = ["team", "team__service", "role", "employment_type", "supervisor", "employee_number"]

    def filter_name(self, queryset, name, value):  # type: ignore[no-untyped-def]
        from django.db.models import Q

        return queryset.filter(Q(first_name__icontains=value) | Q(last_name__icontains=value))

    def filter_in_post_on(self, queryset, name, value):  # type: ignore[no-untyped-def]
        from django.db.models import Q

        return queryset.filter(start_date__lte=value).filter(
            Q(leaving_date__isnull=True) | Q(leaving_date__gte=value)
        )


class CaseFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="closed_on", lookup_expr="isnull")

    class Meta:
        model = Case
        fields = ["team", "allocated_worker", "case_type", "is_duty", "reference"]


class AbsenceFilter(django_filters.FilterSet):
    current_on = django_filters.DateFilter(method="filter_current_on")

    class Meta:
        model = Absence
        fields = ["staff"]

    def filter_current_on(self, queryset, name, value):  # type: ignore[no-untyped-def]
        from oversight.selectors import current_absence_filter

        return queryset.filter(current_absence_filter(value))
