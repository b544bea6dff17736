"""The supervision rules of DESIGN §4.2 as plain functions over plain data, so they can be
computed for a whole service from a handful of queries and tested against EXAMPLES.md.

- The interval that sets a due date is the one in force (policy version, ASYE stage) on the
  date of the last held session, or on the start date for someone never supervised.
- Excusing absence pauses the clock: the due date moves later by the days of excusing absence
  after the last session and up to the due date, repeated until stable.

`PolicyBook.interval_days_on` (and `PolicyVersion.interval_days_for`) answer the interval
question for many workers and days at once, as numpy arrays, by the same precedence as
`rule_for`: monthly compliance asks it for every worker and month of a directorate.
"""

from __future__ import annotations

import bisect
import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from supervision.variants import VARIANT_NAMES, VARIANT_RULES

DAY = datetime.timedelta(days=1)

Ints = npt.NDArray[np.int64]
Days = npt.NDArray[np.datetime64]
Texts = npt.NDArray[np.object_]


@dataclass(frozen=True)
class Rule:
    interval_days: int
    min_minutes: int = 90
    role: str = ""
    asye_week_from: int | None = None
    asye_week_to: int | None = None

    def covers_asye_week(self, week: int) -> bool:
        return (
            self.asye_week_from is not None
            and self.asye_week_from <= week
            and (self.asye_week_to is None or week <= self.asye_week_to)
        )


