"""Explicit API serializers. Server-set fields (timestamps, users, flags) are read-only."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from oversight import access
from oversight.api.base import ScopedRelatedField
from oversight.models import (
    Absence,
    AbsenceType,
    Case,
    Notification,
    Service,
    StaffMember,
    Team,
)
from oversight.text import FreeTextSerializerField


class CleanTextModelSerializer(serializers.ModelSerializer):
    """Every text column of the model is read through the one text rule (oversight/text.py),
    as the pages and supervision's serializers read theirs."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: FreeTextSerializerField,
        models.TextField: FreeTextSerializerField,
    }


def _model_clean(serializer: serializers.ModelSerializer, attrs: dict[str, Any]) -> dict[str, Any]:
    """The model's own rules (e.g. a team's manager is a manager) answer 400, checked on the
    record as it would be after the change."""
    model: Any = serializer.Meta.model
    current = {}
    if serializer.instance is not None:
        current = {
            f.name: getattr(serializer.instance, f.name)
            for f in model._meta.concrete_fields
            if not f.primary_key
        }
    model(**{**current, **attrs}).clean()
    return attrs


class ServiceSerializer(CleanTextModelSerializer):
    group_manager = ScopedRelatedField(
        queryset=StaffMember.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Service
        fields = ["id", "name", "group_manager", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _model_clean(self, attrs)


class TeamSerializer(CleanTextModelSerializer):
    service = ScopedRelatedField(queryset=Service.objects.all())
    manager = ScopedRelatedField(
        queryset=StaffMember.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Team
        fields = ["id", "name", "service", "manager", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _model_clean(self, attrs)


class StaffSerializer(CleanTextModelSerializer):
    team = ScopedRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)
    supervisor = ScopedRelatedField(
        queryset=StaffMember.objects.all(), allow_null=True, required=False
    )
    full_name = serializers.CharField(read_only=True)
    username = serializers.CharField(
        source="user.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "employee_number",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "username",
            "role",
            "employment_type",
            "team",
            "supervisor",
            "start_date",
            "asye_start_date",
            "fte",
            "leaving_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The model's own rules (supervisor is a manager, ASYE start date, FTE) answer 400.
        instance = StaffMember(**{**self._current_values(), **attrs})
        instance.clean()
        return attrs

    def _current_values(self) -> dict[str, Any]:
        if self.instance is None:
            return {}
        return {
            field: getattr(self.instance, field)
            for field in self.Meta.fields
            if field not in ("id", "full_name", "username", "created_at", "updated_at")
        } | {"pk": self.instance.pk}


class AllocatableWorkerField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self) -> QuerySet[StaffMember]:
        request = self.context.get("request")
        if request is None:
            return StaffMember.objects.none()
        return access.allocatable_workers(request.user, StaffMember.objects.all())


class CaseSerializer(CleanTextModelSerializer):
    team = ScopedRelatedField(queryset=Team.objects.all())
    allocated_worker = AllocatableWorkerField(
        queryset=StaffMember.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "label",
            "case_type",
            "allocated_worker",
            "team",
            "is_duty",
            "opened_on",
            "closed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        opened = attrs.get("opened_on", getattr(self.instance, "opened_on", None))
        closed = attrs.get("closed_on", getattr(self.instance, "closed_on", None))
        if opened and closed and closed < opened:
            raise serializers.ValidationError(
                {"closed_on": "The closing date must be on or after opening."}
            )
        return attrs


class HealthDataField:
    """Marks a field that is health data: it reads as null to those who may not see it."""


class HealthDataChoiceField(HealthDataField, serializers.ChoiceField):
    pass


class HealthDataCharField(HealthDataField, serializers.CharField):
    pass


class HealthDataFieldSchema(OpenApiSerializerFieldExtension):
    """In the schema, health-data fields are nullable in answers (hidden from some readers)
    while requests must still give a real value."""

    target_class = HealthDataField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction != "response":
            return schema
        if "$ref" in schema:  # a sibling of $ref is ignored in OpenAPI 3.0
            return {"allOf": [schema], "nullable": True}
        return {**schema, "nullable": True}


class AbsenceSerializer(CleanTextModelSerializer):
    """Absence type and notes are health data: readers outside the person's line-management
    chain (and business support) see only that the person is absent — `absence_type` and
    `notes` are then null and `details_visible` is false."""

    staff = ScopedRelatedField(queryset=StaffMember.objects.all())
    absence_type = HealthDataChoiceField(choices=AbsenceType.choices)
    notes = HealthDataCharField(
        allow_blank=True, required=False, style={"base_template": "textarea.html"}
    )
    details_visible = serializers.SerializerMethodField(
        help_text="Whether this reader may see the type and notes (health data)."
    )

    class Meta:
        model = Absence
        fields = [
            "id",
            "staff",
            "absence_type",
            "start_date",
            "end_date",
            "excuses_supervision",
            "notes",
            "details_visible",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["excuses_supervision", "created_at", "updated_at"]

    def get_details_visible(self, absence: Absence) -> bool:
        # Fails closed: an absence not annotated by the viewset shows no health data.
        return bool(getattr(absence, "details_visible", False))

    def to_representation(self, instance: Absence) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.get_details_visible(instance):
            for field in Absence.RESTRICTED_FIELDS:
                data[field] = None
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": "The end date must be on or after the start date."}
            )
        return attrs


class NotificationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """One of the reader's own notices: a subject line and a link, never note text."""

    seen = serializers.SerializerMethodField(help_text="Whether the reader has seen it.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "url", "created_at", "seen"]
        read_only_fields = fields

    def get_seen(self, notice: Notification) -> bool:
        return notice.read_at is not None
