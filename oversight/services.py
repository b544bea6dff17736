"""Writes that carry the organisation's rules. Views, API and commands call these."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from oversight import access
from oversight.history import save_with_history
from oversight.models import (
    SUPERVISING_ROLES,
    Absence,
    AccessLogEntry,
    AccessLogItem,
    Role,
    Service,
    StaffMember,
    Team,
    absence_type_excuses,
)
from oversight.notifications import notify
from oversight.records import Shown, kind_by_slug, kind_for_model

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
        raise ValidationError(
            {"start_date": f"{staff.full_name} already has {overlap_described(clash)}"}
        )


def overlap_described(clash: Absence) -> str:
    """An absence another one would overlap, named by its dates only (its type is health
    data), in the words every refusal of an overlap uses (service and importer alike)."""
    if clash.end_date is None:
        existing = f"an open-ended absence from {_long_date(clash.start_date)}"
    else:
        existing = f"an absence from {_long_date(clash.start_date)} to {_long_date(clash.end_date)}"
    return f"{existing}; absences cannot overlap."


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
    save_with_history(absence, actor=actor, reason=reason, default_reason="Absence recorded")
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
    save_with_history(absence, actor=actor, reason=reason, default_reason="Absence changed")
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


# Fields that decide whose records a person reads: nobody changes them on their own record.
SCOPE_FIELDS = ("role", "team", "supervisor")
# How many supervisees a refusal names before "and N more".
_NAMED_IN_REFUSALS = 5


def _names(people: Sequence[str], total: int | None = None) -> str:
    """The first few names, then "and N more" (`total`: how many there are in all)."""
    shown = list(people[:_NAMED_IN_REFUSALS])
    more = (len(people) if total is None else total) - len(shown)
    text = ", ".join(shown)
    return f"{text} and {more} more" if more else text


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _check_not_own_record(staff: StaffMember, changed: set[str], actor: UserLike | None) -> None:
    me = access.staff_for(actor) if actor is not None else None
    own = sorted(changed & set(SCOPE_FIELDS))
    if me is not None and me.pk == staff.pk and own:
        raise ValidationError(
            {field: f"You cannot change your own {field}: ask your manager." for field in own}
        )


def _check_role_authority(old_role: str | None, new_role: str, actor: UserLike | None) -> None:
    if old_role == new_role:
        return
    widening = access.ACCESS_WIDENING_ROLES
    if (old_role in widening or new_role in widening) and not (
        access.may_change_access_widening_roles(actor)
    ):
        raise ValidationError(
            {
                "role": "Only an administrator, a principal social worker or an assistant "
                "director can make someone a team manager or above or business support, or "
                "take such a role away."
            }
        )


def is_demotion(old_role: str | None, new_role: str) -> bool:
    """Whether a role change takes away the supervising of others."""
    return old_role in SUPERVISING_ROLES and new_role not in SUPERVISING_ROLES


def check_demotion(
    staff: StaffMember,
    *,
    supervisees: Sequence[str],
    supervisees_total: int,
    led: Sequence[str],
    led_total: int,
) -> None:
    """A supervisor stays a manager while anyone is supervised by them or they lead a team or
    service: those must be given a new manager first. `supervisees` and `led` are the first
    names (sorted) of who they still supervise and what they still lead, and the totals how
    many in all: from the database here, from the file being checked in the importer."""
    label = _role_label(staff.role).lower()
    role = f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"
    if supervisees_total:
        raise ValidationError(
            {
                "role": f"{staff.full_name} still supervises "
                f"{_names(supervisees, supervisees_total)}. Give them another supervisor "
                f"before making {staff.full_name} {role}."
            }
        )
    if led_total:
        raise ValidationError(
            {
                "role": f"{staff.full_name} still manages {_names(led, led_total)}. Name "
                f"another manager there before making {staff.full_name} {role}."
            }
        )


def _check_demotion(staff: StaffMember, old_role: str | None) -> None:
    # Counts and the first few names: a group manager may supervise hundreds.
    if staff.pk is None or not is_demotion(old_role, staff.role):
        return
    supervisees = StaffMember.objects.filter(supervisor=staff).order_by("last_name", "first_name")
    teams = Team.objects.filter(manager=staff).order_by("name")
    services = Service.objects.filter(group_manager=staff).order_by("name")
    led = [str(t) for t in teams[:_NAMED_IN_REFUSALS]]
    led += [str(s) for s in services[:_NAMED_IN_REFUSALS]]
    check_demotion(
        staff,
        supervisees=[str(p) for p in supervisees[:_NAMED_IN_REFUSALS]],
        supervisees_total=supervisees.count(),
        led=led,
        led_total=teams.count() + services.count(),
    )


def check_no_line_management_loop(
    staff: StaffMember, step: Callable[[int], tuple[str, int | None] | None]
) -> None:
    """The line-management chain never loops: walking up from the new supervisor must not
    come back to this person. `step(pk)` gives a person's name and supervisor — from the
    database here, from the file being checked in the importer."""
    if staff.pk is None or staff.supervisor_id is None:
        return
    chain = [staff.full_name]
    seen: set[int] = set()
    current: int | None = staff.supervisor_id
    while current is not None and current not in seen:
        seen.add(current)
        found = step(current)
        if found is None:
            return
        chain.append(found[0])
        if current == staff.pk:
            raise ValidationError(
                {
                    "supervisor": "This would make line management a loop ("
                    + " is supervised by ".join(chain)
                    + "). Choose a supervisor outside this person's own line."
                }
            )
        current = found[1]


def _stored_line(pk: int) -> tuple[str, int | None] | None:
    # One query per level; line-management chains are a handful of levels deep.
    row = (
        StaffMember.objects.filter(pk=pk)
        .values_list("first_name", "last_name", "supervisor_id")
        .first()
    )
    return None if row is None else (f"{row[0]} {row[1]}", row[2])


def line_manager_of(staff: StaffMember) -> StaffMember | None:
    """Who hears of changes to a person's record: their supervisor, else their team's
    manager, else their service's group manager."""
    if staff.supervisor is not None:
        return staff.supervisor
    team = staff.team
    if team is None:
        return None
    return team.manager or team.service.group_manager


