"""Due dates and status now through `supervision_status`, with real rows in the database.

Every hand-checked example of EXAMPLES.md (D1–D10 and "Policy versions") is here, plus the
edges around them: policy and ASYE-stage changes, absence before, across and after the due
date, workers without a supervisor, and cover. Dates are 2026 unless shown.
"""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from oversight.models import AbsenceType, Role, StaffMember
from supervision.models import ActionStatus, PolicyRule, PolicyVariant, SessionStatus
from supervision.policy import Status
from supervision.selectors import WorkerStatus, status_summary, supervision_status
from supervision.variants import VARIANT_RULES
from tests.conftest import World
from tests.factories import AbsenceFactory, StaffFactory
from tests.supervision.factories import (
    ActionFactory,
    CoverFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
    PolicyFactory,
    PolicyRuleFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def d(month: int, day: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, month, day)


def status_on(world: World, worker: StaffMember, day: datetime.date) -> WorkerStatus:
    """The worker's status as their team manager sees it on `day`."""
    rows = supervision_status(world.tm.user, StaffMember.objects.filter(pk=worker.pk), today=day)
    assert len(rows) == 1, rows
    return rows[0]


def listed(world: World, worker: StaffMember, day: datetime.date, reader: str = "psw") -> bool:
    rows = supervision_status(
        world.people[reader].user, StaffMember.objects.filter(pk=worker.pk), today=day
    )
    return bool(rows)


def held(worker: StaffMember, day: datetime.date, **kwargs: object) -> None:
    HeldSessionFactory(supervisee=worker, supervisor=worker.supervisor, held_on=day, **kwargs)


def sickness(worker: StaffMember, start: datetime.date, end: datetime.date | None) -> None:
    AbsenceFactory(staff=worker, absence_type=AbsenceType.SICKNESS, start_date=start, end_date=end)


def policy_version(effective_from: datetime.date, rules: list[dict], **kwargs: object) -> None:
    policy = PolicyFactory(effective_from=effective_from, **kwargs)
    for rule in rules:
        PolicyRuleFactory(policy=policy, **rule)


def riverside_worker(world: World, **kwargs: object) -> StaffMember:
    kwargs.setdefault("supervisor", world.tm)
    return StaffFactory(team=world.riverside, **kwargs)


# --- D1: the plain 28-day case ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (d(3, 22), Status.IN_TIME),
        (d(3, 23), Status.DUE_SOON),
        (d(3, 30), Status.DUE_SOON),
        (d(3, 31), Status.OVERDUE),
    ],
)
def test_d1_a_session_on_2_march_is_next_due_on_30_march(world, day, expected):
    held(world.sw, d(3, 2))
    row = status_on(world, world.sw, day)
    assert row.due_date == d(3, 30)
    assert row.last_held_on == d(3, 2)
    assert row.interval_days == 28
    assert row.status is expected


# --- D2–D5: absence -----------------------------------------------------------------------------


def test_d2_sickness_before_the_due_date_moves_it_by_the_days_away(world):
    held(world.sw, d(3, 2))
    sickness(world.sw, d(3, 10), d(3, 19))
    assert status_on(world, world.sw, d(3, 15)).status is Status.EXCUSED
    row = status_on(world, world.sw, d(4, 1))
    assert row.due_date == d(4, 9)
    assert row.status is Status.IN_TIME


def test_d3_sickness_across_the_due_date_moves_it_until_it_is_stable(world):
    held(world.sw, d(3, 2))
    sickness(world.sw, d(3, 25), d(4, 10))
    assert status_on(world, world.sw, d(4, 2)).status is Status.EXCUSED
    row = status_on(world, world.sw, d(4, 11))
    assert row.due_date == d(4, 16)
    assert row.status is Status.DUE_SOON


