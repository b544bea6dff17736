"""Forms for extra supervision on request: the worker's request, and the manager's answer.

They only parse what was typed; who may ask or answer, and what is allowed, are the rules of
`supervision/services.py`, whose refusals the views show against these fields.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from oversight.forms import DateInput, govuk_style
from oversight.models import Case
from oversight.text import FreeTextFormField
from supervision.forms import CaseChoiceField, Radios, TimeInput
from supervision.models import RequestReason
from supervision.services import REQUEST_NOTE_CHARS


class SupervisionRequestForm(forms.Form):
    reason = forms.ChoiceField(
        label="What would you like extra supervision for?",
        choices=RequestReason.choices,
        widget=Radios,
        error_messages={"required": "Choose why you would like extra supervision."},
    )
    case = CaseChoiceField(
        label="Case (optional)",
        queryset=Case.objects.none(),
        required=False,
        empty_label="No particular case",
    )
    note = FreeTextFormField(
        label="Anything your manager should know beforehand (optional)",
        required=False,
        max_length=REQUEST_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        govuk_style(self)


class RequestAcceptForm(forms.Form):
    scheduled_on = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={"required": "Enter the date of the extra supervision."},
    )
    scheduled_time = forms.TimeField(
        label="Time",
        widget=TimeInput(),
        error_messages={"required": "Enter the time of the extra supervision."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("scheduled_on"), cleaned.get("scheduled_time")
        if day is not None and time is not None:
            cleaned["scheduled_for"] = timezone.make_aware(datetime.datetime.combine(day, time))
        return cleaned


class RequestDeclineForm(forms.Form):
    reason = FreeTextFormField(
        label="Why (the worker will see this)",
        max_length=REQUEST_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why, so the worker knows."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_style(self)
