"""Reads that show a record's content leave a line in the access log, from one place.

Pages declare what they show with `@logs_reads("name", ...)`: after the view answers a GET with
a TemplateResponse, each named context value — a record, a list or page of records, or a
`Shown` for rows that are not model instances (a dashboard's workers) — is written to the log
by `services.access_log_view`: a record as one line, a list as one line naming every record it
returned. API viewsets get the same from `oversight.api.base.ScopedViewSetMixin`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.paginator import Page
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from oversight import services
from oversight.records import Shown

__all__ = ["Shown", "logs_reads", "records_in"]


def records_in(value: Any) -> Model | Shown | list[Model] | None:
    """What a context value shows: one record, a `Shown`, or a list of records."""
    if value is None or isinstance(value, Model | Shown):
        return value
    if isinstance(value, Page):
        value = value.object_list
    if isinstance(value, Iterable) and not isinstance(value, str | bytes | dict):
        return [item for item in value if isinstance(item, Model)]
    return None


def logs_reads(*names: str, description: str = "") -> Callable[[Any], Any]:
    """Write the context values `names` of a page's GET answer to the access log."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if (
                request.method == "GET"
                and response.status_code == 200
                and isinstance(response, TemplateResponse)
            ):
                context = response.context_data or {}
                for name in names:
                    services.access_log_view(
                        user=request.user,
                        shown=records_in(context.get(name)),
                        description=description,
                    )
            return response

        wrapper.logs_reads = names  # type: ignore[attr-defined]
        return wrapper

    return decorate
