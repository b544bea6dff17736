"""Supervision's reminders (DESIGN §4.7), registered with the spine's `oversight.reminders`:
records awaiting a signature (and again once late), supervision due soon and overdue, actions
due tomorrow and overdue, cover starting and ending tomorrow.

Each source reads what is due in a fixed number of queries (the records, then the people
involved with their logins), and says only a subject line and a link — never a record's text
(an action's description, a session's notes). The spine checks each recipient may see the
record before anything is sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from oversight.models import StaffMember
from oversight.reminders import (
    SYSTEM_READER,
    Due,
    register_reader_preparation,
    register_reminders,
)
from oversight.workdays import add_working_days
from supervision.models import (
    Action,
    ActionStatus,
    Cover,
    CoverStatus,
    SessionStatus,
    SupervisionSession,
)
from supervision.policy import Status
from supervision.selectors import supervision_status
from supervision.services import SIGN_OFF_WORKING_DAYS

_ONE_DAY = datetime.timedelta(days=1)


def _people(ids: Iterable[int | None], *, today: datetime.date) -> dict[int, StaffMember]:
    """The staff named, in post today, with their logins: one query."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    return {
        person.pk: person
        for person in StaffMember.objects.select_related("user").filter(pk__in=wanted)
        if person.in_post_on(today)
    }


@register_reader_preparation
def covers_given_today(readers: Sequence[StaffMember]) -> None:
    """The cover each reader gives today, which the access policy asks of every reader
    (`rules.covered_supervisors`), found for all of them in one query."""
    if not readers:
        return
    day = timezone.localdate()
    covering: dict[int, list[int]] = {person.pk: [] for person in readers}
    for manager_id, supervisor_id in Cover.objects.filter(
        covering_manager_id__in=covering,
        start_date__lte=day,
        end_date__gte=day,
        status=CoverStatus.ARRANGED,
    ).values_list("covering_manager_id", "absent_supervisor_id"):
        covering[manager_id].append(supervisor_id)
    for person in readers:
        # The cache `rules.covered_supervisors` keeps on a staff member (same app).
        person._covered_supervisors_cache = (day, covering[person.pk])  # type: ignore[attr-defined]


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


@register_reminders
def signatures_awaited(today: datetime.date) -> Iterator[Due]:
    """A held record awaits the supervisor's signature, then the supervisee's: once when it
    awaits you, and again ("late") once past the sign-off deadline."""
    rows: list[tuple[Any, ...]] = list(
        SupervisionSession.objects.filter(
            status=SessionStatus.HELD, held_on__isnull=False, supervisee_signed_at__isnull=True
        )
        .order_by("held_on", "pk")
        .values_list("pk", "held_on", "supervisor_id", "supervisee_id", "supervisor_signed_at")
    )
    people = _people((pk for row in rows for pk in (row[2], row[3])), today=today)
    for pk, held_on, supervisor_id, supervisee_id, supervisor_signed_at in rows:
        recipient = people.get(supervisor_id if supervisor_signed_at is None else supervisee_id)
        supervisee = people.get(supervisee_id)
        if recipient is None:
            continue
        deadline = add_working_days(held_on, SIGN_OFF_WORKING_DAYS)
        if recipient.pk == supervisee_id:
            record = f"Your supervision record of {_day(held_on)}"
        else:
            name = supervisee.full_name if supervisee else "your supervisee"
            record = f"The supervision record of {name} on {_day(held_on)}"
        late = today > deadline
        subject = (
            f"{record} is past its sign-off date ({_day(deadline)}): please sign it"
            if late
            else f"{record} awaits your signature (by {_day(deadline)})"
        )
        yield Due(
            recipient=recipient,
            kind="signature-awaited",
            stage="late" if late else "awaiting",
            subject_model=SupervisionSession,
            subject_id=pk,
            subject=subject,
            url=reverse("supervision-session", args=[pk]),
        )


