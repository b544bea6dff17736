"""Explicit input and output serializers for the decisions API.

Output serializers describe records, every field read-only. Writes come in through small
input serializers, one per service call, so a request can only name what the service takes;
a body naming anything else (the decision maker, the status, a signature) is refused by the
view before it reaches the service.

Threshold levels are given and shown by their *number* in the decision's framework (the
active framework when recording), never by database id.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from decisions.models import (
    Clock,
    Decision,
    DecisionAddendum,
    DecisionTask,
    DecisionType,
    Escalation,
    ThresholdFramework,
    ThresholdLevel,
)
from oversight.api.base import ModelSerializer, ScopedRelatedField
from oversight.models import StaffMember
from oversight.text import FreeTextSerializerField
from supervision.models import ActionStatus, CaseDiscussion, InformalDiscussion

MAX_TASKS = 50  # as decisions.services refuses more on one MDR
MAX_WORKING_DAYS = 260  # a year: the services' limit on "due in N working days"

# --- output ----------------------------------------------------------------------------------


class ThresholdLevelSerializer(ModelSerializer):
    class Meta:
        model = ThresholdLevel
        fields = ["number", "name", "description", "indicators"]
        read_only_fields = fields


class ThresholdFrameworkSerializer(ModelSerializer):
    """A continuum of need with its levels in order. One is active: new decisions are made
    under it, and give their levels by its numbers."""

    levels = ThresholdLevelSerializer(many=True, read_only=True)

    class Meta:
        model = ThresholdFramework
        fields = ["id", "name", "description", "is_active", "levels", "created_at", "updated_at"]
        read_only_fields = fields


class TaskSerializer(ModelSerializer):
    """One of an MDR's tasks. It is a supervision action (`action`), so it also appears in its
    owner's action plan; `overdue` is open and past its due date."""

    description = serializers.CharField(source="action.description", read_only=True)
    owner = serializers.IntegerField(source="action.owner_id", read_only=True)
    owner_name = serializers.CharField(source="action.owner.full_name", read_only=True)
    due_date = serializers.DateField(source="action.due_date", read_only=True, allow_null=True)
    status = serializers.ChoiceField(
        source="action.status", choices=ActionStatus.choices, read_only=True
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = DecisionTask
        fields = [
            "id",
            "action",
            "description",
            "owner",
            "owner_name",
            "due_date",
            "due_in_working_days",
            "status",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, task: DecisionTask) -> bool:
        action = task.action
        return (
            action.status == ActionStatus.OPEN
            and action.due_date is not None
            and action.due_date < timezone.localdate()
        )


class DecisionTaskSerializer(TaskSerializer):
    """A task with the decision and case it comes from (`/decision-tasks/`)."""

    case = serializers.IntegerField(source="decision.case_id", read_only=True)
    case_reference = serializers.CharField(source="decision.case.reference", read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = ["id", "decision", "case", "case_reference", *TaskSerializer.Meta.fields[1:]]
        read_only_fields = fields


class ClockSerializer(ModelSerializer):
    """A statutory timescale the signed decision started. `in_time` is empty until met."""

    timescale = serializers.CharField(source="timescale.code", read_only=True)
    timescale_name = serializers.CharField(source="timescale.name", read_only=True)
    in_time = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Clock
        fields = ["id", "timescale", "timescale_name", "started_on", "due_on", "met_on", "in_time"]
        read_only_fields = fields


class DecisionAddendumSerializer(ModelSerializer):
    author_name = serializers.CharField(source="author.full_name", read_only=True)

    class Meta:
        model = DecisionAddendum
        fields = ["id", "decision", "author", "author_name", "text", "created_at"]
        read_only_fields = fields


def _level_field(which: str, part: str) -> serializers.Field:
    if part == "number":
        return serializers.IntegerField(
            source=f"{which}.number",
            read_only=True,
            allow_null=True,
            default=None,
            help_text="The level's number in the decision's framework.",
        )
    return serializers.CharField(
        source=f"{which}.name", read_only=True, allow_null=True, default=None
    )


class DecisionSerializer(ModelSerializer):
    """A Management Decision Record. Everything the server sets is read-only: the decision
    maker, when it was made, its framework, `status` (`draft` → `signed`, signed = locked),
    `signed_at` and `version` (send it back with a change to have a conflicting save refused).
    Levels are numbers in `framework`; `has_overdue_tasks` is any open task past its due date.
    """

    case_reference = serializers.CharField(source="case.reference", read_only=True)
    decision_maker_name = serializers.CharField(source="decision_maker.full_name", read_only=True)
    decision_type_label = serializers.CharField(source="get_decision_type_display", read_only=True)
    framework_name = serializers.CharField(source="framework.name", read_only=True)
    level_before = _level_field("level_before", "number")
    level_before_name = _level_field("level_before", "name")
    level_after = _level_field("level_after", "number")
    level_after_name = _level_field("level_after", "name")
    has_overdue_tasks = serializers.BooleanField(read_only=True, default=False)
    tasks = TaskSerializer(many=True, read_only=True)
    clocks = ClockSerializer(many=True, read_only=True)
    addenda = DecisionAddendumSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "case",
            "case_reference",
            "decision_maker",
            "decision_maker_name",
            "made_at",
            "decision_type",
            "decision_type_label",
            "framework",
            "framework_name",
            "level_before",
            "level_before_name",
            "level_after",
            "level_after_name",
            "contact_received_on",
            "decision",
            "facts",
            "rationale",
            "child_voice",
            "risk_analysis",
            "worries",
            "working_well",
            "needs_to_happen",
            "scaling",
            "review_date",
            "no_tasks_reason",
            "close_open_tasks",
            "case_discussion",
            "informal_discussion",
            "status",
            "signed_at",
            "version",
            "has_overdue_tasks",
            "tasks",
            "clocks",
            "addenda",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DecisionConflictSerializer(serializers.Serializer):
    """409: someone saved the draft after the version you sent. Nothing was overwritten."""

    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    changed_by = serializers.CharField(help_text="The username of whoever saved it last.")


class EscalationSerializer(ModelSerializer):
    """A professional disagreement about a signed decision, stage 1 to 4, with the response
    due by `response_due_at`."""

    case = serializers.IntegerField(source="decision.case_id", read_only=True)
    case_reference = serializers.CharField(source="decision.case.reference", read_only=True)
    raised_by_name = serializers.CharField(source="raised_by.full_name", read_only=True)
    responded_by_name = serializers.CharField(
        source="responded_by.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Escalation
        fields = [
            "id",
            "decision",
            "case",
            "case_reference",
            "raised_by",
            "raised_by_name",
            "partner_agency",
            "raised_at",
            "stage",
            "concern",
            "response_due_at",
            "response",
            "responded_by",
            "responded_by_name",
            "responded_at",
            "status",
            "outcome",
            "resolved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label


class TrailItemSerializer(serializers.Serializer):
    """One entry of the trail: an MDR, a supervision case discussion or an informal
    discussion. `level` is the threshold level an MDR left the case at; `scaling` the Signs of
    Safety scaling (0–10) where one was given."""

    kind = serializers.ChoiceField(choices=["decision", "case-discussion", "informal-discussion"])
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    when = serializers.DateTimeField()
    date = serializers.SerializerMethodField()
    who = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="The page showing it in full.")
    level = serializers.IntegerField(allow_null=True)
    level_name = serializers.CharField(allow_blank=True)
    scaling = serializers.IntegerField(allow_null=True)

    def get_date(self, item: Any) -> str:
        return timezone.localdate(item.when).isoformat()


class CaseTrailSerializer(serializers.Serializer):
    """A case's decision trail: what was decided and discussed about the child, oldest first."""

    case = CaseRefSerializer()
    items = TrailItemSerializer(many=True)


# --- input -----------------------------------------------------------------------------------


def _text(**kwargs: Any) -> FreeTextSerializerField:
    return FreeTextSerializerField(allow_blank=True, required=False, **kwargs)


class TaskInputSerializer(serializers.Serializer):
    """A task: a due date, or a number of working days after the decision (not both)."""

    description = FreeTextSerializerField(max_length=500)
    owner = ScopedRelatedField(
        queryset=StaffMember.objects.all(),
        help_text="The allocated worker, someone in the case's team, or you.",
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    due_in_working_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=MAX_WORKING_DAYS,
        help_text="Due this many working days after the decision (weekends and bank holidays "
        "not counted).",
    )


class _DecisionFields(serializers.Serializer):
    """The fields of a draft its maker writes (`decisions.services.EDITABLE_FIELDS`), and
    tasks to add; each optional here (a change names only what it changes)."""

    decision_type = serializers.ChoiceField(choices=DecisionType.choices, required=False)
    level_before = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=32767,
        help_text="A level number in the active framework.",
    )
    level_after = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=32767,
        help_text="A level number in the active framework.",
    )
    contact_received_on = serializers.DateField(
        required=False, allow_null=True, help_text="Required for a contact outcome."
    )
    decision = FreeTextSerializerField(
        max_length=500, required=False, help_text="What is decided, in a sentence."
    )
    facts = _text(help_text="Facts and reflection.")
    rationale = _text(help_text="Required before signing.")
    child_voice = _text(help_text="The child's lived experience and voice: required to sign.")
    risk_analysis = _text()
    worries = _text()
    working_well = _text()
    needs_to_happen = _text()
    scaling = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=10)
    review_date = serializers.DateField(required=False, allow_null=True)
    no_tasks_reason = _text(max_length=255, help_text="Why there are no tasks, if none.")
    close_open_tasks = serializers.BooleanField(
        required=False, help_text="Case closures: close the case's other open tasks on signing."
    )
    tasks = TaskInputSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=MAX_TASKS,
        error_messages={"max_length": "An MDR can have at most {max_length} tasks."},
    )


