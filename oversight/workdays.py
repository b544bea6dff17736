"""Working days: weekends and England & Wales bank holidays (from the `holidays` package)."""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """The n-th working day after `day` (n >= 0; 0 gives `day` itself)."""
    if n < 0:
        raise ValueError("n must not be negative")
    current = day
    remaining = n
    while remaining:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days from `start` to `end`, both inclusive (0 if end is before start)."""
    count = 0
    current = start
    while current <= end:
        if is_working_day(current):
            count += 1
        current += datetime.timedelta(days=1)
    return count


def working_days_in_month(year: int, month: int) -> int:
    first = datetime.date(year, month, 1)
    next_month = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return working_days_between(first, next_month - datetime.timedelta(days=1))
