"""The drift list (DESIGN §4.4): open cases in a team or service slipping out of management
oversight, each opening the case decision trail. `?team=<id>` or `?service=<id>` narrow it
(a team or service you cannot see answers 404); without either, a team manager sees their
team, a group manager their service, the directorate every case they may see."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from decisions import rules
from decisions.drift import REASONS, area_for, drift_cases, drift_rows, drift_working_days
from oversight import access
from oversight.models import Service, Team
from oversight.reads import Shown, logs_reads


def _area(request: HttpRequest) -> tuple[str, Team | Service | None]:
    user = request.user
    for name, model in (("team", Team), ("service", Service)):
        value = request.GET.get(name)
        if value is not None:
            if not value.isascii() or not value.isdigit():
                raise Http404
            return name, cast(Team | Service, access.get_for_user(user, model, int(value)))
    return area_for(user)


@login_required
@logs_reads("shown_cases")
def drift_list(request: HttpRequest) -> HttpResponse:
    if not rules.may_see_decision_lists(request.user):
        raise Http404  # managers and the directorate only; pages never answer 403

    kind, area = _area(request)
    today = timezone.localdate()
    rows = drift_rows(drift_cases(request.user, kind, area), today)
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
