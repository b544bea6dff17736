"""Models of the dashboards app: Excel exports too large to build while the browser waits."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from oversight.models import TrackedModel


class ExportJob(TrackedModel):
    """An export built in the background (DESIGN §9): who asked for what, and how far it got.
    Only the person who asked may see it or download the workbook."""

    class Kind(models.TextChoices):
        PERFORMANCE = "performance", "Performance workbook"
        SUPERVISION_STATUS = "supervision_status", "Supervision status workbook"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_jobs"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done, 0–100.")
    rows = models.PositiveIntegerField(default=0, help_text="Rows written to the workbook.")
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display().lower()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ExportFile(models.Model):
    """The workbook an export job built. Kept apart from the job so that the job's history
    (a row per progress step) never copies the file."""

    job = models.OneToOneField(ExportJob, on_delete=models.CASCADE, related_name="output")
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.job.filename} ({self.size} bytes)"
