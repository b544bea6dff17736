"""Dashboard pages and Excel exports."""

from django.urls import path

from dashboards import views, views_exports

urlpatterns = [
    path("dashboards/", views.dashboard, name="dashboard"),
    path("dashboards/workers/", views.workers, name="dashboard-workers"),
    path("exports/performance.xlsx", views_exports.performance, name="export-performance"),
    path(
        "exports/supervision-status.xlsx",
        views_exports.supervision_status,
        name="export-supervision-status",
    ),
    path("exports/jobs/<int:pk>/", views_exports.job, name="export-job"),
    path("exports/jobs/<int:pk>/download/", views_exports.job_download, name="export-job-download"),
]
