"""Readable history of a record: who changed which fields from what to what, and when.

Restricted fields (health data, confidential notes) are masked for readers who may not see
them, in every version and every diff, so an old value cannot leak through the history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Field, Model
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

from oversight import access
from oversight.access import UserLike

HIDDEN = "(hidden)"
OUTSIDE_VIEW = "(outside your view)"
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


class _RelatedNames:
    """Names of the records a version pointed at (a supervisor, a team), looked up once each
    and, for a known reader, only if that reader may see them: a diff must not name someone
    the reader's pages would not."""

    def __init__(self, reader: UserLike | None) -> None:
        self.reader = reader
        self._names: dict[tuple[type[Model], Any], str] = {}

    def name(self, model: type[Model], pk: Any) -> str:
        key = (model, pk)
        if key not in self._names:
            self._names[key] = self._look_up(model, pk)
        return self._names[key]

    def _look_up(self, model: type[Model], pk: Any) -> str:
        everyone = model._default_manager.filter(pk=pk)
        scoped = None
        if self.reader is not None:
            try:
                scoped = access.visible_to(self.reader, everyone)
            except LookupError:
                scoped = None  # not a scoped record (e.g. a login): named as it is
        found = (scoped if scoped is not None else everyone).first()
        if found is not None:
            return str(found)
        if scoped is not None and everyone.exists():
            return OUTSIDE_VIEW
        return f"#{pk}"


def _display(field: Field[Any, Any], value: Any, related: _RelatedNames) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and isinstance(field.related_model, type):
        return related.name(field.related_model, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return value.strftime("%d %b %Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d %b %Y")
    return str(value)


def save_with_history(
    obj: Model, *, actor: UserLike | None, reason: str | None, default_reason: str
) -> None:
    """Save `obj` with the acting user and a reason on its history row: every app's services
    write tracked records through this, so no history row lacks its author.

    Web requests also name the user through HistoryRequestMiddleware; management commands and
    tasks have no request, so the actor is named explicitly. The reason is the caller's (given,
    or already set on the object, e.g. by an import), else the service's own. Both are cleared
    after saving so a later save of the same instance cannot inherit them.
    """
    if actor is not None and actor.is_authenticated:
        obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = (  # type: ignore[attr-defined]
        reason or getattr(obj, "_change_reason", None) or default_reason
    )
    try:
        obj.save()
    finally:
        for attribute in ("_history_user", "_change_reason"):
            obj.__dict__.pop(attribute, None)



def _current_reader() -> UserLike | None:
    """The signed-in user of the web request being answered (HistoryRequestMiddleware keeps
    it), so a History page masks for its reader even if the view forgets to say who that is."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _who(record: Any) -> str:
    user = record.history_user
    if user is None:
        return "System"
    staff = getattr(user, "staff_member", None)
    return staff.full_name if staff is not None else user.get_username()


def history_for(
    obj: Model, hidden_fields: frozenset[str], *, reader: UserLike | None = None
) -> list[HistoryEntry]:
    """Every version of `obj`, newest first, with the fields that changed in each.

    Fields in `hidden_fields` show as "(hidden)" in every version, old and new alike. Records
    the reader may not see (a supervisor in another service) are not named; the reader is
    `reader`, or else the signed-in user of the current web request.
    """
    model = type(obj)
    related = _RelatedNames(reader if reader is not None else _current_reader())
    records = list(
        obj.history.select_related("history_user", "history_user__staff_member").order_by(  # type: ignore[attr-defined]
            "history_date", "history_id"
        )
    )
    tracked = [f for f in model._meta.concrete_fields if f.name not in _SKIPPED_FIELDS]
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        changes: list[FieldChange] = []
        for field in tracked:
            new_value = getattr(record, field.attname)
            old_value = getattr(previous, field.attname) if previous is not None else None
            if previous is not None and new_value == old_value:
                continue
            if previous is None and new_value in (None, ""):
                continue
            label = str(capfirst(field.verbose_name))
            if field.name in hidden_fields:
                changes.append(FieldChange(label, HIDDEN if previous is not None else "—", HIDDEN))
            else:
                changes.append(
                    FieldChange(
                        label,
                        _display(field, old_value, related) if previous is not None else "—",
                        _display(field, new_value, related),
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
