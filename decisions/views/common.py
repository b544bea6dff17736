"""What the decisions pages share: showing a service's refusal against the form field it
names, and the people a task may be given to."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from decisions import rules
from oversight import pages
from oversight.models import Case, StaffMember

TASK_KEY = re.compile(r"^tasks\[(\d+)\]$")


def add_service_errors(
    form: forms.Form,
    error: ValidationError,
    *,
    task_forms: list[forms.Form] | None = None,
) -> None:
    """Show a service's refusal against the field it names: `tasks[i]` against the i-th task
    given to the service (`task_forms`, in the order they were given), anything unknown
    above the form."""
    if not hasattr(error, "error_dict"):
        pages.add_service_errors(form, error)
        return
    rest: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        match = TASK_KEY.match(field)
        if match and task_forms is not None and int(match.group(1)) < len(task_forms):
            task_forms[int(match.group(1))].add_error(None, messages)
        else:
            rest[field] = messages
    if rest:
        pages.add_service_errors(form, ValidationError(rest))


def task_owners(request: HttpRequest, case: Case) -> list[StaffMember]:
    """Who a task may be given to, for the choice list (the service checks the same rule)."""
    return list(rules.task_owners(case, request.user))


def form_error_list(*forms_with_ids: tuple[forms.Form, str]) -> list[dict[str, Any]]:
    """Every error of these forms for one error summary: (text, the id it links to). A form's
    own (non-field) errors link to `anchor`, the first box of that form."""
    listed: list[dict[str, Any]] = []
    for form, anchor in forms_with_ids:
        if not form.is_bound:
            continue
        for message in form.non_field_errors():
            listed.append({"text": message, "href": f"#{anchor}"})
        for field in form:
            for message in field.errors:
                listed.append({"text": message, "href": f"#{field.id_for_label}"})
    return listed
