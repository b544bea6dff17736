"""Dates people enter, checked in one place: a start date, an ASYE start, an absence start, a
case opening, the day a session was held, the day a policy takes effect.

Anything before 1 January 1950 or more than a year from today is a typing slip (0001-01-01,
2062 for 2026), and left in it would quietly skew due dates, ASYE weeks and compliance
figures. The models name this validator on each such field, so services' `full_clean`, model
forms and model serializers all refuse it with the same message.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST_DATE = datetime.date(1950, 1, 1)


def _long(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def latest_date(today: datetime.date | None = None) -> datetime.date:
    """A year from today: the furthest ahead a start or held date may be."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def validate_plausible_date(value: Any) -> None:
    """Refuse a date before 1 January 1950 or more than a year from today."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        return
    if value < EARLIEST_DATE:
        raise ValidationError(
            f"Enter a date on or after {_long(EARLIEST_DATE)} ({_long(value)} is too long ago).",
            code="date_too_early",
        )
    latest = latest_date()
    if value > latest:
        raise ValidationError(
            f"Enter a date no more than a year from today, so on or before {_long(latest)} "
            f"({_long(value)} is too far ahead).",
            code="date_too_late",
        )
