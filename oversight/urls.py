"""Root URLconf: each app's pages and API are included by dotted path."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from oversight import views
from oversight.forms import SignInForm

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("oversight.api.urls")),
    path("api/v1/", include("supervision.api.urls")),
    path("api/v1/", include("decisions.api.urls")),
    path("api/v1/", include("dashboards.api.urls")),
    path("", include("oversight.page_urls")),
    path("", include("supervision.urls")),
    path("", include("decisions.urls")),
    path("", include("dashboards.urls")),
]
