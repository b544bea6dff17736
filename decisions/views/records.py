"""Management Decision Record pages: record one on a case, read it, change the draft, sign it,
add to it once signed, record a statutory follow-up, and the list of MDRs.

Thin: lookups through `access.get_for_user`, writes through `decisions.services`, whose
refusals are shown against the fields they name. Anything the reader may not do answers 404,
as everywhere in Oversight, so a page never tells someone that a record exists.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from decisions import rules, selectors, services
from decisions.filters import DecisionFilter
from decisions.forms import (
    AddendumForm,
    ClockMetForm,
    DecisionForm,
    TaskFormSet,
)
from decisions.models import Clock, Decision
from decisions.services import DecisionConflict, DecisionLocked, TaskSpec
from decisions.views.common import add_service_errors, form_error_list, task_owners
from oversight import access
from oversight.forms import govuk_style
from oversight.models import Case
from oversight.reads import logs_reads
from supervision.models import CaseDiscussion, InformalDiscussion, SupervisionSession

PAGE_SIZE = 50


def _decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related(
        "case__team",
        "case__allocated_worker",
        "decision_maker",
        "framework",
        "level_before",
        "level_after",
    )


# --- recording and changing ------------------------------------------------------------------


def _source(
    request: HttpRequest, case: Case
) -> tuple[CaseDiscussion | None, InformalDiscussion | None, dict[str, Any]]:
    """The discussion an MDR comes out of (`?case_discussion=` or `?informal_discussion=`),
    if the reader may see it and it is about this case, and what it fills in."""
    case_discussion_id = request.GET.get("case_discussion", "")
    informal_id = request.GET.get("informal_discussion", "")
    if case_discussion_id:
        discussion = access.get_for_user(
            request.user, CaseDiscussion.objects.filter(case=case), case_discussion_id
        )
        facts = "\n\n".join(part for part in (discussion.discussion, discussion.decisions) if part)
        return (
            discussion,
            None,
            {
                "facts": facts,
                "worries": discussion.worries,
                "working_well": discussion.working_well,
                "needs_to_happen": discussion.needs_to_happen,
                "scaling": discussion.scaling,
            },
        )
    if informal_id:
        informal = access.get_for_user(
            request.user, InformalDiscussion.objects.filter(case=case), informal_id
        )
        return None, informal, {"facts": informal.advice}
    return None, None, {}


def _task_specs(formset: Any) -> tuple[list[TaskSpec], list[Any]]:
    """The tasks typed in, as the service takes them, and their forms in the same order."""
    filled = formset.filled()
    specs = [
        TaskSpec(
            description=form.cleaned_data["description"],
            owner=form.cleaned_data["owner_member"],
            due_date=form.cleaned_data.get("due_date"),
            due_in_working_days=form.cleaned_data.get("due_in_working_days"),
        )
        for _, form in filled
    ]
    return specs, [form for _, form in filled]


def _form_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    form, formset = context["form"], context["formset"]
    context["errors"] = form_error_list(
        (form, "decision_type"),
        *((task, task["description"].id_for_label) for task in formset.forms),
    )
    return TemplateResponse(request, "decisions/decision_form.html", context)


@access.detail_of(Case, needs_permission=True)
@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an MDR on a case (team managers on their team's cases, group managers on their
    service's), with its tasks; it starts as a draft its maker signs."""
    case = access.get_for_user(
        request.user, Case.objects.select_related("team", "allocated_worker"), pk
    )
    if not rules.may_record_decision(request.user, case):
        raise Http404
    case_discussion, informal_discussion, prefill = _source(request, case)
    framework = selectors.active_framework()
    posted = request.POST if request.method == "POST" else None
    form = DecisionForm(posted, initial=prefill, levels=list(framework.levels.all()))
    formset = TaskFormSet(posted, prefix="tasks", owners=task_owners(request, case))
    if posted is not None and form.is_valid() and formset.is_valid():
        specs, task_forms = _task_specs(formset)
        try:
            decision = services.decision_create(
                case=case,
                actor=request.user,
                tasks=specs,
                case_discussion=case_discussion,
                informal_discussion=informal_discussion,
                **form.service_fields(),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error, task_forms=task_forms)
        else:
            messages.success(request, f"Decision recorded on case {case.reference} as a draft.")
            return redirect("decision-detail", pk=decision.pk)
    return _form_page(
        request,
        {
            "form": form,
            "formset": formset,
            "case": case,
            "framework": framework,
            "source": case_discussion or informal_discussion,
            "editing": None,
        },
    )


