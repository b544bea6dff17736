"""Working days: weekends and England & Wales bank holidays (from the `holidays` package).

Metrics ask these questions for every worker and every month, so each answer is arithmetic
over the calendar (whole weeks, then the bank holidays in range), not a walk day by day.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left, bisect_right
from functools import lru_cache

import holidays

_ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


@lru_cache(maxsize=256)
def weekday_bank_holidays(year: int) -> tuple[datetime.date, ...]:
    """The year's bank holidays that fall Monday to Friday, in date order (a holiday on a
    weekend is already not a working day; its substitute Monday is listed separately).

    The days a working-day calendar must leave out besides weekends: counting with numpy's
    `busday_count(..., holidays=...)` over these gives the same answers as
    `working_days_between`."""
    return tuple(sorted(day for day in _bank_holidays(year) if day.weekday() < 5))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def _weekdays_between(start: datetime.date, end: datetime.date) -> int:
    """Monday-to-Friday days from `start` to `end` inclusive (end >= start)."""
    days = (end - start).days + 1
    weeks, extra = divmod(days, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for offset in range(extra) if (first + offset) % 7 < 5)


def _bank_holidays_between(start: datetime.date, end: datetime.date) -> int:
    """Weekday bank holidays from `start` to `end` inclusive."""
    count = 0
    for year in range(start.year, end.year + 1):
        listed = weekday_bank_holidays(year)
        count += bisect_right(listed, end) - bisect_left(listed, start)
    return count


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days from `start` to `end`, both inclusive (0 if end is before start)."""
    if end < start:
        return 0
    return _weekdays_between(start, end) - _bank_holidays_between(start, end)


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (n >= 0; 0 gives `day` itself)."""
    if n < 0:
        raise ValueError("n must not be negative")
    current = day
    remaining = n
    while remaining:
        # Jump to the day on which `remaining` more weekdays have passed...
        weeks, extra = divmod(remaining, 5)
        target = current + datetime.timedelta(weeks=weeks)
        if extra == 0:
            while target.weekday() >= 5:  # the last of those weekdays, not a weekend after it
                target -= _ONE_DAY
        for _ in range(extra):
            target += _ONE_DAY
            while target.weekday() >= 5:
                target += _ONE_DAY
        # ...then make up for the bank holidays jumped over (usually none, at most a few).
        remaining = _bank_holidays_between(current + _ONE_DAY, target)
        current = target
    return current


def working_days_before(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day before `day` (n >= 0; 0 gives `day` itself): the earliest date
    from which `day` is still within n working days (drift, "longer than 20 working days")."""
    if n < 0:
        raise ValueError("n must not be negative")
    current = day
    for _ in range(n):
        current -= _ONE_DAY
        while not is_working_day(current):
            current -= _ONE_DAY
    return current


def working_days_in_month(year: int, month: int) -> int:
    first = datetime.date(year, month, 1)
    next_month = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return working_days_between(first, next_month - _ONE_DAY)
