"""Monthly supervision compliance (DESIGN §4.2), for any scope and run of months.

For calendar month M, every worker who needs supervision and was in post during M is:

- **not expected** when their time in post during M is shorter than one interval;
- **excused** when excusing absence covers at least the policy's share (half, by default) of
  M's working days, or when a session in M was recorded *not held — worker absent* and the
  sessions held did not meet the requirement;
- otherwise **expected**, and **compliant** when the sessions held in M are at least the days
  in post during M divided by the interval in force on the last of those days, rounded down.

Sessions shorter than the policy's minimum still count and are reported as short.

`judge_month` states the rule for one worker and one month. A directorate has tens of
thousands of workers, so `monthly_compliance` applies the same rule to every worker × month at
once, as numpy arrays. The data comes from a fixed handful of queries whatever the size of the
scope — the workers, team names, sessions (one small number each), excusing absences (with
whether the reader may see their type), the policy — and the rule is then array arithmetic.
The figures by month, team or scope are sums over those arrays; a `WorkerMonth` per row is
built only when someone asks for the rows.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from oversight import access
from oversight.access import Purpose, UserLike
from oversight.models import Absence, AbsenceType, Role, StaffMember, Team
from oversight.workdays import _weekday_bank_holidays, is_working_day, working_days_between
from supervision.models import NotHeldReason, SessionStatus, SupervisionSession
from supervision.policy import DEFAULT_POLICY, PolicyBook, PolicyVersion
from supervision.selectors import load_policy_book, needs_supervision_q

__all__ = [
    "ComplianceReport",
    "Month",
    "MonthError",
    "Outcome",
    "Tally",
    "WorkerMonth",
    "judge_month",
    "month_range",
    "monthly_compliance",
    "needs_supervision_q",
    "performance_staff",
]

DAY = datetime.timedelta(days=1)
HELD = (SessionStatus.HELD, SessionStatus.SIGNED)

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Days = npt.NDArray[np.datetime64]


class MonthError(ValueError):
    """A month that is not YYYY-MM."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM`; anything else is a ValueError with a message for the user."""
        try:
            year_text, month_text = text.split("-")
            month = cls(int(year_text), int(month_text))
            month.first  # noqa: B018 (validates the month number)
        except (ValueError, AttributeError):
            raise MonthError(f"{text!r} is not a month: use YYYY-MM, e.g. 2026-03.") from None
        return month

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @cached_property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @cached_property
    def last(self) -> datetime.date:
        return self.next().first - DAY

    @cached_property
    def working_days(self) -> int:
        return working_days_between(self.first, self.last)

    @property
    def ordinal(self) -> int:
        """Months since year 0: consecutive months differ by one."""
        return self.year * 12 + self.month - 1

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return self.first.strftime("%b %Y")


def month_range(first: Month, last: Month) -> list[Month]:
    months = [first]
    while months[-1] < last:
        months.append(months[-1].next())
    return months


class Outcome(StrEnum):
    COMPLIANT = "compliant"
    NOT_COMPLIANT = "not_compliant"
    EXCUSED = "excused"
    NOT_EXPECTED = "not_expected"

    @property
    def label(self) -> str:
        return {
            Outcome.COMPLIANT: "Compliant",
            Outcome.NOT_COMPLIANT: "Not compliant",
            Outcome.EXCUSED: "Excused",
            Outcome.NOT_EXPECTED: "Not expected",
        }[self]

    @property
    def is_expected(self) -> bool:
        return self in (Outcome.COMPLIANT, Outcome.NOT_COMPLIANT)


WORKER_ABSENT_REASON = "worker absent"
HIDDEN_ABSENCE_REASON = "absence"


@dataclass(slots=True)
class WorkerMonth:
    """One worker's month: the figure and why."""

    worker: _Worker
    month: Month
    outcome: Outcome
    required: int
    held: int
    short: int
    signed_in_time: int
    not_held: dict[str, int]
    excuse_reason: str = ""  # e.g. "maternity leave" — only where the reader may see it

    # The worker's details, read through (one _Worker is shared by all their months).
    staff_id = property(lambda self: self.worker.pk)
    name = property(lambda self: self.worker.name)
    team_id = property(lambda self: self.worker.team_id)
    team = property(lambda self: self.worker.team)
    service_id = property(lambda self: self.worker.service_id)
    service = property(lambda self: self.worker.service)
    role = property(lambda self: self.worker.role)
    employment_type = property(lambda self: self.worker.employment_type)


