"""Excel exports (being built)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from oversight import access
from oversight.models import StaffMember


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    raise Http404


@login_required
def supervision_status(request: HttpRequest) -> HttpResponse:
    raise Http404


@access.detail_of(StaffMember, needs_permission=True)
@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


@access.detail_of(StaffMember, needs_permission=True)
@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
