"""The monthly rule for every worker and month at once, as numpy arrays over workers × months.

`judge_all` is `judge_month` (`dashboards.compliance.rule`) applied to a whole scope and period:
the same rule as array arithmetic, held equal to it row for row by the property test
`tests/dashboards/test_vectorised_rule.py`. A change to the rule is made in both, or the test
fails.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from dashboards.compliance.loading import (
    CODE_NOT_HELD,
    CODE_SHORT,
    CODE_SIGNED_IN_TIME,
    NOT_HELD_REASONS,
    Absences,
    Days,
    Ints,
    Sessions,
    Staff,
)
from dashboards.compliance.months import Month
from dashboards.compliance.rule import (
    HIDDEN_ABSENCE_REASON,
    WORKER_ABSENT_REASON,
    Outcome,
    absence_words,
)
from oversight.workdays import weekday_bank_holidays
from supervision.models import NotHeldReason
from supervision.policy import PolicyBook

# Outcomes as small integers in the arrays, and back: OUTCOMES[code] is the outcome.
COMPLIANT, NOT_COMPLIANT, EXCUSED, NOT_EXPECTED = range(4)
OUTCOMES = (Outcome.COMPLIANT, Outcome.NOT_COMPLIANT, Outcome.EXCUSED, Outcome.NOT_EXPECTED)

_WORKER_ABSENT = NOT_HELD_REASONS.index(NotHeldReason.WORKER_ABSENT)

# Excuse reasons as small integers: these two, then one per absence type met.
_BY_WORKER_ABSENT, _BY_HIDDEN_ABSENCE = 0, 1
_FIXED_EXCUSES = (WORKER_ABSENT_REASON, HIDDEN_ABSENCE_REASON)


@dataclass
class Cells:
    """The judged worker-months: one entry per worker and month they were in post, worker by
    worker (in `Staff` order), month by month."""

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


def working_day_calendar(months: Sequence[Month]) -> np.busdaycalendar:
    """Working days as `oversight.workdays` counts them: Monday to Friday, less England and
    Wales bank holidays."""
    holidays = [
        day
        for year in range(months[0].year, months[-1].year + 1)
        for day in weekday_bank_holidays(year)
    ]
    return np.busdaycalendar(weekmask="1111100", holidays=_as_days(holidays))


def working_days(first: Days, last: Days, calendar: np.busdaycalendar) -> Ints:
    """Working days from `first` to `last` inclusive, element by element (0 where last is
    before first) — `working_days_between` for arrays."""
    last = np.maximum(last, first - np.timedelta64(1, "D"))
    return np.busday_count(first, last + np.timedelta64(1, "D"), busdaycal=calendar)


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


def judge_all(
    staff: Staff,
    months: Sequence[Month],
    sessions: Sessions,
    absences: Absences,
    book: PolicyBook,
    today: datetime.date,
) -> Cells:
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
    version = book.version_indexes_on(last_day)
    interval = book.interval_days_on(
        roles=staff.roles,
        asye_start=staff.asye_start,
        worker=worker,
        days=last_day,
        versions=version,
    )
    required = days_in_post // interval

    # Sessions per cell.
    s_worker, known = staff.index_of(sessions.staff)
    s_month = sessions.month - months[0].ordinal
    known &= (s_month >= 0) & (s_month < n_months)
    s_slot, code = s_worker[known] * n_months + s_month[known], sessions.code[known]
    was_held = code < CODE_NOT_HELD

    def per_cell(slots: Ints) -> Ints:
        return np.bincount(slots, minlength=n_slots)[flat]

    held = per_cell(s_slot[was_held])
    short = per_cell(s_slot[was_held & (code & CODE_SHORT > 0)])
    signed_in_time = per_cell(s_slot[was_held & (code & CODE_SIGNED_IN_TIME > 0)])
    nh_cell, nh_reason = slot[s_slot[~was_held]], code[~was_held] - CODE_NOT_HELD
    nh_reason, nh_cell = nh_reason[nh_cell >= 0], nh_cell[nh_cell >= 0]
    nh_key, nh_count = np.unique(nh_cell * len(NOT_HELD_REASONS) + nh_reason, return_counts=True)
    nh_cell, nh_reason = np.divmod(nh_key, len(NOT_HELD_REASONS))
    worker_absent = np.zeros(len(flat), dtype=bool)
    worker_absent[nh_cell[nh_reason == _WORKER_ABSENT]] = True

    # Working days of excusing absence per absence × month (open-ended ones run to today);
    # a day two absences overlap counts once towards the month, and once towards each type.
    calendar = working_day_calendar(months)
    a_worker, known = staff.index_of(absences.staff)
    a_worker = a_worker[known]
    a_type = absences.type[known]
    a_start = absences.start[known]
    a_end = np.where(np.isnat(absences.end), np.datetime64(today, "D"), absences.end)[known]
    n_types = len(absences.types)

    def days_per_month(start: Days) -> Ints:
        return working_days(
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

    outcome = np.full(len(flat), NOT_COMPLIANT, dtype=np.int8)
    outcome[held >= required] = COMPLIANT
    by_worker_absent = worker_absent & (held < required) & ~by_absence
    outcome[by_worker_absent | by_absence] = EXCUSED
    expected = required > 0
    outcome[~expected] = NOT_EXPECTED

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
    return Cells(
        months=n_months,
        flat=flat,
        outcome=outcome,
        required=required,
        held=held,
        short=short,
        signed_in_time=signed_in_time,
        excuse=excuse,
        excuse_reasons=[*_FIXED_EXCUSES, *map(absence_words, absences.types)],
        not_held_cell=nh_cell,
        not_held_reason=nh_reason,
        not_held_count=nh_count,
    )