@dataclass
class Tally:
    """Figures for a group of worker-months (a team, a service, the scope)."""

    expected: int = 0
    compliant: int = 0
    excused: int = 0
    not_expected: int = 0
    held: int = 0
    short: int = 0
    signed_in_time: int = 0
    excused_reasons: Counter[str] = field(default_factory=Counter)
    not_held: Counter[str] = field(default_factory=Counter)

    def add(self, row: WorkerMonth) -> None:
        if row.outcome.is_expected:
            self.expected += 1
            self.compliant += row.outcome is Outcome.COMPLIANT
        elif row.outcome is Outcome.EXCUSED:
            self.excused += 1
            self.excused_reasons[row.excuse_reason] += 1
        else:
            self.not_expected += 1
        self.held += row.held
        self.short += row.short
        self.signed_in_time += row.signed_in_time
        self.not_held.update(row.not_held)

    @property
    def rate(self) -> Decimal | None:
        """Compliant ÷ expected, or None when nobody was expected."""
        if not self.expected:
            return None
        return Decimal(self.compliant) / Decimal(self.expected)

    @property
    def not_held_by_reason(self) -> list[tuple[str, int]]:
        """(reason, count), most frequent first (a list: templates cannot index a Counter)."""
        return self.not_held.most_common()

    def excused_summary(self) -> str:
        """ "3 excused: 2 maternity leave, 1 long-term sickness"."""
        if not self.excused:
            return "None excused"
        parts = ", ".join(f"{n} {reason}" for reason, n in self.excused_reasons.most_common())
        return f"{self.excused} excused: {parts}"


# --- the rule, for one worker and one month --------------------------------------------------


@dataclass(frozen=True)
class _Worker:
    pk: int
    name: str
    team_id: int | None
    team: str
    service_id: int | None
    service: str
    role: str
    employment_type: str
    start_date: datetime.date
    leaving_date: datetime.date | None
    asye_start_date: datetime.date | None


_ABSENCE_WORDS: dict[str, str] = {
    AbsenceType.PARENTAL_LEAVE: "maternity, paternity or adoption leave",
}


def _absence_words(absence_type: str) -> str:
    if absence_type in _ABSENCE_WORDS:
        return _ABSENCE_WORDS[absence_type]
    if absence_type in AbsenceType.values:
        return str(AbsenceType(absence_type).label).lower()
    return absence_type.replace("_", " ")  # a type no longer offered


def judge_month(
    *,
    worker: _Worker,
    month: Month,
    book: PolicyBook,
    absences: Sequence[tuple[datetime.date, datetime.date | None, str]],
    held: int,
    short: int,
    signed_in_time: int,
    not_held: dict[str, int],
    today: datetime.date,
    details_visible: bool,
) -> WorkerMonth | None:
    """The month's outcome for one worker, or None if they were not in post in it.

    The rule as it reads; `monthly_compliance` applies the same rule to arrays of workers and
    months (and is tested against this function). `absences` are the worker's excusing
    absences, in any order; `details_visible`, whether the reader may see their type."""
    in_post_from = max(worker.start_date, month.first)
    in_post_to = min(worker.leaving_date or month.last, month.last)
    if in_post_to < in_post_from:
        return None
    version = book.version_on(in_post_to)
    rule = version.rule_for(role=worker.role, asye_start=worker.asye_start_date, on=in_post_to)
    days_in_post = (in_post_to - in_post_from).days + 1
    required = days_in_post // rule.interval_days

    excused_days, longest_type = (
        _excusing_working_days(absences, month, today) if absences else (0, "")
    )
    worker_absent = bool(not_held) and not_held.get(NotHeldReason.WORKER_ABSENT, 0) > 0

    reason = ""
    if required == 0:
        outcome = Outcome.NOT_EXPECTED
    elif excused_days and excused_days >= version.excusing_threshold * month.working_days:
        outcome = Outcome.EXCUSED
        reason = _absence_words(longest_type) if details_visible else HIDDEN_ABSENCE_REASON
    elif held >= required:
        outcome = Outcome.COMPLIANT
    elif worker_absent:
        outcome = Outcome.EXCUSED
        reason = WORKER_ABSENT_REASON
    else:
        outcome = Outcome.NOT_COMPLIANT
    return WorkerMonth(
        worker=worker,
        month=month,
        outcome=outcome,
        required=required,
        held=held,
        short=short,
        signed_in_time=signed_in_time,
        not_held=not_held,
        excuse_reason=reason,
    )


