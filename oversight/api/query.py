"""Reading an endpoint's query string strictly (DESIGN §7): a parameter the endpoint does not
take, one given twice, or one given empty answers 400 naming it — a typo (`scope=` spelt
`scpoe=`) must not quietly answer about something else."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings

# DRF's own parameters, taken by every endpoint: the format override and the pagination's.
_PAGINATION_PARAMS = (
    "page_query_param",
    "page_size_query_param",
    "limit_query_param",
    "offset_query_param",
    "cursor_query_param",
)
# Long enough for any real parameter's name; a longer one is not echoed back in full.
_NAME_CHARS = 40


def framework_params() -> set[str]:
    """The query parameters DRF itself reads (`format`, the pagination's `page`)."""
    pagination = api_settings.DEFAULT_PAGINATION_CLASS
    names: list[object] = [api_settings.URL_FORMAT_OVERRIDE]
    names += [getattr(pagination, attribute, None) for attribute in _PAGINATION_PARAMS]
    return {name for name in names if isinstance(name, str) and name}


def read_query(
    request: Request,
    serializer_class: type[serializers.Serializer],  # type: ignore[type-arg]
    *,
    blank_allowed: Collection[str] = (),
) -> dict[str, Any]:
    """The query string validated by `serializer_class`, whose fields are the parameters the
    endpoint takes. Refused with 400 naming each offending parameter: one the endpoint does
    not take, one given more than once, one given empty (unless in `blank_allowed`, where
    empty keeps its older meaning of "no filter"), and whatever the serializer refuses."""
    serializer = serializer_class(data=request.query_params)
    taken = set(serializer.fields)
    ignored = framework_params()
    errors: dict[str, list[str]] = {}
    for name in request.query_params:
        shown = name[:_NAME_CHARS]
        values = request.query_params.getlist(name)
        if name in ignored:
            continue
        if name not in taken:
            errors[shown] = [
                f"{shown!r} is not a parameter of this endpoint: it takes "
                f"{', '.join(sorted(taken))}."
            ]
        elif len(values) > 1:
            errors[name] = [f"Give {name}= once, not {len(values)} times."]
        elif name not in blank_allowed and not values[0].strip():
            errors[name] = [f"{name}= is empty: give a value or leave {name} out."]
    if errors:
        raise ValidationError(errors)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
