"""`/api/v1/informal-discussions/`: a conversation noted as it happens — by the worker, their
managers or their team's assistant team manager — and pulled into the next session once."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supervision.models import Action, InformalDiscussion
from tests.api_helpers import ids, results
from tests.factories import CaseFactory, StaffFactory
from tests.supervision.api.conftest import started
from tests.supervision.factories import ActionFactory, InformalDiscussionFactory

pytestmark = pytest.mark.django_db

INFORMAL = "/api/v1/informal-discussions/"


def an_hour_ago() -> str:
    return (timezone.now() - datetime.timedelta(hours=1)).isoformat()


def record(client, worker, **overrides):
    body = {
        "worker": worker.pk,
        "happened_at": an_hour_ago(),
        "channel": "duty",
        "advice": "Strategy discussion today",
        **overrides,
    }
    return client.post(INFORMAL, body, format="json")


def test_a_manager_records_a_discussion_with_actions(world, api_as):
    response = record(
        api_as("tm"),
        world.sw,
        case=world.case_sw.pk,
        actions=[{"description": "Call the police", "due_date": "2026-11-30"}],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["worker"], body["recorded_by"], body["manager"]) == (
        world.sw.pk,
        world.tm.pk,
        world.tm.pk,
    )
    assert body["incorporated_into"] is None
    assert [(a["description"], a["owner"]) for a in body["actions"]] == [
        ("Call the police", world.sw.pk)
    ]
    discussion = InformalDiscussion.objects.get(pk=body["id"])
    assert discussion.history.get().history_user == world.tm.user
    assert Action.objects.get().history.get().history_user == world.tm.user


def test_a_worker_records_their_own_discussion_with_their_supervisor(world, api_as):
    response = record(api_as("sw"), world.sw)
    assert response.status_code == 201, response.json()
    assert (response.json()["recorded_by"], response.json()["manager"]) == (
        world.sw.pk,
        world.tm.pk,
    )


def test_the_assistant_team_manager_records_for_their_team(world, api_as):
    assert record(api_as("atm"), world.sw).status_code == 201


def test_the_next_session_pulls_it_in_and_the_filter_shows_it(world, api_as):
    discussion_id = record(api_as("tm"), world.sw).json()["id"]
    client = api_as("tm")
    assert ids(client.get(INFORMAL, {"incorporated": "false"})) == {discussion_id}
    session = started(world)
    assert ids(client.get(INFORMAL, {"incorporated": "false"})) == set()
    assert ids(client.get(INFORMAL, {"incorporated": "true"})) == {discussion_id}
    body = client.get(f"{INFORMAL}{discussion_id}/").json()
    assert body["incorporated_into"] == session.pk


def test_recording_for_someone_you_can_see_but_do_not_manage_is_forbidden(world, api_as):
    for role in ("psw", "asye", "bs"):
        response = record(api_as(role), world.sw)
        assert response.status_code == 403, role
        assert "cannot record discussions with PersonSW MarkerSWx" in response.json()["detail"]
    assert not InformalDiscussion.objects.exists()


def test_recording_for_someone_you_cannot_see_is_not_found(world, api_as):
    assert record(api_as("tm"), world.sw2).status_code == 404
    assert not InformalDiscussion.objects.exists()


def test_bad_input_names_each_field(world, api_as):
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = record(api_as("tm"), world.sw, happened_at=future)
    assert response.status_code == 400
    assert "happened_at" in response.json()
    response = record(api_as("tm"), world.sw, channel="carrier pigeon", advice="")
    assert response.status_code == 400
    assert {"channel", "advice"} <= set(response.json())


def test_a_case_of_another_team_is_refused(world, api_as):
    elsewhere = CaseFactory(allocated_worker=StaffFactory(), team=world.hillside)
    response = record(api_as("psw"), world.psw, case=elsewhere.pk)
    assert response.status_code == 400
    assert "case" in response.json()


def test_an_action_without_a_description_is_refused(world, api_as):
    response = record(api_as("tm"), world.sw, actions=[{"description": ""}])
    assert response.status_code == 400
    assert "actions" in response.json()
    assert not InformalDiscussion.objects.exists()


def test_the_list_is_scoped_and_filtered_by_worker(world, api_as):
    mine = InformalDiscussionFactory(worker=world.sw)
    asyes = InformalDiscussionFactory(worker=world.asye)
    other = InformalDiscussionFactory(worker=world.sw2)
    assert ids(api_as("tm").get(INFORMAL)) == {mine.pk, asyes.pk}
    assert ids(api_as("tm").get(INFORMAL, {"worker": world.sw.pk})) == {mine.pk}
    assert ids(api_as("sw").get(INFORMAL)) == {mine.pk}
    assert ids(api_as("tm2").get(INFORMAL)) == {other.pk}
    assert ids(api_as("bs").get(INFORMAL)) == set()
    assert api_as("tm2").get(f"{INFORMAL}{mine.pk}/").status_code == 404


def test_the_list_holds_its_query_count_as_discussions_grow(world, api_as):
    client = api_as("tm")

    def grow(n: int) -> None:
        for _ in range(n):
            discussion = InformalDiscussionFactory(worker=world.sw)
            ActionFactory(supervisee=world.sw, informal_discussion=discussion)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            results(client.get(INFORMAL))
        return len(queries.captured_queries)

    grow(2)
    small = count()
    grow(10)
    assert count() == small
