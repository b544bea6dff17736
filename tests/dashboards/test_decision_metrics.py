"""Decisions figures on a small hand-checked scenario (Riverside, November 2026), through the
function, the API, and their scope and errors.

    case_sw (Riverside)  contact advice, received Fri 13 Nov, decided Mon 16 Nov → in time
                         contact no further action, received Thu 12 Nov, decided 16 Nov → late
                         step up 2 → 3 on 20 Nov, its task (5 working days) overdue by today
                         a draft allocation (not counted as a decision)
    case_sw2 (Hillside)  contact early help, received and decided 16 Nov → in time

For Riverside in November: 3 signed MDRs (1 advice, 1 no further action, 1 step up),
1 draft, contact decisions 1 of 2 within a working day (0.5), 1 overdue task.
For the directorate: 4 MDRs, contact 2 of 3 (0.6667).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from dashboards.compliance import Month
from dashboards.decision_metrics import decision_figures
from decisions.models import DecisionType
from oversight.models import Case
from tests.decisions.factories import at, record_decision

pytestmark = pytest.mark.django_db


def api(person) -> APIClient:
    client = APIClient()
    client.force_login(person.user)
    return client


NOV = Month(2026, 11)
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def scenario(world):
    made = at(datetime.date(2026, 11, 16))
    contact = {"sign": True, "made_at": made, "tasks": [], "no_tasks_reason": "Contact only."}
    record_decision(
        world.tm,
        world.case_sw,
        decision_type=DecisionType.CONTACT_ADVICE,
        contact_received_on=datetime.date(2026, 11, 13),
        **contact,
    )
    record_decision(
        world.tm,
        world.case_sw,
        decision_type=DecisionType.CONTACT_NFA,
        contact_received_on=datetime.date(2026, 11, 12),
        **contact,
    )
    record_decision(
        world.tm,
        world.case_sw,
        sign=True,
        made_at=at(datetime.date(2026, 11, 20)),
        decision_type=DecisionType.STEP_UP,
        level_before=2,
        level_after=3,
    )
    record_decision(
        world.tm, world.case_sw, decision_type=DecisionType.ALLOCATION, made_at=at(NOV.last)
    )
    record_decision(
        world.tm2,
        world.case_sw2,
        decision_type=DecisionType.CONTACT_EARLY_HELP,
        contact_received_on=datetime.date(2026, 11, 16),
        **contact,
    )
    return world


def test_riverside_in_november(scenario):
    cases = Case.objects.filter(team__name="Riverside")
    figures = decision_figures(cases, [NOV], today=TODAY)
    assert figures.decisions == 3
    assert figures.drafts == 1
    by_type = {kind: counts[0] for kind, _label, counts, _total in figures.type_rows()}
    assert by_type[DecisionType.CONTACT_ADVICE] == 1
    assert by_type[DecisionType.CONTACT_NFA] == 1
    assert by_type[DecisionType.STEP_UP] == 1
    assert by_type[DecisionType.ALLOCATION] == 0
    assert (figures.contact.met, figures.contact.in_time) == (2, 1)
    assert figures.contact.rate == Decimal("0.5000")
    assert figures.tasks_overdue == 1
    [team_month] = figures.by_team_month
    assert (team_month.team, team_month.decisions, team_month.contact.in_time) == (
        "Riverside",
        3,
        1,
    )


def test_the_api_agrees_for_the_directorate(scenario):
    body = (
        api(scenario.ad)
        .get(
            "/api/v1/metrics/decisions/",
            {"scope": "directorate", "from": "2026-11", "to": "2026-11"},
        )
        .json()
    )
    assert body["decisions"] == 4
    assert body["contact_decisions_within_1_working_day"] == {
        "met": 3,
        "in_time": 2,
        "rate": "0.6667",
    }
    by_type = {row["decision_type"]: row["by_month"]["2026-11"] for row in body["by_type"]}
    assert by_type["contact_early_help"] == 1


def test_the_api_counts_a_team_managers_team_only(scenario):
    team = scenario.case_sw.team_id
    body = (
        api(scenario.tm)
        .get(
            "/api/v1/metrics/decisions/",
            {"scope": f"team:{team}", "from": "2026-11", "to": "2026-11"},
        )
        .json()
    )
    assert body["decisions"] == 3
    assert {row["team_name"] for row in body["teams"]} == {"Riverside"}


def test_refuses_a_team_out_of_scope_with_404(scenario):
    hillside = scenario.case_sw2.team_id
    response = api(scenario.tm).get("/api/v1/metrics/decisions/", {"scope": f"team:{hillside}"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query, field",
    [
        ({"from": "2026-13"}, "from"),
        ({"scope": ""}, "scope"),
        ({"month": "2026-11"}, "month"),
        ({"scope": "galaxy"}, "scope"),
    ],
)
def test_refuses_bad_parameters_with_400(scenario, query, field):
    response = api(scenario.ad).get("/api/v1/metrics/decisions/", query)
    assert response.status_code == 400
    assert field in response.json()


def test_business_support_reads_no_decision_figures(scenario):
    assert api(scenario.bs).get("/api/v1/metrics/decisions/").status_code == 404


def test_the_dashboard_page_and_the_workbook_agree_with_the_figures(scenario):
    """Page, API and workbook read the same figures (Riverside, November 2026)."""
    from tests.dashboards.test_performance_export import rows_of, workbook_of

    team = scenario.case_sw.team_id
    client = scenario.client("tm")
    query = f"?scope=team:{team}&from=2026-11&to=2026-11"
    page = client.get(f"/dashboards/{query}&month=2026-11").content.decode()
    assert 'data-figure="decisions">3</a>' in page
    assert "50% (1 of 2)" in page
    book = workbook_of(client.get(f"/exports/performance.xlsx{query}"))
    header = [cell.value for cell in book["Decisions"][1]]
    rows = rows_of(book["Decisions"])
    assert header == [
        "Team",
        "Month",
        "MDRs signed",
        "Contact decisions",
        "Within 1 working day",
        "Rate",
    ]
    [row] = rows
    assert row[0] == "Riverside" and row[1].date() == NOV.first
    assert row[2:] == [3, 2, 1, 0.5]
    drift = {r[0] for r in rows_of(book["Drift"])}
    assert scenario.case_sw.reference in drift  # its step-up task is overdue
    assert scenario.case_sw2.reference not in drift  # another team's case
