"""Threshold frameworks: every signed-in reader sees them with their levels; the principal
social worker chooses the one in use (old MDRs keep the framework they were made under)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from decisions import rules, services
from decisions.models import ThresholdFramework
from oversight import access


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = access.visible_to(
        request.user, ThresholdFramework.objects.prefetch_related("levels")
    ).order_by("-is_active", "name")
    return TemplateResponse(
        request,
        "decisions/framework_list.html",
        {"frameworks": frameworks, "may_choose": rules.may_choose_framework(request.user)},
    )


@access.detail_of(ThresholdFramework, needs_permission=True)
@login_required
@require_POST
def framework_activate(request: HttpRequest, pk: int) -> HttpResponse:
    framework = access.get_for_user(request.user, ThresholdFramework, pk)
    if not rules.may_choose_framework(request.user):
        raise Http404
    try:
        services.framework_activate(framework=framework, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"New decisions are now made under {framework.name}. Decisions already made keep "
            "the framework and level they were made under.",
        )
    return redirect("framework-list")