@dataclass(frozen=True)
class PolicyVersion:
    effective_from: datetime.date
    rules: tuple[Rule, ...]
    tolerance_days: int = 0
    due_soon_days: int = 7
    excusing_threshold: Decimal = Decimal("0.50")
    target_rate: Decimal = Decimal("0.950")
    name: str = ""

    def rule_for(self, *, role: str, asye_start: datetime.date | None, on: datetime.date) -> Rule:
        if asye_start is not None and on >= asye_start:
            week = asye_week(asye_start, on)
            for rule in self.rules:
                if rule.covers_asye_week(week):
                    return rule
        for rule in self.rules:
            if rule.asye_week_from is None and rule.role == role:
                return rule
        for rule in self.rules:
            if rule.asye_week_from is None and not rule.role:
                return rule
        # A version saved without a rule for everyone else: judge by the shipped default
        # rather than fail every page that shows a due date.
        return DEFAULT_POLICY.rule_for(role=role, asye_start=asye_start, on=on)

    def interval_days_for(self, *, roles: Texts, asye_start: Days, on: Days) -> Ints:
        """The days between sessions that this version asks of each worker on each day:
        `rule_for(...).interval_days` for many (role, ASYE start, day) at once, as numpy
        arrays of equal length (`asye_start` NaT for someone not on the ASYE).

        The same precedence as `rule_for`: the first rule covering the worker's ASYE week,
        else the first rule for their role, else the rule for everyone else, else the
        shipped default policy. Monthly compliance asks this for every worker and month."""
        interval = np.zeros(len(on), dtype=np.int64)
        open_ = np.ones(len(on), dtype=bool)
        in_asye = on >= asye_start  # False where there is no ASYE start (NaT)
        week = np.where(in_asye, (on - asye_start).astype(np.int64) // 7 + 1, 0)
        for rule in self.rules:
            if rule.asye_week_from is not None:
                hit = open_ & in_asye & (week >= rule.asye_week_from)
                if rule.asye_week_to is not None:
                    hit &= week <= rule.asye_week_to
                interval[hit] = rule.interval_days
                open_ &= ~hit
        for rule in self.rules:
            if rule.asye_week_from is None and rule.role:
                hit = open_ & (roles == rule.role)
                interval[hit] = rule.interval_days
                open_ &= ~hit
        for rule in self.rules:
            if rule.asye_week_from is None and not rule.role:
                interval[open_] = rule.interval_days
                return interval
        if self is not DEFAULT_POLICY and open_.any():
            rest = np.flatnonzero(open_)
            interval[rest] = DEFAULT_POLICY.interval_days_for(
                roles=roles[rest], asye_start=asye_start[rest], on=on[rest]
            )
        return interval


def asye_week(asye_start: datetime.date, on: datetime.date) -> int:
    """Week of the ASYE, counted from 1 on the start date."""
    return (on - asye_start).days // 7 + 1


# The two published variants (DESIGN §4.2), read from the one list of them in
# `supervision.variants` (which the migration and the policy service also use).
EMPLOYER_STANDARDS_2024_RULES = tuple(
    Rule(**row) for row in VARIANT_RULES["employer_standards_2024"]
)
ASYE_FRAMEWORK_RULES = tuple(Rule(**row) for row in VARIANT_RULES["asye_framework"])
DEFAULT_POLICY = PolicyVersion(
    effective_from=datetime.date(2000, 1, 1),
    rules=EMPLOYER_STANDARDS_2024_RULES,
    name=VARIANT_NAMES["employer_standards_2024"],
)


class PolicyBook:
    """Every version of the policy, answering "what was in force on this day?"."""

    def __init__(self, versions: Iterable[PolicyVersion]):
        self.versions = sorted(versions, key=lambda v: v.effective_from) or [DEFAULT_POLICY]
        self._starts = [v.effective_from for v in self.versions]

    def version_on(self, day: datetime.date) -> PolicyVersion:
        index = bisect.bisect_right(self._starts, day) - 1
        return self.versions[max(index, 0)]

    def rule_on(self, *, role: str, asye_start: datetime.date | None, day: datetime.date) -> Rule:
        return self.version_on(day).rule_for(role=role, asye_start=asye_start, on=day)

    def version_indexes_on(self, days: Days) -> Ints:
        """For each day of a numpy array, the place in `versions` of the version in force on
        it: `version_on` for many days at once."""
        starts = np.array(self._starts, dtype="datetime64[D]")
        return np.maximum(np.searchsorted(starts, days, side="right") - 1, 0)

    def interval_days_on(
        self,
        *,
        roles: Texts,
        asye_start: Days,
        worker: Ints,
        days: Days,
        versions: Ints | None = None,
    ) -> Ints:
        """The days between sessions asked of a worker on a day, by the version in force on
        that day: `rule_on(...).interval_days` for many (worker, day) pairs at once.

        `roles` and `asye_start` hold one entry per worker; pair i is worker `worker[i]` on
        `days[i]` (so a worker's details are not repeated for each of their months).
        `versions` is `version_indexes_on(days)`, for a caller that has it already."""
        if versions is None:
            versions = self.version_indexes_on(days)
        interval = np.zeros(len(days), dtype=np.int64)
        for index in np.unique(versions).tolist():
            these = np.flatnonzero(versions == index)
            interval[these] = self.versions[index].interval_days_for(
                roles=roles[worker[these]], asye_start=asye_start[worker[these]], on=days[these]
            )
        return interval


Span = tuple[datetime.date, datetime.date | None]


def _overlap_days(
    spans: Sequence[Span], after: datetime.date, through: datetime.date, today: datetime.date
) -> int:
    """Days of the spans strictly after `after` up to and including `through`."""
    total = 0
    for start, end in spans:
        first = max(start, after + DAY)
        last = min(end if end is not None else today, through)
        if last >= first:
            total += (last - first).days + 1
    return total


def due_date(
    *,
    base: datetime.date,
    interval_days: int,
    excusing_absences: Sequence[Span],
    today: datetime.date,
) -> datetime.date:
    """Last held session (or start) + interval, paused by excusing absence until stable."""
    interval = datetime.timedelta(days=interval_days)
    due = base + interval
    # Only absence lasting past the base can pause the clock; most workers have none.
    after = base + DAY
    pausing = [span for span in excusing_absences if span[1] is None or span[1] >= after]
    if not pausing:
        return due
    while True:
        paused = _overlap_days(pausing, base, due, today)
        moved = base + interval + datetime.timedelta(days=paused)
        if moved == due:
            return due
        due = moved


class Status(enum.StrEnum):
    EXCUSED = "excused"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    IN_TIME = "in_time"
    NO_SUPERVISOR = "no_supervisor"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def tag_colour(self) -> str:
        return STATUS_TAG_COLOURS[self]


STATUS_LABELS = {
    Status.EXCUSED: "Excused",
    Status.OVERDUE: "Overdue",
    Status.DUE_SOON: "Due soon",
    Status.IN_TIME: "In time",
    Status.NO_SUPERVISOR: "No supervisor",
}
STATUS_TAG_COLOURS = {
    Status.EXCUSED: "grey",
    Status.OVERDUE: "red",
    Status.DUE_SOON: "yellow",
    Status.IN_TIME: "green",
    Status.NO_SUPERVISOR: "purple",
}


def covers(span: Span, day: datetime.date) -> bool:
    start, end = span
    return start <= day and (end is None or day <= end)


def status_now(
    *,
    today: datetime.date,
    due: datetime.date | None,
    excusing_absences: Sequence[Span],
    has_supervisor: bool,
    tolerance_days: int = 0,
    due_soon_days: int = 7,
) -> Status:
    if any(covers(span, today) for span in excusing_absences):
        return Status.EXCUSED
    if not has_supervisor or due is None:
        return Status.NO_SUPERVISOR
    if today > due + datetime.timedelta(days=tolerance_days):
        return Status.OVERDUE
    if (due - today).days <= due_soon_days:
        return Status.DUE_SOON
    return Status.IN_TIME
