"""Page forms. GOV.UK classes are added here so templates stay plain."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from oversight.models import Absence, AbsenceType, Role
from oversight.text import FreeTextFormField

_WIDGET_CLASSES: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.Select, "govuk-select"),
    (forms.Textarea, "govuk-textarea"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
)


def govuk_style(form: forms.BaseForm, *, with_errors: bool = True) -> None:
    """GOV.UK Frontend classes on every widget, with error variants once the form has been
    validated (reading `form.errors` validates, so callers whose choices depend on the
    request style again after setting them)."""
    for name, field in form.fields.items():
        widget = field.widget
        base = next(
            (css for kind, css in _WIDGET_CLASSES if isinstance(widget, kind)), "govuk-input"
        )
        classes = [base]
        if with_errors and form.is_bound and name in form.errors:
            classes.append(f"{base}--error")
            widget.attrs["aria-describedby"] = f"{name}-error"
        if isinstance(widget, forms.DateInput):
            classes.append("govuk-input--width-10")
        elif isinstance(widget, forms.TimeInput):
            classes.append("govuk-input--width-5")
        widget.attrs["class"] = " ".join(classes)


class GovukFormMixin:
    """Adds GOV.UK Frontend classes to every widget, and their error variants when the form
    is validated — not before, so subclasses may still narrow their choices in __init__."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        govuk_style(self, with_errors=False)  # type: ignore[arg-type]

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        govuk_style(self)  # type: ignore[arg-type]


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
        field_classes = {"notes": FreeTextFormField}
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


class RoleChangeForm(GovukFormMixin, forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="New role")


class EmailNotificationsForm(GovukFormMixin, forms.Form):
    email_notifications = forms.BooleanField(
        required=False,
        label="E-mail me a copy of each notification",
        help_text="Notifications still appear in Oversight when this is off.",
    )


class SignInForm(AuthenticationForm):
    """Sign-in in the Design System's words: each empty box named, and one message for a
    wrong username or password (which never says which of the two was wrong)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account cannot sign in. Ask business support for help",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
