"""The working-day calendar (DESIGN §4.1; EXAMPLES.md "Working days")."""

from __future__ import annotations

import datetime
import time

import pytest

from oversight.workdays import (
    add_working_days,
    is_working_day,
    working_days_before,
    working_days_between,
    working_days_in_month,
)

D = datetime.date


def _walk_add(day: datetime.date, n: int) -> datetime.date:
    """The obvious day-by-day reading of the rule, to check the fast one against."""
    while n:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def _walk_count(start: datetime.date, end: datetime.date) -> int:
    count = 0
    while start <= end:
        count += is_working_day(start)
        start += datetime.timedelta(days=1)
    return count


# --- EXAMPLES.md, row by row ---------------------------------------------------------------


def test_one_working_day_after_christmas_eve_2026_is_29_december():
    # 25 Dec is a Friday, then the weekend, then Boxing Day observed on Monday 28 Dec.
    assert add_working_days(D(2026, 12, 24), 1) == D(2026, 12, 29)


def test_fifteen_working_days_from_30_march_2026_skip_good_friday_and_easter_monday():
    assert add_working_days(D(2026, 3, 30), 15) == D(2026, 4, 22)


def test_forty_five_working_days_from_2_march_2026_is_7_may():
    # The child and family assessment timescale (45 working days).
    assert add_working_days(D(2026, 3, 2), 45) == D(2026, 5, 7)


def test_march_2026_has_22_working_days():
    assert working_days_in_month(2026, 3) == 22


def test_april_2026_has_20_working_days():
    assert working_days_in_month(2026, 4) == 20


def test_two_full_weeks_from_2_march_2026_are_ten_working_days_inclusive():
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 13)) == 10


def test_counting_to_monday_16_march_2026_includes_that_monday():
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 16)) == 11


# --- one-off bank holidays come from the maintained library --------------------------------


def test_the_2022_state_funeral_was_not_a_working_day():
    assert not is_working_day(D(2022, 9, 19))
    assert add_working_days(D(2022, 9, 16), 1) == D(2022, 9, 20)
    assert working_days_between(D(2022, 9, 19), D(2022, 9, 23)) == 4


def test_the_2022_platinum_jubilee_weekend_skips_thursday_and_friday():
    assert not is_working_day(D(2022, 6, 2))  # spring bank holiday, moved
    assert not is_working_day(D(2022, 6, 3))  # jubilee, a one-off
    assert add_working_days(D(2022, 6, 1), 1) == D(2022, 6, 6)
    assert working_days_in_month(2022, 6) == 20


def test_an_ordinary_weekday_is_a_working_day_and_a_weekend_is_not():
    assert is_working_day(D(2026, 3, 4))
    assert not is_working_day(D(2026, 3, 7))
    assert not is_working_day(D(2026, 3, 8))


def test_a_bank_holiday_on_a_weekend_is_not_counted_twice():
    # Boxing Day 2026 is a Saturday; its substitute is Monday 28 Dec.
    assert working_days_between(D(2026, 12, 21), D(2026, 12, 31)) == 7


def test_counting_across_new_year_uses_both_years_holidays():
    # 28 Dec 2026 (Boxing Day observed) and 1 Jan 2027 (New Year's Day) are skipped.
    assert working_days_between(D(2026, 12, 28), D(2027, 1, 4)) == 4
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


# --- edges and refusals ----------------------------------------------------------------------


def test_adding_no_working_days_gives_the_same_day_even_on_a_weekend():
    assert add_working_days(D(2026, 3, 4), 0) == D(2026, 3, 4)
    assert add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 7)


def test_adding_from_a_weekend_counts_from_the_next_monday():
    assert add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)
    assert add_working_days(D(2026, 3, 7), 5) == D(2026, 3, 13)


def test_adding_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(D(2026, 3, 2), -1)


def test_an_end_before_the_start_counts_no_working_days():
    assert working_days_between(D(2026, 3, 13), D(2026, 3, 2)) == 0


def test_a_single_day_counts_one_only_if_it_is_a_working_day():
    assert working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 1
    assert working_days_between(D(2026, 3, 7), D(2026, 3, 7)) == 0
    assert working_days_between(D(2026, 4, 3), D(2026, 4, 3)) == 0  # Good Friday


def test_a_weekend_alone_has_no_working_days():
    assert working_days_between(D(2026, 3, 7), D(2026, 3, 8)) == 0


def test_february_in_a_leap_year_is_counted_to_the_29th():
    assert working_days_in_month(2028, 2) == 21  # 29 Feb 2028 is a Tuesday
    assert working_days_in_month(2026, 2) == 20


# --- the fast arithmetic agrees with walking the calendar ------------------------------------


def test_counting_agrees_with_walking_the_calendar_for_every_start_in_2026():
    start = D(2025, 12, 20)
    for offset in range(380):
        day = start + datetime.timedelta(days=offset)
        for length in (0, 1, 4, 6, 7, 13, 30, 45, 100):
            end = day + datetime.timedelta(days=length)
            assert working_days_between(day, end) == _walk_count(day, end), (day, end)


def test_adding_agrees_with_walking_the_calendar_for_every_start_in_2026():
    start = D(2025, 12, 20)
    for offset in range(380):
        day = start + datetime.timedelta(days=offset)
        for n in (1, 2, 4, 5, 6, 10, 15, 20, 45):
            assert add_working_days(day, n) == _walk_add(day, n), (day, n)


def test_adding_then_counting_round_trips():
    day = D(2026, 3, 2)
    for n in range(1, 120):
        end = add_working_days(day, n)
        assert is_working_day(end)
        assert working_days_between(day + datetime.timedelta(days=1), end) == n


def test_long_ranges_are_counted_without_walking_each_day():
    working_days_between(D(2000, 1, 1), D(2000, 1, 2))  # warm the holiday cache once
    began = time.perf_counter()
    for _ in range(2000):
        working_days_between(D(2016, 1, 1), D(2026, 12, 31))
    assert time.perf_counter() - began < 1.0
    assert working_days_between(D(2026, 1, 1), D(2026, 12, 31)) == 261 - 8


# --- counting back (drift) -----------------------------------------------------------------


def test_twenty_working_days_before_a_date_skips_christmas():
    # Back from Monday 11 January 2027 over New Year's Day (Fri 1), Christmas Day (Fri 25)
    # and Boxing Day's substitute (Mon 28 December 2026).
    assert working_days_before(D(2027, 1, 11), 20) == D(2026, 12, 9)


@pytest.mark.parametrize("n", [0, 1, 5, 20, 45])
def test_counting_back_undoes_counting_on(n):
    for start in (D(2026, 12, 24), D(2026, 4, 2), D(2023, 5, 5), D(2025, 8, 22)):
        later = add_working_days(start, n)
        if is_working_day(start):
            assert working_days_before(later, n) == start


def test_refuses_a_negative_count_back():
    with pytest.raises(ValueError):
        working_days_before(D(2026, 1, 5), -1)
