"""A rule broken inside a service answers 400 in the serializers' own shape."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError

from oversight.api.exceptions import exception_handler


def test_a_field_error_from_a_service_names_the_field():
    response = exception_handler(DjangoValidationError({"start_date": "Overlaps."}), {})
    assert response is not None
    assert response.status_code == 400
    assert response.data == {"start_date": ["Overlaps."]}


def test_a_whole_record_error_from_a_service_is_a_non_field_error():
    response = exception_handler(DjangoValidationError({NON_FIELD_ERRORS: ["Clash."]}), {})
    assert response is not None
    assert response.data == {"non_field_errors": ["Clash."]}


def test_a_plain_message_from_a_service_is_a_non_field_error():
    response = exception_handler(DjangoValidationError("Not allowed."), {})
    assert response is not None
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Not allowed."]}


def test_other_exceptions_are_left_to_django():
    assert exception_handler(RuntimeError("boom"), {}) is None