def _excusing_working_days(
    absences: Sequence[tuple[datetime.date, datetime.date | None, str]],
    month: Month,
    today: datetime.date,
) -> tuple[int, str]:
    """Working days of the month covered by excusing absence (a day two absences overlap
    counts once; open-ended absences run to today), and the type that covers most of them:
    on a tie, the type of the absence that started latest in the month, then by name."""
    covered: set[datetime.date] = set()
    by_type: dict[str, set[datetime.date]] = {}
    latest_start: dict[str, datetime.date] = {}
    for start, end, absence_type in absences:
        first = max(start, month.first)
        last = min(end or today, month.last)
        days = {
            day
            for day in (first + DAY * n for n in range((last - first).days + 1))
            if is_working_day(day)
        }
        if not days:
            continue
        covered |= days
        by_type.setdefault(absence_type, set()).update(days)
        latest_start[absence_type] = max(start, latest_start.get(absence_type, start))
    longest = min(
        by_type,
        key=lambda t: (-len(by_type[t]), -latest_start[t].toordinal(), t),
        default="",
    )
    return len(covered), longest


# --- the rule, for every worker and month at once ---------------------------------------------

# Outcomes as small integers in the arrays, and back.
_COMPLIANT, _NOT_COMPLIANT, _EXCUSED, _NOT_EXPECTED = range(4)
_OUTCOMES = (Outcome.COMPLIANT, Outcome.NOT_COMPLIANT, Outcome.EXCUSED, Outcome.NOT_EXPECTED)

# Each session comes from the database as one number: a held session is 0–3 (bit 1 short,
# bit 2 signed in time), a session not held is _NOT_HELD + the index of its reason.
_SHORT, _SIGNED_IN_TIME, _NOT_HELD = 1, 2, 4
# (Alphabetical: within a month, reasons are listed in this order.)
_NOT_HELD_REASONS: tuple[str, ...] = tuple(sorted(reason.value for reason in NotHeldReason))
_WORKER_ABSENT = _NOT_HELD_REASONS.index(NotHeldReason.WORKER_ABSENT)
_OTHER_REASON = _NOT_HELD_REASONS.index(NotHeldReason.OTHER)

# Excuse reasons as small integers: these two, then one per absence type met.
_BY_WORKER_ABSENT, _BY_HIDDEN_ABSENCE = 0, 1
_FIXED_EXCUSES = (WORKER_ABSENT_REASON, HIDDEN_ABSENCE_REASON)


@dataclass
class _Staff:
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
class _Sessions:
    staff: Ints
    month: Ints  # Month.ordinal
    code: Ints


@dataclass
class _Absences:
    staff: Ints
    start: Days
    end: Days  # NaT: open-ended
    type: Ints  # index into types
    types: list[str]
    details_visible: Bools  # whether the reader may see the type (they line-manage the worker)


@dataclass
class _Cells:
    """The judged worker-months: one entry per worker and month they were in post, worker by
    worker (in `_Staff` order), month by month."""

    months: int  # how many months each worker has a slot for
    flat: Ints  # worker index × months + month index
    outcome: npt.NDArray[np.int8]
    required: Ints
    held: Ints
    short: Ints
    signed_in_time: Ints
    excuse: Ints  # index into excuse_reasons, or -1
    excuse_reasons: list[str]
    # Sessions not held, only where there are any: (cell, reason index, how many).
    not_held_cell: Ints
    not_held_reason: Ints
    not_held_count: Ints

    @property
    def worker(self) -> Ints:
        return self.flat // self.months

    @property
    def month(self) -> Ints:
        return self.flat % self.months

    def __len__(self) -> int:
        return len(self.flat)


def _as_days(values: Iterable[datetime.date | None]) -> Days:
    return np.array(list(values), dtype="datetime64[D]")


def _calendar(months: Sequence[Month]) -> np.busdaycalendar:
    """Working days as `oversight.workdays` counts them: Monday to Friday, less England and
    Wales bank holidays."""
    holidays = [
        day
        for year in range(months[0].year, months[-1].year + 1)
        for day in _weekday_bank_holidays(year)
    ]
    return np.busdaycalendar(weekmask="1111100", holidays=_as_days(holidays))


def _working_days(first: Days, last: Days, calendar: np.busdaycalendar) -> Ints:
    """Working days from `first` to `last` inclusive, element by element (0 where last is
    before first) — `working_days_between` for arrays."""
    last = np.maximum(last, first - np.timedelta64(1, "D"))
    return np.busday_count(first, last + np.timedelta64(1, "D"), busdaycal=calendar)


