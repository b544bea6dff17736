"""The dashboards' figures through the API: the same numbers as the page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_compliance_for_the_worked_example_month(march_team, team_manager):
    response = _api(team_manager.user).get(
        "/api/v1/metrics/supervision-compliance/",
        {"scope": f"team:{team_manager.team_id}", "month": "2026-03"},
    )
    assert response.status_code == 200, response.json()
    totals = response.json()["totals"]
    assert (totals["expected"], totals["compliant"], totals["excused"]) == (4, 1, 3)
    assert float(totals["rate"]) == 0.25
    assert totals["excused_reasons"] == {
        "maternity, paternity or adoption leave": 1,
        "sickness": 1,
        "worker absent": 1,
    }
    assert totals["not_held"] == {"worker_absent": 1}
    assert len(response.json()["workers"]) == 8


@pytest.mark.parametrize("month", ["2099-01", "2026-13", "March"])
def test_a_bad_month_answers_400_with_a_field_message(world, month):
    response = _api(world.gm.user).get("/api/v1/metrics/supervision-compliance/", {"month": month})
    assert response.status_code == 400
    assert "month" in response.json()


def test_a_scope_you_cannot_see_answers_404(world):
    client = _api(world.tm2.user)
    for url in ("/api/v1/metrics/supervision-compliance/", "/api/v1/metrics/caseloads/"):
        assert client.get(url, {"scope": f"team:{world.riverside.pk}"}).status_code == 404


def test_a_malformed_scope_answers_400(world):
    response = _api(world.gm.user).get("/api/v1/metrics/caseloads/", {"scope": "team:x"})
    assert response.status_code == 400
    assert "scope" in response.json()


def test_caseloads_count_open_and_duty_cases_per_worker(world):
    from tests.factories import CaseFactory

    CaseFactory(allocated_worker=world.sw, is_duty=True)
    CaseFactory(allocated_worker=world.sw, closed_on="2026-01-01", opened_on="2025-01-01")
    response = _api(world.tm.user).get(
        "/api/v1/metrics/caseloads/", {"scope": f"team:{world.riverside.pk}"}
    )
    assert response.status_code == 200
    workers = {row["name"]: row for row in response.json()["workers"]}
    sw = workers[world.sw.full_name]
    assert (sw["open_cases"], sw["duty_cases"]) == (2, 1)
    team = response.json()["teams"][0]
    assert team["duty_workers"]["workers"] == 1


def test_business_support_get_no_figures(world):
    client = _api(world.bs.user)
    assert client.get("/api/v1/metrics/supervision-compliance/").status_code == 404
    assert client.get("/api/v1/metrics/caseloads/").status_code == 404