@pytest.mark.parametrize(
    ("day", "expected"),
    [(d(3, 31), Status.OVERDUE), (d(4, 2), Status.EXCUSED), (d(4, 21), Status.OVERDUE)],
)
def test_d4_sickness_after_the_due_date_does_not_move_it(world, day, expected):
    held(world.sw, d(3, 2))
    sickness(world.sw, d(4, 1), d(4, 20))
    row = status_on(world, world.sw, day)
    assert row.due_date == d(3, 30)
    assert row.status is expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (d(3, 15), Status.IN_TIME),
        (d(3, 22), Status.IN_TIME),
        (d(3, 23), Status.DUE_SOON),
        (d(3, 31), Status.OVERDUE),
    ],
)
def test_d5_annual_leave_neither_pauses_the_clock_nor_excuses(world, day, expected):
    held(world.sw, d(3, 2))
    AbsenceFactory(
        staff=world.sw,
        absence_type=AbsenceType.ANNUAL_LEAVE,
        start_date=d(3, 10),
        end_date=d(3, 19),
    )
    row = status_on(world, world.sw, day)
    assert row.due_date == d(3, 30)
    assert row.status is expected


def test_sickness_before_the_last_session_does_not_move_the_due_date(world):
    sickness(world.sw, d(2, 2), d(2, 20))
    held(world.sw, d(3, 2))
    assert status_on(world, world.sw, d(3, 20)).due_date == d(3, 30)


def test_an_open_ended_absence_pauses_the_clock_up_to_today(world):
    held(world.sw, d(3, 2))
    sickness(world.sw, d(3, 25), None)
    row = status_on(world, world.sw, d(4, 5))
    assert row.status is Status.EXCUSED
    assert row.due_date == d(4, 11)  # 12 days away so far, 25 Mar to 5 Apr


def test_an_absence_not_yet_begun_does_not_move_the_due_date(world):
    held(world.sw, d(3, 2))
    sickness(world.sw, d(3, 25), d(4, 10))
    row = status_on(world, world.sw, d(3, 24))
    assert row.due_date == d(3, 30)
    assert row.status is Status.DUE_SOON


def test_an_absence_flagged_as_not_excusing_is_ignored(world):
    held(world.sw, d(3, 2))
    AbsenceFactory(
        staff=world.sw, start_date=d(3, 10), end_date=d(3, 19), excuses_supervision=False
    )
    row = status_on(world, world.sw, d(3, 15))
    assert row.status is Status.IN_TIME
    assert row.due_date == d(3, 30)


def test_someone_elses_absence_does_not_move_a_workers_due_date(world):
    held(world.sw, d(3, 2))
    held(world.asye, d(3, 2))
    sickness(world.asye, d(3, 10), d(3, 19))
    assert status_on(world, world.sw, d(3, 15)).due_date == d(3, 30)


# --- D6–D7: never supervised, no supervisor -----------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (d(3, 22), Status.IN_TIME),
        (d(3, 23), Status.DUE_SOON),
        (d(3, 30), Status.DUE_SOON),
        (d(3, 31), Status.OVERDUE),
    ],
)
def test_d6_someone_never_supervised_is_due_one_interval_after_starting(world, day, expected):
    starter = riverside_worker(world, start_date=d(3, 2))
    row = status_on(world, starter, day)
    assert row.last_held_on is None
    assert row.due_date == d(3, 30)
    assert row.status is expected


def test_d7_a_practitioner_with_no_supervisor_shows_no_supervisor(world):
    unsupervised = riverside_worker(world, supervisor=None)
    held(world.sw, d(3, 2))  # someone else's session changes nothing for them
    row = status_on(world, unsupervised, d(3, 15))
    assert row.status is Status.NO_SUPERVISOR
    assert row.due_date is None


def test_an_assistant_team_manager_with_no_supervisor_shows_no_supervisor(world):
    world.atm.supervisor = None
    world.atm.save()
    assert status_on(world, world.atm, d(3, 15)).status is Status.NO_SUPERVISOR


def test_someone_away_today_is_excused_even_without_a_supervisor(world):
    unsupervised = riverside_worker(world, supervisor=None)
    sickness(unsupervised, d(3, 10), d(3, 19))
    assert status_on(world, unsupervised, d(3, 15)).status is Status.EXCUSED


