"""Reading a write's body strictly (DESIGN §6, §7), for every app's API: a field the write
does not take answers 400 naming it (mass assignment is refused, not silently ignored), and
the record a write is for is found — or answered 404 — before any other field is judged."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from oversight import access
from oversight.refusals import StateConflict

SERVER_SET_MESSAGE = "This field is set by the server and cannot be given."


def refuse_fields_not_taken(
    request: Request,
    allowed: Collection[str],
    *,
    message: str | None = None,
    server_set: Collection[str] = (),
) -> None:
    """Refuse with 400 each field of the body that is not in `allowed`, under its name.

    A field in `server_set` is told it is set by the server; any other gets `message`, or by
    default one naming the fields the write takes. A body that is not an object is left to
    the write's input serializer to refuse."""
    if not isinstance(request.data, Mapping):
        return
    errors: dict[str, list[str]] = {}
    for name in sorted(set(request.data) - set(allowed)):
        if name in server_set:
            errors[name] = [SERVER_SET_MESSAGE]
        elif message is not None:
            errors[name] = [message]
        else:
            errors[name] = [
                f"Not a field this request takes: it takes {', '.join(sorted(allowed))}."
            ]
    if errors:
        raise exceptions.ValidationError(errors)


def validated_with_target(
    serializer: Any, target_field: str, model: type[Model], request: Request
) -> tuple[Any, dict[str, Any]]:
    """Validate a write's body, finding first the record it is for (`target_field`, a primary
    key of `model`: the person, session, case or decision): one the user cannot see answers
    404 — before any other field is judged, so nothing about it leaks through a 400 — and
    only then do the other fields' errors answer 400.

    Returns the target (None when the body leaves it out) and the validated data, which
    still holds `target_field`."""
    serializer.is_valid()
    errors = dict(serializer.errors)
    target = None
    body = serializer.initial_data
    if isinstance(body, Mapping) and target_field in body and target_field not in errors:
        pk = serializer.fields[target_field].to_internal_value(body[target_field])
        target = access.get_for_user(request.user, model, pk)
    if errors:
        raise exceptions.ValidationError(errors)
    return target, dict(serializer.validated_data)


class StateConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This record cannot be changed in its present state."
    default_code = "conflict"


class ServiceRefusals:
    """For a viewset whose writes call services: a service's `PermissionDenied` keeps its
    message (403), and a `StateConflict` (locked, answered already) is a 409 with its message
    and code, not the 400 of the other validation errors it is a kind of."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, StateConflict):
            exc = StateConflictError(detail=exc.messages[0], code=exc.code)
        elif isinstance(exc, DjangoPermissionDenied) and str(exc):
            exc = exceptions.PermissionDenied(detail=str(exc))
        return super().handle_exception(exc)  # type: ignore[misc]
