"""Decisions' configuration in the admin: threshold frameworks and their levels, statutory
timescales, escalation response times. MDRs themselves are listed by who and when only:
their content is read on the site, where the access policy and the access log apply."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from decisions import services
from decisions.models import (
    Decision,
    EscalationStage,
    StatutoryTimescale,
    ThresholdFramework,
    ThresholdLevel,
)


class ThresholdLevelInline(admin.TabularInline):
    model = ThresholdLevel
    extra = 0


@admin.register(ThresholdFramework)
class ThresholdFrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "is_active"]
    readonly_fields = ["is_active"]
    inlines = [ThresholdLevelInline]
    actions = ["make_active"]

    @admin.action(description="Make the selected framework the one in use")
    def make_active(self, request: HttpRequest, queryset: QuerySet[ThresholdFramework]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one framework.", messages.ERROR)
            return
        try:
            services.framework_activate(framework=queryset.get(), actor=request.user)
        except (PermissionDenied, ValidationError) as error:
            self.message_user(
                request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
            )


@admin.register(StatutoryTimescale)
class StatutoryTimescaleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "starts_from", "working_days", "follow_up", "then"]


@admin.register(EscalationStage)
class EscalationStageAdmin(SimpleHistoryAdmin):
    list_display = ["number", "response_working_days", "response_hours"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["case", "decision_type", "decision_maker", "made_at", "status"]
    list_filter = ["status", "decision_type"]
    fields = ["case", "decision_type", "decision_maker", "made_at", "status", "signed_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # MDRs are recorded on the site, through the services and their rules
