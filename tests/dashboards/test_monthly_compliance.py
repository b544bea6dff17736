"""Monthly compliance, against the hand-checked team of EXAMPLES.md (March 2026)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.compliance import Month, Outcome, month_range, monthly_compliance
from oversight.models import AbsenceType, Role, StaffMember
from supervision.models import NotHeldReason, SessionStatus
from tests.dashboards.conftest import held, worker
from tests.factories import AbsenceFactory, StaffFactory
from tests.supervision.factories import HeldSessionFactory, PolicyFactory, PolicyRuleFactory

pytestmark = pytest.mark.django_db

MARCH = Month(2026, 3)
APRIL = Month(2026, 4)
TODAY = datetime.date(2026, 5, 15)


def outcomes(report) -> dict[str, Outcome]:
    return {row.name.split()[0]: row.outcome for row in report.rows}


def test_each_worker_of_the_worked_example_gets_the_hand_checked_outcome(team_manager, march_team):
    report = monthly_compliance(team_manager.user, StaffMember.objects.all(), [MARCH], today=TODAY)
    assert outcomes(report) == {
        "M1": Outcome.COMPLIANT,
        "M2": Outcome.NOT_COMPLIANT,
        "M3": Outcome.EXCUSED,
        "M4": Outcome.NOT_COMPLIANT,
        "M5": Outcome.EXCUSED,
        "M6": Outcome.NOT_COMPLIANT,
        "M7": Outcome.NOT_EXPECTED,
        "M8": Outcome.EXCUSED,
    }


def test_the_team_figure_is_one_in_four_with_three_excused_and_their_reasons(
    team_manager, march_team
):
    tally = monthly_compliance(
        team_manager.user, StaffMember.objects.all(), [MARCH], today=TODAY
    ).tally()
    assert (tally.expected, tally.compliant, tally.excused, tally.not_expected) == (4, 1, 3, 1)
    assert tally.rate == pytest.approx(0.25)
    assert tally.excused_reasons == {
        "maternity, paternity or adoption leave": 1,
        "sickness": 1,
        "worker absent": 1,
    }
    assert tally.not_held == {NotHeldReason.WORKER_ABSENT: 1}


def test_an_asye_worker_needs_two_sessions_on_a_fourteen_day_interval(team_manager, march_team):
    held(march_team["M6"], datetime.date(2026, 3, 23))
    report = monthly_compliance(team_manager.user, StaffMember.objects.all(), [MARCH], today=TODAY)
    m6 = next(row for row in report.rows if row.staff_id == march_team["M6"].pk)
    assert (m6.required, m6.held, m6.outcome) == (2, 2, Outcome.COMPLIANT)


def _row(report, person):
    return next(row for row in report.rows if row.staff_id == person.pk)


def test_a_day_two_absences_overlap_counts_once(team_manager):
    # March 2026 has 22 working days, so 11 excuse. Sickness 2–13 March (10 days) and a
    # secondment 9–13 March (5 days, all inside the sickness) cover 10 days, not 15.
    person = worker(team_manager, "Overlap")
    AbsenceFactory(
        staff=person, start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 13)
    )
    AbsenceFactory(
        staff=person,
        absence_type=AbsenceType.SECONDMENT,
        start_date=datetime.date(2026, 3, 9),
        end_date=datetime.date(2026, 3, 13),
    )
    report = monthly_compliance(team_manager.user, StaffMember.objects.all(), [MARCH], today=TODAY)
    assert _row(report, person).outcome == Outcome.NOT_COMPLIANT

    # One more day of the secondment (16 March) makes 11: excused, as sickness (10 of them).
    AbsenceFactory(
        staff=person,
        absence_type=AbsenceType.SECONDMENT,
        start_date=datetime.date(2026, 3, 12),
        end_date=datetime.date(2026, 3, 16),
    )
    report = monthly_compliance(team_manager.user, StaffMember.objects.all(), [MARCH], today=TODAY)
    row = _row(report, person)
    assert (row.outcome, row.excuse_reason) == (Outcome.EXCUSED, "sickness")


def test_the_reason_for_a_tied_month_does_not_depend_on_the_months_asked_for(team_manager):
    # Sickness and a secondment cover 10 working days each in March; the secondment started
    # later in March, so it names the month — whether or not May's sickness is in the period.
    person = worker(team_manager, "Tied")
    AbsenceFactory(
        staff=person, start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 13)
    )
    AbsenceFactory(
        staff=person,
        absence_type=AbsenceType.SECONDMENT,
        start_date=datetime.date(2026, 3, 16),
        end_date=datetime.date(2026, 3, 27),
    )
    AbsenceFactory(
        staff=person, start_date=datetime.date(2026, 5, 4), end_date=datetime.date(2026, 5, 8)
    )
    for months in ([MARCH], month_range(MARCH, Month(2026, 5))):
        report = monthly_compliance(
            team_manager.user, StaffMember.objects.all(), months, today=TODAY
        )
        march = next(row for row in report.rows_for(MARCH) if row.staff_id == person.pk)
        assert (march.outcome, march.excuse_reason) == (Outcome.EXCUSED, "secondment"), months


def test_supervisor_absent_leaves_the_worker_expected_and_counts_the_reason(team_manager):
    person = worker(team_manager, "Sole")
    HeldSessionFactory(
        supervisee=person,
        supervisor=team_manager,
        held_on=datetime.date(2026, 3, 12),
        status=SessionStatus.NOT_HELD,
        not_held_reason=NotHeldReason.SUPERVISOR_ABSENT,
    )
    tally = monthly_compliance(
        team_manager.user, StaffMember.objects.all(), [MARCH], today=TODAY
    ).tally()
    assert (tally.expected, tally.compliant) == (1, 0)
    assert tally.not_held == {NotHeldReason.SUPERVISOR_ABSENT: 1}


def test_months_are_judged_by_the_policy_version_in_force_then(team_manager):
    everyone_fortnightly = PolicyFactory(effective_from=datetime.date(2026, 4, 1))
    PolicyRuleFactory(policy=everyone_fortnightly, interval_days=14)
    person = worker(team_manager, "Versioned")
    report = monthly_compliance(
        team_manager.user, StaffMember.objects.all(), [MARCH, APRIL], today=TODAY
    )
    required = {row.month: row.required for row in report.rows}
    assert required == {MARCH: 1, APRIL: 2}
    assert person.pk == report.rows[0].staff_id


def test_a_short_session_counts_and_is_reported_short(team_manager):
    person = worker(team_manager, "Brief")
    held(person, datetime.date(2026, 3, 10), is_short=True)
    tally = monthly_compliance(
        team_manager.user, StaffMember.objects.all(), [MARCH], today=TODAY
    ).tally()
    assert (tally.compliant, tally.short) == (1, 1)


def test_readers_outside_the_line_chain_see_excused_without_the_absence_type(
    team_manager, march_team
):
    auditor = StaffFactory(role=Role.PRINCIPAL_SOCIAL_WORKER, team=None)
    tally = monthly_compliance(
        auditor.user, StaffMember.objects.all(), [MARCH], today=TODAY
    ).tally()
    assert tally.excused_reasons == {"absence": 2, "worker absent": 1}


def test_a_worker_sees_only_their_own_month(team_manager, march_team):
    m1 = march_team["M1"]
    report = monthly_compliance(m1.user, StaffMember.objects.all(), [MARCH], today=TODAY)
    assert [row.staff_id for row in report.rows] == [m1.pk]


def test_business_support_read_no_supervision_figures(team_manager, march_team):
    clerk = StaffFactory(role=Role.BUSINESS_SUPPORT, team=None)
    assert (
        monthly_compliance(clerk.user, StaffMember.objects.all(), [MARCH], today=TODAY).rows == []
    )


def test_leavers_count_only_for_their_time_in_post(team_manager):
    leaver = worker(team_manager, "Leaver", leaving_date=datetime.date(2026, 3, 10))
    report = monthly_compliance(
        team_manager.user, StaffMember.objects.all(), [MARCH, APRIL], today=TODAY
    )
    rows = [row for row in report.rows if row.staff_id == leaver.pk]
    assert [(row.month, row.outcome) for row in rows] == [(MARCH, Outcome.NOT_EXPECTED)]


def _queries_for_a_year(manager: StaffMember) -> int:
    manager.user = type(manager.user).objects.get(pk=manager.user.pk)  # no cached scope
    with CaptureQueriesContext(connection) as context:
        monthly_compliance(
            manager.user,
            StaffMember.objects.all(),
            month_range(Month(2025, 6), MARCH),
            today=TODAY,
        )
    return len(context)


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_team_size(team_manager):
    for n in range(3):
        worker(team_manager, f"Small{n}")
    small = _queries_for_a_year(team_manager)
    for n in range(20):
        held(worker(team_manager, f"Large{n}"), datetime.date(2026, 3, 3))
        AbsenceFactory(staff=StaffMember.objects.get(first_name=f"Large{n}"))
    assert _queries_for_a_year(team_manager) == small <= 9


@pytest.mark.parametrize("text", ["2026-13", "2026", "March", "", "2026-00", "20x6-01"])
def test_a_malformed_month_is_refused_with_a_message(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse(text)


def test_month_arithmetic_crosses_the_year():
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2026, 2).last == datetime.date(2026, 2, 28)


def test_a_session_at_the_end_of_a_long_period_is_still_counted(team_manager):
    # Pages and exports stop at 36 months; the figures themselves take any period.
    person = worker(team_manager, "LongServing", start_date=datetime.date(2019, 1, 1))
    held(person, datetime.date(2026, 3, 20))
    months = month_range(Month(2020, 1), MARCH)
    report = monthly_compliance(team_manager.user, StaffMember.objects.all(), months, today=TODAY)
    march = next(row for row in report.rows_for(MARCH) if row.staff_id == person.pk)
    assert (march.held, march.outcome) == (1, Outcome.COMPLIANT)
