"""The supervision rules of DESIGN §4.2 as plain functions over plain data, so they can be
computed for a whole service from a handful of queries and tested against EXAMPLES.md.

- The interval that sets a due date is the one in force (policy version, ASYE stage) on the
  date of the last held session, or on the start date for someone never supervised.
- Excusing absence pauses the clock: the due date moves later by the days of excusing absence
  after the last session and up to the due date, repeated until stable.
"""

from __future__ import annotations

import bisect
import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

DAY = datetime.timedelta(days=1)


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


def asye_week(asye_start: datetime.date, on: datetime.date) -> int:
    """Week of the ASYE, counted from 1 on the start date."""
    return (on - asye_start).days // 7 + 1


# The two published variants (DESIGN §4.2).
EMPLOYER_STANDARDS_2024_RULES = (
    Rule(interval_days=14, asye_week_from=1, asye_week_to=52),
    Rule(interval_days=28),
)
ASYE_FRAMEWORK_RULES = (
    Rule(interval_days=7, asye_week_from=1, asye_week_to=6),
    Rule(interval_days=14, asye_week_from=7, asye_week_to=26),
    Rule(interval_days=28, asye_week_from=27, asye_week_to=None),
    Rule(interval_days=28),
)
DEFAULT_POLICY = PolicyVersion(
    effective_from=datetime.date(2000, 1, 1),
    rules=EMPLOYER_STANDARDS_2024_RULES,
    name="Employer standards 2024",
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
