"""Organisation pages: thin views over selectors, services and the access policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from oversight import access, notifications, selectors, services
from oversight.forms import (
    AbsenceEndForm,
    AbsenceForm,
    CaseFilterForm,
    EmailNotificationsForm,
    RoleChangeForm,
    StaffFilterForm,
)
from oversight.history import history_for
from oversight.models import Absence, AccessLogEntry, Case, Notification, StaffMember, Team
from oversight.pages import add_service_errors
from oversight.reads import logs_reads
from oversight.records import kind_by_slug


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(access.home_url_name(request.user))


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    me = access.staff_for(request.user)
    if me is None:
        return redirect("team-list")
    return redirect("staff-detail", pk=me.pk)


@login_required
def my_team(request: HttpRequest) -> HttpResponse:
    me = access.staff_for(request.user)
    team = None
    if me is not None:
        team = access.visible_to(request.user, Team.objects.filter(manager=me)).first()
        if team is None and me.team_id:
            team = access.visible_to(request.user, Team.objects.filter(pk=me.team_id)).first()
    if team is None:
        return redirect("team-list")
    return redirect("team-detail", pk=team.pk)


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.visible_teams(request.user)
    return render(request, "oversight/team_list.html", {"teams": teams})


@access.detail_of(Team)
@login_required
@logs_reads("members")
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = access.get_for_user(request.user, Team.objects.select_related("service", "manager"), pk)
    members = list(selectors.team_members(request.user, team))
    return TemplateResponse(
        request,
        "oversight/team_detail.html",
        {"team": team, "members": members},
    )


@login_required
@logs_reads("page")
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None)
    queryset = StaffMember.objects.all()
    if form.is_valid() and form.cleaned_data["q"]:
        term = form.cleaned_data["q"]
        queryset = queryset.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(employee_number__icontains=term)
        )
    staff = selectors.staff_with_summary(request.user, queryset).order_by("last_name", "first_name")
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "oversight/staff_list.html", {"form": form, "page": page})


@access.detail_of(StaffMember)
@login_required
@logs_reads("member")
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.get_for_user(
        request.user, StaffMember.objects.select_related("team__service", "supervisor"), pk
    )
    today = selectors.today()
    absences = list(selectors.absences_for(request.user, member))
    return TemplateResponse(
        request,
        "oversight/staff_detail.html",
        {
            "member": member,
            "absences": absences,
            "current_absence": next((a for a in absences if a.covers(today)), None),
            "absence_details_visible": access.can_see_absence_details(request.user, member),
            "can_manage_absences": access.can_manage_absences(request.user, member),
            "supervisor_visible": member.supervisor_id is not None
            and access.visible_to(
                request.user, StaffMember.objects.filter(pk=member.supervisor_id)
            ).exists(),
            "can_read_access_log": access.can_read_access_log(request.user, member),
            "open_cases": access.visible_to(
                request.user, member.cases.filter(closed_on__isnull=True)
            ).count(),
            "email_form": EmailNotificationsForm(
                initial={"email_notifications": member.email_notifications}
            )
            if member.user_id is not None and member.user_id == request.user.pk
            else None,
        },
    )


@login_required
@require_http_methods(["POST"])
def my_notification_settings(request: HttpRequest) -> HttpResponse:
    """The person's own choice, on My details, of e-mail copies of their notifications."""
    me = access.staff_for(request.user)
    if me is None:
        raise Http404
    form = EmailNotificationsForm(request.POST)
    if form.is_valid():
        enabled = form.cleaned_data["email_notifications"]
        services.staff_set_email_notifications(staff=me, enabled=enabled, actor=request.user)
        messages.success(
            request,
            "You will get e-mail copies of your notifications."
            if enabled
            else "You will no longer get e-mail copies; notifications still appear here.",
        )
    return redirect("my-profile")


