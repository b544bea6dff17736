"""Dashboard pages and Excel exports."""

from django.urls import path

from dashboards.views import dashboard, exports

urlpatterns = [
    path("dashboards/", dashboard.dashboard, name="dashboard"),
    path("dashboards/workers/", dashboard.workers, name="dashboard-workers"),
    path("exports/performance.xlsx", exports.performance, name="export-performance"),
    path(
        "exports/supervision-status.xlsx",
        exports.supervision_status,
        name="export-supervision-status",
    ),
    path("exports/jobs/<int:pk>/", exports.job, name="export-job"),
    path("exports/jobs/<int:pk>/download/", exports.job_download, name="export-job-download"),
]
