"""API v1 for supervision (DESIGN §7): thin viewsets over the access policy and services.

Every read goes through `access.visible_to` (the base viewset); every write is one call to
`supervision/services.py`, which checks the rule and leaves history naming the API user.
Answers: invisible → 404; visible but not yours to change → 403 with the reason; bad input →
400 with field messages; a locked record or a conflicting edit → 409.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from oversight import access
from oversight.api.base import ScopedReadWriteViewSet, ScopedViewSetMixin
from oversight.api.writes import (
    ServiceRefusals,
    refuse_fields_not_taken,
    validated_with_target,
)
from oversight.models import StaffMember
from supervision import rules, services
from supervision.api import serializers as s
from supervision.filters import (
    ActionFilter,
    CaseDiscussionFilter,
    InformalDiscussionFilter,
    SupervisionFilter,
)
from supervision.models import (
    RECORD_SECTIONS,
    Action,
    ActionReview,
    CaseDiscussion,
    InformalDiscussion,
    PolicyRule,
    SupervisionPolicy,
    SupervisionRequest,
    SupervisionSession,
)
from supervision.selectors import with_support_notes_hidden
from supervision.services import EditConflict, RecordLocked

# --- answering a service's refusals ----------------------------------------------------------


@contextmanager
def fields_named(renames: dict[str, str]) -> Iterator[None]:
    """Report a service's field errors under the names the request used."""
    try:
        yield
    except RecordLocked:
        raise
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise DjangoValidationError(
            {renames.get(name, name): messages for name, messages in error.error_dict.items()}
        ) from error


ONE_FIELD = 'Save one field at a time: {"field": name, "value": ..., "version": n}.'


def conflict_response(conflict: EditConflict, *, label: str, your_value: Any) -> Response:
    return Response(
        {
            "detail": (
                f"{label} was changed by {conflict.changed_by} while you were editing. "
                "Nothing was overwritten: compare both versions and send yours again with "
                f"version {conflict.current_version}."
            ),
            "field": conflict.field,
            "your_value": your_value,
            "current_value": conflict.current_value,
            "current_version": conflict.current_version,
            "changed_by": conflict.changed_by_name,
        },
        status=status.HTTP_409_CONFLICT,
    )


CONFLICT = OpenApiResponse(
    s.EditConflictSerializer, description="Someone saved this field since your version."
)
REFUSALS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(description="Bad input: field messages."),
    403: OpenApiResponse(description="You may see this record but not do this to it."),
    404: OpenApiResponse(description="No such record that you may see."),
    409: OpenApiResponse(description="The record is signed by both and locked."),
}


# --- supervisions ----------------------------------------------------------------------------


def _with_contents(sessions: QuerySet[SupervisionSession]) -> QuerySet[SupervisionSession]:
    """Everything a record shows, in a fixed number of queries however many records."""
    return sessions.prefetch_related(
        Prefetch(
            "case_discussions",
            CaseDiscussion.objects.select_related("case").prefetch_related("actions"),
        ),
        Prefetch("action_reviews", ActionReview.objects.select_related("action")),
        Prefetch("informal_discussions", InformalDiscussion.objects.prefetch_related("actions")),
        "actions",
        "addenda",
    )


