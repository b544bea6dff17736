"""Pages around the session: My team, My supervision, a worker's supervision history, the quick
informal-discussion form, arranging cover, and marking actions done.

Thin: every list goes through `access.visible_to` / `get_for_user`, every write through
`supervision.services`, and what is computed (due dates, status) through `supervision.selectors`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from oversight import access
from oversight.models import SUPERVISING_ROLES, Case, StaffMember
from oversight.pages import add_service_errors, safe_next
from oversight.reads import logs_reads
from oversight.workdays import add_working_days
from supervision import rules, selectors, services
from supervision.forms import CoverForm, InformalDiscussionForm
from supervision.models import (
    Action,
    ActionStatus,
    Cover,
    CoverStatus,
    InformalDiscussion,
    SessionStatus,
    SupervisionRequest,
    SupervisionSession,
)
from supervision.policy import Status
from supervision.selectors import WorkerStatus

BOOKED = (SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS)
RECENT_DISCUSSIONS = 20


# --- helpers ---------------------------------------------------------------------------------


def _sign_by(session: SupervisionSession) -> datetime.date | None:
    """The last day both signatures count as in time (5 working days after the session)."""
    if session.held_on is None:
        return None
    return add_working_days(session.held_on, services.SIGN_OFF_WORKING_DAYS)


def _visible_case_ids(request: HttpRequest, case_ids: set[int]) -> set[int]:
    """Which of these cases the user may see: a case they cannot see is never named."""
    if not case_ids:
        return set()
    return set(
        access.visible_to(request.user, Case.objects.filter(pk__in=case_ids)).values_list(
            "pk", flat=True
        )
    )


# --- My team ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    worker: WorkerStatus
    covering_for: StaffMember | None
    in_progress: SupervisionSession | None
    next_booked: SupervisionSession | None


@login_required
@logs_reads("requests")
def my_team(request: HttpRequest) -> HttpResponse:
    """A manager's supervisees (and, during cover, the absent supervisor's), each with where
    their supervision stands, and the records waiting for a signature. A fixed number of
    queries however large the team."""
    me = access.staff_for(request.user)
    today = timezone.localdate()
    rows: list[TeamRow] = []
    statuses: list[WorkerStatus] = []
    held: list[SupervisionSession] = []
    requests: list[SupervisionRequest] = []
    if me is not None:
        covered = rules.covered_supervisors(me)
        team = StaffMember.objects.filter(Q(supervisor=me) | Q(supervisor__in=covered))
        requests = selectors.supervision_requests_for_team(request.user, team, today=today)
        statuses = selectors.supervision_status(request.user, team, today=today)
        in_progress: dict[int, SupervisionSession] = {}
        next_booked: dict[int, SupervisionSession] = {}
        if statuses:
            booked = access.visible_to(
                request.user,
                SupervisionSession.objects.filter(
                    supervisee__in=[row.staff.pk for row in statuses], status__in=BOOKED
                ),
            ).order_by(F("scheduled_for").asc(nulls_last=True), "pk")
            for session in booked:
                if session.status == SessionStatus.IN_PROGRESS:
                    in_progress.setdefault(session.supervisee_id, session)
                else:
                    next_booked.setdefault(session.supervisee_id, session)
        for worker in statuses:
            supervisor = worker.staff.supervisor
            rows.append(
                TeamRow(
                    worker=worker,
                    covering_for=supervisor if supervisor and supervisor.pk != me.pk else None,
                    in_progress=in_progress.get(worker.staff.pk),
                    next_booked=next_booked.get(worker.staff.pk),
                )
            )
        rows.sort(
            key=lambda row: (
                row.covering_for is not None,
                row.worker.staff.last_name,
                row.worker.staff.first_name,
            )
        )
        held = list(
            access.visible_to(
                request.user,
                SupervisionSession.objects.filter(supervisor=me, status=SessionStatus.HELD),
            )
            .select_related("supervisee")
            .order_by("held_on", "pk")
        )
    summary = selectors.status_summary(statuses)
    return TemplateResponse(
        request,
        "supervision/my_team.html",
        {
            "rows": rows,
            "summary": [(status, summary[status]) for status in Status],
            "to_sign": [
                (session, _sign_by(session))
                for session in held
                if session.supervisor_signed_at is None
            ],
            "awaiting_supervisee": [
                (session, _sign_by(session))
                for session in held
                if session.supervisor_signed_at is not None and session.supervisee_signed_at is None
            ],
            "requests": requests,
            "request_case_ids": _visible_case_ids(
                request, {r.case_id for r in requests if r.case_id is not None}
            ),
            "today": today,
            "here": reverse("supervision-my-team"),
        },
    )


# --- My supervision --------------------------------------------------------------------------


@login_required
@logs_reads("shown_sessions", "actions", "discussions", "requests")
def my_supervision(request: HttpRequest) -> HttpResponse:
    """A worker's own supervision: when it is next due, records to read and sign, booked
    sessions to prepare for, open actions, and the informal discussions noted with them."""
    me = access.staff_for(request.user)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "me_status": None,
        "to_sign": [],
        "waiting_for_supervisor": [],
        "booked": [],
        "actions": [],
        "discussions": [],
        "requests": [],
        "visible_case_ids": set(),
        "today": today,
        "here": reverse("my-supervision"),
    }
    if me is None:
        return TemplateResponse(request, "supervision/my_supervision.html", context)
    statuses = selectors.supervision_status(
        request.user, StaffMember.objects.filter(pk=me.pk), today=today
    )
    sessions = list(
        access.visible_to(
            request.user,
            SupervisionSession.objects.filter(
                supervisee=me, status__in=(*BOOKED, SessionStatus.HELD)
            ),
        )
        .select_related("supervisor")
        .order_by(F("scheduled_for").asc(nulls_last=True), "held_on", "pk")
    )
    actions = list(
        access.visible_to(
            request.user,
            Action.objects.filter(Q(supervisee=me) | Q(owner=me), status=ActionStatus.OPEN),
        )
        .select_related("owner", "supervisee")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    discussions = list(
        access.visible_to(request.user, InformalDiscussion.objects.filter(worker=me))
        .select_related("recorded_by", "case", "incorporated_into")
        .order_by("-happened_at")[:RECENT_DISCUSSIONS]
    )
    requests = selectors.supervision_requests_of(request.user, me)
    context.update(
        me_status=statuses[0] if statuses else None,
        requests=requests,
        to_sign=[
            (session, _sign_by(session))
            for session in sessions
            if session.status == SessionStatus.HELD
            and session.supervisor_signed_at is not None
            and session.supervisee_signed_at is None
        ],
        waiting_for_supervisor=[
            s for s in sessions if s.status == SessionStatus.HELD and s.supervisor_signed_at is None
        ],
        booked=[s for s in sessions if s.status in BOOKED],
        actions=actions,
        discussions=discussions,
        visible_case_ids=_visible_case_ids(
            request,
            {d.case_id for d in discussions if d.case_id is not None}
            | {r.case_id for r in requests if r.case_id is not None},
        ),
    )
    # The records listed (to sign and booked) as one line of the access log.
    context["shown_sessions"] = [session for session, _ in context["to_sign"]] + list(
        context["booked"]
    )
    return TemplateResponse(request, "supervision/my_supervision.html", context)


# --- a worker's supervision history ----------------------------------------------------------


@access.detail_of(StaffMember)
@login_required
@logs_reads("page")
def supervision_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every supervision record of one worker the user may see, newest first."""
    member = access.get_for_user(
        request.user, StaffMember.objects.select_related("team", "supervisor"), pk
    )
    sessions = (
        access.visible_to(request.user, SupervisionSession.objects.filter(supervisee=member))
        .select_related("supervisor", "acting_for")
        .order_by(F("held_on").desc(nulls_first=True), F("scheduled_for").desc(), "-pk")
    )
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "supervision/history_list.html",
        {
            "member": member,
            "page": page,
            "may_record": rules.may_record_supervision(request.user, member),
            "may_note": rules.may_record_informal_discussion(request.user, member),
            "here": reverse("supervision-history", args=[member.pk]),
        },
    )