def test_directorate_and_business_support_without_a_supervisor_are_not_listed(world):
    assert not listed(world, world.ad, d(3, 15))
    assert not listed(world, world.bs, d(3, 15))


def test_managers_with_a_supervisor_are_listed_like_anyone_else(world):
    held(world.tm, d(3, 2))
    rows = supervision_status(
        world.gm.user, StaffMember.objects.filter(pk=world.tm.pk), today=d(3, 15)
    )
    assert [(row.staff, row.due_date, row.status) for row in rows] == [
        (world.tm, d(3, 30), Status.IN_TIME)
    ]


def test_someone_who_has_left_or_not_yet_started_is_not_listed(world):
    leaver = riverside_worker(world, leaving_date=d(3, 14))
    starter = riverside_worker(world, start_date=d(3, 16))
    assert listed(world, leaver, d(3, 14))
    assert not listed(world, leaver, d(3, 15))
    assert not listed(world, starter, d(3, 15))
    assert listed(world, starter, d(3, 16))


# --- which sessions count -----------------------------------------------------------------------


def test_a_signed_session_counts_as_held(world):
    held(world.sw, d(3, 2), status=SessionStatus.SIGNED)
    assert status_on(world, world.sw, d(3, 15)).last_held_on == d(3, 2)


def test_sessions_not_held_cancelled_or_only_scheduled_do_not_count(world):
    held(world.sw, d(2, 2))
    for status in (
        SessionStatus.NOT_HELD,
        SessionStatus.CANCELLED,
        SessionStatus.SCHEDULED,
        SessionStatus.IN_PROGRESS,
    ):
        SessionFactory(supervisee=world.sw, status=status, held_on=d(3, 2))
    row = status_on(world, world.sw, d(3, 15))
    assert row.last_held_on == d(2, 2)
    assert row.status is Status.OVERDUE


def test_the_latest_held_session_sets_the_due_date(world):
    held(world.sw, d(2, 2))
    held(world.sw, d(3, 2))
    held(world.sw, d(1, 5))
    assert status_on(world, world.sw, d(3, 15)).due_date == d(3, 30)


def test_a_session_after_the_day_asked_about_is_not_yet_counted(world):
    held(world.sw, d(2, 2))
    held(world.sw, d(3, 20))
    assert status_on(world, world.sw, d(3, 15)).last_held_on == d(2, 2)


# --- D8–D10: ASYE -----------------------------------------------------------------------------


def test_d8_an_asye_worker_on_the_default_policy_is_seen_fortnightly(world):
    assert world.asye.asye_start_date == d(1, 5)
    held(world.asye, d(2, 2))
    row = status_on(world, world.asye, d(2, 10))
    assert row.interval_days == 14
    assert row.due_date == d(2, 16)


def _asye_framework_from(effective_from: datetime.date) -> None:
    policy_version(
        effective_from,
        VARIANT_RULES[PolicyVariant.ASYE_FRAMEWORK],
        variant=PolicyVariant.ASYE_FRAMEWORK,
    )


def test_d9_under_the_asye_framework_week_3_is_weekly(world):
    _asye_framework_from(d(1, 1, 2025))
    held(world.asye, d(1, 19))
    row = status_on(world, world.asye, d(1, 20))
    assert row.interval_days == 7
    assert row.due_date == d(1, 26)


def test_d10_under_the_asye_framework_week_9_is_fortnightly(world):
    _asye_framework_from(d(1, 1, 2025))
    held(world.asye, d(3, 2))
    row = status_on(world, world.asye, d(3, 3))
    assert row.interval_days == 14
    assert row.due_date == d(3, 16)


def test_the_asye_stage_on_the_session_day_sets_the_interval_not_the_stage_today(world):
    _asye_framework_from(d(1, 1, 2025))
    held(world.asye, d(2, 13))  # week 6 (weekly); 20 Feb is already in week 7
    row = status_on(world, world.asye, d(2, 16))
    assert row.interval_days == 7
    assert row.due_date == d(2, 20)
    held(world.asye, d(2, 16))  # week 7: fortnightly from now on
    assert status_on(world, world.asye, d(2, 17)).due_date == d(3, 2)


