from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from knox.admin import AuthTokenAdmin, AuthTokenCreateForm
from knox.models import AuthToken
from simple_history.admin import SimpleHistoryAdmin

from oversight import services, tokens
from oversight.models import (
    Absence,
    AccessLogEntry,
    Case,
    Notification,
    Service,
    StaffMember,
    Team,
)


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


class StaffMemberAdminForm(forms.ModelForm):
    """The admin keeps the staff service's rules: its checks run as form validation (so a
    refusal shows on the form), and saving goes through the service."""

    actor: Any = None  # set per request by StaffMemberAdmin.get_form

    class Meta:
        model = StaffMember
        fields = ["user", *sorted(services.STAFF_EDITABLE_FIELDS)]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        before = self.initial.get("role") if self.instance.pk is not None else None
        changed = set(self.changed_data) if self.instance.pk is not None else set(self.fields)
        try:
            services.staff_check_change(
                self.instance, old_role=before, changed=changed, actor=self.actor
            )
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]


@admin.register(StaffMember)
class StaffMemberAdmin(SimpleHistoryAdmin):
    form = StaffMemberAdminForm
    list_display = ["full_name", "employee_number", "role", "employment_type", "team", "supervisor"]
    list_filter = ["role", "employment_type", "team__service"]
    search_fields = ["first_name", "last_name", "employee_number"]
    autocomplete_fields = ["user", "team", "supervisor"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.staff_save(staff=obj, actor=request.user)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "read_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


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


# --- API tokens: issued with the configured lifetime, never edited, revoked by deleting ------
admin.site.unregister(AuthToken)


class ApiTokenCreateForm(AuthTokenCreateForm):
    """Issue a token to an active person; it expires after API_TOKEN_DAYS (not chosen here)."""

    class Meta(AuthTokenCreateForm.Meta):
        fields = ["user"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["user"]
        user_field.queryset = user_field.queryset.filter(is_active=True)  # type: ignore[attr-defined]

    def save(self, commit: bool = True) -> AuthToken:
        token = super().save(commit=False)
        token.expiry = timezone.now() + tokens.token_lifetime()
        if commit:
            token.save()
        return token


@admin.register(AuthToken)
class ApiTokenAdmin(AuthTokenAdmin):
    """Administrators see whose tokens exist and revoke them (delete); the key is shown once,
    on adding, and a token's person or expiry cannot be changed."""

    add_form = ApiTokenCreateForm
    list_display = ("token_key", "user", "created", "expiry")
    list_filter = ("expiry",)
    search_fields = ("user__username",)
    actions = ["revoke_selected"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Revoke selected API tokens", permissions=["delete"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[AuthToken]) -> None:
        count = 0
        for token in queryset.select_related("user"):
            tokens.token_revoke(token=token, actor=request.user)
            count += 1
        self.message_user(request, f"{count} API token(s) revoked.", messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: AuthToken) -> None:
        tokens.token_revoke(token=obj, actor=request.user)
