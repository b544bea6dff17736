"""Supervision's API v1 routes, included under /api/v1/ by the root URLconf."""

from rest_framework.routers import SimpleRouter

from supervision.api import views

# A SimpleRouter, not a DefaultRouter: the API root at /api/v1/ belongs to oversight.api.
router = SimpleRouter()
router.register(
    "supervision-policies", views.SupervisionPolicyViewSet, basename="supervision-policy"
)
router.register("supervisions", views.SupervisionViewSet, basename="supervision")
router.register("case-discussions", views.CaseDiscussionViewSet, basename="case-discussion")
router.register(
    "informal-discussions", views.InformalDiscussionViewSet, basename="informal-discussion"
)
router.register("actions", views.ActionViewSet, basename="action")
router.register(
    "supervision-requests", views.SupervisionRequestViewSet, basename="supervision-request"
)

urlpatterns = router.urls
