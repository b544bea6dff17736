"""Lists filter through the shared FilterSets and page as `count/next/previous/results`;
filters narrow what a reader may see, never widen it."""

from __future__ import annotations

import datetime

import pytest

from oversight.models import CaseType, Role
from tests.api_helpers import ids, results
from tests.factories import CaseFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_staff_filter_by_team(world, api_as):
    rows = ids(api_as("bs").get("/api/v1/staff/", {"team": world.hillside.pk}))
    assert rows == {world.tm2.pk, world.sw2.pk}


def test_staff_filter_by_service_and_role(world, api_as):
    client = api_as("psw")
    assert ids(client.get("/api/v1/staff/", {"team__service": world.safeguarding.pk})) == {
        world.tm.pk,
        world.sw.pk,
        world.asye.pk,
        world.atm.pk,
    }
    assert ids(client.get("/api/v1/staff/", {"role": Role.GROUP_MANAGER})) == {
        world.gm.pk,
        world.gm2.pk,
    }


def test_staff_filter_by_supervisor_and_name(world, api_as):
    client = api_as("tm")
    assert ids(client.get("/api/v1/staff/", {"supervisor": world.tm.pk})) == {
        world.sw.pk,
        world.asye.pk,
        world.atm.pk,
    }
    assert ids(client.get("/api/v1/staff/", {"name": "markerasye"})) == {world.asye.pk}


def test_staff_filter_in_post_on_a_day(world, api_as):
    world.atm.leaving_date = datetime.date(2025, 12, 31)
    world.atm.save()
    client = api_as("tm")
    assert world.atm.pk in ids(client.get("/api/v1/staff/", {"in_post_on": "2025-06-01"}))
    assert world.atm.pk not in ids(client.get("/api/v1/staff/", {"in_post_on": "2026-06-01"}))
    assert ids(client.get("/api/v1/staff/", {"in_post_on": "2019-01-01"})) == set()


def test_a_filter_cannot_reach_outside_the_readers_scope(world, api_as):
    client = api_as("tm")
    response = client.get("/api/v1/cases/", {"allocated_worker": world.sw2.pk})
    assert response.status_code == 400
    assert "allocated_worker" in response.json()
    assert "MarkerSW2x" not in response.content.decode()


@pytest.mark.parametrize(
    "url, param, hidden",
    [
        ("/api/v1/staff/", "team", "hillside"),
        ("/api/v1/staff/", "team__service", "parenting"),
        ("/api/v1/staff/", "supervisor", "tm2"),
        ("/api/v1/cases/", "team", "hillside"),
        ("/api/v1/cases/", "allocated_worker", "sw2"),
        ("/api/v1/absences/", "staff", "sw2"),
        ("/api/v1/teams/", "service", "parenting"),
    ],
)
def test_filtering_by_a_hidden_record_reads_like_one_that_does_not_exist(
    world, api_as, url, param, hidden
):
    """Otherwise 200-and-empty versus 400 would tell tm that the hidden record exists."""
    client = api_as("tm")
    hidden_pk = getattr(world, hidden).pk
    for_hidden = client.get(url, {param: hidden_pk})
    for_missing = client.get(url, {param: 987654})
    assert for_hidden.status_code == for_missing.status_code == 400
    assert list(for_hidden.json()) == list(for_missing.json()) == [param]


def test_case_filter_open(world, api_as):
    closed = CaseFactory(
        allocated_worker=world.sw,
        opened_on=datetime.date(2024, 1, 1),
        closed_on=datetime.date(2024, 6, 1),
    )
    client = api_as("tm")
    assert ids(client.get("/api/v1/cases/", {"open": "true"})) == {world.case_sw.pk}
    assert ids(client.get("/api/v1/cases/", {"open": "false"})) == {closed.pk}
    assert ids(client.get("/api/v1/cases/", {"open": "1"})) == {world.case_sw.pk}
    assert ids(client.get("/api/v1/cases/")) == {world.case_sw.pk, closed.pk}


def test_case_filter_by_type_duty_and_worker(world, api_as):
    duty = CaseFactory(allocated_worker=world.asye, is_duty=True, case_type=CaseType.EARLY_HELP)
    client = api_as("psw")
    assert ids(client.get("/api/v1/cases/", {"is_duty": "true"})) == {duty.pk}
    assert ids(client.get("/api/v1/cases/", {"case_type": CaseType.EARLY_HELP})) == {duty.pk}
    assert ids(client.get("/api/v1/cases/", {"allocated_worker": world.sw2.pk})) == {
        world.case_sw2.pk
    }
    assert ids(client.get("/api/v1/cases/", {"reference": "CH-SW0001"})) == {world.case_sw.pk}


def test_team_filter_by_service(world, api_as):
    assert ids(api_as("ad").get("/api/v1/teams/", {"service": world.parenting.pk})) == {
        world.hillside.pk
    }


def test_lists_are_paginated(world, api_as):
    StaffFactory.create_batch(100, team=world.directorate, role=Role.BUSINESS_SUPPORT)
    client = api_as("bs")
    first = client.get("/api/v1/staff/").json()
    assert first["count"] == 111
    assert len(first["results"]) == 100
    assert first["previous"] is None
    assert first["next"].endswith("/api/v1/staff/?page=2")
    second = client.get("/api/v1/staff/", {"page": 2}).json()
    assert len(second["results"]) == 11
    assert second["next"] is None
    assert second["previous"] is not None
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(seen)) == 111


def test_pagination_keeps_the_filter(world, api_as):
    StaffFactory.create_batch(101, team=world.directorate, role=Role.BUSINESS_SUPPORT)
    body = api_as("bs").get("/api/v1/staff/", {"role": Role.BUSINESS_SUPPORT}).json()
    assert body["count"] == 102
    assert "role=business_support" in body["next"]


def test_a_page_past_the_end_is_404(world, api_as):
    response = api_as("bs").get("/api/v1/staff/", {"page": 99})
    assert response.status_code == 404


def test_lists_are_in_a_stable_order(world, api_as):
    rows = results(api_as("psw").get("/api/v1/staff/"))
    names = [(row["last_name"], row["first_name"]) for row in rows]
    assert names == sorted(names)
    rows = results(api_as("psw").get("/api/v1/absences/"))
    assert [row["start_date"] for row in rows] == ["2026-01-05", "2025-01-06"]
