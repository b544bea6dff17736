"""Supervision page forms: the quick informal-discussion form and arranging cover.

Forms check only what a form can know (shapes of dates, a description for every action
started); the rules themselves stay in `supervision/services.py`, whose refusals the views
show against these fields.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from oversight.forms import DateInput, govuk_style
from oversight.models import Case, StaffMember
from oversight.text import FreeTextFormField
from supervision.models import Channel

MAX_ACTIONS = 3


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class Radios(forms.RadioSelect):
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        """The first radio, so the error summary's link lands on the question (GOV.UK)."""
        return super().id_for_label(id_, "0" if index is None else index)


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Case) -> str:  # type: ignore[override]
        return f"{obj.reference} ({obj.label})"


class InformalDiscussionForm(forms.Form):
    """One short form: when, how, which case, what was advised, and up to three actions."""

    happened_on = forms.DateField(label="Date", widget=DateInput())
    happened_time = forms.TimeField(label="Time", widget=TimeInput())
    channel = forms.ChoiceField(
        label="How did the discussion happen?", choices=Channel.choices, widget=Radios
    )
    case = CaseChoiceField(
        label="Case (optional)",
        queryset=Case.objects.none(),
        required=False,
        empty_label="No particular case",
    )
    advice = FreeTextFormField(
        label="What was advised or decided",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what was advised or decided."},
    )

    def __init__(
        self,
        *args: Any,
        cases: QuerySet[Case],
        owners: list[StaffMember],
        **kwargs: Any,
    ) -> None:
        self.owners = {str(owner.pk): owner for owner in owners}
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        for number in range(1, MAX_ACTIONS + 1):
            self.fields[f"action_{number}_description"] = FreeTextFormField(
                label="What needs to be done", required=False, max_length=1000
            )
            self.fields[f"action_{number}_owner"] = forms.ChoiceField(
                label="Who will do it",
                choices=[(pk, owner.full_name) for pk, owner in self.owners.items()],
                required=False,
            )
            self.fields[f"action_{number}_due_date"] = forms.DateField(
                label="By when (optional)", required=False, widget=DateInput()
            )
        govuk_style(self)

    def action_rows(self) -> list[dict[str, Any]]:
        """The bound fields of each action, for the template."""
        return [
            {
                "number": number,
                "description": self[f"action_{number}_description"],
                "owner": self[f"action_{number}_owner"],
                "due_date": self[f"action_{number}_due_date"],
            }
            for number in range(1, MAX_ACTIONS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("happened_on"), cleaned.get("happened_time")
        if day is not None and time is not None:
            cleaned["happened_at"] = timezone.make_aware(datetime.datetime.combine(day, time))
        actions = []
        for number in range(1, MAX_ACTIONS + 1):
            description = (cleaned.get(f"action_{number}_description") or "").strip()
            due_date = cleaned.get(f"action_{number}_due_date")
            owner = self.owners.get(cleaned.get(f"action_{number}_owner") or "")
            if not description:
                if due_date is not None:
                    self.add_error(
                        f"action_{number}_description",
                        f"Describe action {number}, or clear its date.",
                    )
                continue
            actions.append({"description": description, "owner": owner, "due_date": due_date})
        cleaned["actions"] = actions
        return cleaned


class CoverForm(forms.Form):
    covering_manager = forms.ModelChoiceField(
        label="Who will cover",
        queryset=StaffMember.objects.none(),
        empty_label="Choose a manager",
        error_messages={"required": "Choose who will cover."},
    )
    start_date = forms.DateField(
        label="First day of cover",
        widget=DateInput(),
        error_messages={"required": "Enter the first day of cover."},
    )
    end_date = forms.DateField(
        label="Last day of cover",
        widget=DateInput(),
        error_messages={"required": "Enter the last day of cover."},
    )

    def __init__(self, *args: Any, managers: QuerySet[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["covering_manager"].queryset = managers  # type: ignore[attr-defined]
        self.fields["covering_manager"].label_from_instance = (  # type: ignore[attr-defined]
            lambda member: f"{member.full_name} ({member.get_role_display()})"
        )
        govuk_style(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day of cover must be on or after the first.")
        return cleaned
