"""The drift list (DESIGN §4.4): open cases in a team or service slipping out of management
oversight, each opening the case decision trail. `?team=<id>` or `?service=<id>` narrow it
(a team or service you cannot see answers 404); without either, a team manager sees their
team, a group manager their service, the directorate every case they may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from decisions import rules
from decisions.drift import REASONS, drift_rows, drift_working_days
from oversight import access
from oversight.models import Case, Role, Service, Team
from oversight.reads import Shown, logs_reads


def _area(request: HttpRequest) -> tuple[str, Team | Service | None]:
    user = request.user
    for name, model in (("team", Team), ("service", Service)):
        value = request.GET.get(name)
        if value is not None:
            if not value.isascii() or not value.isdigit():
                raise Http404
            return name, access.get_for_user(user, model, int(value))
    me = access.staff_for(user)
    if me is not None and me.role in (Role.TEAM_MANAGER, Role.ASSISTANT_TEAM_MANAGER):
        team = Team.objects.filter(manager=me).first() or me.team
        return "team", team
    if me is not None and me.role == Role.GROUP_MANAGER:
        return "service", Service.objects.filter(group_manager=me).order_by("name").first()
    return "all", None


def drift_cases(request: HttpRequest, kind: str, area: Team | Service | None):  # type: ignore[no-untyped-def]
    cases = access.visible_to(request.user, Case.objects.all())
    if kind == "team":
        return cases.filter(team=area)
    if kind == "service":
        return cases.filter(team__service=area)
    return cases


@login_required
@logs_reads("shown_cases")
def drift_list(request: HttpRequest) -> HttpResponse:
    if not rules.may_see_decision_lists(request.user):
        raise PermissionDenied("The drift list is for managers and the directorate.")
    kind, area = _area(request)
    today = timezone.localdate()
    rows = drift_rows(drift_cases(request, kind, area), today)
    rows.sort(key=lambda row: (-len(row.reasons), row.case.reference))
    return TemplateResponse(
        request,
        "decisions/drift_list.html",
        {
            "rows": rows,
            "area": area,
            "kind": kind,
            "reasons": REASONS,
            "working_days": drift_working_days(),
            "today": today,
            "shown_cases": Shown("case", tuple(row.case.pk for row in rows)),
        },
    )
