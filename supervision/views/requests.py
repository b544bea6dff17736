"""Extra supervision on request (DESIGN §4.3): the worker asks from My supervision; their
manager accepts (booking an extra session) or declines from My team.

Thin: lookups through `access.get_for_user`, writes through `supervision.services`. A request
the user may see but not answer is answered 404, like every supervision page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from oversight import access
from oversight.models import Case
from oversight.pages import add_service_errors
from supervision import services
from supervision.forms.requests import (
    RequestAcceptForm,
    RequestDeclineForm,
    SupervisionRequestForm,
)
from supervision.models import SupervisionRequest

MY_TEAM_REQUESTS = "supervision-my-team"


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    """A worker asks their manager for extra supervision."""
    me = access.staff_for(request.user)
    if me is None:
        raise Http404
    cases = access.visible_to(
        request.user, Case.objects.filter(allocated_worker=me, closed_on__isnull=True)
    ).order_by("reference")
    form = SupervisionRequestForm(request.POST if request.method == "POST" else None, cases=cases)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.supervision_request_create(
                worker=me,
                reason=data["reason"],
                case=data["case"],
                note=data["note"],
                actor=request.user,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Your request for extra supervision has been sent to your manager."
            )
            return redirect(reverse("my-supervision") + "#requests")
    return render(
        request,
        "supervision/request_form.html",
        {"form": form, "has_supervisor": me.supervisor_id is not None},
    )


def _answer_target(request: HttpRequest, pk: int) -> SupervisionRequest:
    # Looked up before the method is checked, so a GET cannot tell a hidden request exists.
    return access.get_for_user(
        request.user, SupervisionRequest.objects.select_related("worker__supervisor"), pk
    )


def _back(message_text: str, request: HttpRequest, *, ok: bool) -> HttpResponse:
    (messages.success if ok else messages.error)(request, message_text)
    return redirect(reverse(MY_TEAM_REQUESTS) + "#requests")


def _form_messages(form: RequestAcceptForm | RequestDeclineForm) -> str:
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


@access.detail_of(SupervisionRequest, needs_permission=True)
@login_required
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager books the extra session the worker asked for."""
    supervision_request = _answer_target(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RequestAcceptForm(request.POST)
    if not form.is_valid():
        return _back(_form_messages(form), request, ok=False)
    try:
        answered = services.supervision_request_accept(
            supervision_request=supervision_request,
            scheduled_for=form.cleaned_data["scheduled_for"],
            actor=request.user,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _back(" ".join(error.messages), request, ok=False)
    assert answered.session is not None  # noqa: S101 (accepting books a session)
    return _back(
        f"Extra supervision with {answered.worker.full_name} booked for "
        f"{answered.session.scheduled_for:%-d %B %Y at %H:%M}; they have been told.",
        request,
        ok=True,
    )


@access.detail_of(SupervisionRequest, needs_permission=True)
@login_required
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager declines, saying why; the worker sees the reason."""
    supervision_request = _answer_target(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RequestDeclineForm(request.POST)
    if not form.is_valid():
        return _back(_form_messages(form), request, ok=False)
    try:
        answered = services.supervision_request_decline(
            supervision_request=supervision_request,
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _back(" ".join(error.messages), request, ok=False)
    return _back(
        f"You declined {answered.worker.full_name}'s request; they have been told why.",
        request,
        ok=True,
    )
