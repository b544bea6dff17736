"""`/api/v1/actions/`: a worker's action plan — set by their supervisor, closed by its owner,
the worker or their managers; only the status changes through the API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision.models import Action, ActionStatus
from tests.api_helpers import ids, results
from tests.supervision.api.conftest import D, locked, started
from tests.supervision.factories import ActionFactory

pytestmark = pytest.mark.django_db

ACTIONS = "/api/v1/actions/"


def test_a_supervisor_sets_an_action_owned_by_the_worker_by_default(world, api_as):
    response = api_as("tm").post(
        ACTIONS,
        {
            "supervisee": world.sw.pk,
            "description": "Update the chronology",
            "due_date": "2026-12-04",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["owner"], body["status"], body["due_date"]) == (world.sw.pk, "open", "2026-12-04")
    assert Action.objects.get().history.get().history_user == world.tm.user


def test_an_action_set_in_a_session_belongs_to_it(world, api_as):
    session = started(world)
    response = api_as("tm").post(
        ACTIONS,
        {
            "supervisee": world.sw.pk,
            "description": "Case summary",
            "owner": world.tm.pk,
            "session": session.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["session"] == session.pk
    assert response.json()["owner"] == world.tm.pk


def test_an_action_in_someone_elses_session_is_refused(world, api_as):
    response = api_as("tm").post(
        ACTIONS,
        {"supervisee": world.asye.pk, "description": "x", "session": started(world).pk},
        format="json",
    )
    assert response.status_code == 400
    assert "session" in response.json()


def test_an_action_in_a_locked_session_is_a_conflict(world, api_as):
    response = api_as("tm").post(
        ACTIONS,
        {"supervisee": world.sw.pk, "description": "Late", "session": locked(world).pk},
        format="json",
    )
    assert response.status_code == 409


def test_an_owner_outside_the_worker_and_their_managers_is_refused(world, api_as):
    response = api_as("tm").post(
        ACTIONS,
        {"supervisee": world.sw.pk, "description": "x", "owner": world.asye.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "owner" in response.json()


def test_an_empty_description_is_refused(world, api_as):
    response = api_as("tm").post(
        ACTIONS, {"supervisee": world.sw.pk, "description": "  "}, format="json"
    )
    assert response.status_code == 400
    assert "description" in response.json()


def test_setting_an_action_for_someone_you_do_not_supervise_is_refused(world, api_as):
    body = {"supervisee": world.sw.pk, "description": "x"}
    assert api_as("gm").post(ACTIONS, body, format="json").status_code == 403
    assert api_as("sw").post(ACTIONS, body, format="json").status_code == 403
    assert api_as("tm2").post(ACTIONS, body, format="json").status_code == 404
    assert not Action.objects.exists()


def test_the_worker_marks_their_action_done(world, api_as):
    action = ActionFactory(supervisee=world.sw)
    response = api_as("sw").patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done"
    assert response.json()["closed_on"] is not None
    latest = action.history.latest()
    assert (latest.status, latest.history_user) == (ActionStatus.DONE, world.sw.user)


def test_a_manager_reopens_an_action(world, api_as):
    action = ActionFactory(supervisee=world.sw, status=ActionStatus.DONE, closed_on=D(2026, 1, 1))
    response = api_as("gm").patch(f"{ACTIONS}{action.pk}/", {"status": "open"}, format="json")
    assert response.status_code == 200
    assert response.json()["closed_on"] is None


def test_only_the_status_changes(world, api_as):
    action = ActionFactory(supervisee=world.sw, description="Original")
    response = api_as("tm").patch(
        f"{ACTIONS}{action.pk}/", {"status": "done", "description": "Changed"}, format="json"
    )
    assert response.status_code == 400
    assert "description" in response.json()
    action.refresh_from_db()
    assert (action.description, action.status) == ("Original", ActionStatus.OPEN)


def test_an_unknown_status_is_refused(world, api_as):
    action = ActionFactory(supervisee=world.sw)
    response = api_as("tm").patch(f"{ACTIONS}{action.pk}/", {"status": "lost"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()


def test_changing_an_action_you_can_see_but_is_not_yours_is_forbidden(world, api_as):
    action = ActionFactory(supervisee=world.sw)
    response = api_as("psw").patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json")
    assert response.status_code == 403
    assert "owner" in response.json()["detail"]


def test_changing_an_action_you_cannot_see_is_not_found(world, api_as):
    action = ActionFactory(supervisee=world.sw)
    for role in ("tm2", "asye", "bs"):
        response = api_as(role).patch(f"{ACTIONS}{action.pk}/", {"status": "done"}, format="json")
        assert response.status_code == 404, role
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_actions_filter_by_supervisee_status_and_overdue(world, api_as):
    overdue = ActionFactory(supervisee=world.sw, due_date=D(2026, 1, 1))
    later = ActionFactory(supervisee=world.sw, due_date=D(2027, 1, 1))
    done = ActionFactory(supervisee=world.sw, due_date=D(2026, 1, 1), status=ActionStatus.DONE)
    asyes = ActionFactory(supervisee=world.asye, due_date=D(2026, 1, 1))
    client = api_as("tm")
    assert ids(client.get(ACTIONS, {"supervisee": world.sw.pk})) == {overdue.pk, later.pk, done.pk}
    assert ids(client.get(ACTIONS, {"status": "done"})) == {done.pk}
    assert ids(client.get(ACTIONS, {"overdue": "true"})) == {overdue.pk, asyes.pk}
    assert ids(client.get(ACTIONS, {"overdue": "false", "supervisee": world.sw.pk})) == {
        later.pk,
        done.pk,
    }
    assert client.get(ACTIONS, {"overdue": "perhaps"}).status_code == 400


def test_actions_are_scoped_like_the_worker_they_belong_to(world, api_as):
    mine = ActionFactory(supervisee=world.sw)
    theirs = ActionFactory(supervisee=world.sw2)
    assert ids(api_as("sw").get(ACTIONS)) == {mine.pk}
    assert ids(api_as("tm2").get(ACTIONS)) == {theirs.pk}
    assert ids(api_as("bs").get(ACTIONS)) == set()
    assert api_as("asye").get(f"{ACTIONS}{mine.pk}/").status_code == 404


def test_the_list_holds_its_query_count_as_actions_grow(world, api_as):
    client = api_as("tm")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            results(client.get(ACTIONS))
        return len(queries.captured_queries)

    ActionFactory.create_batch(2, supervisee=world.sw)
    small = count()
    ActionFactory.create_batch(10, supervisee=world.asye)
    assert count() == small