def _locked_page(request: HttpRequest, decision: Decision) -> HttpResponse:
    return render(
        request,
        "decisions/decision_locked.html",
        {"decision": decision, "message": DecisionLocked().messages[0]},
        status=409,
    )


@access.detail_of(Decision, needs_permission=True)
@login_required
@require_http_methods(["GET", "POST"])
@logs_reads("editing")
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft (its maker only). A save someone made since the page was loaded is
    shown beside what was typed, and nothing is overwritten until the maker saves again."""
    decision = access.get_for_user(request.user, _decisions(), pk)
    if not rules.may_edit_decision(request.user, decision):
        raise Http404
    if decision.is_signed:
        return _locked_page(request, decision)
    levels = list(decision.framework.levels.all())
    posted = request.POST if request.method == "POST" else None
    form = DecisionForm(posted, initial=DecisionForm.initial_from(decision), levels=levels)
    formset = TaskFormSet(posted, prefix="tasks", owners=task_owners(request, decision.case))
    conflict: dict[str, Any] | None = None
    if posted is not None and form.is_valid() and formset.is_valid():
        specs, task_forms = _task_specs(formset)
        try:
            services.decision_update(
                mdr=decision,
                actor=request.user,
                version=form.cleaned_data.get("version"),
                tasks=specs,
                **form.service_fields(),
            )
        except PermissionDenied:
            raise Http404 from None
        except DecisionLocked:
            return _locked_page(request, decision)
        except DecisionConflict as error:
            latest = access.get_for_user(request.user, _decisions(), pk)
            conflict = {"changed_by": error.changed_by, "latest": latest}
            # Saving again keeps what was typed: it is now made against the latest version.
            data = request.POST.copy()
            data["version"] = str(error.current_version)
            form = DecisionForm(data, initial=DecisionForm.initial_from(latest), levels=levels)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error, task_forms=task_forms)
        else:
            messages.success(request, "Draft decision saved.")
            return redirect("decision-detail", pk=decision.pk)
    return _form_page(
        request,
        {
            "form": form,
            "formset": formset,
            "case": decision.case,
            "framework": decision.framework,
            "source": None,
            "editing": decision,
            "tasks": list(decision.tasks.select_related("action__owner")),
            "conflict": conflict,
        },
    )


# --- reading ---------------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest,
    decision: Decision,
    *,
    status: int = 200,
    addendum_form: AddendumForm | None = None,
    clock_form: tuple[int, ClockMetForm] | None = None,
    sign_errors: list[str] | None = None,
    refusal: str = "",
) -> TemplateResponse:
    user = request.user
    today = timezone.localdate()
    may_edit = not decision.is_signed and rules.may_edit_decision(user, decision)
    may_meet = rules.may_record_decision(user, decision.case)
    clocks = []
    for clock in decision.clocks.select_related("timescale"):
        form = None
        if may_meet and clock.met_on is None and clock.timescale.follow_up:
            if clock_form is not None and clock_form[0] == clock.pk:
                form = clock_form[1]
            else:
                form = ClockMetForm(prefix=f"clock-{clock.pk}")
        clocks.append({"clock": clock, "overdue": clock.is_overdue(today), "form": form})
    may_add_addendum = decision.is_signed and rules.may_add_decision_addendum(user, decision)
    source_session = None
    if decision.case_discussion_id is not None:
        source_session = (
            access.visible_to(
                user,
                SupervisionSession.objects.filter(case_discussions=decision.case_discussion_id),
            )
            .values_list("pk", flat=True)
            .first()
        )
    source_informal = None
    if decision.informal_discussion_id is not None:
        source_informal = (
            access.visible_to(
                user, InformalDiscussion.objects.filter(pk=decision.informal_discussion_id)
            )
            .values_list("pk", flat=True)
            .first()
        )
    addendum_form = addendum_form or (AddendumForm() if may_add_addendum else None)
    return TemplateResponse(
        request,
        "decisions/decision_detail.html",
        {
            "decision": decision,
            "tasks": list(decision.tasks.select_related("action__owner")),
            "clocks": clocks,
            "addenda": list(decision.addenda.select_related("author")),
            "escalations": list(decision.escalations.select_related("raised_by")),
            "may_edit": may_edit,
            "sign_problems": list(services.sign_problems(decision).values()) if may_edit else [],
            "sign_errors": sign_errors or [],
            "refusal": refusal,
            "may_add_addendum": may_add_addendum,
            "addendum_form": addendum_form,
            "addendum_errors": form_error_list((addendum_form, "id_text")) if addendum_form else [],
            "clock_errors": form_error_list((clock_form[1], "")) if clock_form is not None else [],
            "may_escalate": decision.is_signed,
            "source_session": source_session,
            "source_informal": source_informal,
            "can_read_access_log": access.can_read_access_log(user, decision.case.allocated_worker),
            "today": today,
            "here": reverse("decision-detail", args=[decision.pk]),
        },
        status=status,
    )


@access.detail_of(Decision)
@login_required
@logs_reads("decision")
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything recorded in an MDR, its tasks, clocks, addenda and escalations."""
    decision = access.get_for_user(request.user, _decisions(), pk)
    return _detail_page(request, decision)