class DecisionCreateSerializer(_DecisionFields):
    """Record a draft MDR on a case you manage, made now under the active framework."""

    decision_type = serializers.ChoiceField(choices=DecisionType.choices)
    decision = FreeTextSerializerField(max_length=500, help_text="What is decided, in a sentence.")
    case = serializers.IntegerField(min_value=1, help_text="The case's id.")
    case_discussion = ScopedRelatedField(
        queryset=CaseDiscussion.objects.all(),
        required=False,
        allow_null=True,
        help_text="The supervision case discussion it came from.",
    )
    informal_discussion = ScopedRelatedField(
        queryset=InformalDiscussion.objects.all(),
        required=False,
        allow_null=True,
        help_text="The informal discussion it came from.",
    )


class DecisionUpdateSerializer(_DecisionFields):
    """Change a draft: any of its fields, `tasks` to add, and the `version` you last read."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version you last read: if someone saved since, the answer is 409.",
    )


class AddendumInputSerializer(serializers.Serializer):
    text = FreeTextSerializerField()


class EscalationCreateSerializer(serializers.Serializer):
    decision = serializers.IntegerField(min_value=1, help_text="The signed decision's id.")
    concern = FreeTextSerializerField(help_text="What the disagreement is about.")
    partner_agency = FreeTextSerializerField(
        allow_blank=True,
        required=False,
        default="",
        max_length=120,
        help_text="Recorded on behalf of this agency.",
    )


class EscalationRespondSerializer(serializers.Serializer):
    response = FreeTextSerializerField()


class EscalationEscalateSerializer(serializers.Serializer):
    concern = FreeTextSerializerField(
        allow_blank=True, required=False, default="", help_text="Why the response is not enough."
    )


class EscalationResolveSerializer(serializers.Serializer):
    outcome = FreeTextSerializerField()


class TrailQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["decision", "case-discussion", "informal-discussion"],
        required=False,
        help_text="Only entries of this kind.",
    )
