"""API v1 for decisions (DESIGN §4.4, §7): thin viewsets over the access policy and services.

Every read goes through `access.visible_to` (the base viewset) and is written to the access
log; every write is one call to `decisions/services.py`, which checks the rule and leaves
history naming the API user. Answers: invisible → 404; visible but not yours to change → 403
with the reason; bad input → 400 with field messages; a signed (locked) decision or a draft
saved since you read it → 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from decisions import selectors, services
from decisions.api import serializers as s
from decisions.api.filters import DecisionFilter, DecisionTaskFilter, EscalationFilter
from decisions.models import (
    Clock,
    Decision,
    DecisionAddendum,
    DecisionTask,
    Escalation,
    ThresholdFramework,
)
from decisions.services import DecisionConflict, DecisionLocked, TaskSpec
from oversight import access
from oversight import services as oversight_services
from oversight.api.base import ScopedReadOnlyViewSet, ScopedReadWriteViewSet, ScopedViewSetMixin
from oversight.api.query import read_query
from oversight.api.writes import (
    ServiceRefusals,
    refuse_fields_not_taken,
    validated_with_target,
)
from oversight.models import Case
from oversight.records import Shown
from supervision.models import CaseDiscussion, InformalDiscussion

# --- answering a service's refusals ----------------------------------------------------------


# What the server sets on a decision: a request naming one is refused (400), not silently
# ignored, and told the server sets it; anything else a write does not take is refused too.
SERVER_SET = frozenset(
    {
        "id",
        "decision_maker",
        "made_at",
        "framework",
        "status",
        "signed_at",
        "has_overdue_tasks",
        "clocks",
        "addenda",
        "created_at",
        "updated_at",
    }
)
CREATE_FIELDS = frozenset(s.DecisionCreateSerializer().fields)
UPDATE_FIELDS = frozenset(s.DecisionUpdateSerializer().fields)


def task_specs(items: Iterable[Mapping[str, Any]]) -> list[TaskSpec]:
    return [
        TaskSpec(
            description=item["description"],
            owner=item["owner"],
            due_date=item.get("due_date"),
            due_in_working_days=item.get("due_in_working_days"),
        )
        for item in items
    ]


_TASK_KEY = re.compile(r"tasks\[(\d+)\]")


@contextmanager
def task_errors_by_index() -> Iterator[None]:
    """The services name a refused task `tasks[<index>]`; answer in the shape the input
    serializer gives a task's own field errors, `{"tasks": {"<index>": {...}}}`, so a client
    reads one shape whichever side refused it."""
    try:
        yield
    except DecisionLocked:
        raise
    except DjangoValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        if not any(_TASK_KEY.fullmatch(name) for name in error.error_dict):
            raise
        detail: dict[str, Any] = {}
        for name, errors in error.error_dict.items():
            messages = [message for item in errors for message in item.messages]
            match = _TASK_KEY.fullmatch(name)
            if match is None:
                detail[name] = messages
            else:
                tasks = detail.setdefault("tasks", {})
                tasks[match.group(1)] = {api_settings.NON_FIELD_ERRORS_KEY: messages}
        raise exceptions.ValidationError(detail) from error


REFUSALS: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(description="Bad input: field messages."),
    403: OpenApiResponse(description="You may see this decision but not do this to it."),
    404: OpenApiResponse(description="No such record that you may see."),
}
LOCKED = OpenApiResponse(description="The decision is signed and locked: add an addendum.")
CONFLICT = OpenApiResponse(
    s.DecisionConflictSerializer,
    description="Someone saved the draft since your version (or it is signed and locked).",
)


def read_input(view: Any, serializer_class: Callable[..., Any]) -> dict[str, Any]:
    """The body of an action, validated by its input serializer (400 with field messages)."""
    serializer = serializer_class(data=view.request.data, context=view.get_serializer_context())
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- threshold frameworks --------------------------------------------------------------------


class ThresholdFrameworkViewSet(ScopedReadOnlyViewSet):
    """The continua of need, each with its levels in order. Decisions are recorded under the
    one that `is_active` and give their levels by its numbers; a principal social worker
    chooses it in the admin."""

    queryset = ThresholdFramework.objects.prefetch_related("levels")
    serializer_class = s.ThresholdFrameworkSerializer


# --- decisions -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Decisions (MDRs) you may see"),
    retrieve=extend_schema(summary="One decision (written to the access log)"),
)
class DecisionViewSet(ServiceRefusals, ScopedReadWriteViewSet):
    """Management Decision Records: what a manager decided on a child's case, and why.

    **Recording.** A team manager records on their team's cases, a group manager on their
    service's (assistant team managers where the council allows): `POST` with `case`,
    `decision_type`, `decision` and what else is known; levels are numbers in the active
    threshold framework (see `/threshold-frameworks/`); a step up must raise the level and a
    step down lower it. Each task has an `owner` and either a `due_date` or
    `due_in_working_days` (counted from the decision, without weekends and bank holidays).
    A refused task is answered under its index, `{"tasks": {"0": {"owner": […]}}}` for a
    field of it or `{"tasks": {"0": {"non_field_errors": […]}}}` for the task as a whole.

    **Changing a draft.** `PATCH` any of the same fields (not `case` or the discussion it came
    from), `tasks` to add, and `version` as you last read it: if someone saved the draft
    since, the answer is 409 with `current_version` and `changed_by`, and nothing is
    overwritten. Fields the server sets (`decision_maker`, `made_at`, `framework`, `status`,
    `signed_at`) cannot be given, nor anything else the write does not take: 400 naming each.

    **Signing** (`POST …/sign/`, the decision maker only) needs the rationale, the child's
    lived experience and voice, and a task or a reason for none (400 naming each missing
    field). It locks the record: later changes are 409; add to it with `POST …/addenda/`.
    """

    queryset = Decision.objects.all()
    serializer_class = s.DecisionSerializer
    filterset_class = DecisionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[Decision]:
        return selectors.decisions_for(self.request.user).prefetch_related(
            Prefetch("tasks", DecisionTask.objects.select_related("action__owner")),
            Prefetch("clocks", Clock.objects.select_related("timescale")),
            Prefetch("addenda", DecisionAddendum.objects.select_related("author")),
        )

    def _answer(self, decision: Decision, code: int = status.HTTP_200_OK) -> Response:
        """The decision as it now stands, read back with everything it shows."""
        fresh = self.get_queryset().filter(pk=decision.pk).first() or decision
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Record a draft decision",
        request=s.DecisionCreateSerializer,
        responses={201: s.DecisionSerializer, **REFUSALS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        refuse_fields_not_taken(request, CREATE_FIELDS, server_set=SERVER_SET)
        serializer = s.DecisionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        case, data = validated_with_target(serializer, "case", Case, request)
        data.pop("case")
        tasks = task_specs(data.pop("tasks", []))
        with task_errors_by_index():
            decision = services.decision_create(case=case, actor=request.user, tasks=tasks, **data)
        return self._answer(decision, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft (optimistic locking with `version`)",
        request=s.DecisionUpdateSerializer,
        responses={200: s.DecisionSerializer, **REFUSALS, 409: CONFLICT},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        decision = self.get_object()
        refuse_fields_not_taken(request, UPDATE_FIELDS, server_set=SERVER_SET)
        data = read_input(self, s.DecisionUpdateSerializer)
        version = data.pop("version", None)
        tasks = task_specs(data.pop("tasks", []))
        try:
            with task_errors_by_index():
                decision = services.decision_update(
                    mdr=decision, actor=request.user, version=version, tasks=tasks, **data
                )
        except DecisionConflict as conflict:
            return Response(
                {
                    "detail": (
                        f"{conflict}. Nothing was overwritten: read the decision again and "
                        f"send your change with version {conflict.current_version}."
                    ),
                    "current_version": conflict.current_version,
                    "changed_by": conflict.changed_by,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return self._answer(decision)

    @extend_schema(
        summary="Sign and lock (the decision maker)",
        request=None,
        responses={200: s.DecisionSerializer, **REFUSALS, 409: LOCKED},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """Statutory clocks start, task owners are told, and a case closure closes the case's
        other open tasks if its maker said so."""
        decision = services.decision_sign(mdr=self.get_object(), actor=request.user)
        return self._answer(decision)

    @extend_schema(
        summary="Add an addendum to a signed decision",
        request=s.AddendumInputSerializer,
        responses={201: s.DecisionAddendumSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def addenda(self, request: Request, pk: str | None = None) -> Response:
        decision = self.get_object()
        data = read_input(self, s.AddendumInputSerializer)
        addendum = services.decision_addendum_add(
            mdr=decision, text=data["text"], actor=request.user
        )
        return Response(s.DecisionAddendumSerializer(addendum).data, status=status.HTTP_201_CREATED)


# --- tasks -----------------------------------------------------------------------------------


class DecisionTaskViewSet(ScopedReadOnlyViewSet):
    """The tasks of decisions you may see, each also an action in its owner's plan
    (`mine=true`: the ones you own). Their status changes through `/actions/{action}/`."""

    queryset = DecisionTask.objects.all()
    serializer_class = s.DecisionTaskSerializer
    filterset_class = DecisionTaskFilter

    def base_queryset(self) -> QuerySet[DecisionTask]:
        return selectors.tasks_for(self.request.user).order_by("action__due_date", "pk")


# --- escalations -----------------------------------------------------------------------------


class EscalationViewSet(
    ServiceRefusals,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Professional disagreements about signed decisions. Anyone who may see the decision
    raises one (or records a partner agency's); the case's managers respond and resolve; the
    person not satisfied takes it to the next stage (up to 4), each with its response time."""

    queryset = Escalation.objects.select_related("decision__case", "raised_by", "responded_by")
    serializer_class = s.EscalationSerializer
    filterset_class = EscalationFilter

    def _answer(self, escalation: Escalation, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=escalation.pk).first() or escalation
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Raise an escalation about a signed decision",
        request=s.EscalationCreateSerializer,
        responses={201: s.EscalationSerializer, **REFUSALS},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.EscalationCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        decision, data = validated_with_target(serializer, "decision", Decision, request)
        escalation = services.escalation_raise(
            mdr=decision,
            concern=data["concern"],
            partner_agency=data["partner_agency"],
            actor=request.user,
        )
        return self._answer(escalation, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Respond (the case's managers)",
        request=s.EscalationRespondSerializer,
        responses={200: s.EscalationSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        escalation = self.get_object()
        data = read_input(self, s.EscalationRespondSerializer)
        escalation = services.escalation_respond(
            escalation=escalation, response=data["response"], actor=request.user
        )
        return self._answer(escalation)

    @extend_schema(
        summary="Take it to the next stage",
        request=s.EscalationEscalateSerializer,
        responses={200: s.EscalationSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        escalation = self.get_object()
        data = read_input(self, s.EscalationEscalateSerializer)
        escalation = services.escalation_escalate(
            escalation=escalation, concern=data["concern"], actor=request.user
        )
        return self._answer(escalation)

    @extend_schema(
        summary="Resolve with its outcome (the case's managers)",
        request=s.EscalationResolveSerializer,
        responses={200: s.EscalationSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        escalation = self.get_object()
        data = read_input(self, s.EscalationResolveSerializer)
        escalation = services.escalation_resolve(
            escalation=escalation, outcome=data["outcome"], actor=request.user
        )
        return self._answer(escalation)


# --- the case decision trail -----------------------------------------------------------------

# The record behind each kind of trail entry (the kinds are the access log's slugs too).
TRAIL_RECORDS: dict[str, type[Model]] = {
    "decision": Decision,
    "case-discussion": CaseDiscussion,
    "informal-discussion": InformalDiscussion,
}


def log_trail_read(request: Request, case: Case, kinds: set[str]) -> None:
    """The trail shows the case and its records' content: one line for the case, and one
    per kind of record naming those it showed (the same scoping `case_trail` reads with)."""
    oversight_services.access_log_view(
        user=request.user, shown=case, via="api", description="Decision trail"
    )
    for kind in sorted(kinds):
        model = TRAIL_RECORDS[kind]
        rows = access.visible_to(request.user, model._default_manager.filter(case=case))
        shown = tuple(rows.values_list("pk", flat=True))
        if shown:
            oversight_services.access_log_view(
                user=request.user,
                shown=Shown(kind, shown),
                via="api",
                description=f"Decision trail of case {case.reference}",
            )


class CaseTrailView(ScopedViewSetMixin):
    """A child's case decision trail: every MDR, supervision case discussion and informal
    discussion about the case that you may see, oldest first, with the threshold level each
    MDR left the case at and the scaling where one was given."""

    queryset = Case.objects.all()
    serializer_class = s.CaseTrailSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        summary="A case's decision trail",
        parameters=[s.TrailQuerySerializer],
        responses={200: s.CaseTrailSerializer},
    )
    def get(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        query = read_query(request, s.TrailQuerySerializer)
        items = selectors.case_trail(request.user, case)
        if "kind" in query:
            items = [item for item in items if item.kind == query["kind"]]
        log_trail_read(request, case, {item.kind for item in items})
        return Response(self.get_serializer({"case": case, "items": items}).data)
