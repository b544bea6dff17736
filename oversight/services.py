"""Writes that carry the organisation's rules. Views, API and commands call these."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from simple_history.utils import update_change_reason

from oversight.models import (
    Absence,
    AccessLogEntry,
    StaffMember,
    absence_type_excuses,
)
from oversight.records import kind_for_model

UserLike = AbstractBaseUser | AnonymousUser


def _set_history_user(obj: Any, actor: UserLike | None) -> None:
    # Management commands and tasks have no request: name the actor explicitly.
    if actor is not None and actor.is_authenticated:
        obj._history_user = actor


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
        until = f"{clash.end_date:%d %B %Y}" if clash.end_date else "an open end"
        raise ValidationError(
            {
                "start_date": (
                    f"{staff.full_name} already has an absence from "
                    f"{clash.start_date:%d %B %Y} to {until}; absences cannot overlap."
                )
            }
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
) -> Absence:
    """Record an absence. Whether it excuses supervision follows its type; none may overlap."""
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
    _set_history_user(absence, actor)
    absence.save()
    return absence


@transaction.atomic
def absence_update(*, absence: Absence, actor: UserLike | None, **changes: Any) -> Absence:
    """Change an absence's dates, type or notes, keeping the no-overlap rule."""
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
    _set_history_user(absence, actor)
    absence.save()
    return absence


def absence_end(*, absence: Absence, end_date: datetime.date, actor: UserLike | None) -> Absence:
    """End an open absence (the person is back) on `end_date`."""
    if end_date < absence.start_date:
        raise ValidationError(
            {"end_date": f"The end date must be on or after {absence.start_date:%d %B %Y}."}
        )
    absence = absence_update(absence=absence, actor=actor, end_date=end_date)
    update_change_reason(absence, "Absence ended")
    return absence


@transaction.atomic
def staff_deactivate(
    *, staff: StaffMember, leaving_date: datetime.date, actor: UserLike | None
) -> StaffMember:
    """A leaver keeps their record and login (so history keeps its authors); sign-in stops."""
    staff.leaving_date = leaving_date
    staff.full_clean()
    _set_history_user(staff, actor)
    staff.save()
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
        user=user,
        action=action,
        kind=kind.slug,
        object_id=str(obj.pk),
        subject=kind.subject_of(obj),
        via=via,
        description=description[:255],
    )


def access_log_export(*, user: UserLike, description: str, via: str = "web") -> AccessLogEntry:
    """Every export leaves a line in the access log, whatever it contained."""
    return AccessLogEntry.objects.create(
        user=user,
        action=AccessLogEntry.Action.EXPORT,
        kind="export",
        via=via,
        description=description[:255],
    )
