"""The monthly rule of DESIGN §4.2 for one worker and one month, as it reads.

`judge_month` is the reference: the engine (`dashboards.compliance.engine`) applies the same
rule to every worker and month at once, and a property test holds the two equal row for row
(`tests/dashboards/test_vectorised_rule.py`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from dashboards.compliance.months import DAY, Month
from oversight.models import AbsenceType
from oversight.workdays import is_working_day
from supervision.models import NotHeldReason
from supervision.policy import PolicyBook


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


@dataclass(frozen=True)
class Worker:
    """A worker as the rows show them (name, team, service) and as the rule reads them (role,
    start and leaving dates, ASYE start)."""

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


@dataclass(slots=True)
class WorkerMonth:
    """One worker's month: the figure and why."""

    worker: Worker
    month: Month
    outcome: Outcome
    required: int
    held: int
    short: int
    signed_in_time: int
    not_held: dict[str, int]
    excuse_reason: str = ""  # e.g. "maternity leave" — only where the reader may see it

    # The worker's details, read through (one Worker is shared by all their months).
    staff_id = property(lambda self: self.worker.pk)
    name = property(lambda self: self.worker.name)
    team_id = property(lambda self: self.worker.team_id)
    team = property(lambda self: self.worker.team)
    service_id = property(lambda self: self.worker.service_id)
    service = property(lambda self: self.worker.service)
    role = property(lambda self: self.worker.role)
    employment_type = property(lambda self: self.worker.employment_type)


_ABSENCE_WORDS: dict[str, str] = {
    AbsenceType.PARENTAL_LEAVE: "maternity, paternity or adoption leave",
}


def absence_words(absence_type: str) -> str:
    """An absence type as a row gives it as the reason for being excused, e.g. "maternity,
    paternity or adoption leave"."""
    if absence_type in _ABSENCE_WORDS:
        return _ABSENCE_WORDS[absence_type]
    if absence_type in AbsenceType.values:
        return str(AbsenceType(absence_type).label).lower()
    return absence_type.replace("_", " ")  # a type no longer offered


def judge_month(
    *,
    worker: Worker,
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
        reason = absence_words(longest_type) if details_visible else HIDDEN_ABSENCE_REASON
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