def _intervals(
    version: PolicyVersion, roles: npt.NDArray[np.object_], asye_start: Days, on: Days
) -> Ints:
    """`version.rule_for(...).interval_days` for each (role, ASYE start, day) — the same
    precedence: the first rule covering the ASYE week, else the first rule for the role, else
    the rule for everyone else, else the shipped default policy."""
    interval = np.zeros(len(on), dtype=np.int64)
    open_ = np.ones(len(on), dtype=bool)
    in_asye = on >= asye_start  # False where there is no ASYE start (NaT)
    week = np.where(in_asye, (on - asye_start).astype(np.int64) // 7 + 1, 0)
    for rule in version.rules:
        if rule.asye_week_from is not None:
            hit = open_ & in_asye & (week >= rule.asye_week_from)
            if rule.asye_week_to is not None:
                hit &= week <= rule.asye_week_to
            interval[hit] = rule.interval_days
            open_ &= ~hit
    for rule in version.rules:
        if rule.asye_week_from is None and rule.role:
            hit = open_ & (roles == rule.role)
            interval[hit] = rule.interval_days
            open_ &= ~hit
    for rule in version.rules:
        if rule.asye_week_from is None and not rule.role:
            interval[open_] = rule.interval_days
            return interval
    if version is not DEFAULT_POLICY and open_.any():
        rest = np.flatnonzero(open_)
        interval[rest] = _intervals(DEFAULT_POLICY, roles[rest], asye_start[rest], on[rest])
    return interval


def _past_earlier_cover(group: Ints, start: Days, end: Days) -> Days:
    """Each absence's start moved past the days that absences of the same group starting
    earlier already cover, so that summing the moved absences counts every day once."""
    if not len(start):
        return start
    order = np.lexsort((start.astype(np.int64), group))
    ends = end[order].astype(np.int64)
    groups = group[order]
    # The latest end so far within each group: a running maximum over (group, end) keys,
    # which rise from group to group.
    lowest, span = ends.min(), int(ends.max() - ends.min()) + 1
    reach = np.maximum.accumulate(groups * span + (ends - lowest)) - groups * span + lowest
    earlier = np.empty_like(reach)
    earlier[0], earlier[1:] = np.iinfo(np.int64).min + 1, reach[:-1]
    earlier[1:][groups[1:] != groups[:-1]] = np.iinfo(np.int64).min + 1
    moved = np.maximum(start[order].astype(np.int64), earlier + 1)
    result = np.empty(len(start), dtype=np.int64)
    result[order] = moved
    return result.astype("datetime64[D]")


def _judge_all(
    staff: _Staff,
    months: Sequence[Month],
    sessions: _Sessions,
    absences: _Absences,
    book: PolicyBook,
    today: datetime.date,
) -> _Cells:
    """`judge_month` for every worker and month, as arrays."""
    n_months = len(months)
    n_slots = len(staff) * n_months
    firsts = _as_days(month.first for month in months)
    lasts = _as_days(month.last for month in months)

    # Who was in post when, and for how many days.
    leaving = np.where(np.isnat(staff.leaving), lasts[-1], staff.leaving)
    in_post_from = np.maximum(staff.start[:, None], firsts[None, :])
    in_post_to = np.minimum(leaving[:, None], lasts[None, :])
    flat = np.flatnonzero(in_post_to >= in_post_from)
    worker, month = flat // n_months, flat % n_months
    first_day, last_day = in_post_from.ravel()[flat], in_post_to.ravel()[flat]
    days_in_post = (last_day - first_day).astype(np.int64) + 1
    slot = np.full(n_slots, -1, dtype=np.int64)  # slot → cell
    slot[flat] = np.arange(len(flat))

    # The interval in force on the last day in post, and the sessions it requires.
    starts = _as_days(version.effective_from for version in book.versions)
    version = np.maximum(np.searchsorted(starts, last_day, side="right") - 1, 0)
    interval = np.zeros(len(flat), dtype=np.int64)
    roles = staff.roles
    for index in np.unique(version).tolist():
        these = np.flatnonzero(version == index)
        interval[these] = _intervals(
            book.versions[index],
            roles[worker[these]],
            staff.asye_start[worker[these]],
            last_day[these],
        )
    required = days_in_post // interval

    # Sessions per cell.
    s_worker, known = staff.index_of(sessions.staff)
    s_month = sessions.month - months[0].ordinal
    known &= (s_month >= 0) & (s_month < n_months)
    s_slot, code = s_worker[known] * n_months + s_month[known], sessions.code[known]
    was_held = code < _NOT_HELD

    def per_cell(slots: Ints) -> Ints:
        return np.bincount(slots, minlength=n_slots)[flat]

    held = per_cell(s_slot[was_held])
    short = per_cell(s_slot[was_held & (code & _SHORT > 0)])
    signed_in_time = per_cell(s_slot[was_held & (code & _SIGNED_IN_TIME > 0)])
    nh_cell, nh_reason = slot[s_slot[~was_held]], code[~was_held] - _NOT_HELD
    nh_reason, nh_cell = nh_reason[nh_cell >= 0], nh_cell[nh_cell >= 0]
    nh_key, nh_count = np.unique(nh_cell * len(_NOT_HELD_REASONS) + nh_reason, return_counts=True)
    nh_cell, nh_reason = np.divmod(nh_key, len(_NOT_HELD_REASONS))
    worker_absent = np.zeros(len(flat), dtype=bool)
    worker_absent[nh_cell[nh_reason == _WORKER_ABSENT]] = True

    # Working days of excusing absence per absence × month (open-ended ones run to today);
    # a day two absences overlap counts once towards the month, and once towards each type.
    calendar = _calendar(months)
    a_worker, known = staff.index_of(absences.staff)
    a_worker = a_worker[known]
    a_type = absences.type[known]
    a_start = absences.start[known]
    a_end = np.where(np.isnat(absences.end), np.datetime64(today, "D"), absences.end)[known]
    n_types = len(absences.types)

    def days_per_month(start: Days) -> Ints:
        return _working_days(
            np.maximum(start[:, None], firsts[None, :]),
            np.minimum(a_end[:, None], lasts[None, :]),
            calendar,
        )

    a_days = days_per_month(a_start)
    a_slot = a_worker[:, None] * n_months + np.arange(n_months)[None, :]
    covered = days_per_month(_past_earlier_cover(a_worker, a_start, a_end))
    excused_days = np.bincount(a_slot.ravel(), weights=covered.ravel(), minlength=n_slots).astype(
        np.int64
    )[flat]

    # Excused when those days reach the threshold's share of the month's working days
    # (compared exactly: the threshold is a decimal fraction).
    shares = [Fraction(version.excusing_threshold) for version in book.versions]
    numerator = np.array([share.numerator for share in shares], dtype=np.int64)[version]
    denominator = np.array([share.denominator for share in shares], dtype=np.int64)[version]
    month_working_days = np.array([m.working_days for m in months], dtype=np.int64)[month]
    by_absence = (excused_days > 0) & (excused_days * denominator >= numerator * month_working_days)

    outcome = np.full(len(flat), _NOT_COMPLIANT, dtype=np.int8)
    outcome[held >= required] = _COMPLIANT
    by_worker_absent = worker_absent & (held < required) & ~by_absence
    outcome[by_worker_absent | by_absence] = _EXCUSED
    expected = required > 0
    outcome[~expected] = _NOT_EXPECTED

    # Why excused: the worker was absent from a session; an absence the reader may not see
    # the details of; or the absence type covering most of the month's excused days.
    excuse = np.full(len(flat), -1, dtype=np.int64)
    excuse[expected & by_worker_absent] = _BY_WORKER_ABSENT
    by_absence &= expected
    details_visible = np.zeros(len(staff), dtype=bool)
    details_visible[a_worker[absences.details_visible[known]]] = True
    visible = details_visible[worker]
    excuse[by_absence & ~visible] = _BY_HIDDEN_ABSENCE
    explained = np.zeros(n_slots, dtype=bool)
    explained[flat[by_absence & visible]] = True
    a_row, a_month = np.nonzero(explained[a_slot] & (a_days > 0))
    if len(a_row):
        by_type = days_per_month(_past_earlier_cover(a_worker * n_types + a_type, a_start, a_end))
        cell = slot[a_slot[a_row, a_month]]
        key, key_index = np.unique(cell * n_types + a_type[a_row], return_inverse=True)
        days = np.bincount(key_index, weights=by_type[a_row, a_month])
        key_cell, key_type = np.divmod(key, n_types)
        # On a tie, the type whose absence started latest in the month, then by name.
        latest_start = np.full(len(key), np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(latest_start, key_index, a_start[a_row].astype(np.int64))
        name_rank = np.argsort(np.argsort(np.array(absences.types, dtype=str)))
        order = np.lexsort((name_rank[key_type], -latest_start, -days, key_cell))
        _, first_of_cell = np.unique(key_cell[order], return_index=True)
        best = order[first_of_cell]
        excuse[key_cell[best]] = len(_FIXED_EXCUSES) + key_type[best]
    return _Cells(
        months=n_months,
        flat=flat,
        outcome=outcome,
        required=required,
        held=held,
        short=short,
        signed_in_time=signed_in_time,
        excuse=excuse,
        excuse_reasons=[*_FIXED_EXCUSES, *map(_absence_words, absences.types)],
        not_held_cell=nh_cell,
        not_held_reason=nh_reason,
        not_held_count=nh_count,
    )


# --- the report ------------------------------------------------------------------------------

TeamKey = tuple[int | None, str, str]


class ComplianceReport:
    """Every worker-month of a scope and period, with figures for any group of them.

    The figures (`tally()`, `by_month()`, `by_team()`) are sums over the judged arrays; the
    rows (`rows`, `rows_for()`) are built on first use."""

    def __init__(
        self,
        months: Sequence[Month],
        targets: dict[Month, Decimal],
        staff: _Staff,
        cells: _Cells,
    ):
        self.months = list(months)
        self.targets = targets
        self._staff = staff
        self._cells = cells
        self._month_rows: dict[Month, list[WorkerMonth]] = {}

    # The rows, worker by worker (service, team, name), month by month.

    @cached_property
    def rows(self) -> list[WorkerMonth]:
        return self._rows(np.argsort(self._position, kind="stable"))

    def rows_for(self, month: Month) -> list[WorkerMonth]:
        if "rows" in self.__dict__:
            return [row for row in self.rows if row.month == month]
        if month not in self._month_rows:
            cells = self._cells_in(month)
            self._month_rows[month] = self._rows(cells[np.argsort(self._position[cells])])
        return list(self._month_rows[month])

    @cached_property
    def _position(self) -> Ints:
        """Each cell's place among the rows."""
        rank = np.empty(len(self._staff), dtype=np.int64)
        rank[self._staff.display_order()] = np.arange(len(self._staff))
        return rank[self._cells.worker] * self._cells.months + self._cells.month

    @cached_property
    def _workers(self) -> list[_Worker]:
        staff = self._staff
        first_names, last_names, employment_types = staff.details
        workers = []
        for pk, first_name, last_name, team_id, role, employment_type, start, leaving, asye in zip(
            staff.pks.tolist(),
            first_names,
            last_names,
            [None if t < 0 else t for t in staff.team_ids.tolist()],
            staff.roles.tolist(),
            employment_types,
            staff.start.tolist(),
            staff.leaving.tolist(),
            staff.asye_start.tolist(),
            strict=True,
        ):
            team, service_id, service = staff.team(team_id)
            workers.append(
                _Worker(
                    pk=pk,
                    name=f"{first_name} {last_name}",
                    team_id=team_id,
                    team=team,
                    service_id=service_id,
                    service=service,
                    role=role,
                    employment_type=employment_type,
                    start_date=start,
                    leaving_date=leaving,
                    asye_start_date=asye,
                )
            )
        return workers

    @cached_property
    def _not_held_by_cell(self) -> dict[int, dict[str, int]]:
        cells = self._cells
        by_cell: dict[int, dict[str, int]] = {}
        for cell, reason, count in zip(
            cells.not_held_cell.tolist(),
            cells.not_held_reason.tolist(),
            cells.not_held_count.tolist(),
            strict=True,
        ):
            by_cell.setdefault(cell, {})[_NOT_HELD_REASONS[reason]] = count
        return by_cell

    def _rows(self, chosen: Ints) -> list[WorkerMonth]:
        cells, workers, months = self._cells, self._workers, self.months
        not_held = self._not_held_by_cell
        reasons = [*cells.excuse_reasons, ""]  # index -1: not excused
        return [
            WorkerMonth(
                worker=workers[worker],
                month=months[month],
                outcome=_OUTCOMES[outcome],
                required=required,
                held=held,
                short=short,
                signed_in_time=signed_in_time,
                not_held=dict(not_held.get(cell, {})),
                excuse_reason=reasons[excuse],
            )
            for cell, worker, month, outcome, required, held, short, signed_in_time, excuse in zip(
                chosen.tolist(),
                cells.worker[chosen].tolist(),
                cells.month[chosen].tolist(),
                cells.outcome[chosen].tolist(),
                cells.required[chosen].tolist(),
                cells.held[chosen].tolist(),
                cells.short[chosen].tolist(),
                cells.signed_in_time[chosen].tolist(),
                cells.excuse[chosen].tolist(),
                strict=True,
            )
        ]

    # The figures.

    def tally(self, rows: Iterable[WorkerMonth] | None = None) -> Tally:
        """Figures for `rows`, or for every worker-month of the report."""
        if rows is not None:
            tally = Tally()
            for row in rows:
                tally.add(row)
            return tally
        everything = np.arange(len(self._cells))
        return self._tallies(everything, np.zeros(len(everything), dtype=np.int64), 1)[0]

    def by_month(self) -> dict[Month, Tally]:
        everything = np.arange(len(self._cells))
        tallies = self._tallies(everything, self._cells.month, len(self.months))
        return dict(zip(self.months, tallies, strict=True))

    def by_team(self, month: Month | None = None) -> dict[TeamKey, Tally]:
        """Tallies keyed by (team id, team name, service name), in service then team order."""
        chosen = np.arange(len(self._cells)) if month is None else self._cells_in(month)
        keys, team_of_worker = self._teams
        team = team_of_worker[self._cells.worker[chosen]]
        tallies = self._tallies(chosen, team, len(keys))
        first_row = np.full(len(keys), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_row, team, self._position[chosen])
        present = np.flatnonzero(first_row < np.iinfo(np.int64).max)
        shown = sorted(present.tolist(), key=lambda t: (keys[t][2], keys[t][1], first_row[t]))
        return {keys[t]: tallies[t] for t in shown}

    @cached_property
    def _teams(self) -> tuple[list[TeamKey], Ints]:
        """The (team id, team, service) keys, and each worker's index among them."""
        staff = self._staff
        _, first_worker, team_of_worker = np.unique(
            staff.team_ids, return_index=True, return_inverse=True
        )
        keys = []
        for worker in first_worker.tolist():
            found = int(staff.team_ids[worker])
            team_id = None if found < 0 else found
            team, _, service = staff.team(team_id)
            keys.append((team_id, team, service))
        return keys, team_of_worker.reshape(-1)

    def _cells_in(self, month: Month) -> Ints:
        if month not in self.months:
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(self._cells.month == self.months.index(month))

    def _tallies(self, chosen: Ints, group: Ints, n_groups: int) -> list[Tally]:
        """A Tally per group for the cells `chosen`, cell `chosen[i]` in `group[i]`."""
        cells = self._cells
        outcome = cells.outcome[chosen]

        def count(outcome_code: int) -> list[int]:
            return np.bincount(group[outcome == outcome_code], minlength=n_groups).tolist()  # type: ignore[no-any-return]

        def total(values: Ints) -> list[int]:
            sums = np.bincount(group, weights=values[chosen], minlength=n_groups)
            return sums.astype(np.int64).tolist()  # type: ignore[no-any-return]

        tallies = [
            Tally(
                expected=compliant + not_compliant,
                compliant=compliant,
                excused=excused,
                not_expected=not_expected,
                held=held,
                short=short,
                signed_in_time=signed_in_time,
            )
            for compliant, not_compliant, excused, not_expected, held, short, signed_in_time in zip(
                count(_COMPLIANT),
                count(_NOT_COMPLIANT),
                count(_EXCUSED),
                count(_NOT_EXPECTED),
                total(cells.held),
                total(cells.short),
                total(cells.signed_in_time),
                strict=True,
            )
        ]

        # Reasons, each group's in the order its rows first give them (as Tally.add would).
        position = self._position
        excuse = cells.excuse[chosen]
        excused = excuse >= 0
        for tally, reason, n in _counted(
            group[excused],
            excuse[excused],
            position[chosen[excused]],
            len(cells.excuse_reasons),
        ):
            tallies[tally].excused_reasons[cells.excuse_reasons[reason]] = n
        group_of_cell = np.full(len(cells), -1, dtype=np.int64)
        group_of_cell[chosen] = group
        nh_group = group_of_cell[cells.not_held_cell]
        mine = nh_group >= 0
        for tally, reason, n in _counted(
            nh_group[mine],
            cells.not_held_reason[mine],
            position[cells.not_held_cell[mine]],
            len(_NOT_HELD_REASONS),
            weights=cells.not_held_count[mine],
        ):
            tallies[tally].not_held[_NOT_HELD_REASONS[reason]] = n
        return tallies


def _counted(
    group: Ints, item: Ints, position: Ints, n_items: int, weights: Ints | None = None
) -> list[tuple[int, int, int]]:
    """(group, item, count) for each pair present, by group, then by the position each pair
    first occurs at, then by item."""
    if not len(group):
        return []
    key, index = np.unique(group * n_items + item, return_inverse=True)
    counts = np.bincount(index, weights=weights).astype(np.int64)
    first = np.full(len(key), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, index, position)
    groups, items = np.divmod(key, n_items)
    order = np.lexsort((items, first, groups))
    return list(
        zip(groups[order].tolist(), items[order].tolist(), counts[order].tolist(), strict=True)
    )


# --- the data, from a fixed handful of queries -------------------------------------------------


def performance_staff(user: UserLike) -> QuerySet[StaffMember]:
    """The staff whose figures `user` may read in dashboards and exports."""
    return StaffMember.objects.filter(access.staff_scope_q(user, Purpose.PERFORMANCE))


def monthly_compliance(
    user: UserLike,
    staff: QuerySet[StaffMember],
    months: Sequence[Month],
    *,
    today: datetime.date,
) -> ComplianceReport:
    """Compliance for every worker of `staff` the user may read, for each of `months`."""
    first, last = months[0].first, months[-1].last
    scoped = (
        staff.filter(access.staff_scope_q(user, Purpose.PERFORMANCE))
        .filter(needs_supervision_q())
        .filter(start_date__lte=last)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=first))
    )
    workers = _load_staff(scoped)
    # Absence types are health data: only those line-managing a worker may read them.
    line_managed = _numbers(
        scoped.filter(access.staff_scope_q(user, Purpose.LINE_MANAGEMENT)), n_pk=F("pk")
    )[:, 0]
    # Whose sessions and absences to read. For a large scope, everyone's in the period, kept
    # only for the scope's workers when judged (`_Staff.index_of`): one pass along the date
    # index instead of a search per worker, several times faster for a directorate.
    worker_ids = scoped.values("pk") if len(workers) <= LARGE_SCOPE else None
    sessions = _load_sessions(worker_ids, first, last)
    absences = _load_absences(worker_ids, first, last, line_managed=line_managed)
    book = load_policy_book()
    cells = _judge_all(workers, months, sessions, absences, book, today)
    targets = {month: book.version_on(month.last).target_rate for month in months}
    return ComplianceReport(months, targets, workers, cells)


