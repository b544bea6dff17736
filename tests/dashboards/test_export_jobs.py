"""Large exports run in the background: the request queues a job and shows its page, the
task builds and stores the workbook, and only the person who asked may download it."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.conf import settings
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from dashboards.models import ExportJob
from dashboards.tasks import build_export, run_export_job
from oversight.models import AccessLogEntry
from tests.dashboards.test_performance_export import MARCH

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def background_from_one_row():
    with override_settings(OVERSIGHT={**settings.OVERSIGHT, "BACKGROUND_EXPORT_ROWS": 1}):
        yield


@pytest.fixture
def tm_client(client, team_manager, march_team):
    client.force_login(team_manager.user)
    return client


def request_export(client, team_manager, capture):
    with capture(execute=True):
        return client.get(f"/exports/performance.xlsx?scope=team:{team_manager.team_id}&{MARCH}")


@pytest.fixture
def queued(tm_client, team_manager, django_capture_on_commit_callbacks) -> ExportJob:
    response = request_export(tm_client, team_manager, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/jobs/{job.pk}/"
    return job


@pytest.fixture
def world_job(world, django_capture_on_commit_callbacks) -> ExportJob:
    """tm of the named world asks for a large export of their team."""
    with django_capture_on_commit_callbacks(execute=True):
        world.client("tm").get(f"/exports/performance.xlsx?scope=team:{world.riverside.pk}")
    return ExportJob.objects.get()


def test_a_large_export_is_queued_for_the_worker_and_the_browser_sent_to_its_page(
    queued, team_manager
):
    assert queued.status == ExportJob.Status.QUEUED
    assert queued.requested_by == team_manager.user
    assert queued.kind == ExportJob.Kind.PERFORMANCE
    assert queued.parameters["scope"] == f"team:{team_manager.team_id}"
    assert queued.parameters["months"] == ["2026-03"]
    assert (
        queued.filename == f"oversight-performance-team-{team_manager.team_id}-2026-03-2026-03.xlsx"
    )
    task = DBTaskResult.objects.get()
    assert task.task_path == "dashboards.tasks.build_export"
    assert task.args_kwargs["args"] == [queued.pk]


def test_the_job_page_shows_progress_and_refreshes_itself_until_done(tm_client, queued):
    response = tm_client.get(f"/exports/jobs/{queued.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in body
    assert "0% done" in body
    assert "/download/" not in body
    assert "no-store" in response["Cache-Control"]


def test_the_task_builds_the_workbook_and_the_page_then_offers_the_download(
    tm_client, queued, team_manager
):
    build_export.call(queued.pk)
    queued.refresh_from_db()
    assert queued.status == ExportJob.Status.DONE
    assert queued.progress == 100
    assert queued.rows > 0
    assert queued.finished_at is not None

    page = tm_client.get(f"/exports/jobs/{queued.pk}/").content.decode()
    assert 'http-equiv="refresh"' not in page
    assert f'href="/exports/jobs/{queued.pk}/download/"' in page

    response = tm_client.get(f"/exports/jobs/{queued.pk}/download/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert queued.filename in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    summary = [cell.value for cell in book["Summary by team and month"][2]]
    assert summary[3:6] == [4, 1, 0.25]
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.user) == (AccessLogEntry.Action.EXPORT, team_manager.user)


def test_the_jobs_history_names_the_requester_at_every_step(queued, team_manager):
    run_export_job(queued.pk)
    history = queued.history.all()
    assert history.count() >= 3  # requested, started, finished
    assert {row.history_user_id for row in history} == {team_manager.user.pk}


@pytest.mark.parametrize("role", ["tm2", "gm", "ad", "psw", "sw", "atm"])
def test_nobody_else_may_see_the_job_or_download_it(world, world_job, role):
    run_export_job(world_job.pk)
    client = world.client(role)
    assert client.get(f"/exports/jobs/{world_job.pk}/").status_code == 404
    assert client.get(f"/exports/jobs/{world_job.pk}/download/").status_code == 404
    assert world.client("tm").get(f"/exports/jobs/{world_job.pk}/download/").status_code == 200
    assert AccessLogEntry.objects.get().user == world.tm.user


def test_a_download_before_the_workbook_is_ready_returns_to_the_job_page(tm_client, queued):
    response = tm_client.get(f"/exports/jobs/{queued.pk}/download/")
    assert response.status_code == 302
    assert response["Location"] == f"/exports/jobs/{queued.pk}/"


def test_a_job_runs_once_even_if_its_task_is_delivered_twice(queued):
    run_export_job(queued.pk)
    first = queued.history.count()
    run_export_job(queued.pk)
    assert queued.history.count() == first


def test_access_is_checked_again_when_the_job_runs(world, world_job):
    ExportJob.objects.filter(pk=world_job.pk).update(
        parameters={**world_job.parameters, "scope": f"team:{world.hillside.pk}"}
    )
    run_export_job(world_job.pk)
    world_job.refresh_from_db()
    assert world_job.status == ExportJob.Status.FAILED
    assert world_job.error == "This export is no longer available to you."
    assert not hasattr(world_job, "output")
    page = world.client("tm").get(f"/exports/jobs/{world_job.pk}/").content.decode()
    assert "could not be built" in page and "no longer available" in page


def test_with_the_immediate_backend_the_job_is_done_by_the_time_the_page_shows(
    tm_client, team_manager, django_capture_on_commit_callbacks
):
    with override_settings(TASKS=IMMEDIATE_TASKS):
        response = request_export(tm_client, team_manager, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/jobs/{job.pk}/"
    assert job.status == ExportJob.Status.DONE
    assert tm_client.get(f"/exports/jobs/{job.pk}/download/").status_code == 200


def test_a_large_status_export_runs_in_the_background_too(
    world, django_capture_on_commit_callbacks
):
    client = world.client("tm")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/exports/supervision-status.xlsx?scope=team:{world.riverside.pk}")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert job.kind == ExportJob.Kind.SUPERVISION_STATUS
    run_export_job(job.pk)
    response = client.get(f"/exports/jobs/{job.pk}/download/")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["About", "Supervision status"]


def test_small_exports_are_built_while_the_browser_waits(tm_client, team_manager):
    with override_settings(OVERSIGHT={**settings.OVERSIGHT, "BACKGROUND_EXPORT_ROWS": 8}):
        response = tm_client.get(
            f"/exports/performance.xlsx?scope=team:{team_manager.team_id}&{MARCH}"
        )
    assert response.status_code == 200  # 8 workers × 1 month: not above the threshold
    assert not ExportJob.objects.exists()
