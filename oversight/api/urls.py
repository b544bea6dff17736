from rest_framework.routers import DefaultRouter

from oversight.api import views

router = DefaultRouter()
router.register("services", views.ServiceViewSet, basename="service")
router.register("teams", views.TeamViewSet, basename="team")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("cases", views.CaseViewSet, basename="case")
router.register("absences", views.AbsenceViewSet, basename="absence")

urlpatterns = router.urls