@register_reminders
def supervision_due(today: datetime.date) -> Iterator[Due]:
    """Supervision due soon (within the policy's week) and overdue, to the worker and their
    supervisor, once for each due date: worked out for everyone at once as a system read."""
    statuses = [
        (status, status.due_date)
        for status in supervision_status(SYSTEM_READER, StaffMember.objects.all(), today=today)
        if status.status in (Status.DUE_SOON, Status.OVERDUE) and status.due_date is not None
    ]
    people = _people(
        (pk for status, _ in statuses for pk in (status.staff.pk, status.staff.supervisor_id)),
        today=today,
    )
    for status, due in statuses:
        worker = status.staff
        overdue = status.status == Status.OVERDUE
        stage = f"{'overdue' if overdue else 'soon'}:{due.isoformat()}"
        when = f"is overdue (it was due by {_day(due)})" if overdue else f"is due by {_day(due)}"
        mine = people.get(worker.pk)
        if mine is not None:
            yield Due(
                recipient=mine,
                kind="supervision-due",
                stage=stage,
                subject_model=StaffMember,
                subject_id=worker.pk,
                subject=f"Your next supervision {when}",
                url=reverse("my-supervision"),
            )
        supervisor = people.get(worker.supervisor_id) if worker.supervisor_id else None
        if supervisor is not None:
            yield Due(
                recipient=supervisor,
                kind="supervision-due",
                stage=stage,
                subject_model=StaffMember,
                subject_id=worker.pk,
                subject=f"Supervision for {worker.full_name} {when}",
                url=reverse("supervision-history", args=[worker.pk]),
            )


@register_reminders
def actions_due(today: datetime.date) -> Iterator[Due]:
    """An open action due tomorrow, and once it is overdue: to its owner. The action's
    description is note text and is never said; the reminder names whose plan it is in."""
    tomorrow = today + _ONE_DAY
    rows: list[tuple[Any, ...]] = list(
        Action.objects.filter(status=ActionStatus.OPEN)
        .filter(Q(due_date=tomorrow) | Q(due_date__lt=today))
        .order_by("due_date", "pk")
        .values_list("pk", "due_date", "owner_id", "supervisee_id")
    )
    people = _people((pk for row in rows for pk in (row[2], row[3])), today=today)
    for pk, due_date, owner_id, supervisee_id in rows:
        owner = people.get(owner_id)
        if owner is None:
            continue
        if owner_id == supervisee_id:
            what, url = "An action from your supervision", reverse("my-supervision")
        else:
            supervisee = people.get(supervisee_id)
            name = supervisee.full_name if supervisee else "a former colleague"
            what = f"An action you own in {name}'s supervision"
            url = reverse("supervision-history", args=[supervisee_id])
        overdue = due_date < today
        yield Due(
            recipient=owner,
            kind="action-due",
            stage="overdue" if overdue else "tomorrow",
            subject_model=Action,
            subject_id=pk,
            subject=(
                f"{what} is overdue (it was due on {_day(due_date)})"
                if overdue
                else f"{what} is due tomorrow ({_day(due_date)})"
            ),
            url=url,
        )


@register_reminders
def cover_changes(today: datetime.date) -> Iterator[Due]:
    """Arranged cover starting tomorrow, and ending tomorrow: to the covering manager."""
    tomorrow = today + _ONE_DAY
    rows: list[tuple[Any, ...]] = list(
        Cover.objects.filter(status=CoverStatus.ARRANGED)
        .filter(Q(start_date=tomorrow) | Q(end_date=tomorrow))
        .order_by("start_date", "pk")
        .values_list("pk", "start_date", "end_date", "covering_manager_id", "absent_supervisor_id")
    )
    people = _people((pk for row in rows for pk in (row[3], row[4])), today=today)
    for pk, start_date, end_date, manager_id, absent_id in rows:
        manager = people.get(manager_id)
        if manager is None:
            continue
        absent = people.get(absent_id)
        name = absent.full_name if absent else "an absent supervisor"
        url = reverse("staff-detail", args=[absent_id])
        if start_date == tomorrow:
            yield Due(
                recipient=manager,
                kind="cover",
                stage="starts",
                subject_model=Cover,
                subject_id=pk,
                subject=f"You cover for {name} from tomorrow until {_day(end_date)}",
                url=url,
            )
        if end_date == tomorrow:
            yield Due(
                recipient=manager,
                kind="cover",
                stage="ends",
                subject_model=Cover,
                subject_id=pk,
                subject=f"Your cover for {name} ends tomorrow ({_day(end_date)})",
                url=url,
            )