def test_after_the_asye_year_the_default_policy_moves_to_monthly(world):
    worker = riverside_worker(world, role=Role.ASYE_SOCIAL_WORKER, asye_start_date=d(1, 6, 2025))
    held(worker, d(12, 29, 2025))  # week 52
    assert status_on(world, worker, d(1, 2)).due_date == d(1, 12)
    held(worker, d(1, 5))  # week 53
    row = status_on(world, worker, d(1, 6))
    assert row.interval_days == 28
    assert row.due_date == d(2, 2)


def test_a_worker_never_supervised_takes_the_asye_stage_of_their_start_date(world):
    _asye_framework_from(d(1, 1, 2025))
    starter = riverside_worker(
        world, role=Role.ASYE_SOCIAL_WORKER, start_date=d(3, 2), asye_start_date=d(3, 2)
    )
    row = status_on(world, starter, d(3, 3))
    assert row.interval_days == 7
    assert row.due_date == d(3, 9)


# --- Policy versions ----------------------------------------------------------------------------


@pytest.fixture
def two_versions() -> None:
    """Version 1 from 1 Jan 2025: 28 days for everyone. Version 2 from 1 Apr 2026: 14 days."""
    policy_version(d(1, 1, 2025), [{"interval_days": 28}], name="Version 1")
    policy_version(d(4, 1), [{"interval_days": 14}], name="Version 2")


def test_a_session_on_31_march_is_judged_by_version_1(world, two_versions):
    held(world.sw, d(3, 31))
    row = status_on(world, world.sw, d(4, 2))
    assert row.interval_days == 28
    assert row.due_date == d(4, 28)


def test_a_session_on_1_april_is_judged_by_version_2(world, two_versions):
    held(world.sw, d(4, 1))
    row = status_on(world, world.sw, d(4, 2))
    assert row.interval_days == 14
    assert row.due_date == d(4, 15)


def test_a_new_version_does_not_change_a_due_date_already_set(world):
    held(world.sw, d(3, 2))
    before = status_on(world, world.sw, d(3, 10))
    policy_version(d(3, 5), [{"interval_days": 7}])
    after = status_on(world, world.sw, d(3, 10))
    assert before.due_date == after.due_date == d(3, 30)
    assert after.status is Status.IN_TIME


def test_editing_the_rules_of_the_version_in_force_changes_the_due_date(world):
    held(world.sw, d(3, 2))
    everyone_else = PolicyRule.objects.get(asye_week_from__isnull=True, role="")
    everyone_else.interval_days = 21
    everyone_else.save()
    assert status_on(world, world.sw, d(3, 10)).due_date == d(3, 23)


def test_a_rule_for_the_workers_role_comes_before_the_rule_for_everyone_else(world):
    policy_version(
        d(1, 1, 2025),
        [{"interval_days": 42, "role": Role.TEAM_MANAGER}, {"interval_days": 28}],
    )
    held(world.tm, d(3, 2))
    held(world.sw, d(3, 2))
    rows = {
        row.staff: row
        for row in supervision_status(
            world.gm.user,
            StaffMember.objects.filter(pk__in=[world.tm.pk, world.sw.pk]),
            today=d(3, 3),
        )
    }
    assert rows[world.tm].due_date == d(4, 13)
    assert rows[world.sw].due_date == d(3, 30)


def test_the_tolerance_in_force_today_holds_off_overdue(world):
    held(world.sw, d(3, 2))
    policy_version(d(3, 1), [{"interval_days": 28}], tolerance_days=3)
    assert status_on(world, world.sw, d(4, 2)).status is Status.DUE_SOON
    assert status_on(world, world.sw, d(4, 3)).status is Status.OVERDUE


# --- cover ------------------------------------------------------------------------------------


