"""The API's request-body parsers: a body over Django's size limit answers 413, and JSON nested
too deeply to decode answers 400 — both as `{"detail": ...}`, never a 500 or an HTML page.

DRF reads the request stream itself, so Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (checked only
when `request.body` or `request.POST` is read) does not apply on its own: it is enforced here,
on the declared `Content-Length` and on the bytes actually read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.http import QueryDict
from rest_framework import exceptions, parsers, status
from rest_framework.parsers import get_encoding  # type: ignore[attr-defined]  # not in the stubs yet
from rest_framework.utils.json import strict_constant


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def body_limit() -> int | None:
    """Django's request size limit in bytes (None: no limit)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large() -> RequestTooLarge:
    limit = body_limit()
    if limit is None:
        return RequestTooLarge()
    return RequestTooLarge(f"The request body is larger than the limit of {limit:,} bytes.")


def read_body(stream: IO[bytes] | None, parser_context: Mapping[str, Any] | None) -> bytes:
    """The whole body, refusing (413) one over the limit before reading it if it says so, and
    after reading one byte more than the limit if it does not."""
    if stream is None:
        return b""
    limit = body_limit()
    if limit is None:
        return stream.read()
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {})
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        declared = 0
    if declared > limit:
        raise too_large()
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise too_large()
    return body


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, within the size limit, answering 400 for JSON nested so deeply that
    Python's decoder gives up (it would otherwise raise RecursionError: a 500)."""

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = get_encoding(dict(parser_context or {}))
        body = read_body(stream, parser_context)
        try:
            text = body.decode(encoding)
            parse_constant = strict_constant if self.strict else None
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError as error:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from error
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from error


class FormParser(parsers.FormParser):
    """DRF's form parser (for the browsable API), within the same size limit."""

    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:  # an immutable QueryDict
        encoding = get_encoding(dict(parser_context or {}))
        return QueryDict(read_body(stream, parser_context), encoding=encoding)
