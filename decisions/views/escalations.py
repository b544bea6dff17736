"""Escalations (professional disagreements about a decision): raise one, the list, and one
escalation's page with its respond, escalate-to-the-next-stage and resolve forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from decisions import rules, services
from decisions.forms import (
    EscalationEscalateForm,
    EscalationForm,
    EscalationResolveForm,
    EscalationRespondForm,
)
from decisions.models import Decision, Escalation, EscalationStatus
from decisions.views.common import add_service_errors, form_error_list
from oversight import access
from oversight.reads import logs_reads

PAGE_SIZE = 50
LAST_STAGE = 4


def _escalations() -> QuerySet[Escalation]:
    return Escalation.objects.select_related(
        "decision__case", "decision__decision_maker", "raised_by", "responded_by"
    )


@access.detail_of(Decision, needs_permission=True)
@login_required
@require_http_methods(["GET", "POST"])
def escalation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone who may read a signed decision disagrees with it, or records a partner's
    disagreement."""
    decision = access.get_for_user(
        request.user, Decision.objects.select_related("case", "decision_maker"), pk
    )
    form = EscalationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services.escalation_raise(
                mdr=decision,
                concern=form.cleaned_data["concern"],
                partner_agency=form.cleaned_data["partner_agency"],
                actor=request.user,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Escalation raised. A response is due by "
                f"{timezone.localtime(escalation.response_due_at):%-d %B %Y, %H:%M}.",
            )
            return redirect("escalation-detail", pk=escalation.pk)
    return render(
        request,
        "decisions/escalation_form.html",
        {
            "form": form,
            "decision": decision,
            "errors": form_error_list((form, "id_concern")),
        },
    )


@login_required
@logs_reads("page")
def escalation_list(request: HttpRequest) -> HttpResponse:
    """The escalations about decisions the reader may see: open ones first, soonest due."""
    escalations = access.visible_to(request.user, _escalations()).order_by(
        CaseWhen(
            When(status=EscalationStatus.OPEN, then=Value(0)),
            When(status=EscalationStatus.RESPONDED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        "response_due_at",
        "pk",
    )
    page = Paginator(escalations, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request, "decisions/escalation_list.html", {"page": page, "now": timezone.now()}
    )


def _detail_page(request: HttpRequest, escalation: Escalation, **bound: Any) -> TemplateResponse:
    user = request.user
    resolved = escalation.status == EscalationStatus.RESOLVED
    may_respond = not resolved and rules.may_respond_to_escalation(user, escalation)
    may_escalate = not resolved and escalation.stage < LAST_STAGE
    respond_form = bound.get("respond_form") or (EscalationRespondForm() if may_respond else None)
    resolve_form = bound.get("resolve_form") or (EscalationResolveForm() if may_respond else None)
    escalate_form = bound.get("escalate_form") or (
        EscalationEscalateForm() if may_escalate else None
    )
    errors = form_error_list(
        *(
            (form, f"id_{form.prefix}-{next(iter(form.fields))}")
            for form in (respond_form, escalate_form, resolve_form)
            if form is not None
        )
    )
    return TemplateResponse(
        request,
        "decisions/escalation_detail.html",
        {
            "escalation": escalation,
            "decision": escalation.decision,
            "respond_form": respond_form,
            "escalate_form": escalate_form,
            "resolve_form": resolve_form,
            "errors": errors,
            "overdue": escalation.status == EscalationStatus.OPEN
            and escalation.response_due_at < timezone.now(),
            "can_read_access_log": access.can_read_access_log(
                user, escalation.decision.case.allocated_worker
            ),
            "here": reverse("escalation-detail", args=[escalation.pk]),
        },
    )


@access.detail_of(Escalation)
@login_required
@logs_reads("escalation")
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = access.get_for_user(request.user, _escalations(), pk)
    return _detail_page(request, escalation)


def _act(request: HttpRequest, pk: int, form_class: Any, form_key: str, act: Any) -> HttpResponse:
    """Look the escalation up (404 when hidden), then take a POST to one of its forms."""
    escalation = access.get_for_user(request.user, _escalations(), pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = act(escalation, form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("escalation-detail", pk=escalation.pk)
    return _detail_page(request, escalation, **{form_key: form})


@access.detail_of(Escalation, needs_permission=True)
@login_required
def escalation_respond(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation: Escalation, data: dict[str, Any]) -> str:
        services.escalation_respond(
            escalation=escalation, response=data["response"], actor=request.user
        )
        return "Response recorded."

    return _act(request, pk, EscalationRespondForm, "respond_form", act)


@access.detail_of(Escalation, needs_permission=True)
@login_required
def escalation_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation: Escalation, data: dict[str, Any]) -> str:
        record = services.escalation_escalate(
            escalation=escalation, concern=data["concern"], actor=request.user
        )
        return f"Escalated to stage {record.stage}."

    return _act(request, pk, EscalationEscalateForm, "escalate_form", act)


@access.detail_of(Escalation, needs_permission=True)
@login_required
def escalation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(escalation: Escalation, data: dict[str, Any]) -> str:
        services.escalation_resolve(
            escalation=escalation, outcome=data["outcome"], actor=request.user
        )
        return "Escalation resolved."

    return _act(request, pk, EscalationResolveForm, "resolve_form", act)