# Workers in scope above which sessions and absences are read by date alone (see above).
LARGE_SCOPE = 3000


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


def _numbers(queryset: QuerySet[Any], **columns: Any) -> Ints:
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


def _load_staff(scoped: QuerySet[StaffMember]) -> _Staff:
    """The workers, and the names of their teams and services (the rows' order is worked out
    in Python when the rows are asked for: sorting here would cost a join and a sort)."""
    numbers = _numbers(
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
    return _Staff(
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
    """Each session as one small number (see _NOT_HELD): a reason for one not held, else
    the short and signed-in-time bits."""
    reason = Case(
        *(
            When(not_held_reason=reason, then=Value(_NOT_HELD + i))
            for i, reason in enumerate(_NOT_HELD_REASONS)
        ),
        default=Value(_NOT_HELD + _OTHER_REASON),
    )
    return Case(
        When(status=SessionStatus.NOT_HELD, then=reason),
        default=Cast("is_short", IntegerField()) * Value(_SHORT)
        + Coalesce(Cast("signed_on_time", IntegerField()), Value(0)) * Value(_SIGNED_IN_TIME),
        output_field=IntegerField(),
    )


# A session travels as one number: (supervisee, day of the period, code) packed into the bits
# of one integer. One number a row instead of three halves the time SQLite takes over a
# directorate's year of sessions.
_CODE_BITS = 4


def _load_sessions(
    worker_ids: QuerySet[Any] | None, first: datetime.date, last: datetime.date
) -> _Sessions:
    """Each session held or not held in the period (of `worker_ids`' workers, or of
    everyone)."""
    sessions = SupervisionSession.objects.filter(
        held_on__gte=first, held_on__lte=last, status__in=[*HELD, SessionStatus.NOT_HELD]
    )
    if worker_ids is not None:
        sessions = sessions.filter(supervisee__in=worker_ids)
    day_of_period = EpochDays("held_on") - Value((first - EPOCH).days)
    day_bits = (last - first).days.bit_length()
    packed = _numbers(
        sessions,
        n_session=F("supervisee_id") * Value(1 << (day_bits + _CODE_BITS))
        + day_of_period * Value(1 << _CODE_BITS)
        + _session_code(),
    )[:, 0]
    staff, rest = np.divmod(packed, 1 << (day_bits + _CODE_BITS))
    day, code = np.divmod(rest, 1 << _CODE_BITS)
    held_on = np.datetime64(first, "D") + day
    months = held_on.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return _Sessions(staff=staff, month=months, code=code)


def _load_absences(
    worker_ids: QuerySet[Any] | None,
    first: datetime.date,
    last: datetime.date,
    *,
    line_managed: Ints,
) -> _Absences:
    """The excusing absences overlapping the period (of `worker_ids`' workers, or of
    everyone), each with whether the reader may see its type: they line-manage the worker."""
    absences = Absence.objects.filter(excuses_supervision=True, start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    if worker_ids is not None:
        absences = absences.filter(staff__in=worker_ids)
    numbers = _numbers(
        absences,
        n_staff=F("staff_id"),
        n_start=_days("start_date"),
        n_end=_days("end_date"),
        n_type=_code("absence_type", _ABSENCE_TYPES),
    )
    return _Absences(
        staff=numbers[:, 0].copy(),
        start=_as_dates(numbers[:, 1]),
        end=_as_dates(numbers[:, 2]),
        type=np.where(numbers[:, 3] < 0, len(_ABSENCE_TYPES) - 1, numbers[:, 3]),
        types=list(_ABSENCE_TYPES),
        details_visible=np.isin(numbers[:, 0], line_managed),
    )


# A type no longer offered (code -1) reads as the last: "other".
_ABSENCE_TYPES = (*(t for t in AbsenceType.values if t != AbsenceType.OTHER), AbsenceType.OTHER)
