"""Decisions page forms: recording and editing an MDR (with its tasks), a statutory follow-up,
an addendum, and the escalation forms.

Forms check only what a form can know (a date is a real date, a number is a number); the rules
stay in `decisions/services.py`, whose refusals the views show against these fields.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

from decisions.models import DecisionType, ThresholdLevel
from oversight.forms import govuk_style
from oversight.models import StaffMember
from oversight.text import FreeTextFormField

MAX_NEW_TASKS = 5
NEEDED_TO_SIGN = "Needed before the decision can be signed."


# --- the GOV.UK date input: day, month and year as three boxes ------------------------------


class DateParts(forms.MultiWidget):
    """Three text boxes named `<name>_day`, `<name>_month`, `<name>_year` (GOV.UK date input).
    Templates draw them with `decisions/includes/date_input.html` from the bound field's
    `parts`, so the markup is the Design System's, not Django's."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric"}
        super().__init__(
            {
                "day": forms.TextInput(numeric),
                "month": forms.TextInput(numeric),
                "year": forms.TextInput(numeric),
            },
            attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def id_for_label(self, id_: str) -> str:
        """The day box, so the error summary's link lands on the first of the three."""
        return f"{id_}_day" if id_ else ""


class DatePartsBoundField(BoundField):
    @property
    def parts(self) -> list[dict[str, Any]]:
        """Each box's label, name, id, typed value and width, for the template."""
        value = self.value()
        if isinstance(value, datetime.date):
            typed = [str(value.day), str(value.month), str(value.year)]
        elif isinstance(value, list | tuple):
            typed = [str(part) if part not in (None, "") else "" for part in value][:3]
            typed += [""] * (3 - len(typed))
        else:
            typed = ["", "", ""]
        return [
            {
                "label": label,
                "name": f"{self.html_name}_{suffix}",
                "id": f"{self.auto_id}_{suffix}",
                "value": typed[index],
                "width": 4 if suffix == "year" else 2,
            }
            for index, (suffix, label) in enumerate(
                (("day", "Day"), ("month", "Month"), ("year", "Year"))
            )
        ]


class DatePartsField(forms.MultiValueField):
    """A date typed as day, month and year, with the Design System's error messages."""

    widget = DateParts

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            fields=tuple(forms.CharField(required=False) for _ in range(3)),
            require_all_fields=False,
            **kwargs,
        )

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return DatePartsBoundField(form, self, field_name)

    def clean(self, value: Any) -> datetime.date | None:
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        parts = (parts + ["", "", ""])[:3]
        names = ("day", "month", "year")
        missing = [name for name, part in zip(names, parts, strict=True) if not part]
        label = self.label or "The date"
        if missing:
            raise ValidationError(f"{label} must include a {' and '.join(missing)}.")
        if not all(part.isdigit() for part in parts) or len(parts[2]) != 4:
            raise ValidationError(f"{label} must be a real date.")
        try:
            return datetime.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValidationError(f"{label} must be a real date.") from None

    def compress(self, data_list: list[Any]) -> Any:  # pragma: no cover (clean() does it)
        return data_list


# --- recording an MDR ------------------------------------------------------------------------


def level_choices(levels: list[ThresholdLevel]) -> list[tuple[str, str]]:
    return [("", "Not recorded")] + [(str(level.number), str(level)) for level in levels]


def _text(label: str, *, rows: int = 4, help_text: str = "", **kwargs: Any) -> FreeTextFormField:
    return FreeTextFormField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