def staff_check_change(
    staff: StaffMember, *, old_role: str | None, changed: set[str], actor: UserLike | None
) -> None:
    """Every rule a change to a staff record must keep (DESIGN §4.1), for services and the
    importer alike: nobody changes their own role, team or supervisor; roles that widen what
    someone reads change only by an administrator or the directorate; a supervisor is not
    demoted while they have supervisees; line management never loops; and the model's own
    rules (a supervisor is a manager, an ASYE worker has an ASYE start date)."""
    staff_check_authority(staff, old_role=old_role, changed=changed, actor=actor)
    if "role" in changed:
        _check_demotion(staff, old_role)
    if "supervisor" in changed:
        check_no_line_management_loop(staff, _stored_line)
    staff.full_clean()


def staff_check_authority(
    staff: StaffMember, *, old_role: str | None, changed: set[str], actor: UserLike | None
) -> None:
    """Whether `actor` may make this change at all: not to their own role, team or
    supervisor; a role that widens what someone reads only by an administrator or the
    directorate. (The importer asks this per row, then checks the rest in memory.)"""
    _check_not_own_record(staff, changed, actor)
    if "role" in changed:
        _check_role_authority(old_role, staff.role, actor)


def _notify_role_change(staff: StaffMember, old_role: str | None, actor: UserLike | None) -> None:
    if old_role == staff.role or old_role is None:
        return
    notify(
        recipients=[line_manager_of(staff)],
        kind="role-changed",
        subject=f"{staff.full_name}'s role changed from {_role_label(old_role)} to "
        f"{_role_label(staff.role)}",
        url=reverse("staff-detail", args=[staff.pk]),
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def _attname(name: str) -> str:
    # A foreign key compares by its id ("team" is stored as "team_id").
    field = StaffMember._meta.get_field(name)
    return str(getattr(field, "attname", name))


def _changed_fields(before: StaffMember | None, after: StaffMember) -> set[str]:
    if before is None:
        return set(STAFF_EDITABLE_FIELDS)
    return {
        name
        for name in STAFF_EDITABLE_FIELDS
        if getattr(before, _attname(name)) != getattr(after, _attname(name))
    }


@transaction.atomic
def staff_create(
    *, actor: UserLike | None, reason: str | None = None, **values: Any
) -> StaffMember:
    """Add a person to the organisation (business support keep these; a role that widens
    what someone reads is given by an administrator or the directorate)."""
    _refuse_unknown_fields(values, STAFF_EDITABLE_FIELDS)
    return staff_save(staff=StaffMember(**values), actor=actor, reason=reason)


@transaction.atomic
def staff_set_email_notifications(
    *, staff: StaffMember, enabled: bool, actor: UserLike
) -> StaffMember:
    """Turn e-mail copies of one's own notifications on or off (notices still appear in
    Oversight). Only the person themselves chooses."""
    me = access.staff_for(actor)
    if me is None or me.pk != staff.pk:
        raise PermissionDenied("Only the person themselves chooses how they are told.")
    current = StaffMember.objects.select_for_update().get(pk=staff.pk)
    if current.email_notifications != enabled:
        current.email_notifications = enabled
        save_with_history(
            current,
            actor=actor,
            reason=None,
            default_reason="E-mail notifications turned " + ("on" if enabled else "off"),
        )
    staff.email_notifications = enabled
    return current


@transaction.atomic
def staff_update(
    *, staff: StaffMember, actor: UserLike | None, reason: str | None = None, **changes: Any
) -> StaffMember:
    """Change a staff record (business support keep these), keeping every rule of
    `staff_check_change`."""
    _refuse_unknown_fields(changes, STAFF_EDITABLE_FIELDS)
    before = {name: getattr(staff, name) for name in changes}
    for name, value in changes.items():
        setattr(staff, name, value)
    try:
        return staff_save(staff=staff, actor=actor, reason=reason)
    except ValidationError:
        # A refused change leaves the caller's record as it was (a page shows it again).
        for name, value in before.items():
            setattr(staff, name, value)
        raise


@transaction.atomic
def staff_save(
    *, staff: StaffMember, actor: UserLike | None, reason: str | None = None
) -> StaffMember:
    """Save a new or changed staff record, compared with what is stored, under every rule
    of `staff_check_change` (the admin's forms come here with the changes already made). A
    role change is kept in the history with who made it and told to the person's line
    manager."""
    before = None
    if staff.pk is not None:
        # Lock the row so two changes to one person cannot each pass the checks alone.
        before = StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    old_role = before.role if before is not None else None
    changed = _changed_fields(before, staff)
    staff_check_change(staff, old_role=old_role, changed=changed, actor=actor)
    default_reason = "Staff record created" if before is None else "Staff record changed"
    if old_role is not None and "role" in changed:
        # The role change is named in the history whatever other reason is given.
        default_reason = f"Role changed from {_role_label(old_role)} to {_role_label(staff.role)}"
        reason = f"{reason}: {default_reason.lower()}" if reason else None
    save_with_history(staff, actor=actor, reason=reason, default_reason=default_reason)
    if "role" in changed:
        _notify_role_change(staff, old_role, actor)
    return staff


@transaction.atomic
def staff_deactivate(
    *, staff: StaffMember, leaving_date: datetime.date, actor: UserLike | None
) -> StaffMember:
    """A leaver keeps their record and login (so history keeps its authors); sign-in stops."""
    staff.leaving_date = leaving_date
    staff.full_clean()
    save_with_history(
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


def access_log_view(
    *, user: UserLike, shown: Any, via: str = "web", description: str = ""
) -> AccessLogEntry | None:
    """Write what a page or API answer showed: one record as one line; a list as one line
    naming every record it returned (in a fixed three queries, however long the list).
    Kinds that do not log reads (teams, services), empty lists and anonymous readers leave
    nothing."""
    if shown is None or not user.is_authenticated:
        return None
    if isinstance(shown, Shown):
        kind, ids = kind_by_slug(shown.kind), [str(pk) for pk in shown.ids]
    elif isinstance(shown, list):
        kind = kind_for_model(type(shown[0])) if shown else None
        ids = [str(obj.pk) for obj in shown]
    else:
        kind = kind_for_model(type(shown))
        if kind is not None and kind.logs_reads:
            return access_log_record(
                user=user,
                action=AccessLogEntry.Action.VIEW,
                obj=shown,
                via=via,
                description=description,
            )
        return None
    if kind is None or not kind.logs_reads or not ids:
        return None
    subject_field = kind.subject_path or "pk"
    subjects = set(
        kind.model._default_manager.filter(pk__in=ids).values_list(subject_field, flat=True)
    )
    entry = AccessLogEntry.objects.create(
        user_id=user.pk,
        action=AccessLogEntry.Action.VIEW,
        kind=kind.slug,
        object_id=ids[0] if len(ids) == 1 else "",
        subject_id=subjects.pop() if len(subjects) == 1 else None,
        via=via,
        description=(description or f"A list of {len(ids)}")[:255],
    )
    AccessLogItem.objects.bulk_create(AccessLogItem(entry=entry, object_id=pk) for pk in ids)
    return entry


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
