"""Excel exports (DESIGN §9): built while the browser waits and streamed from a temporary
file, or — above `OVERSIGHT["BACKGROUND_EXPORT_ROWS"]` rows — queued as an ExportJob whose page
shows progress and then the download. Bad input answers a page that says what is wrong (400),
never a partial file; a scope the user cannot see answers 404. Every download is written to the
access log and marked `Cache-Control: no-store`."""

from __future__ import annotations

import datetime
import io
import tempfile
from typing import IO, TypeVar, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboards.compliance import Month
from dashboards.exports import (
    estimated_rows,
    performance_filename,
    performance_workbook,
    period_words,
    status_filename,
    supervision_status_workbook,
)
from dashboards.models import ExportJob
from dashboards.scope import Scope, ScopeError, parse_period, resolve_scope
from dashboards.tasks import SPOOL_BYTES, export_job_start
from dashboards.xlsx import XLSX_CONTENT_TYPE
from oversight import access
from oversight.services import access_log_export


def _background_threshold() -> int:
    return cast(int, settings.OVERSIGHT["BACKGROUND_EXPORT_ROWS"])


R = TypeVar("R", bound=HttpResponseBase)


def _no_store(response: R) -> R:
    response["Cache-Control"] = "no-store"
    return response


def _refuse(request: HttpRequest, errors: list[str]) -> HttpResponse:
    return _no_store(
        render(request, "dashboards/export_error.html", {"errors": errors}, status=400)
    )


def _download(content: IO[bytes], filename: str) -> FileResponse:
    response = FileResponse(
        content, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    return _no_store(response)


def _scope_and_period(
    request: HttpRequest, today: datetime.date, *, with_period: bool
) -> tuple[Scope | None, list[Month], list[str]]:
    """The scope (404 when it cannot be seen) and period asked for, or what is wrong with
    them — every problem at once."""
    errors = []
    scope = None
    months: list[Month] = []
    try:
        scope = resolve_scope(request.user, request.GET.get("scope"))
    except ScopeError as error:
        errors.append(str(error))
    if with_period:
        try:
            months = parse_period(request.GET.get("from"), request.GET.get("to"), today=today)
        except ScopeError as error:
            errors.append(str(error))
    return scope, months, errors


@login_required
@require_GET
def performance(request: HttpRequest) -> HttpResponseBase:
    """/exports/performance.xlsx?scope=…&from=YYYY-MM&to=YYYY-MM"""
    today = timezone.localdate()
    scope, months, errors = _scope_and_period(request, today, with_period=True)
    if errors or scope is None:
        return _refuse(request, errors)
    filename = performance_filename(scope, months)
    if estimated_rows(request.user, scope, months) > _background_threshold():
        job = export_job_start(
            user=request.user,
            kind=ExportJob.Kind.PERFORMANCE,
            parameters={
                "scope": scope.key,
                "months": [str(month) for month in months],
                "today": today.isoformat(),
            },
            filename=filename,
        )
        return redirect("export-job", pk=job.pk)

    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        performance_workbook(request.user, scope, months, today, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    access_log_export(
        user=request.user,
        description=f"Performance workbook: {scope.label}, {period_words(months)}",
    )
    return _download(out, filename)


@login_required
@require_GET
def supervision_status(request: HttpRequest) -> HttpResponseBase:
    """/exports/supervision-status.xlsx?scope=…"""
    today = timezone.localdate()
    scope, _months, errors = _scope_and_period(request, today, with_period=False)
    if errors or scope is None:
        return _refuse(request, errors)
    filename = status_filename(scope, today)
    if scope.staff(request.user).count() > _background_threshold():
        job = export_job_start(
            user=request.user,
            kind=ExportJob.Kind.SUPERVISION_STATUS,
            parameters={"scope": scope.key, "today": today.isoformat()},
            filename=filename,
        )
        return redirect("export-job", pk=job.pk)

    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        supervision_status_workbook(request.user, scope, today, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    access_log_export(user=request.user, description=f"Supervision status workbook: {scope.label}")
    return _download(out, filename)


@access.detail_of(ExportJob)
@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """How far a background export has got; the page refreshes itself until it is ready."""
    export_job = access.get_for_user(request.user, ExportJob, pk)
    return _no_store(
        render(
            request,
            "dashboards/export_job.html",
            {"job": export_job, "refresh": not export_job.is_finished},
        )
    )


@access.detail_of(ExportJob)
@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The finished workbook, for the person who asked for it."""
    export_job = access.get_for_user(request.user, ExportJob, pk)
    if export_job.status != ExportJob.Status.DONE:
        return redirect("export-job", pk=export_job.pk)
    content = bytes(export_job.output.content)
    access_log_export(
        user=request.user,
        description=f"{export_job.get_kind_display()}: {export_job.filename}",
    )
    return _download(io.BytesIO(content), export_job.filename)
