"""The data monthly compliance judges, from a fixed handful of queries, as numpy arrays.

Whatever the size of the scope: the workers, the team names, the sessions (one small number
each), the excusing absences (with whether the reader may see their type). A directorate's
figures read hundreds of thousands of numbers, so each query's numbers leave the database as
one packed text value (`string_agg` on PostgreSQL, `group_concat` on SQLite) that numpy parses
at C speed, rather than as a Python object per value; dates travel as `EpochDays`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce

from oversight.models import Absence, AbsenceType, Role, StaffMember, Team
from supervision.models import NotHeldReason, SessionStatus, SupervisionSession

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Days = npt.NDArray[np.datetime64]

HELD = (SessionStatus.HELD, SessionStatus.SIGNED)

# Each session comes from the database as one number: a held session is 0–3 (bit 1 short,
# bit 2 signed in time), a session not held is CODE_NOT_HELD + the index of its reason.
CODE_SHORT, CODE_SIGNED_IN_TIME, CODE_NOT_HELD = 1, 2, 4
# (Alphabetical: within a month, reasons are listed in this order.)
NOT_HELD_REASONS: tuple[str, ...] = tuple(sorted(reason.value for reason in NotHeldReason))
_OTHER_REASON = NOT_HELD_REASONS.index(NotHeldReason.OTHER)


@dataclass
class Staff:
    """The workers in scope, one array entry each, in the order the database gave them
    (`display_order()` is the order rows are shown in)."""

    pks: Ints
    team_ids: Ints  # -1: no team
    roles: npt.NDArray[np.object_]
    start: Days
    leaving: Days  # NaT: still in post
    asye_start: Days  # NaT: not an ASYE worker
    teams: dict[int, tuple[str, int, str]]  # team id → (team, service id, service)
    no_team_last: bool  # where the database sorts a NULL: after everything else or before
    scoped: QuerySet[StaffMember]  # the workers, to read their names when rows are shown

    def __len__(self) -> int:
        return len(self.pks)

    def team(self, team_id: int | None) -> tuple[str, int | None, str]:
        """(team name, service id, service name) as rows show them."""
        team = self.teams.get(team_id) if team_id is not None else None
        return team if team is not None else ("No team", None, "")

    @cached_property
    def details(self) -> tuple[list[str], list[str], list[str]]:
        """First names, last names and employment types, in `pks` order: read only when rows
        are shown, as no figure needs them."""
        rows = self.scoped.order_by().values_list(
            "pk", "first_name", "last_name", "employment_type"
        )
        by_pk = {pk: rest for pk, *rest in _fetch(rows)}
        # (Someone who left the scope since the figures were read keeps a blank name.)
        found = [by_pk.get(pk, ("", "", "")) for pk in self.pks.tolist()]
        first_names, last_names, employment_types = (
            [list(column) for column in zip(*found, strict=True)] if found else [[], [], []]
        )
        return first_names, last_names, employment_types

    def display_order(self) -> Ints:
        """Workers by service, team (those with none first, or last where the database sorts
        NULL last), last name, first name and pk — as `ORDER BY` would give them, names
        compared character by character."""
        by_name = sorted(self.teams, key=lambda t: (self.teams[t][2], self.teams[t][0]))
        team_rank = {team_id: rank for rank, team_id in enumerate(by_name)}
        no_team = len(team_rank) if self.no_team_last else -1
        ranks = np.array(
            [team_rank.get(t, no_team) for t in self.team_ids.tolist()], dtype=np.int64
        )
        first_names, last_names, _ = self.details
        return np.lexsort(
            (
                self.pks,
                np.array(first_names, dtype=str),
                np.array(last_names, dtype=str),
                ranks,
            )
        )

    def index_of(self, pks: Ints) -> tuple[Ints, Bools]:
        """Each pk's position in `self.pks`, and whether it is there at all."""
        if not len(self.pks):
            return np.zeros(len(pks), dtype=np.int64), np.zeros(len(pks), dtype=bool)
        order = np.argsort(self.pks, kind="stable")
        ordered = self.pks[order]
        at = np.minimum(np.searchsorted(ordered, pks), len(ordered) - 1)
        return order[at], ordered[at] == pks


@dataclass
class Sessions:
    """The sessions held or not held in the period, one array entry each."""

    staff: Ints
    month: Ints  # Month.ordinal
    code: Ints


@dataclass
class Absences:
    """The excusing absences overlapping the period, one array entry each."""

    staff: Ints
    start: Days
    end: Days  # NaT: open-ended
    type: Ints  # index into types
    types: list[str]
    details_visible: Bools  # whether the reader may see the type (they line-manage the worker)