def test_a_covering_manager_sees_the_absent_supervisors_workers_with_their_status_unchanged(
    world,
):
    today = timezone.localdate()
    held(world.sw, today - datetime.timedelta(days=10))
    sickness(world.tm, today - datetime.timedelta(days=2), None)
    everyone = StaffMember.objects.all()
    assert world.sw not in {row.staff for row in supervision_status(world.tm2.user, everyone)}

    CoverFactory(
        absent_supervisor=world.tm,
        covering_manager=world.tm2,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=7),
    )
    tm2 = get_user_model().objects.get(pk=world.tm2.user.pk)  # a fresh login, nothing cached
    as_cover = {row.staff: row for row in supervision_status(tm2, everyone)}
    as_manager = {row.staff: row for row in supervision_status(world.gm.user, everyone)}

    assert {world.sw, world.asye, world.atm, world.tm2, world.sw2} == set(as_cover)
    assert world.tm not in as_cover  # cover reaches the workers, not the absent manager
    sw = as_cover[world.sw]
    assert sw.staff.supervisor == world.tm
    assert sw.status is Status.IN_TIME
    assert sw.due_date == today + datetime.timedelta(days=18)
    assert sw == as_manager[world.sw]
    assert as_manager[world.tm].status is Status.EXCUSED


def test_cover_that_has_ended_gives_no_sight_of_the_workers(world):
    today = timezone.localdate()
    CoverFactory(
        absent_supervisor=world.tm,
        covering_manager=world.tm2,
        start_date=today - datetime.timedelta(days=20),
        end_date=today - datetime.timedelta(days=1),
    )
    rows = supervision_status(world.tm2.user, StaffMember.objects.all())
    assert world.sw not in {row.staff for row in rows}


# --- what else each row carries -----------------------------------------------------------------


def test_each_row_counts_open_actions_and_informal_discussions_waiting(world):
    held(world.sw, d(3, 2))
    ActionFactory(supervisee=world.sw)
    ActionFactory(supervisee=world.sw)
    ActionFactory(supervisee=world.sw, status=ActionStatus.DONE)
    ActionFactory(supervisee=world.asye)
    InformalDiscussionFactory(worker=world.sw)
    session = SessionFactory(supervisee=world.sw, status=SessionStatus.HELD, held_on=d(3, 2))
    InformalDiscussionFactory(worker=world.sw, incorporated_into=session)
    row = status_on(world, world.sw, d(3, 15))
    assert (row.open_actions, row.informal_waiting) == (2, 1)
    assert (status_on(world, world.atm, d(3, 15)).open_actions,) == (0,)


def test_a_row_carries_no_absence_type(world):
    held(world.sw, d(3, 2))
    sickness(world.sw, d(3, 10), d(3, 19))
    row = status_on(world, world.sw, d(3, 15))
    assert row.status is Status.EXCUSED
    carried = {f.name for f in dataclasses.fields(row)} | set(vars(row.staff))
    assert not {name for name in carried if "absence" in name}
    assert AbsenceType.SICKNESS.value not in repr(vars(row.staff))


def test_days_until_due_counts_down_and_goes_negative_when_overdue(world):
    held(world.sw, d(3, 2))
    assert status_on(world, world.sw, d(3, 20)).days_until_due == 10
    assert status_on(world, world.sw, d(4, 2)).days_until_due == -3


def test_the_summary_counts_every_status_including_those_with_nobody(world):
    held(world.sw, d(3, 2))  # due 30 Mar: in time
    held(world.asye, d(3, 2))  # fortnightly, due 16 Mar: due soon
    sickness(world.atm, d(3, 10), d(3, 19))  # away today: excused
    riverside_worker(world, supervisor=None)  # no supervisor
    rows = supervision_status(  # and tm, never supervised since 2020: overdue
        world.tm.user, StaffMember.objects.filter(team=world.riverside), today=d(3, 15)
    )
    assert status_summary(rows) == {
        Status.EXCUSED: 1,
        Status.OVERDUE: 1,
        Status.DUE_SOON: 1,
        Status.IN_TIME: 1,
        Status.NO_SUPERVISOR: 1,
    }
    assert status_summary([]) == dict.fromkeys(Status, 0)
