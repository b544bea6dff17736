"""Exports too large to build while the browser waits: an ExportJob records the request, a
django-tasks task builds the workbook in the worker (`manage.py db_worker`, started by
`make run`) and stores it, and the job page shows progress and then the download."""

from __future__ import annotations

import datetime
import logging
import tempfile
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_tasks import task

from dashboards.compliance import Month, MonthError
from dashboards.exports import (
    performance_workbook,
    supervision_status_workbook,
)
from dashboards.models import ExportFile, ExportJob
from dashboards.scope import ScopeError, resolve_scope
from oversight.access import UserLike

logger = logging.getLogger(__name__)

# Workbooks up to this size are built in memory; larger ones spill to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def _save_job(job: ExportJob, reason: str, *fields: str) -> None:
    """Save the job's progress with its requester as the history user (a task has no
    request for the history middleware to read)."""
    job._history_user = job.requested_by  # type: ignore[attr-defined]
    job._change_reason = reason  # type: ignore[attr-defined]
    try:
        job.save(update_fields=[*fields, "updated_at"] if fields else None)
    finally:
        for attribute in ("_history_user", "_change_reason"):
            job.__dict__.pop(attribute, None)


@transaction.atomic
def export_job_start(
    *, user: UserLike, kind: str, parameters: dict[str, Any], filename: str
) -> ExportJob:
    """Queue an export for the background worker. The job and its task are committed
    together, so the worker never picks up a job that does not exist yet."""
    job = ExportJob(
        requested_by=user,  # type: ignore[misc]
        kind=kind,
        parameters=parameters,
        filename=filename,
    )
    _save_job(job, "Export requested")
    transaction.on_commit(lambda: build_export.enqueue(job.pk))
    return job


def _months(parameters: dict[str, Any]) -> list[Month]:
    return [Month.parse(text) for text in parameters["months"]]


def run_export_job(job_id: int) -> None:
    """Build the workbook for one job and store it. The requester's access is applied again
    now, so a scope they lost since asking is refused rather than exported."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return  # already picked up (a task can be delivered twice)
    job.status = ExportJob.Status.RUNNING
    _save_job(job, "Export started", "status")

    last_saved = [0]

    def progress(percent: int) -> None:
        # A history row per 10 points is plenty for a page that refreshes every 2 seconds.
        percent = min(max(percent, 0), 99)
        if percent - last_saved[0] >= 10:
            last_saved[0] = job.progress = percent
            _save_job(job, "Export progress", "progress")

    user = job.requested_by
    parameters = job.parameters
    try:
        scope = resolve_scope(user, parameters["scope"])
        today = datetime.date.fromisoformat(parameters["today"])
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
            if job.kind == ExportJob.Kind.PERFORMANCE:
                result = performance_workbook(
                    user, scope, _months(parameters), today, out, progress=progress
                )
            else:
                result = supervision_status_workbook(user, scope, today, out, progress=progress)
            out.seek(0)
            content = out.read()
    except Http404:
        _fail(job, "This export is no longer available to you.")
        return
    except (ScopeError, MonthError) as error:
        _fail(job, f"This export could not be built: {error}")
        return
    except Exception:
        logger.exception("Export job %s failed", job.pk)
        _fail(job, "Something went wrong building this workbook. Try again, or ask for help.")
        raise

    with transaction.atomic():
        ExportFile.objects.create(job=job, content=content, size=len(content))
        job.status = ExportJob.Status.DONE
        job.progress = 100
        job.rows = result.rows
        job.finished_at = timezone.now()
        _save_job(job, "Export finished", "status", "progress", "rows", "finished_at")


def _fail(job: ExportJob, message: str) -> None:
    job.status = ExportJob.Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    _save_job(job, "Export failed", "status", "error", "finished_at")


@task()
def build_export(job_id: int) -> None:
    """The background task: build and store the workbook of export job `job_id`."""
    run_export_job(job_id)