@access.detail_of(StaffMember, needs_permission=True)
@login_required
@require_http_methods(["GET", "POST"])
def absence_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.get_for_user(request.user, StaffMember, pk)
    if not access.can_manage_absences(request.user, member):
        raise Http404
    form = AbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_record(
                staff=member,
                absence_type=form.cleaned_data["absence_type"],
                start_date=form.cleaned_data["start_date"],
                end_date=form.cleaned_data["end_date"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Absence recorded for {member.full_name}.")
            return redirect("staff-detail", pk=member.pk)
    return render(request, "oversight/absence_form.html", {"form": form, "member": member})


@access.detail_of(Absence, needs_permission=True)
@login_required
@require_http_methods(["GET", "POST"])
def absence_end(request: HttpRequest, pk: int) -> HttpResponse:
    absence = access.get_for_user(request.user, Absence.objects.select_related("staff"), pk)
    if not access.can_manage_absences(request.user, absence.staff):
        raise Http404
    form = AbsenceEndForm(request.POST or None, initial={"end_date": selectors.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_end(
                absence=absence, end_date=form.cleaned_data["end_date"], actor=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Absence ended for {absence.staff.full_name}.")
            return redirect("staff-detail", pk=absence.staff_id)
    return render(request, "oversight/absence_end.html", {"form": form, "absence": absence})


@login_required
@logs_reads("page")
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases = selectors.visible_cases(request.user)
    if form.is_valid():
        term = form.cleaned_data["q"]
        if term:
            cases = cases.filter(Q(reference__icontains=term) | Q(label__icontains=term))
        if not form.cleaned_data["include_closed"]:
            cases = cases.filter(closed_on__isnull=True)
    else:
        cases = cases.filter(closed_on__isnull=True)
    page = Paginator(cases.order_by("reference"), 50).get_page(request.GET.get("page"))
    return TemplateResponse(request, "oversight/case_list.html", {"form": form, "page": page})


@access.detail_of(Case)
@login_required
@logs_reads("case")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_for_user(
        request.user, Case.objects.select_related("team", "allocated_worker"), pk
    )
    return TemplateResponse(request, "oversight/case_detail.html", {"case": case})


@access.detail_of(None)
@login_required
@logs_reads("object", description="History")
def record_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record_kind = kind_by_slug(kind)
    if record_kind is None:
        raise Http404
    obj = access.get_for_user(request.user, record_kind.model, pk)
    entries = history_for(obj, record_kind.hidden_fields(request.user, obj))
    return TemplateResponse(
        request,
        "oversight/history.html",
        {
            "object": obj,
            "entries": entries,
            "kind": record_kind,
            "back_url": record_kind.detail_url(obj),
        },
    )


@access.detail_of(None, needs_permission=True)
@login_required
def record_access_log(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record_kind = kind_by_slug(kind)
    if record_kind is None:
        raise Http404
    obj = access.get_for_user(request.user, record_kind.model, pk)
    if not access.can_read_access_log(request.user, record_kind.subject_of(obj)):
        raise Http404
    # Lines about this record alone, and lists that named it among others.
    entries = (
        AccessLogEntry.objects.filter(
            Q(object_id=str(obj.pk)) | Q(items__object_id=str(obj.pk)), kind=record_kind.slug
        )
        .distinct()
        .select_related("user__staff_member")
        .order_by("-at")[:500]
    )
    return render(
        request,
        "oversight/access_log.html",
        {"object": obj, "entries": entries, "back_url": record_kind.detail_url(obj)},
    )


@access.detail_of(StaffMember, needs_permission=True)
@login_required
@require_http_methods(["GET", "POST"])
def staff_role_change(request: HttpRequest, pk: int) -> HttpResponse:
    """The directorate (and administrators) change a person's role; the staff service keeps
    every rule (not one's own, no demotion with supervisees) and tells the line manager."""
    member = access.get_for_user(request.user, StaffMember.objects.select_related("team"), pk)
    if not access.may_change_access_widening_roles(request.user):
        raise Http404
    form = RoleChangeForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_update(staff=member, actor=request.user, role=form.cleaned_data["role"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{member.full_name} is now {member.get_role_display()}.")
            return redirect("staff-detail", pk=member.pk)
    return render(request, "oversight/staff_role_form.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The reader's own notices, newest first; "Mark all as read" clears the header count."""
    notices = access.visible_to(request.user, Notification.objects.all())
    if request.method == "POST":
        count = notifications.notifications_mark_read(
            user=request.user,  # type: ignore[arg-type]
            notices=notices,
        )
        plural = "" if count == 1 else "s"
        messages.success(request, f"{count} notification{plural} marked as read.")
        return redirect("notifications")
    page = Paginator(notices.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "oversight/notifications.html", {"page": page})


@access.detail_of(Notification)
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notice's link, marking it read. Only links within the site are followed."""
    notice = access.get_for_user(request.user, Notification.objects.all(), pk)
    notifications.notifications_mark_read(
        user=request.user,  # type: ignore[arg-type]
        notices=Notification.objects.filter(pk=notice.pk),
    )
    target = notice.url if notice.url.startswith("/") and not notice.url.startswith("//") else ""
    return redirect(target or "notifications")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