def _post_only(request: HttpRequest) -> HttpResponse | None:
    # Checked after the lookup, so a GET cannot tell a hidden record exists.
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


@access.detail_of(Decision, needs_permission=True)
@login_required
def decision_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign and lock a draft (its maker only)."""
    decision = access.get_for_user(request.user, _decisions(), pk)
    if (refused := _post_only(request)) is not None:
        return refused
    try:
        services.decision_sign(mdr=decision, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except DecisionLocked as error:
        return _detail_page(request, decision, status=409, refusal=error.messages[0])
    except ValidationError as error:
        return _detail_page(request, decision, sign_errors=error.messages)
    messages.success(request, "Decision signed. It is now locked; add an addendum to add to it.")
    return redirect("decision-detail", pk=decision.pk)


@access.detail_of(Decision, needs_permission=True)
@login_required
def decision_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    """Add to a signed decision (its maker, or another manager who records on the case)."""
    decision = access.get_for_user(request.user, _decisions(), pk)
    if (refused := _post_only(request)) is not None:
        return refused
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.decision_addendum_add(
                mdr=decision, text=form.cleaned_data["text"], actor=request.user
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Addendum added.")
            return redirect("decision-detail", pk=decision.pk)
    govuk_style(form)
    return _detail_page(request, decision, addendum_form=form)


@access.detail_of(Clock, needs_permission=True)
@login_required
def clock_meet(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the follow-up that stops a statutory clock (the case's managers)."""
    clock = access.get_for_user(request.user, Clock.objects.select_related("decision"), pk)
    if (refused := _post_only(request)) is not None:
        return refused
    decision = access.get_for_user(request.user, _decisions(), clock.decision_id)
    form = ClockMetForm(request.POST, prefix=f"clock-{clock.pk}")
    if form.is_valid():
        try:
            services.clock_meet(clock=clock, met_on=form.cleaned_data["met_on"], actor=request.user)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{clock.timescale.follow_up or 'Follow-up'} recorded.")
            return redirect("decision-detail", pk=decision.pk)
    return _detail_page(request, decision, clock_form=(clock.pk, form))


# --- the list --------------------------------------------------------------------------------


@login_required
@logs_reads("page")
def decision_list(request: HttpRequest) -> HttpResponse:
    """MDRs across the cases a manager or the directorate may read, filtered and paged, in a
    fixed number of queries."""
    if not rules.may_see_decision_lists(request.user):
        raise Http404
    decisions = selectors.decisions_for(request.user)
    filterset = DecisionFilter(request.GET, queryset=decisions, request=request)
    govuk_style(filterset.form)
    queryset = filterset.qs if filterset.is_valid() else decisions.none()
    page = Paginator(queryset.order_by("-made_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "decisions/decision_list.html",
        {"filter": filterset, "form": filterset.form, "page": page},
    )