def _fetch(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list` queryset as the database driver returns them."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()  # type: ignore[no-any-return]


class EpochDays(Func):
    """A date column as whole days since 1970-01-01: numpy's datetime64[D] as an integer."""

    template = "(%(expressions)s - DATE '1970-01-01')"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra_context,
        )


NO_DATE = np.iinfo(np.int64).min  # datetime64's NaT, as an integer
EPOCH = datetime.date(1970, 1, 1)


def _days(field_name: str) -> Coalesce:
    return Coalesce(EpochDays(field_name), Value(NO_DATE))


def _code(field_name: str, values: Sequence[str]) -> Case:
    """A text column as its index in `values` (-1 for anything else)."""
    return Case(
        *(When(**{field_name: value}, then=Value(i)) for i, value in enumerate(values)),
        default=Value(-1),
        output_field=IntegerField(),
    )


def read_numbers(queryset: QuerySet[Any], **columns: Any) -> Ints:
    """`queryset`'s rows of whole-number `columns` (expressions, none NULL) as a (rows ×
    columns) array.

    A directorate's figures read hundreds of thousands of numbers: returned row by row, each
    would cost the driver a Python object. Instead the database joins them into one text
    value, which numpy parses at C speed."""
    names = list(columns)
    rows = queryset.order_by().annotate(**columns).values_list(*names)
    try:
        inner, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:
        return np.zeros((0, len(names)), dtype=np.int64)
    connection = connections[rows.db]
    fields = [f"t.{connection.ops.quote_name(name)}" for name in names]
    if connection.vendor == "postgresql":
        text = f"string_agg(concat_ws(' ', {', '.join(fields)}), ' ')"
    else:
        separator = " || ' ' || "
        text = f"group_concat({separator.join(fields)}, ' ')"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {text} FROM ({inner}) t", params)  # noqa: S608 (our own SQL)
        (joined,) = cursor.fetchone()
    if not joined:
        return np.zeros((0, len(names)), dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=" ").reshape(-1, len(names))


def _as_dates(numbers: Ints) -> Days:
    return numbers.astype(np.int64).view("datetime64[D]")


_ROLES = tuple(Role.values)


def load_staff(scoped: QuerySet[StaffMember]) -> Staff:
    """The workers, and the names of their teams and services (the rows' order is worked out
    in Python when the rows are asked for: sorting here would cost a join and a sort)."""
    numbers = read_numbers(
        scoped,
        n_pk=F("pk"),
        n_team=Coalesce("team_id", Value(-1)),
        n_role=_code("role", _ROLES),
        n_start=_days("start_date"),
        n_leaving=_days("leaving_date"),
        n_asye=_days("asye_start_date"),
    )
    # Every team's name (a few thousand at most): cheaper than a join per worker.
    teams = Team.objects.order_by().values_list("pk", "name", "service_id", "service__name")
    return Staff(
        pks=numbers[:, 0].copy(),
        team_ids=numbers[:, 1].copy(),
        roles=np.array([*_ROLES, ""], dtype=object)[numbers[:, 2]],
        start=_as_dates(numbers[:, 3]),
        leaving=_as_dates(numbers[:, 4]),
        asye_start=_as_dates(numbers[:, 5]),
        teams={pk: (name, service_id, service) for pk, name, service_id, service in _fetch(teams)},
        no_team_last=connections[scoped.db].features.nulls_order_largest,
        scoped=scoped,
    )


def _session_code() -> Case:
    """Each session as one small number (see CODE_NOT_HELD): a reason for one not held, else
    the short and signed-in-time bits."""
    reason = Case(
        *(
            When(not_held_reason=reason, then=Value(CODE_NOT_HELD + i))
            for i, reason in enumerate(NOT_HELD_REASONS)
        ),
        default=Value(CODE_NOT_HELD + _OTHER_REASON),
    )
    return Case(
        When(status=SessionStatus.NOT_HELD, then=reason),
        default=Cast("is_short", IntegerField()) * Value(CODE_SHORT)
        + Coalesce(Cast("signed_on_time", IntegerField()), Value(0)) * Value(CODE_SIGNED_IN_TIME),
        output_field=IntegerField(),
    )


# A session travels as one number: (supervisee, day of the period, code) packed into the bits
# of one integer. One number a row instead of three halves the time SQLite takes over a
# directorate's year of sessions.
_CODE_BITS = 4


def load_sessions(
    worker_ids: QuerySet[Any] | None, first: datetime.date, last: datetime.date
) -> Sessions:
    """Each session held or not held in the period (of `worker_ids`' workers, or of
    everyone)."""
    sessions = SupervisionSession.objects.filter(
        held_on__gte=first, held_on__lte=last, status__in=[*HELD, SessionStatus.NOT_HELD]
    )
    if worker_ids is not None:
        sessions = sessions.filter(supervisee__in=worker_ids)
    day_of_period = EpochDays("held_on") - Value((first - EPOCH).days)
    day_bits = (last - first).days.bit_length()
    packed = read_numbers(
        sessions,
        n_session=F("supervisee_id") * Value(1 << (day_bits + _CODE_BITS))
        + day_of_period * Value(1 << _CODE_BITS)
        + _session_code(),
    )[:, 0]
    staff, rest = np.divmod(packed, 1 << (day_bits + _CODE_BITS))
    day, code = np.divmod(rest, 1 << _CODE_BITS)
    held_on = np.datetime64(first, "D") + day
    months = held_on.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return Sessions(staff=staff, month=months, code=code)


def load_absences(
    worker_ids: QuerySet[Any] | None,
    first: datetime.date,
    last: datetime.date,
    *,
    line_managed: Ints,
) -> Absences:
    """The excusing absences overlapping the period (of `worker_ids`' workers, or of
    everyone), each with whether the reader may see its type: they line-manage the worker."""
    absences = Absence.objects.filter(excuses_supervision=True, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    if worker_ids is not None:
        absences = absences.filter(staff__in=worker_ids)
    numbers = read_numbers(
        absences,
        n_staff=F("staff_id"),
        n_start=_days("start_date"),
        n_end=_days("end_date"),
        n_type=_code("absence_type", _ABSENCE_TYPES),
    )
    return Absences(
        staff=numbers[:, 0].copy(),
        start=_as_dates(numbers[:, 1]),
        end=_as_dates(numbers[:, 2]),
        type=np.where(numbers[:, 3] < 0, len(_ABSENCE_TYPES) - 1, numbers[:, 3]),
        types=list(_ABSENCE_TYPES),
        details_visible=np.isin(numbers[:, 0], line_managed),
    )


# A type no longer offered (code -1) reads as the last: "other".
_ABSENCE_TYPES = (*(t for t in AbsenceType.values if t != AbsenceType.OTHER), AbsenceType.OTHER)