# --- informal discussions --------------------------------------------------------------------


def _owners(request: HttpRequest, me: StaffMember, worker: StaffMember) -> list[StaffMember]:
    """Who an action from the discussion may be given to: the worker or the person noting it
    (a worker noting their own discussion may also give it to their supervisor, if they may
    see them as a person)."""
    owners = [worker]
    if me.pk != worker.pk:
        owners.append(me)
    elif worker.supervisor_id is not None:
        owners.extend(
            access.visible_to(request.user, StaffMember.objects.filter(pk=worker.supervisor_id))
        )
    return owners


@access.detail_of(StaffMember, needs_permission=True)
@login_required
@require_http_methods(["GET", "POST"])
def informal_discussion_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Note a conversation in under a minute; the next supervision pulls it in."""
    worker = access.get_for_user(
        request.user, StaffMember.objects.select_related("team", "supervisor"), pk
    )
    me = access.staff_for(request.user)
    if me is None or not rules.may_record_informal_discussion(request.user, worker):
        raise Http404
    team_cases = Q(allocated_worker=worker)
    if worker.team_id:
        team_cases |= Q(team=worker.team_id)
    cases = access.visible_to(
        request.user, Case.objects.filter(team_cases, closed_on__isnull=True)
    ).order_by("reference")
    now = timezone.localtime()
    initial: dict[str, Any] = {
        "happened_on": now.date(),
        "happened_time": now.time().replace(second=0, microsecond=0),
    }
    preselected = request.GET.get("case", "")
    if preselected.isdigit() and cases.filter(pk=int(preselected)).exists():
        initial["case"] = int(preselected)
    form = InformalDiscussionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        cases=cases,
        owners=_owners(request, me, worker),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.informal_discussion_record(
                worker=worker,
                actor=request.user,
                happened_at=data["happened_at"],
                channel=data["channel"],
                advice=data["advice"],
                case=data["case"],
                actions=data["actions"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error, {"happened_at": "happened_on"})
        else:
            messages.success(request, f"Informal discussion with {worker.full_name} recorded.")
            fallback = "my-supervision" if me.pk == worker.pk else "supervision-my-team"
            return redirect(safe_next(request) or fallback)
    return render(
        request,
        "supervision/informal_discussion_form.html",
        {"form": form, "worker": worker, "next": safe_next(request) or ""},
    )


@access.detail_of(InformalDiscussion)
@login_required
@logs_reads("discussion")
def informal_discussion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    discussion = access.get_for_user(
        request.user,
        InformalDiscussion.objects.select_related(
            "worker", "recorded_by", "manager", "case", "incorporated_into"
        ),
        pk,
    )
    session_visible = (
        discussion.incorporated_into_id is not None
        and access.visible_to(
            request.user, SupervisionSession.objects.filter(pk=discussion.incorporated_into_id)
        ).exists()
    )
    actions = access.visible_to(request.user, discussion.actions.all()).select_related("owner")
    return TemplateResponse(
        request,
        "supervision/informal_discussion_detail.html",
        {
            "discussion": discussion,
            "case_visible": discussion.case_id is not None
            and bool(_visible_case_ids(request, {discussion.case_id})),
            "session_visible": session_visible,
            "actions": list(actions),
            "here": reverse("informal-discussion-detail", args=[discussion.pk]),
        },
    )


# --- cover -----------------------------------------------------------------------------------


@access.detail_of(StaffMember, needs_permission=True)
@login_required
@require_http_methods(["GET", "POST"])
def cover_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Arrange for another manager to act for an absent supervisor for a period (business
    support propose it; the absent supervisor's manager confirms it here)."""
    absent = access.get_for_user(request.user, StaffMember, pk)
    if not rules.may_propose_cover(request.user, absent):
        raise Http404
    arranging = rules.may_set_cover(request.user, absent)
    today = timezone.localdate()
    in_post = Q(leaving_date__isnull=True) | Q(leaving_date__gte=today)
    managers = (
        access.visible_to(
            request.user, StaffMember.objects.filter(in_post, role__in=sorted(SUPERVISING_ROLES))
        )
        .exclude(pk=absent.pk)
        .order_by("last_name", "first_name")
    )
    form = CoverForm(
        request.POST if request.method == "POST" else None,
        managers=managers,
        initial={"start_date": today},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cover = services.cover_set(
                absent_supervisor=absent,
                covering_manager=data["covering_manager"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                actor=request.user,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error, {})
        else:
            period = f"from {cover.start_date:%-d %b %Y} to {cover.end_date:%-d %b %Y}"
            if cover.status == CoverStatus.ARRANGED:
                text = f"{cover.covering_manager.full_name} will cover for {absent.full_name} "
            else:
                text = (
                    f"Cover by {cover.covering_manager.full_name} for {absent.full_name} "
                    "is proposed; it starts once their manager confirms it, "
                )
            messages.success(request, text + period + ".")
            return redirect("staff-detail", pk=absent.pk)
    covers = (
        access.visible_to(request.user, Cover.objects.filter(absent_supervisor=absent))
        .filter(end_date__gte=today)
        .select_related("covering_manager")
        .order_by("start_date")
    )
    return render(
        request,
        "supervision/cover_form.html",
        {"form": form, "absent": absent, "covers": list(covers), "arranging": arranging},
    )


@access.detail_of(Cover, needs_permission=True)
@login_required
@require_http_methods(["POST"])
def cover_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The absent supervisor's manager confirms cover that business support proposed."""
    cover = access.get_for_user(
        request.user, Cover.objects.select_related("absent_supervisor", "covering_manager"), pk
    )
    try:
        services.cover_confirm(cover=cover, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{cover.covering_manager.full_name} now covers for "
            f"{cover.absent_supervisor.full_name}.",
        )
    return redirect("cover-create", pk=cover.absent_supervisor_id)


# --- actions ---------------------------------------------------------------------------------


@access.detail_of(Action, needs_permission=True)
@login_required
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark an action done, cancelled or open again, then go back to the page it was on."""
    # Looked up before the method is checked, so a GET cannot tell a hidden action exists.
    action = access.get_for_user(request.user, Action.objects.select_related("supervisee"), pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    status = request.POST.get("status", "")
    try:
        services.action_set_status(action=action, status=status, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages), content_type="text/plain")
    messages.success(request, f"Action marked {ActionStatus(status).label.lower()}.")
    return redirect(safe_next(request) or "my-supervision")
