"""Forms of the live session page that are not autosaved: adding a case discussion or an
action, reviewing a carried-forward action, holding, not holding, signing, addenda.

They only parse what was typed; the rules (who may, what is allowed when) are the services'.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from oversight.forms import DateInput, GovukFormMixin
from oversight.models import Case, StaffMember
from oversight.text import FreeTextFormField
from supervision.models import NotHeldReason, ReviewOutcome


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} ({obj.label}) – {obj.get_case_type_display()}"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class _ScopedChoicesForm(GovukFormMixin, forms.Form):
    """A form whose choices depend on the record and the user. GovukFormMixin validates while
    it styles the widgets, before the choices are narrowed: validate again afterwards."""

    def _rescoped(self) -> None:
        if not self.is_bound:
            return
        self._errors = None
        for name, field in self.fields.items():
            widget = field.widget
            classes = [
                c for c in widget.attrs.get("class", "").split() if not c.endswith("--error")
            ]
            if name in self.errors:
                classes.append(f"{classes[0]}--error" if classes else "govuk-input--error")
                widget.attrs["aria-describedby"] = f"{name}-error"
            else:
                widget.attrs.pop("aria-describedby", None)
            widget.attrs["class"] = " ".join(classes)


class CaseDiscussionAddForm(_ScopedChoicesForm):
    case = CaseChoiceField(
        queryset=Case.objects.none(),
        label="Case to discuss",
        empty_label="Choose a case",
        error_messages={
            "required": "Choose a case from the supervisee's open caseload.",
            "invalid_choice": "Choose a case from the supervisee's open caseload.",
        },
    )

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = cases
        self._rescoped()


class ActionAddForm(_ScopedChoicesForm):
    description = FreeTextFormField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the action."},
    )
    owner = StaffChoiceField(
        queryset=StaffMember.objects.none(),
        label="Who will do it",
        empty_label=None,
        error_messages={"invalid_choice": "Choose who will do the action."},
    )
    due_date = forms.DateField(
        label="Due by",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter the due date as a real date, like 27 3 2026."},
    )

    case_discussion = forms.TypedChoiceField(
        label="About a case discussed (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the cases discussed in this session."},
    )

    def __init__(self, *args: Any, owners: Any, discussions: Any, **kwargs: Any) -> None:
        self.discussions = {discussion.pk: discussion for discussion in discussions}
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        cast(forms.ChoiceField, self.fields["case_discussion"]).choices = [
            ("", "Not about one case")
        ] + [(pk, f"{d.case.reference} ({d.case.label})") for pk, d in self.discussions.items()]
        self._rescoped()

    def linked_discussion(self) -> Any:
        return self.discussions.get(self.cleaned_data.get("case_discussion"))


class ActionReviewForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        label="Outcome",
        error_messages={"required": "Choose done, carried forward or cancelled."},
    )
    note = FreeTextFormField(label="Note", required=False, max_length=255)
    new_due_date = forms.DateField(
        label="New due date",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter the new due date as a real date."},
    )


class HoldForm(GovukFormMixin, forms.Form):
    held_on = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date of the session.",
            "invalid": "Enter the date of the session as a real date.",
        },
    )
    start_time = forms.TimeField(
        label="Started at",
        widget=TimeInput(),
        error_messages={
            "required": "Enter when the session started.",
            "invalid": "Enter the start time like 09:30.",
        },
    )
    end_time = forms.TimeField(
        label="Ended at",
        widget=TimeInput(),
        error_messages={
            "required": "Enter when the session ended.",
            "invalid": "Enter the end time like 11:00.",
        },
    )

    def started_at(self) -> datetime.datetime:
        return _aware(self.cleaned_data["held_on"], self.cleaned_data["start_time"])

    def ended_at(self) -> datetime.datetime:
        return _aware(self.cleaned_data["held_on"], self.cleaned_data["end_time"])


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


class NotHeldForm(GovukFormMixin, forms.Form):
    not_held_reason = forms.ChoiceField(
        choices=NotHeldReason.choices,
        widget=forms.RadioSelect,
        label="Why was the session not held?",
        error_messages={"required": "Choose why the session was not held."},
    )
    not_held_detail = FreeTextFormField(
        label="Details",
        required=False,
        max_length=255,
        help_text="Required if the reason is “Other”.",
    )


class SignForm(GovukFormMixin, forms.Form):
    supervisee_comment = FreeTextFormField(
        label="Your comment (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    supervisee_disagrees = forms.BooleanField(
        label="I disagree with part of this record", required=False
    )


class AddendumForm(GovukFormMixin, forms.Form):
    text = FreeTextFormField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the addendum."},
    )
