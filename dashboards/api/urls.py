"""The metrics API's paths (included by the root URLconf under /api/v1/)."""

from django.urls import path

from dashboards.api.metrics import CaseloadsView, DecisionsMetricsView, SupervisionComplianceView
from dashboards.api.status import SupervisionStatusView

urlpatterns = [
    path(
        "metrics/supervision-status/",
        SupervisionStatusView.as_view(),
        name="metrics-supervision-status",
    ),
    path(
        "metrics/supervision-compliance/",
        SupervisionComplianceView.as_view(),
        name="metrics-supervision-compliance",
    ),
    path("metrics/caseloads/", CaseloadsView.as_view(), name="metrics-caseloads"),
    path("metrics/decisions/", DecisionsMetricsView.as_view(), name="metrics-decisions"),
]
