"""Readable history of a record: who changed which fields from what to what, and when.

Restricted fields (health data, confidential notes) are masked for readers who may not see
them, in every version and every diff, so an old value cannot leak through the history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

HIDDEN = "(hidden)"
_SKIPPED_FIELDS = {"created_at", "updated_at", "id"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    who: str
    action: str
    reason: str
    changes: list[FieldChange]


_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(model: type[Model], field_name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    field = model._meta.get_field(field_name)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))  # type: ignore[attr-defined]
    if field.is_relation and field.related_model is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return value.strftime("%d %b %Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d %b %Y")
    return str(value)


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return "System"
    staff = getattr(user, "staff_member", None)
    return staff.full_name if staff is not None else user.get_username()


def history_for(obj: Model, hidden_fields: frozenset[str]) -> list[HistoryEntry]:
    """Every version of `obj`, newest first, with the fields that changed in each."""
    model = type(obj)
    records = list(
        obj.history.select_related("history_user", "history_user__staff_member")  # type: ignore[attr-defined]
        .order_by("history_date", "history_id")
    )
    tracked = [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in _SKIPPED_FIELDS
    ]
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes: list[FieldChange] = []
        for name in tracked:
            attname = model._meta.get_field(name).attname
            new_value = getattr(record, attname)
            old_value = getattr(previous, attname) if previous is not None else None
            if previous is not None and new_value == old_value:
                continue
            if previous is None and new_value in (None, ""):
                continue
            label = str(model._meta.get_field(name).verbose_name).capitalize()
            if name in hidden_fields:
                changes.append(FieldChange(label, HIDDEN if previous else "—", HIDDEN))
            else:
                changes.append(
                    FieldChange(
                        label,
                        _display(model, name, old_value) if previous is not None else "—",
                        _display(model, name, new_value),
                    )
                )
        entries.append(
            HistoryEntry(
                at=record.history_date,
                who=_who(record),
                action=_ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous = record
    entries.reverse()
    return entries
