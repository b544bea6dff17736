"""Dashboard pages: thin views over dashboards.metrics, scoped by the access policy."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone

from dashboards import metrics
from dashboards.chart import trend_chart
from dashboards.compliance import Month, MonthError, Outcome
from dashboards.decision_metrics import decision_figures
from dashboards.scope import Scope, ScopeError, parse_period, resolve_scope, scope_choices
from oversight.reads import Shown, logs_reads

OUTCOME_FILTERS = {
    "expected": lambda row: row.outcome.is_expected,
    "compliant": lambda row: row.outcome is Outcome.COMPLIANT,
    "not_compliant": lambda row: row.outcome is Outcome.NOT_COMPLIANT,
    "excused": lambda row: row.outcome is Outcome.EXCUSED,
    "not_expected": lambda row: row.outcome is Outcome.NOT_EXPECTED,
}


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "dashboards/error.html", {"message": message}, status=400)


def _selected_month(request: HttpRequest, months: list[Month]) -> Month:
    text = request.GET.get("month")
    if not text:
        # The last whole month: the month in progress is still being supervised, and its
        # figure (shown as "so far") would alarm before anyone is late.
        this_month = Month.of(timezone.localdate())
        return months[-2] if len(months) > 1 and months[-1] == this_month else months[-1]
    month = Month.parse(text)
    if month not in months:
        raise ScopeError(f"{month} is outside the period shown ({months[0]} to {months[-1]}).")
    return month


def _load(request: HttpRequest) -> metrics.Dashboard | HttpResponse:
    """The dashboard the query string asks for, or the page explaining what is wrong."""
    today = timezone.localdate()
    try:
        scope = resolve_scope(request.user, request.GET.get("scope"))
        months = parse_period(request.GET.get("from"), request.GET.get("to"), today=today)
        month = _selected_month(request, months)
    except (ScopeError, MonthError) as error:
        return _bad_request(request, str(error))
    return metrics.dashboard(request.user, scope, months, month=month, today=today)


def _drift_query(scope: Scope) -> str:
    """The drift list for the same team or service as the dashboard."""
    if scope.team is not None:
        return f"?team={scope.team.pk}"
    if scope.service is not None:
        return f"?service={scope.service.pk}"
    return ""


def _shown(rows: list[Any]) -> Shown:
    """The named workers a page lists, for the access log."""
    return Shown("staff", tuple(row.staff_id for row in rows))


@login_required
@logs_reads("shown_workers")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Compliance against target for a scope: headline, 12-month trend, teams, workers."""
    data = _load(request)
    if isinstance(data, HttpResponse):
        return data
    by_team = data.compliance.by_team(data.month)
    statuses_by_team: dict[Any, dict[str, int]] = {}
    for worker in data.statuses:
        counts = statuses_by_team.setdefault(worker.staff.team_id, {})
        counts[worker.status] = counts.get(worker.status, 0) + 1
    context = {
        "data": data,
        "headline": data.headline,
        "target_rag": data.headline_rag,
        "rag_labels": metrics.Rag.LABELS,
        "chart": trend_chart(data.compliance.by_month(), data.target),
        "teams": [
            {
                "id": team_id,
                "name": name,
                "service": service,
                "tally": tally,
                "rag": metrics.Rag.of(tally.rate, data.target),
                "overdue": statuses_by_team.get(team_id, {}).get("overdue", 0),
            }
            for (team_id, name, service), tally in by_team.items()
        ],
        "worker_rows": _worker_rows(data) if data.scope.kind in ("team", "me") else [],
        "scope_choices": scope_choices(request.user),
        "month_choices": list(reversed(data.months)),
        "export_query": (f"scope={data.scope.key}&from={data.months[0]}&to={data.months[-1]}"),
        "decisions": decision_figures(
            data.scope.cases(request.user), data.months, today=data.today
        ),
        "drift_query": _drift_query(data.scope),
    }
    worker_rows: list[dict[str, Any]] = context["worker_rows"]  # type: ignore[assignment]
    context["shown_workers"] = _shown([row["month"] for row in worker_rows])
    return TemplateResponse(request, "dashboards/dashboard.html", context)


def _worker_rows(data: metrics.Dashboard) -> list[dict[str, Any]]:
    """Each worker in the scope: the month's outcome and where they stand today."""
    statuses = {worker.staff.pk: worker for worker in data.statuses}
    caseloads = {row.staff_id: row for row in data.caseloads}
    rows = []
    for row in data.compliance.rows_for(data.month):
        rows.append(
            {
                "month": row,
                "status": statuses.get(row.staff_id),
                "caseload": caseloads.get(row.staff_id),
            }
        )
    return rows


@login_required
@logs_reads("shown_workers")
def workers(request: HttpRequest) -> HttpResponse:
    """The workers behind a figure: e.g. the excused in Riverside in March, with reasons."""
    data = _load(request)
    if isinstance(data, HttpResponse):
        return data
    outcome = request.GET.get("outcome", "expected")
    if outcome not in OUTCOME_FILTERS:
        return _bad_request(
            request, f"{outcome!r} is not a figure: choose one of {', '.join(OUTCOME_FILTERS)}."
        )
    rows = [row for row in data.compliance.rows_for(data.month) if OUTCOME_FILTERS[outcome](row)]
    return TemplateResponse(
        request,
        "dashboards/workers.html",
        {
            "data": data,
            "rows": rows,
            "outcome": outcome.replace("_", " "),
            "shown_workers": _shown(rows),
        },
    )
