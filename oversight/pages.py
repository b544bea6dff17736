"""What every app's pages share: showing a service's refusal against the form field it names,
and going back to the page a form came from (never to another site)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def add_service_errors(
    form: Any, error: ValidationError, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError against the form fields it names (a service field
    named differently on the form is mapped by `field_map`); anything else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_errors in error.message_dict.items():
        name = (field_map or {}).get(field, field)
        form.add_error(name if name in form.fields else None, field_errors)


def safe_next(request: HttpRequest) -> str | None:
    """The local page to go back to, from `next` in the form or the address; never another site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None
