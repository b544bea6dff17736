"""Monthly supervision compliance (DESIGN §4.2), for any scope and run of months.

For calendar month M, every worker who needs supervision and was in post during M is:

- **not expected** when their time in post during M is shorter than one interval;
- **excused** when excusing absence covers at least the policy's share (half, by default) of
  M's working days, or when a session in M was recorded *not held — worker absent* and the
  sessions held did not meet the requirement;
- otherwise **expected**, and **compliant** when the sessions held in M are at least the days
  in post during M divided by the interval in force on the last of those days, rounded down.

Sessions shorter than the policy's minimum still count and are reported as short. The data
comes from four queries whatever the size of the scope (staff, sessions grouped by worker and
month, excusing absences, the policy); the rule is then arithmetic on those rows.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Substr

from oversight import access
from oversight.access import Purpose, UserLike
from oversight.models import Absence, AbsenceType, StaffMember
from oversight.workdays import working_days_between
from supervision.models import NotHeldReason, SessionStatus, SupervisionSession
from supervision.policy import PolicyBook
from supervision.selectors import load_policy_book, needs_supervision_q

DAY = datetime.timedelta(days=1)
HELD = (SessionStatus.HELD, SessionStatus.SIGNED)


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


@dataclass
class ComplianceReport:
    months: list[Month]
    rows: list[WorkerMonth]
    targets: dict[Month, Decimal]

    def tally(self, rows: Iterable[WorkerMonth] | None = None) -> Tally:
        tally = Tally()
        for row in self.rows if rows is None else rows:
            tally.add(row)
        return tally

    def by_month(self) -> dict[Month, Tally]:
        tallies = {month: Tally() for month in self.months}
        for row in self.rows:
            tallies[row.month].add(row)
        return tallies

    def by_team(self, month: Month | None = None) -> dict[tuple[int | None, str, str], Tally]:
        """Tallies keyed by (team id, team name, service name), in service then team order."""
        tallies: dict[tuple[int | None, str, str], Tally] = defaultdict(Tally)
        for row in self.rows:
            if month is None or row.month == month:
                tallies[(row.team_id, row.team, row.service)].add(row)
        return dict(sorted(tallies.items(), key=lambda item: (item[0][2], item[0][1])))

    def rows_for(self, month: Month) -> list[WorkerMonth]:
        return [row for row in self.rows if row.month == month]


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
    details_visible: bool


_ABSENCE_WORDS: dict[str, str] = {
    AbsenceType.PARENTAL_LEAVE: "maternity, paternity or adoption leave",
}


def _absence_words(absence_type: str) -> str:
    return _ABSENCE_WORDS.get(absence_type, AbsenceType(absence_type).label.lower())  # type: ignore[arg-type]


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
) -> WorkerMonth | None:
    """The month's outcome for one worker, or None if they were not in post in it."""
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
        reason = _absence_words(longest_type) if worker.details_visible else HIDDEN_ABSENCE_REASON
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
    """Working days of excusing absence in the month, and the type that covers most of them
    (open-ended absences run to today)."""
    total = 0
    by_type: Counter[str] = Counter()
    for start, end, absence_type in absences:
        first = max(start, month.first)
        last = min(end or today, month.last)
        days = working_days_between(first, last)
        total += days
        by_type[absence_type] += days
    longest = by_type.most_common(1)[0][0] if by_type else ""
    return total, longest


# --- the report, from four queries -----------------------------------------------------------


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
    details_visible = StaffMember.objects.filter(
        access.staff_scope_q(user, Purpose.LINE_MANAGEMENT), pk=OuterRef("pk")
    )
    workers = [
        _Worker(
            pk=row["pk"],
            name=f"{row['first_name']} {row['last_name']}",
            team_id=row["team_id"],
            team=row["team__name"] or "No team",
            service_id=row["team__service_id"],
            service=row["team__service__name"] or "",
            role=row["role"],
            employment_type=row["employment_type"],
            start_date=row["start_date"],
            leaving_date=row["leaving_date"],
            asye_start_date=row["asye_start_date"],
            details_visible=row["details_visible"],
        )
        for row in scoped.annotate(details_visible=Exists(details_visible))
        .order_by("team__service__name", "team__name", "last_name", "first_name", "pk")
        .values(
            "pk",
            "first_name",
            "last_name",
            "team_id",
            "team__name",
            "team__service_id",
            "team__service__name",
            "role",
            "employment_type",
            "start_date",
            "leaving_date",
            "asye_start_date",
            "details_visible",
        )
    ]
    worker_ids = scoped.values("pk")
    sessions = _session_counts(worker_ids, first, last)
    absences = _excusing_absences(worker_ids, first, last)
    book = load_policy_book()

    rows: list[WorkerMonth] = []
    for worker in workers:
        for month in months:
            counts = sessions.get((worker.pk, month), _EMPTY_COUNTS)
            row = judge_month(
                worker=worker,
                month=month,
                book=book,
                absences=absences.get(worker.pk, ()),
                held=counts.held,
                short=counts.short,
                signed_in_time=counts.signed_in_time,
                not_held=counts.not_held,
                today=today,
            )
            if row is not None:
                rows.append(row)
    targets = {month: book.version_on(month.last).target_rate for month in months}
    return ComplianceReport(months=list(months), rows=rows, targets=targets)


@dataclass
class _Counts:
    held: int = 0
    short: int = 0
    signed_in_time: int = 0
    not_held: dict[str, int] = field(default_factory=dict)


_EMPTY_COUNTS = _Counts()


def _session_counts(
    worker_ids: QuerySet[Any], first: datetime.date, last: datetime.date
) -> dict[tuple[int, Month], _Counts]:
    """Sessions per worker and month, grouped in the database."""
    grouped = (
        SupervisionSession.objects.filter(
            supervisee__in=worker_ids,
            held_on__gte=first,
            held_on__lte=last,
            status__in=[*HELD, SessionStatus.NOT_HELD],
        )
        # "YYYY-MM" from the ISO date: native string functions on SQLite and PostgreSQL alike
        # (Django's TruncMonth is a Python function call per row on SQLite).
        .annotate(month=Substr(Cast("held_on", CharField()), 1, 7))
        .values("supervisee_id", "month", "status", "not_held_reason", "is_short", "signed_on_time")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, Month], _Counts] = defaultdict(_Counts)
    months_by_key = {str(month): month for month in month_range(Month.of(first), Month.of(last))}
    for row in grouped:
        entry = counts[(row["supervisee_id"], months_by_key[row["month"]])]
        if row["status"] == SessionStatus.NOT_HELD:
            reason = row["not_held_reason"] or NotHeldReason.OTHER
            entry.not_held[reason] = entry.not_held.get(reason, 0) + row["n"]
            continue
        entry.held += row["n"]
        if row["is_short"]:
            entry.short += row["n"]
        if row["signed_on_time"]:
            entry.signed_in_time += row["n"]
    return counts


def _excusing_absences(
    worker_ids: QuerySet[Any], first: datetime.date, last: datetime.date
) -> dict[int, list[tuple[datetime.date, datetime.date | None, str]]]:
    spans: dict[int, list[tuple[datetime.date, datetime.date | None, str]]] = defaultdict(list)
    rows = (
        Absence.objects.filter(staff__in=worker_ids, excuses_supervision=True, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("staff_id", "start_date", "end_date", "absence_type")
    )
    for staff_id, start, end, absence_type in rows:
        spans[staff_id].append((start, end, absence_type))
    return spans
