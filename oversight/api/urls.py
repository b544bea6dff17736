from django.urls import path
from rest_framework.routers import DefaultRouter

from oversight.api import auth, views

router = DefaultRouter()
router.register("services", views.ServiceViewSet, basename="service")
router.register("teams", views.TeamViewSet, basename="team")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("cases", views.CaseViewSet, basename="case")
router.register("absences", views.AbsenceViewSet, basename="absence")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/tokens/revoke/", auth.TokenRevokeView.as_view(), name="api-token-revoke"),
    path(
        "auth/tokens/revoke-all/", auth.TokenRevokeAllView.as_view(), name="api-token-revoke-all"
    ),
    *router.urls,
]
