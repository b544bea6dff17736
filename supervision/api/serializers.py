"""Explicit input and output serializers for supervision's API.

Output serializers describe records; every field the server sets (status, signatures,
supervisor, versions, snapshots, flags) is read-only there. Writes come in through small
input serializers, one per service call, so a request can only ever name what the service
takes — nothing else can be mass-assigned.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from oversight.api.base import ModelSerializer, ScopedRelatedField
from oversight.api.serializers import HealthDataCharField
from oversight.models import Case, StaffMember
from oversight.text import FreeTextSerializerField
from supervision import rules
from supervision.models import (
    Action,
    ActionReview,
    ActionStatus,
    Addendum,
    CaseDiscussion,
    Channel,
    InformalDiscussion,
    NotHeldReason,
    PolicyRule,
    PolicyVariant,
    RequestReason,
    SessionType,
    SupervisionPolicy,
    SupervisionRequest,
    SupervisionSession,
)
from supervision.services import REQUEST_NOTE_CHARS
from supervision.variants import VARIANT_RULES

# --- output ----------------------------------------------------------------------------------


class ActionSerializer(ModelSerializer):
    """An item of a worker's action plan. Only its status changes through the API."""

    class Meta:
        model = Action
        fields = [
            "id",
            "supervisee",
            "description",
            "owner",
            "due_date",
            "status",
            "session",
            "case_discussion",
            "informal_discussion",
            "closed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActionReviewSerializer(ModelSerializer):
    """An open action brought into the session for review, with the action itself."""

    action = ActionSerializer(read_only=True)

    class Meta:
        model = ActionReview
        fields = ["id", "action", "outcome", "note"]
        read_only_fields = fields


class CaseDiscussionSerializer(ModelSerializer):
    """A child's case discussed in supervision, with Signs of Safety fields. `version` is the
    number to send back with the next change (optimistic locking)."""

    case_reference = serializers.CharField(source="case.reference", read_only=True)
    case_label = serializers.CharField(source="case.label", read_only=True)
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = CaseDiscussion
        fields = [
            "id",
            "session",
            "case",
            "case_reference",
            "case_label",
            "discussion",
            "worries",
            "working_well",
            "needs_to_happen",
            "scaling",
            "analysis_tool",
            "decisions",
            "actions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InformalDiscussionSerializer(ModelSerializer):
    """A conversation outside supervision; `incorporated_into` names the session that pulled
    it in (empty while it waits for the next one)."""

    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = InformalDiscussion
        fields = [
            "id",
            "worker",
            "recorded_by",
            "manager",
            "happened_at",
            "channel",
            "case",
            "advice",
            "actions",
            "incorporated_into",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SupervisionRequestSerializer(ModelSerializer):
    """A worker's request for extra supervision: `open` until their manager accepts it
    (`session` is the extra session booked) or declines it (`decline_reason`, which the
    worker sees)."""

    class Meta:
        model = SupervisionRequest
        fields = [
            "id",
            "worker",
            "reason",
            "case",
            "note",
            "status",
            "answered_by",
            "answered_at",
            "decline_reason",
            "session",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AddendumSerializer(ModelSerializer):
    class Meta:
        model = Addendum
        fields = ["id", "session", "author", "text", "created_at"]
        read_only_fields = fields


class SupervisionSerializer(ModelSerializer):
    """A supervision record with everything in it: case discussions, the actions brought for
    review, the informal discussions pulled in, actions set, addenda.

    Confidential support notes: `support_notes` is null and `support_notes_hidden` true for a
    reader outside the supervisor, the supervisee and their line-management chain (auditors
    and the assistant director among them)."""

    support_notes = HealthDataCharField(read_only=True)
    support_notes_hidden = serializers.SerializerMethodField(
        help_text="True when the notes are confidential and this reader may not see them."
    )
    section_versions = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="The version of each section; send it back as `version` when saving one.",
    )
    caseload_snapshot = serializers.JSONField(
        read_only=True, help_text="Open cases by type, duty cases and FTE when it started."
    )
    duration_minutes = serializers.IntegerField(read_only=True, allow_null=True)
    is_locked = serializers.BooleanField(
        read_only=True, help_text="Signed by both: changes are refused; add an addendum."
    )
    case_discussions = CaseDiscussionSerializer(many=True, read_only=True)
    action_reviews = ActionReviewSerializer(many=True, read_only=True)
    informal_discussions = InformalDiscussionSerializer(many=True, read_only=True)
    actions = ActionSerializer(many=True, read_only=True)
    addenda = AddendumSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisionSession
        fields = [
            "id",
            "supervisee",
            "supervisor",
            "acting_for",
            "session_type",
            "status",
            "scheduled_for",
            "started_at",
            "ended_at",
            "held_on",
            "duration_minutes",
            "is_short",
            "not_held_reason",
            "not_held_detail",
            "agenda",
            "preparation",
            "wellbeing_score",
            "support_notes",
            "support_confidential",
            "support_notes_hidden",
            "caseload_snapshot",
            "capacity_notes",
            "cpd_learning",
            "training_requests",
            "reflection",
            "section_versions",
            "case_discussions",
            "action_reviews",
            "informal_discussions",
            "actions",
            "supervisor_signed_at",
            "supervisee_signed_at",
            "supervisee_comment",
            "supervisee_disagrees",
            "signed_on_time",
            "is_locked",
            "locked_at",
            "addenda",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_support_notes_hidden(self, session: SupervisionSession) -> bool:
        return "support_notes" in hidden_session_fields(self.context.get("request"), session)

    def to_representation(self, instance: SupervisionSession) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data["support_notes_hidden"]:
            data["support_notes"] = None
        return data


def hidden_session_fields(request: Any, session: SupervisionSession) -> frozenset[str]:
    """What this reader may not see of `session`: from the list query's annotation when the
    viewset made one, otherwise asked of the access rule. Without a request, hide."""
    if request is None:
        return rules.CONFIDENTIAL_FIELDS
    annotated = getattr(session, "support_notes_hidden", None)
    if annotated is not None:
        return rules.CONFIDENTIAL_FIELDS if annotated else frozenset()
    return rules.hidden_session_fields(request.user, session)


class PolicyRuleSerializer(ModelSerializer):
    class Meta:
        model = PolicyRule
        fields = ["id", "role", "asye_week_from", "asye_week_to", "interval_days", "min_minutes"]
        read_only_fields = fields


class SupervisionPolicySerializer(ModelSerializer):
    """A version of the supervision policy, in force from `effective_from` until the next."""

    rules = PolicyRuleSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisionPolicy
        fields = [
            "id",
            "name",
            "variant",
            "effective_from",
            "tolerance_days",
            "due_soon_days",
            "excusing_threshold",
            "target_rate",
            "rules",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EditConflictSerializer(serializers.Serializer):
    """409: someone saved this field after the version you sent. Nothing was overwritten;
    both values are here so you can merge and send again with `current_version`."""

    detail = serializers.CharField()
    field = serializers.CharField()
    your_value = serializers.JSONField(allow_null=True)
    current_value = serializers.JSONField(allow_null=True)
    current_version = serializers.IntegerField()
    changed_by = serializers.CharField(
        allow_null=True,
        help_text="The full name of the staff member who saved it; null if not known.",
    )


# --- input -----------------------------------------------------------------------------------


class SupervisionScheduleSerializer(serializers.Serializer):
    """Book a session with someone you supervise (or cover for)."""

    supervisee = serializers.IntegerField(min_value=1, help_text="The supervisee's staff id.")
    scheduled_for = serializers.DateTimeField()
    session_type = serializers.ChoiceField(choices=SessionType.choices, default=SessionType.PLANNED)
    agenda = FreeTextSerializerField(allow_blank=True, required=False, default="")


class SupervisionStartSerializer(serializers.Serializer):
    """Start supervision now with someone you supervise: their next booked session, or a new
    one (the one already in progress, if any)."""

    supervisee = serializers.IntegerField(min_value=1, help_text="The supervisee's staff id.")
    session_type = serializers.ChoiceField(choices=SessionType.choices, default=SessionType.PLANNED)


class FieldSaveSerializer(serializers.Serializer):
    """Save one field: its name, the new value and the version you last saw of it."""

    field = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    version = serializers.IntegerField(min_value=0)


class HoldSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class NotHeldSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=NotHeldReason.choices)
    detail = FreeTextSerializerField(
        allow_blank=True, required=False, default="", help_text="Required when the reason is other."
    )


class SignSerializer(serializers.Serializer):
    comment = FreeTextSerializerField(
        allow_blank=True, required=False, default="", help_text="The supervisee's comment."
    )
    disagrees = serializers.BooleanField(
        required=False, default=False, help_text="The supervisee records disagreement."
    )


class AddendumCreateSerializer(serializers.Serializer):
    text = FreeTextSerializerField()


class CaseDiscussionCreateSerializer(serializers.Serializer):
    session = serializers.IntegerField(min_value=1, help_text="The supervision session's id.")
    case = ScopedRelatedField(
        queryset=Case.objects.all(), help_text="A case on the supervisee's caseload."
    )
    discussion = FreeTextSerializerField(allow_blank=True, required=False)
    worries = FreeTextSerializerField(allow_blank=True, required=False)
    working_well = FreeTextSerializerField(allow_blank=True, required=False)
    needs_to_happen = FreeTextSerializerField(allow_blank=True, required=False)
    scaling = serializers.IntegerField(min_value=0, max_value=10, allow_null=True, required=False)
    analysis_tool = FreeTextSerializerField(allow_blank=True, required=False, max_length=80)
    decisions = FreeTextSerializerField(allow_blank=True, required=False)


class ActionItemSerializer(serializers.Serializer):
    """An action set in an informal discussion (owned by the worker unless said otherwise)."""

    description = FreeTextSerializerField()
    owner = ScopedRelatedField(queryset=StaffMember.objects.all(), required=False)
    due_date = serializers.DateField(required=False, allow_null=True, default=None)


class InformalDiscussionCreateSerializer(serializers.Serializer):
    worker = serializers.IntegerField(min_value=1, help_text="The worker's staff id.")
    happened_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    case = ScopedRelatedField(queryset=Case.objects.all(), required=False, allow_null=True)
    advice = FreeTextSerializerField()
    # The stubs do not know ListSerializer's max_length.
    actions = ActionItemSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        default=list,
        max_length=settings.OVERSIGHT["MAX_ACTIONS_PER_RECORD"],
        error_messages={
            "max_length": "An informal discussion can set at most {max_length} actions."
        },
    )


class ActionCreateSerializer(serializers.Serializer):
    """Add to a worker's action plan, on its own or within one of their sessions."""

    supervisee = serializers.IntegerField(min_value=1, help_text="The worker's staff id.")
    description = FreeTextSerializerField()
    owner = ScopedRelatedField(
        queryset=StaffMember.objects.all(),
        required=False,
        help_text="The worker (the default), their supervisor or you.",
    )
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    session = ScopedRelatedField(
        queryset=SupervisionSession.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        session = attrs.get("session")
        if session is not None and session.supervisee_id != attrs["supervisee"]:
            raise serializers.ValidationError({"session": "This session is with someone else."})
        return attrs


class ActionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)


class PolicyPublishSerializer(serializers.Serializer):
    """Publish a new policy version from one of the shipped variants."""

    variant = serializers.ChoiceField(
        choices=[(value, label) for value, label in PolicyVariant.choices if value in VARIANT_RULES]
    )
    effective_from = serializers.DateField()
    name = FreeTextSerializerField(allow_blank=True, required=False, default="", max_length=120)
    min_minutes = serializers.IntegerField(min_value=1, max_value=600, required=False, default=90)
    tolerance_days = serializers.IntegerField(min_value=0, max_value=60, required=False, default=0)


class SupervisionRequestCreateSerializer(serializers.Serializer):
    """Ask for your own extra supervision (nobody asks on another's behalf)."""

    reason = serializers.ChoiceField(choices=RequestReason.choices)
    case = ScopedRelatedField(
        queryset=Case.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="An open case on your own caseload (optional).",
    )
    note = FreeTextSerializerField(
        allow_blank=True, required=False, default="", max_length=REQUEST_NOTE_CHARS
    )


class SupervisionRequestAcceptSerializer(serializers.Serializer):
    scheduled_for = serializers.DateTimeField(help_text="When the extra session is; not past.")


class SupervisionRequestDeclineSerializer(serializers.Serializer):
    reason = FreeTextSerializerField(
        max_length=REQUEST_NOTE_CHARS, help_text="Why not: the worker sees this."
    )
