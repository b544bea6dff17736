"""Writes that carry the organisation's rules. Views, API and commands call these."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from oversight.models import (
    Absence,
    AccessLogEntry,
    StaffMember,
    absence_type_excuses,
)
from oversight.records import kind_for_model

UserLike = AbstractBaseUser | AnonymousUser


# What a person may change on an absence; the person it is about and whether it excuses
# supervision are set by the service, never by a request.
ABSENCE_EDITABLE_FIELDS = frozenset({"absence_type", "start_date", "end_date", "notes"})
# What may be changed on a staff record through `staff_update` (the login is linked elsewhere).
STAFF_EDITABLE_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "employee_number",
        "email",
        "role",
        "employment_type",
        "team",
        "supervisor",
        "start_date",
        "asye_start_date",
        "fte",
        "leaving_date",
    }
)


def _long_date(day: datetime.date) -> str:
    return f"{day:%d %B %Y}"


def _save_with_history(
    obj: Any, *, actor: UserLike | None, reason: str | None, default_reason: str
) -> None:
    """Save `obj` with the acting user and a reason on its history row.

    Web requests also name the user through HistoryRequestMiddleware; management commands and
    tasks have no request, so the actor is named explicitly. The reason is the caller's (given,
    or already set on the object, e.g. by an import), else the service's own. Both are cleared
    after saving so a later save of the same instance cannot inherit them.
    """
    if actor is not None and actor.is_authenticated:
        obj._history_user = actor
    obj._change_reason = reason or getattr(obj, "_change_reason", None) or default_reason
    try:
        obj.save()
    finally:
        for attribute in ("_history_user", "_change_reason"):
            obj.__dict__.pop(attribute, None)


def _refuse_unknown_fields(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValueError(f"These fields cannot be changed here: {', '.join(unknown)}")


def _check_no_overlap(
    *,
    staff: StaffMember,
    start_date: datetime.date,
    end_date: datetime.date | None,
    exclude_pk: int | None = None,
) -> None:
    overlapping = Absence.objects.filter(staff=staff).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    )
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    clash = overlapping.order_by("start_date").first()
    if clash is not None:
        # The clash is named by its dates only: its type is health data.
        if clash.end_date is None:
            existing = f"an open-ended absence from {_long_date(clash.start_date)}"
        else:
            existing = (
                f"an absence from {_long_date(clash.start_date)} to {_long_date(clash.end_date)}"
            )
        raise ValidationError(
            {"start_date": f"{staff.full_name} already has {existing}; absences cannot overlap."}
        )


def _lock_staff(staff: StaffMember) -> None:
    # Serialise absence writes per person so two overlapping absences cannot slip in together.
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()


@transaction.atomic
def absence_record(
    *,
    staff: StaffMember,
    absence_type: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    notes: str = "",
    actor: UserLike | None,
    reason: str | None = None,
) -> Absence:
    """Record an absence. Whether it excuses supervision follows its type (annual leave does
    not); a person's absences may not overlap, an open-ended one included."""
    _lock_staff(staff)
    absence = Absence(
        staff=staff,
        absence_type=absence_type,
        start_date=start_date,
        end_date=end_date,
        notes=notes,
        excuses_supervision=absence_type_excuses(absence_type),
    )
    absence.full_clean()
    _check_no_overlap(staff=staff, start_date=start_date, end_date=end_date)
    _save_with_history(absence, actor=actor, reason=reason, default_reason="Absence recorded")
    return absence


@transaction.atomic
def absence_update(
    *,
    absence: Absence,
    actor: UserLike | None,
    reason: str | None = None,
    **changes: Any,
) -> Absence:
    """Change an absence's dates, type or notes, keeping the no-overlap rule. Whether it
    excuses supervision follows a changed type; the person it is about never changes."""
    _refuse_unknown_fields(changes, ABSENCE_EDITABLE_FIELDS)
    _lock_staff(absence.staff)
    for name, value in changes.items():
        setattr(absence, name, value)
    if "absence_type" in changes:
        absence.excuses_supervision = absence_type_excuses(absence.absence_type)
    absence.full_clean()
    _check_no_overlap(
        staff=absence.staff,
        start_date=absence.start_date,
        end_date=absence.end_date,
        exclude_pk=absence.pk,
    )
    _save_with_history(absence, actor=actor, reason=reason, default_reason="Absence changed")
    return absence


@transaction.atomic
def absence_end(*, absence: Absence, end_date: datetime.date, actor: UserLike | None) -> Absence:
    """End an open absence (the person is back): `end_date` is the last day of absence."""
    if absence.end_date is not None:
        raise ValidationError(
            {
                "end_date": (
                    f"This absence has already ended, on {_long_date(absence.end_date)}. "
                    "Change the absence to correct its dates."
                )
            }
        )
    if end_date < absence.start_date:
        raise ValidationError(
            {
                "end_date": f"The last day of absence must be on or after "
                f"{_long_date(absence.start_date)}, when it started."
            }
        )
    return absence_update(absence=absence, actor=actor, reason="Absence ended", end_date=end_date)


@transaction.atomic
def staff_update(
    *, staff: StaffMember, actor: UserLike | None, reason: str | None = None, **changes: Any
) -> StaffMember:
    """Change a staff record (business support keep these). The model's rules apply: a
    supervisor is a team manager or above, an ASYE worker has an ASYE start date."""
    _refuse_unknown_fields(changes, STAFF_EDITABLE_FIELDS)
    for name, value in changes.items():
        setattr(staff, name, value)
    staff.full_clean()
    _save_with_history(staff, actor=actor, reason=reason, default_reason="Staff record changed")
    return staff


@transaction.atomic
def staff_deactivate(
    *, staff: StaffMember, leaving_date: datetime.date, actor: UserLike | None
) -> StaffMember:
    """A leaver keeps their record and login (so history keeps its authors); sign-in stops."""
    staff.leaving_date = leaving_date
    staff.full_clean()
    _save_with_history(
        staff, actor=actor, reason=None, default_reason=f"Leaving on {_long_date(leaving_date)}"
    )
    if staff.user is not None and staff.user.is_active:
        staff.user.is_active = False
        staff.user.save(update_fields=["is_active"])
    return staff


def access_log_record(
    *,
    user: UserLike,
    action: str,
    obj: Any,
    via: str = "web",
    description: str = "",
) -> AccessLogEntry | None:
    """Write who viewed or exported which record. Records of unregistered kinds are skipped."""
    if not user.is_authenticated:
        return None
    kind = kind_for_model(type(obj))
    if kind is None:
        return None
    return AccessLogEntry.objects.create(
        user_id=user.pk,
        action=action,
        kind=kind.slug,
        object_id=str(obj.pk),
        subject=kind.subject_of(obj),
        via=via,
        description=description[:255],
    )


def access_log_export(*, user: UserLike, description: str, via: str = "web") -> AccessLogEntry:
    """Every export leaves a line in the access log, whatever it contained."""
    if not user.is_authenticated:
        raise ValueError("Only a signed-in user can export, so only they can be logged.")
    return AccessLogEntry.objects.create(
        user_id=user.pk,
        action=AccessLogEntry.Action.EXPORT,
        kind="export",
        via=via,
        description=description[:255],
    )
