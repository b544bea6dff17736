"""Decisions' API v1 routes, included under /api/v1/ by the root URLconf."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from decisions.api import views

# A SimpleRouter, not a DefaultRouter: the API root at /api/v1/ belongs to oversight.api.
router = SimpleRouter()
router.register(
    "threshold-frameworks", views.ThresholdFrameworkViewSet, basename="threshold-framework"
)
router.register("decisions", views.DecisionViewSet, basename="decision")
router.register("decision-tasks", views.DecisionTaskViewSet, basename="decision-task")
router.register("escalations", views.EscalationViewSet, basename="escalation")

urlpatterns = [
    # Named apart from the decisions pages' own trail page.
    path("cases/<int:pk>/trail/", views.CaseTrailView.as_view(), name="api-case-trail"),
    *router.urls,
]