class DecisionForm(forms.Form):
    """The MDR itself (DESIGN §4.4). `version` is the draft's version when the page was
    loaded, so a save made in between is a conflict rather than overwritten."""

    decision_type = forms.ChoiceField(
        label="Type of decision",
        choices=[("", "Choose the type of decision"), *DecisionType.choices],
        error_messages={"required": "Choose the type of decision."},
    )
    level_before = forms.ChoiceField(label="Threshold level before", required=False)
    level_after = forms.ChoiceField(label="Threshold level after", required=False)
    contact_received_on = DatePartsField(
        label="Contact or referral received on",
        required=False,
        help_text="For a contact outcome. For example, 27 3 2026.",
    )
    decision = FreeTextFormField(
        label="What is decided",
        max_length=500,
        help_text="In one sentence.",
        error_messages={"required": "Enter what is decided."},
    )
    facts = _text("Facts and reflection", rows=5)
    rationale = _text("Rationale", rows=5, help_text=NEEDED_TO_SIGN)
    child_voice = _text("The child's lived experience and voice", rows=5, help_text=NEEDED_TO_SIGN)
    risk_analysis = _text("Risk analysis and strengths")
    worries = _text("What are we worried about?", rows=3)
    working_well = _text("What's working well?", rows=3)
    needs_to_happen = _text("What needs to happen?", rows=3)
    scaling = forms.IntegerField(
        label="Scaling (0 to 10)",
        required=False,
        min_value=0,
        max_value=10,
        help_text="0: the child is not safe; 10: everyone is confident the child is safe.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Scaling must be a whole number from 0 to 10.",
            "min_value": "Scaling must be a whole number from 0 to 10.",
            "max_value": "Scaling must be a whole number from 0 to 10.",
        },
    )
    review_date = DatePartsField(label="Review date", required=False)
    no_tasks_reason = FreeTextFormField(
        label="Why there are no tasks",
        required=False,
        max_length=255,
        help_text="Only if this decision needs no tasks.",
    )
    close_open_tasks = forms.BooleanField(
        label="Close the case's other open tasks when this is signed (case closures only)",
        required=False,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, levels: list[ThresholdLevel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = level_choices(levels)
        self.fields["level_before"].choices = choices  # type: ignore[attr-defined]
        self.fields["level_after"].choices = choices  # type: ignore[attr-defined]
        govuk_style(self)
        for name in ("decision", "no_tasks_reason"):
            self.fields[name].widget.attrs["class"] += " govuk-input--width-full"
        self.fields["scaling"].widget.attrs["class"] += " govuk-input--width-2"

    def service_fields(self) -> dict[str, Any]:
        """What the service is given (levels by number, as the framework numbers them)."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in ("level_before", "level_after"):
            data[name] = int(data[name]) if data.get(name) else None
        return data

    @staticmethod
    def initial_from(decision: Any) -> dict[str, Any]:
        return {
            "decision_type": decision.decision_type,
            "level_before": decision.level_before.number if decision.level_before else "",
            "level_after": decision.level_after.number if decision.level_after else "",
            "contact_received_on": decision.contact_received_on,
            "decision": decision.decision,
            "facts": decision.facts,
            "rationale": decision.rationale,
            "child_voice": decision.child_voice,
            "risk_analysis": decision.risk_analysis,
            "worries": decision.worries,
            "working_well": decision.working_well,
            "needs_to_happen": decision.needs_to_happen,
            "scaling": decision.scaling,
            "review_date": decision.review_date,
            "no_tasks_reason": decision.no_tasks_reason,
            "close_open_tasks": decision.close_open_tasks,
            "version": decision.version,
        }


class TaskForm(forms.Form):
    """One task: what, who, and by when (a date, or a number of working days)."""

    description = FreeTextFormField(label="Task", required=False, max_length=1000)
    owner = forms.ChoiceField(label="Who will do it", required=False)
    due_date = DatePartsField(label="Due date", required=False)
    due_in_working_days = forms.IntegerField(
        label="Or due in this many working days",
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Give the number of working days as a whole number.",
            "min_value": "The number of working days cannot be negative.",
        },
    )

    def __init__(self, *args: Any, owners: list[StaffMember], **kwargs: Any) -> None:
        self.owners = {str(owner.pk): owner for owner in owners}
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", "Choose who will do it"),
            *((pk, owner.full_name) for pk, owner in self.owners.items()),
        ]
        govuk_style(self)
        self.fields["description"].widget.attrs["class"] += " govuk-input--width-full"
        self.fields["due_in_working_days"].widget.attrs["class"] += " govuk-input--width-3"

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (
            (data.get("description") or "").strip()
            or data.get("owner")
            or data.get("due_date")
            or data.get("due_in_working_days") is not None
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        described = (cleaned.get("description") or "").strip()
        if not described and not self.is_blank():
            self.add_error("description", "Describe the task, or clear its other boxes.")
        if described and not cleaned.get("owner"):
            self.add_error("owner", "Choose who will do the task.")
        cleaned["owner_member"] = self.owners.get(cleaned.get("owner") or "")
        return cleaned


class BaseTaskFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, owners: list[StaffMember], **kwargs: Any) -> None:
        self.owners = owners
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"owners": self.owners}

    @property
    def empty_form(self) -> forms.Form:  # pragma: no cover (no script adds rows)
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            owners=self.owners,
        )

    def filled(self) -> list[tuple[int, TaskForm]]:
        """The task forms with something typed in, by their position on the page."""
        return [
            (index, form)  # type: ignore[misc]
            for index, form in enumerate(self.forms)
            if hasattr(form, "cleaned_data") and not form.is_blank()  # type: ignore[attr-defined]
        ]


TaskFormSet = cast(
    type[BaseTaskFormSet],
    forms.formset_factory(
        TaskForm, formset=BaseTaskFormSet, extra=MAX_NEW_TASKS, max_num=MAX_NEW_TASKS
    ),
)


# --- forms on the MDR's page -----------------------------------------------------------------


class ClockMetForm(forms.Form):
    met_on = DatePartsField(
        label="Date it happened", error_messages={"required": "Enter the date it happened."}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_style(self)


class AddendumForm(forms.Form):
    text = FreeTextFormField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the addendum."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_style(self)


# --- escalations -----------------------------------------------------------------------------


class EscalationForm(forms.Form):
    concern = FreeTextFormField(
        label="What is the disagreement about?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what the disagreement is about."},
    )
    partner_agency = forms.CharField(
        label="Partner agency (optional)",
        required=False,
        max_length=120,
        help_text="If you are recording the disagreement on behalf of another agency.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        govuk_style(self)


class EscalationRespondForm(forms.Form):
    response = FreeTextFormField(
        label="Response",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the response."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "respond")
        super().__init__(*args, **kwargs)
        govuk_style(self)


class EscalationEscalateForm(forms.Form):
    concern = FreeTextFormField(
        label="Why the disagreement is not resolved (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "escalate")
        super().__init__(*args, **kwargs)
        govuk_style(self)


class EscalationResolveForm(forms.Form):
    outcome = FreeTextFormField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Record the outcome."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "resolve")
        super().__init__(*args, **kwargs)
        govuk_style(self)
