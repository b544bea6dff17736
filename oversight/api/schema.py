"""The API's OpenAPI schema class (DESIGN §7: every operation declares its error responses).

`AutoSchema` is drf-spectacular's, set once as `DEFAULT_SCHEMA_CLASS`, adding by method the
error answers an operation can give, each with one of two bodies:

- `ErrorDetail` — `{"detail": "…"}`: 401 (no or a bad token), 403, 404, 409, and 400 for a
  request that cannot be read at all (malformed JSON);
- `ValidationError` — field name → messages (`non_field_errors` for the record as a whole,
  nested objects or lists for nested fields): 400.

An answer a view declares itself (with `extend_schema(responses=…)`) keeps its description;
one declared without a body gets the error body; one with its own body (the 409 of an edit
conflict) is widened to also allow `ErrorDetail` (the 409 of a locked record).

Operation ids are `<resource>_<action>` in one style (`staff_list`, `staff_retrieve`,
`supervisions_hold`, `metrics_caseloads_retrieve`); tags are the resource (the first path
part after `SCHEMA_PATH_PREFIX`).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import viewsets

_STANDARD_ACTIONS = {"list", "retrieve", "create", "update", "partial_update", "destroy"}
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}

ERROR_DETAIL = "ErrorDetail"
VALIDATION_ERROR = "ValidationError"

_SCHEMAS: dict[str, dict[str, Any]] = {
    ERROR_DETAIL: {
        "type": "object",
        "description": "An error about the request as a whole.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION_ERROR: {
        "type": "object",
        "description": (
            "Bad input: each field's name with its messages (`non_field_errors` for rules "
            "about the record as a whole; an object or a list of objects for nested fields), "
            "or `detail` when the request could not be read at all."
        ),
        "properties": {
            # A string about the request; the messages of a field named `detail` (not-held).
            "detail": {
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
            },
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {}},
                {"type": "object", "additionalProperties": {}},
                {"type": "string"},
            ]
        },
    },
}

_DESCRIPTIONS = {
    "400": "Bad input: field messages.",
    "401": "No token, or a bad, expired or revoked one (or no session).",
    "403": "You may see this but not do this (or a session request without its CSRF token).",
    "404": "No such record that you may see.",
    "409": "The record is locked, or was changed since you read it.",
}


class AutoSchema(openapi.AutoSchema):
    def get_tags(self) -> list[str]:
        tokens = self._tokenize_path()
        return tokens[:1] if tokens else ["root"]

    def get_operation_id(self) -> str:
        """`<resource>_<action>`: the viewset's action (`list`, `create`, `hold`…) after the
        resource, or for a plain view the path and the method's action (`…_retrieve`)."""
        action = getattr(self.view, "action", None)
        tokens = [token.replace("-", "_") for token in self._tokenize_path()] or ["root"]
        if isinstance(self.view, viewsets.ViewSetMixin) and action:
            if action in _STANDARD_ACTIONS:
                return "_".join([*tokens, action])
            return f"{tokens[0]}_{action}"
        return super().get_operation_id()

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        codes = set(self._error_codes(operation)) | {c for c in responses if c in _DESCRIPTIONS}
        for code in sorted(codes):
            body = VALIDATION_ERROR if code == "400" else ERROR_DETAIL
            self._add_error(responses, code, body)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    # --- which errors ------------------------------------------------------------------------

    def _error_codes(self, operation: dict[str, Any]) -> list[str]:
        query = any(p.get("in") == "query" for p in operation.get("parameters", []))
        in_path = "{" in self.path
        model_backed = hasattr(self.view, "get_queryset")  # a resource, not a plain view
        codes: list[str] = []
        security = operation.get("security")
        if security is None or {} not in security:
            codes.append("401")
        if self.method in _WRITES:
            if model_backed or "requestBody" in operation:
                codes.append("400")
            codes.append("403")  # refused, or a session write without its CSRF token
            if model_backed or in_path:
                codes.append("404")
        else:
            if query:
                codes.append("400")  # a filter or parameter it cannot take
            if in_path or query:
                codes.append("404")  # no such record; a page past the end; a hidden scope
        return codes

    # --- the bodies --------------------------------------------------------------------------

    def _error_ref(self, name: str) -> dict[str, str]:
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            schema=_SCHEMAS[name],
            object=f"oversight.api.schema.{name}",
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _add_error(self, responses: dict[str, Any], code: str, body: str) -> None:
        ref = self._error_ref(body)
        declared = responses.get(code)
        if declared is None:
            responses[code] = {
                "description": _DESCRIPTIONS[code],
                "content": {"application/json": {"schema": ref}},
            }
            return
        content = declared.setdefault("content", {})
        if not content:
            content["application/json"] = {"schema": ref}
            return
        if code == "409":
            # A view's own 409 body (an edit conflict) may also be a locked record's detail.
            for media in content.values():
                schema = media.get("schema")
                if schema and schema != ref:
                    media["schema"] = {"anyOf": [schema, self._error_ref(ERROR_DETAIL)]}
