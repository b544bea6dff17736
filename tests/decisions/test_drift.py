"""Drift (DESIGN §4.4): each reason a case drifts, and what keeps it from drifting."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from decisions.drift import drift_rows, drifting
from oversight.models import Case
from oversight.workdays import working_days_before
from tests.decisions.factories import at, record_decision
from tests.factories import CaseFactory
from tests.supervision.factories import (
    CaseDiscussionFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)  # a Monday
CUTOFF = working_days_before(TODAY, 20)  # Monday 2 November 2026


def reasons(case: Case) -> tuple[str, ...]:
    rows = {row.case.pk: row.reasons for row in drift_rows(Case.objects.all(), TODAY)}
    return rows.get(case.pk, ())


def old_case(world, **kwargs) -> Case:
    return CaseFactory(allocated_worker=world.sw, opened_on=datetime.date(2026, 1, 5), **kwargs)


def test_the_cutoff_is_twenty_working_days_back():
    assert CUTOFF == datetime.date(2026, 11, 2)


def test_a_case_with_no_oversight_for_twenty_working_days_drifts(world):
    case = old_case(world)
    assert reasons(case) == ("no_oversight",)


def test_a_new_case_does_not_drift_yet(world):
    case = CaseFactory(allocated_worker=world.sw, opened_on=CUTOFF)
    assert reasons(case) == ()


def test_a_closed_case_does_not_drift(world):
    case = old_case(world, closed_on=datetime.date(2026, 6, 1))
    assert reasons(case) == ()


@pytest.mark.parametrize("day, drifts", [(CUTOFF, False), (CUTOFF - datetime.timedelta(1), True)])
def test_a_case_discussion_is_oversight(world, day, drifts):
    case = old_case(world)
    session = HeldSessionFactory(supervisee=world.sw, held_on=day)
    CaseDiscussionFactory(session=session, case=case)
    assert ("no_oversight" in reasons(case)) is drifts


def test_an_informal_discussion_is_oversight(world):
    case = old_case(world)
    InformalDiscussionFactory(worker=world.sw, case=case, happened_at=at(CUTOFF))
    assert reasons(case) == ()


def test_an_mdr_is_oversight(world):
    case = old_case(world)
    record_decision(
        world.tm,
        case,
        made_at=at(CUTOFF),
        review_date=TODAY,
        tasks=[],
        no_tasks_reason="Nothing further.",
        sign=True,
    )
    assert reasons(case) == ()


def test_a_passed_review_date_drifts(world):
    case = old_case(world)
    record_decision(
        world.tm,
        case,
        made_at=at(datetime.date(2026, 11, 20)),
        review_date=datetime.date(2026, 11, 27),
        tasks=[],
        no_tasks_reason="Review only.",
        sign=True,
    )
    assert reasons(case) == ("review_passed",)


def test_overdue_tasks_drift(world):
    case = old_case(world)
    record_decision(world.tm, case, made_at=at(datetime.date(2026, 11, 20)), sign=True)
    # the task was due 5 working days after 20 November: 27 November, before today
    assert reasons(case) == ("overdue_tasks",)


def test_scaling_falling_at_the_last_two_discussions_drifts(world):
    case = old_case(world)
    for day, score in (
        (datetime.date(2026, 11, 3), 7),
        (datetime.date(2026, 11, 10), 5),
        (datetime.date(2026, 11, 17), 3),
    ):
        CaseDiscussionFactory(
            session=HeldSessionFactory(supervisee=world.sw, held_on=day),
            case=case,
            scaling=score,
        )
    assert reasons(case) == ("scaling_falling",)


def test_scaling_that_fell_once_then_held_does_not_drift(world):
    case = old_case(world)
    for day, score in (
        (datetime.date(2026, 11, 3), 7),
        (datetime.date(2026, 11, 10), 5),
        (datetime.date(2026, 11, 17), 5),
    ):
        CaseDiscussionFactory(
            session=HeldSessionFactory(supervisee=world.sw, held_on=day),
            case=case,
            scaling=score,
        )
    assert reasons(case) == ()


def test_the_drift_list_is_two_queries_however_many_cases(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            drift_rows(Case.objects.all(), TODAY)
        return len(queries)

    old_case(world)
    few = count()
    for _ in range(15):
        case = old_case(world)
        record_decision(world.tm, case, made_at=at(datetime.date(2026, 11, 20)), sign=True)
    assert count() == few == 2  # which cases drift, then those cases with their reasons
    assert drifting(Case.objects.all(), TODAY).count() >= 16


def test_the_setting_changes_the_period(world, settings):
    settings.OVERSIGHT = {**settings.OVERSIGHT, "DRIFT_WORKING_DAYS": 60}
    case = old_case(world)
    InformalDiscussionFactory(
        worker=world.sw, case=case, happened_at=at(datetime.date(2026, 10, 1))
    )
    assert reasons(case) == ()
