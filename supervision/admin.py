from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from supervision.models import (
    Action,
    CaseDiscussion,
    Cover,
    InformalDiscussion,
    PolicyRule,
    SupervisionPolicy,
    SupervisionSession,
)


class PolicyRuleInline(admin.TabularInline):
    model = PolicyRule
    extra = 1


@admin.register(SupervisionPolicy)
class SupervisionPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "variant", "effective_from", "tolerance_days", "target_rate"]
    inlines = [PolicyRuleInline]


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(SimpleHistoryAdmin):
    list_display = ["supervisee", "supervisor", "session_type", "status", "held_on"]
    list_filter = ["status", "session_type"]
    search_fields = ["supervisee__last_name", "supervisor__last_name"]
    autocomplete_fields = ["supervisee", "supervisor", "acting_for"]
    # Content is read on the site, where confidential notes are hidden from those who may
    # not see them; the admin shows who and when only.
    fields = [
        "supervisee",
        "supervisor",
        "acting_for",
        "session_type",
        "status",
        "scheduled_for",
        "held_on",
        "not_held_reason",
        "not_held_detail",
    ]
    readonly_fields = ["status"]


@admin.register(InformalDiscussion)
class InformalDiscussionAdmin(SimpleHistoryAdmin):
    list_display = ["worker", "happened_at", "channel", "incorporated_into"]
    autocomplete_fields = ["worker", "recorded_by", "manager", "case"]
    exclude = ["advice"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "supervisee", "owner", "due_date", "status"]
    list_filter = ["status"]
    autocomplete_fields = ["supervisee", "owner"]
    raw_id_fields = ["session", "case_discussion", "informal_discussion"]


@admin.register(CaseDiscussion)
class CaseDiscussionAdmin(SimpleHistoryAdmin):
    list_display = ["case", "session"]
    raw_id_fields = ["session", "case"]
    fields = ["session", "case"]


@admin.register(Cover)
class CoverAdmin(SimpleHistoryAdmin):
    list_display = ["covering_manager", "absent_supervisor", "start_date", "end_date"]
    autocomplete_fields = ["covering_manager", "absent_supervisor"]
