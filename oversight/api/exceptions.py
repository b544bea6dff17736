"""API errors: a service's ValidationError answers 400 with field messages, never 500; a body
over the size limit answers 413, never Django's HTML page."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from oversight.api.parsers import too_large


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # Same shape as the serializers' own errors: field names, and "non_field_errors"
        # (not Django's "__all__") for rules about the record as a whole.
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        exc = ValidationError(detail=detail)
    elif isinstance(exc, RequestDataTooBig):
        # Raised by Django's own multipart parser; JSON and forms are limited in parsers.py.
        exc = too_large()
    return drf_exception_handler(exc, context)
