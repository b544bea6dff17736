"""`/api/v1/metrics/supervision-status/`: each role sees the supervision it may follow, filters
are checked, and absence types never appear. Data is built relative to today."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from oversight.models import AbsenceType
from supervision.policy import Status
from tests.conftest import World
from tests.factories import AbsenceFactory
from tests.supervision.factories import ActionFactory, HeldSessionFactory, InformalDiscussionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/supervision-status/"
RIVERSIDE_SUPERVISED = {"tm", "sw", "asye", "atm"}
HILLSIDE_SUPERVISED = {"tm2", "sw2"}


@pytest.fixture
def api_as(world: World) -> Callable[[str], APIClient]:
    """`api_as("tm")`: an API client signed in as one of the named people."""

    def make(key: str) -> APIClient:
        client = APIClient()
        client.force_login(world.people[key].user)
        return client

    return make


def _get(client: APIClient, **params: object) -> dict:
    response = client.get(URL, params)
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return response.json()


def _people(world: World, body: dict) -> set[str]:
    by_pk = {person.pk: key for key, person in world.people.items()}
    return {by_pk[row["staff"]] for row in body["workers"]}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("tm", RIVERSIDE_SUPERVISED),
        ("tm2", HILLSIDE_SUPERVISED),
        ("gm", RIVERSIDE_SUPERVISED | {"gm"}),
        ("sw", {"sw"}),
        ("asye", {"asye"}),
        ("atm", {"atm"}),
        ("sw2", {"sw2"}),
        # Everyone with a supervisor; the assistant director has none, business support none.
        ("psw", RIVERSIDE_SUPERVISED | HILLSIDE_SUPERVISED | {"gm", "gm2", "psw"}),
        ("ad", RIVERSIDE_SUPERVISED | HILLSIDE_SUPERVISED | {"gm", "gm2", "psw"}),
        ("bs", set()),
    ],
)
def test_each_role_sees_the_supervision_it_may_follow(world, api_as, role, expected):
    assert _people(world, _get(api_as(role))) == expected


def test_a_team_manager_sees_their_team_and_not_the_other_team(world, api_as):
    people = _people(world, _get(api_as("tm")))
    assert {"sw", "asye", "atm"} <= people
    assert "sw2" not in people


def test_business_support_get_an_empty_answer_with_every_count_zero(world, api_as):
    body = _get(api_as("bs"))
    assert body["workers"] == []
    assert body["counts"] == dict.fromkeys([status.value for status in Status], 0)


def test_a_worker_row_says_where_their_supervision_stands(world, api_as):
    today = timezone.localdate()
    HeldSessionFactory(supervisee=world.sw, held_on=today - datetime.timedelta(days=3))
    ActionFactory(supervisee=world.sw)
    InformalDiscussionFactory(worker=world.sw)
    body = _get(api_as("tm"))
    assert body["as_at"] == today.isoformat()
    [row] = [row for row in body["workers"] if row["staff"] == world.sw.pk]
    assert row == {
        "staff": world.sw.pk,
        "name": world.sw.full_name,
        "team": world.riverside.pk,
        "team_name": "Riverside",
        "status": "in_time",
        "status_label": "In time",
        "due_date": (today + datetime.timedelta(days=25)).isoformat(),
        "last_held_on": (today - datetime.timedelta(days=3)).isoformat(),
        "interval_days": 28,
        "open_actions": 1,
        "informal_waiting": 1,
    }


def test_the_counts_add_up_to_the_workers_listed(world, api_as):
    body = _get(api_as("psw"))
    assert set(body["counts"]) == {status.value for status in Status}
    assert sum(body["counts"].values()) == len(body["workers"]) == 9
    assert body["counts"]["excused"] == 1  # sw2, on parental leave since January


def test_a_manager_can_narrow_to_their_own_team(world, api_as):
    body = _get(api_as("tm"), team=world.riverside.pk)
    assert _people(world, body) == RIVERSIDE_SUPERVISED


def test_the_directorate_can_narrow_to_a_service(world, api_as):
    body = _get(api_as("psw"), service=world.parenting.pk)
    assert _people(world, body) == HILLSIDE_SUPERVISED


def test_a_team_and_a_service_together_must_both_match(world, api_as):
    body = _get(api_as("psw"), team=world.riverside.pk, service=world.parenting.pk)
    assert body["workers"] == []


def test_a_filter_narrows_but_never_widens_what_a_practitioner_sees(world, api_as):
    assert _people(world, _get(api_as("sw"), team=world.riverside.pk)) == {"sw"}


@pytest.mark.parametrize("value", ["abc", "1.5", "0", "-3", "1;2"])
def test_a_malformed_team_is_refused_with_a_field_message(world, api_as, value):
    response = api_as("tm").get(URL, {"team": value})
    assert response.status_code == 400
    assert set(response.json()) == {"team"}


def test_an_empty_team_is_no_filter_as_on_the_other_lists(world, api_as):
    assert _people(world, _get(api_as("psw"), team="")) == _people(world, _get(api_as("psw")))


def test_a_malformed_service_is_refused_with_a_field_message(world, api_as):
    response = api_as("psw").get(URL, {"service": "riverside"})
    assert response.status_code == 400
    assert "service" in response.json()


def test_a_team_the_manager_cannot_see_answers_404(world, api_as):
    assert api_as("tm").get(URL, {"team": world.hillside.pk}).status_code == 404


def test_a_service_the_manager_cannot_see_answers_404(world, api_as):
    assert api_as("gm").get(URL, {"service": world.parenting.pk}).status_code == 404


def test_a_team_that_does_not_exist_answers_404_like_one_out_of_sight(world, api_as):
    assert api_as("psw").get(URL, {"team": 987654}).status_code == 404


def test_signing_in_is_required(world):
    assert APIClient().get(URL).status_code in (401, 403)


def test_writing_is_not_allowed(world, api_as):
    assert api_as("psw").post(URL, {}).status_code == 405


@pytest.mark.parametrize("role", ["tm2", "gm2", "psw", "ad"])
def test_the_answer_never_says_what_kind_of_absence(world, api_as, role):
    AbsenceFactory(
        staff=world.sw,
        absence_type=AbsenceType.LONG_TERM_SICKNESS,
        start_date=timezone.localdate() - datetime.timedelta(days=5),
        end_date=None,
        notes="NoteSWtoday",
    )
    response = api_as(role).get(URL)
    body = response.content.decode()
    excused = [row for row in response.json()["workers"] if row["status"] == "excused"]
    assert excused, "someone visible is away today"
    for absence_type in AbsenceType:
        if absence_type is AbsenceType.OTHER:
            continue  # "other"/"Other" are ordinary words
        assert absence_type.value not in body, absence_type
        assert absence_type.label not in body, absence_type
    for marker in ("NoteSWtoday", "NoteSW2secret", "NoteSWsecret"):
        assert marker not in body
    for word in ("sick", "leave", "maternity", "parental"):
        assert word not in body.lower()


def test_the_endpoint_is_described_in_the_openapi_schema(world, api_as):
    response = api_as("sw").get("/api/schema/", {"format": "json"})
    schema = json.loads(response.content)
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"team", "service"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/SupervisionStatus")
    counts = schema["components"]["schemas"]["StatusCounts"]["properties"]
    assert set(counts) == {status.value for status in Status}