@extend_schema_view(
    list=extend_schema(summary="Supervision records you may see"),
    retrieve=extend_schema(summary="One supervision record (written to the access log)"),
)
class SupervisionViewSet(ServiceRefusals, ScopedReadWriteViewSet):
    """Supervision records: book, start, record, hold (or not), sign, add to.

    **Saving a section (optimistic locking).** `PATCH /api/v1/supervisions/{id}/` saves one
    field at a time, exactly as the live recording page does:
    `{"field": "support_notes", "value": "…", "version": 3}`. `field` is one of the record's
    sections (`agenda`, `preparation`, `support_notes`, `capacity_notes`, `cpd_learning`,
    `training_requests`, `reflection`) or `wellbeing_score` (1–5) or `support_confidential`;
    `version` is that field's number in `section_versions` as you last read it (0 if never
    saved). On success the field's version goes up by one and the whole record is returned.
    If someone saved the field after your version, nothing is overwritten: the answer is
    **409** with `detail` (who changed it), `changed_by` (their full name, or null if not
    known), `field`, `your_value`, `current_value` and `current_version` — merge, then send
    again with `current_version`. Sending the same value twice (a retry) is not a conflict.
    Two people saving *different* fields never conflict.

    Other answers: a record signed by both is locked (409; add an addendum instead); a field
    that is not a section (status, signatures, versions…) is 400 — the server sets those;
    someone else's record you may see is 403, one you may not see is 404.

    Confidential support notes read as `null` with `support_notes_hidden: true` for anyone
    outside the supervisor, the supervisee and their line-management chain.
    """

    queryset = SupervisionSession.objects.all()
    serializer_class = s.SupervisionSerializer
    filterset_class = SupervisionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[SupervisionSession]:
        return _with_contents(with_support_notes_hidden(self.request.user, self.queryset.all()))

    def _answer(self, session: SupervisionSession, code: int = status.HTTP_200_OK) -> Response:
        """The record as it now stands, read back as the reader may see it."""
        fresh = self.get_queryset().filter(pk=session.pk).first() or session
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Book a session",
        request=s.SupervisionScheduleSerializer,
        responses={201: s.SupervisionSerializer, **REFUSALS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        supervisee, data = self._for_supervisee(s.SupervisionScheduleSerializer)
        session = services.session_schedule(
            supervisee=supervisee,
            scheduled_for=data["scheduled_for"],
            session_type=data["session_type"],
            agenda=data["agenda"],
            actor=request.user,
        )
        return self._answer(session, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Save one field (optimistic locking)",
        request=s.FieldSaveSerializer,
        responses={200: s.SupervisionSerializer, **REFUSALS, 409: CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        session = self.get_object()
        refuse_fields_not_taken(request, {"field", "value", "version"}, message=ONE_FIELD)
        data = self._input(s.FieldSaveSerializer)
        try:
            session = services.session_save_field(
                session=session,
                field=data["field"],
                value=data["value"],
                base_version=data["version"],
                actor=request.user,
            )
        except EditConflict as conflict:
            if conflict.field in s.hidden_session_fields(request, session):
                conflict.current_value = None
            label = RECORD_SECTIONS.get(conflict.field, conflict.field.replace("_", " "))
            return conflict_response(conflict, label=label, your_value=data["value"])
        return self._answer(session)

    @extend_schema(
        summary="Start supervision now with a supervisee",
        request=s.SupervisionStartSerializer,
        responses={200: s.SupervisionSerializer, **REFUSALS},
    )
    @action(detail=False, methods=["post"], url_path="start", url_name="start-with")
    def start_with(self, request: Request) -> Response:
        """Starts their next booked session, or a new one; the one in progress if there is
        one. Starting takes the caseload snapshot, pulls in every informal discussion not yet
        in a session and brings their open actions for review."""
        supervisee, data = self._for_supervisee(s.SupervisionStartSerializer)
        session = services.session_start(
            supervisee=supervisee,
            session_type=data["session_type"],
            actor=request.user,
        )
        return self._answer(session)

    @extend_schema(
        summary="Start this booked session",
        request=None,
        responses={200: s.SupervisionSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        session = services.session_start(
            supervisee=session.supervisee, session=session, actor=request.user
        )
        return self._answer(session)

    @extend_schema(
        summary="Mark held",
        request=s.HoldSerializer,
        responses={200: s.SupervisionSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk: str | None = None) -> Response:
        """When it started and ended (default: when it was started, and now). Shorter than
        the policy's minimum still counts, but is flagged `is_short`."""
        session = self.get_object()
        data = self._input(s.HoldSerializer)
        session = services.session_hold(
            session=session,
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            actor=request.user,
        )
        return self._answer(session)

    @extend_schema(
        summary="Record that it was not held",
        request=s.NotHeldSerializer,
        responses={200: s.SupervisionSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="not-held", url_name="not-held")
    def not_held(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        data = self._input(s.NotHeldSerializer)
        with fields_named({"not_held_reason": "reason", "not_held_detail": "detail"}):
            session = services.session_not_held(
                session=session,
                reason=data["reason"],
                detail=data["detail"],
                actor=request.user,
            )
        return self._answer(session)

    @extend_schema(
        summary="Sign (supervisor first, then supervisee)",
        request=s.SignSerializer,
        responses={200: s.SupervisionSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """The supervisor signs the held record; the supervisee then signs, with a comment or
        disagreement if they wish. Both signatures lock the record."""
        session = self.get_object()
        data = self._input(s.SignSerializer)
        with fields_named({"supervisee_comment": "comment"}):
            session = services.session_sign(
                session=session,
                comment=data["comment"],
                disagrees=data["disagrees"],
                actor=request.user,
            )
        return self._answer(session)

    @extend_schema(
        summary="Add an addendum to a locked record",
        request=s.AddendumCreateSerializer,
        responses={201: s.AddendumSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def addenda(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        data = self._input(s.AddendumCreateSerializer)
        addendum = services.addendum_add(session=session, text=data["text"], actor=request.user)
        return Response(s.AddendumSerializer(addendum).data, status=status.HTTP_201_CREATED)

    def _input(self, serializer_class: Callable[..., Any]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _for_supervisee(
        self, serializer_class: Callable[..., Any]
    ) -> tuple[StaffMember, dict[str, Any]]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        return validated_with_target(serializer, "supervisee", StaffMember, self.request)


# --- case discussions ------------------------------------------------------------------------


class CaseDiscussionViewSet(ServiceRefusals, ScopedReadWriteViewSet):
    """Children's cases discussed in supervision.

    Create with the session and a case from the supervisee's open caseload. Change one field
    at a time with `PATCH {"field": "worries", "value": "…", "version": 4}`, `version` being
    the discussion's `version` as you last read it; if someone saved since, the answer is
    409 with `changed_by`, `your_value`, `current_value` and `current_version`, and nothing is
    overwritten.
    """

    queryset = CaseDiscussion.objects.select_related("case").prefetch_related("actions")
    serializer_class = s.CaseDiscussionSerializer
    filterset_class = CaseDiscussionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(
        request=s.CaseDiscussionCreateSerializer,
        responses={201: s.CaseDiscussionSerializer, **REFUSALS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.CaseDiscussionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        session, fields = validated_with_target(serializer, "session", SupervisionSession, request)
        fields.pop("session")
        discussion = services.case_discussion_add(
            session=session, case=fields.pop("case"), actor=request.user, **fields
        )
        return Response(self.get_serializer(discussion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Save one field (optimistic locking)",
        request=s.FieldSaveSerializer,
        responses={200: s.CaseDiscussionSerializer, **REFUSALS, 409: CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        discussion = self.get_object()
        refuse_fields_not_taken(request, {"field", "value", "version"}, message=ONE_FIELD)
        data = s.FieldSaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        field, value = data.validated_data["field"], data.validated_data["value"]
        try:
            discussion = services.case_discussion_save_field(
                discussion=discussion,
                field=field,
                value=value,
                base_version=data.validated_data["version"],
                actor=request.user,
            )
        except EditConflict as conflict:
            label = str(getattr(CaseDiscussion._meta.get_field(field), "verbose_name", field))
            return conflict_response(conflict, label=label.capitalize(), your_value=value)
        return Response(self.get_serializer(discussion).data)


# --- informal discussions --------------------------------------------------------------------


class InformalDiscussionViewSet(
    ServiceRefusals,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Conversations outside supervision, noted as they happen; the next session with the
    worker pulls them in (`incorporated_into`). Recorded by the worker, their managers (and
    cover) or their team's assistant team manager."""

    queryset = InformalDiscussion.objects.prefetch_related("actions")
    serializer_class = s.InformalDiscussionSerializer
    filterset_class = InformalDiscussionFilter

    @extend_schema(
        request=s.InformalDiscussionCreateSerializer,
        responses={201: s.InformalDiscussionSerializer, **REFUSALS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.InformalDiscussionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        worker, data = validated_with_target(serializer, "worker", StaffMember, request)
        discussion = services.informal_discussion_record(
            worker=worker,
            happened_at=data["happened_at"],
            channel=data["channel"],
            case=data.get("case"),
            advice=data["advice"],
            actions=[dict(item) for item in data["actions"]],
            actor=request.user,
        )
        fresh = self.get_queryset().filter(pk=discussion.pk).first() or discussion
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


# --- requests for extra supervision ----------------------------------------------------------

ANSWERED = OpenApiResponse(description="The request has already been accepted or declined.")


class SupervisionRequestViewSet(
    ServiceRefusals,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Extra supervision on request. A worker asks for their own (`reason`: `caseload`,
    `complex_case`, `wellbeing` or `other`; optionally a `case` from their open caseload and
    a short `note`); their manager is told. The worker's supervisor (or a manager covering
    for them) answers once: `accept` with `scheduled_for` books an extra (requested) session;
    `decline` with a `reason` the worker sees. A second answer is 409; someone who may see
    the request but not answer it gets 403; one who may not see it, 404."""

    queryset = SupervisionRequest.objects.all()
    serializer_class = s.SupervisionRequestSerializer

    def _input(self, serializer_class: Callable[..., Any]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, supervision_request: SupervisionRequest, code: int) -> Response:
        fresh = self.get_queryset().filter(pk=supervision_request.pk).first()
        return Response(self.get_serializer(fresh or supervision_request).data, status=code)

    @extend_schema(
        summary="Ask for extra supervision",
        request=s.SupervisionRequestCreateSerializer,
        responses={201: s.SupervisionRequestSerializer, **REFUSALS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refuse_fields_not_taken(request, {"reason", "case", "note"})
        data = self._input(s.SupervisionRequestCreateSerializer)
        me = access.staff_for(request.user)
        if me is None:
            raise exceptions.PermissionDenied("Only staff members ask for extra supervision.")
        supervision_request = services.supervision_request_create(
            worker=me,
            reason=data["reason"],
            case=data["case"],
            note=data["note"],
            actor=request.user,
        )
        return self._answer(supervision_request, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept: book the extra session",
        request=s.SupervisionRequestAcceptSerializer,
        responses={200: s.SupervisionRequestSerializer, **REFUSALS, 409: ANSWERED},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        supervision_request = self.get_object()
        data = self._input(s.SupervisionRequestAcceptSerializer)
        supervision_request = services.supervision_request_accept(
            supervision_request=supervision_request,
            scheduled_for=data["scheduled_for"],
            actor=request.user,
        )
        return self._answer(supervision_request, status.HTTP_200_OK)

    @extend_schema(
        summary="Decline, saying why",
        request=s.SupervisionRequestDeclineSerializer,
        responses={200: s.SupervisionRequestSerializer, **REFUSALS, 409: ANSWERED},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        supervision_request = self.get_object()
        data = self._input(s.SupervisionRequestDeclineSerializer)
        supervision_request = services.supervision_request_decline(
            supervision_request=supervision_request, reason=data["reason"], actor=request.user
        )
        return self._answer(supervision_request, status.HTTP_200_OK)


# --- actions ---------------------------------------------------------------------------------


class ActionViewSet(ServiceRefusals, ScopedReadWriteViewSet):
    """Workers' action plans. Create one for someone you supervise (or within their session);
    change only its `status` with `PATCH {"status": "done"}` — the owner, the worker or their
    managers."""

    queryset = Action.objects.all()
    serializer_class = s.ActionSerializer
    filterset_class = ActionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(
        request=s.ActionCreateSerializer, responses={201: s.ActionSerializer, **REFUSALS}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.ActionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        supervisee, data = validated_with_target(serializer, "supervisee", StaffMember, request)
        created = services.action_create(
            supervisee=supervisee,
            description=data["description"],
            owner=data.get("owner") or supervisee,
            due_date=data["due_date"],
            session=data.get("session"),
            actor=request.user,
        )
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark done, cancelled or open again",
        request=s.ActionStatusSerializer,
        responses={200: s.ActionSerializer, **REFUSALS},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action = self.get_object()
        refuse_fields_not_taken(
            request, {"status"}, message="Only the status of an action changes."
        )
        serializer = s.ActionStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = services.action_set_status(
            action=action, status=serializer.validated_data["status"], actor=request.user
        )
        return Response(self.get_serializer(updated).data)


# --- policies --------------------------------------------------------------------------------


class PolicyPublish(BasePermission):
    """Everyone signed in reads the policy; a principal social worker publishes it."""

    message = "Only a principal social worker can publish a supervision policy."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return rules.may_publish_policy(request.user)


class SupervisionPolicyViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Versions of the supervision policy, newest first, each with its rules (read-only).
    A principal social worker publishes a new version from a shipped variant — *employer
    standards 2024* or *ASYE framework* — with the date it takes effect; months before that
    date keep being judged by the version then in force."""

    queryset = SupervisionPolicy.objects.prefetch_related(
        Prefetch(
            "rules",
            PolicyRule.objects.order_by(F("asye_week_from").asc(nulls_last=True), "role", "pk"),
        )
    ).order_by("-effective_from")
    serializer_class = s.SupervisionPolicySerializer
    permission_classes = [*ScopedViewSetMixin.permission_classes, PolicyPublish]

    @extend_schema(
        summary="Publish a new version from a variant",
        request=s.PolicyPublishSerializer,
        responses={201: s.SupervisionPolicySerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.PolicyPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        policy = services.policy_create_from_variant(
            actor=request.user, **serializer.validated_data
        )
        fresh = self.get_queryset().get(pk=policy.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
