from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oversight.models import Absence, AccessLogEntry, Case, Service, StaffMember, Team


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "group_manager"]
    search_fields = ["name"]
    autocomplete_fields = ["group_manager"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "service", "manager"]
    list_filter = ["service"]
    search_fields = ["name"]
    autocomplete_fields = ["manager"]


@admin.register(StaffMember)
class StaffMemberAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "employee_number", "role", "employment_type", "team", "supervisor"]
    list_filter = ["role", "employment_type", "team__service"]
    search_fields = ["first_name", "last_name", "employee_number"]
    autocomplete_fields = ["user", "team", "supervisor"]


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "label", "case_type", "team", "allocated_worker", "is_duty"]
    list_filter = ["case_type", "is_duty", "team"]
    search_fields = ["reference", "label"]
    autocomplete_fields = ["team", "allocated_worker"]


@admin.register(Absence)
class AbsenceAdmin(SimpleHistoryAdmin):
    list_display = ["staff", "absence_type", "start_date", "end_date", "excuses_supervision"]
    list_filter = ["absence_type", "excuses_supervision"]
    search_fields = ["staff__first_name", "staff__last_name"]
    autocomplete_fields = ["staff"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "kind", "object_id", "via"]
    list_filter = ["action", "kind", "via"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
