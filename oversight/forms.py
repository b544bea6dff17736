"""Page forms. GOV.UK classes are added here so templates stay plain."""

from __future__ import annotations

from typing import Any

from django import forms

from oversight.models import Absence, AbsenceType


class GovukFormMixin:
    """Adds GOV.UK Frontend classes to every widget, with error variants when bound."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            widget = field.widget
            base = {
                forms.Select: "govuk-select",
                forms.Textarea: "govuk-textarea",
                forms.CheckboxInput: "govuk-checkboxes__input",
                forms.RadioSelect: "govuk-radios__input",
            }.get(type(widget), "govuk-input")
            classes = [base]
            if self.is_bound and name in self.errors:  # type: ignore[attr-defined]
                classes.append(f"{base}--error")
                widget.attrs["aria-describedby"] = f"{name}-error"
            if isinstance(widget, forms.DateInput):
                classes.append("govuk-input--width-10")
            widget.attrs["class"] = " ".join(classes)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AbsenceForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["absence_type", "start_date", "end_date", "notes"]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"absence_type": "Type of absence"}
        help_texts = {
            "end_date": "Leave empty if the return date is not known.",
            "notes": "Only the person, their managers and business support can read these.",
        }

    absence_type = forms.ChoiceField(choices=AbsenceType.choices, label="Type of absence")


class AbsenceEndForm(GovukFormMixin, forms.Form):
    end_date = forms.DateField(label="Last day of absence", widget=DateInput())


class StaffFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(label="Name or employee number", required=False)


class CaseFilterForm(GovukFormMixin, forms.Form):
    q = forms.CharField(label="Reference or initials", required=False)
    include_closed = forms.BooleanField(label="Include closed cases", required=False)
