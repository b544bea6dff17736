"""Calendar months and periods of months, as the dashboards ask for them (`YYYY-MM`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from oversight.workdays import working_days_between

DAY = datetime.timedelta(days=1)


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
