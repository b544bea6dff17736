"""Dashboard pages (being built)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Not built yet")


@login_required
def workers(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Not built yet")
