"""`/api/v1/decision-tasks/`: the MDRs' tasks, read-only, as their owners and managers see
them (each is also an action in its owner's plan)."""

from __future__ import annotations

import datetime

import pytest

from decisions.services import TaskSpec
from oversight.models import AccessLogEntry
from tests.api_helpers import ids, results
from tests.decisions.api.conftest import TASKS
from tests.decisions.factories import at, record_decision

pytestmark = pytest.mark.django_db

D = datetime.date


def two_tasks(world):
    """tm's decision on sw's case: a task for sw (in 5 working days) and a late one for tm."""
    decision = record_decision(
        world.tm,
        world.case_sw,
        made_at=at(D(2026, 1, 5)),
        tasks=[
            TaskSpec(description="Visit", owner=world.sw, due_in_working_days=5),
            TaskSpec(description="Chase school", owner=world.tm, due_date=D(2026, 1, 6)),
        ],
    )
    sw_task, tm_task = decision.tasks.order_by("pk")
    return decision, sw_task, tm_task


def test_a_task_shows_its_decision_case_owner_and_deadline(world, api_as):
    decision, sw_task, tm_task = two_tasks(world)
    rows = {row["id"]: row for row in results(api_as("tm").get(TASKS))}
    assert set(rows) == {sw_task.pk, tm_task.pk}
    row = rows[sw_task.pk]
    assert (row["decision"], row["case"], row["case_reference"]) == (
        decision.pk,
        world.case_sw.pk,
        "CH-SW0001",
    )
    assert (row["description"], row["owner"], row["owner_name"]) == (
        "Visit",
        world.sw.pk,
        world.sw.full_name,
    )
    # Monday 5 January 2026 plus five working days.
    assert (row["due_date"], row["due_in_working_days"]) == ("2026-01-12", 5)
    assert (row["status"], row["overdue"]) == ("open", True)
    assert row["action"] == sw_task.action_id


def test_mine_lists_only_the_tasks_the_reader_owns(world, api_as):
    _, sw_task, tm_task = two_tasks(world)
    assert ids(api_as("sw").get(TASKS, {"mine": "true"})) == {sw_task.pk}
    assert ids(api_as("tm").get(TASKS, {"mine": "true"})) == {tm_task.pk}
    assert ids(api_as("tm").get(TASKS, {"mine": "false"})) == {sw_task.pk}


def test_mine_must_be_true_or_false(world, api_as):
    response = api_as("sw").get(TASKS, {"mine": "yes please"})
    assert response.status_code == 400
    assert "mine" in response.json()


def test_the_list_filters_by_status_and_decision(world, api_as):
    decision, sw_task, tm_task = two_tasks(world)
    other = record_decision(world.tm, world.case_sw)
    client = api_as("tm")
    assert ids(client.get(TASKS, {"decision": decision.pk})) == {sw_task.pk, tm_task.pk}
    assert ids(client.get(TASKS, {"decision": other.pk})) == {other.tasks.get().pk}
    assert ids(client.get(TASKS, {"status": "done"})) == set()
    assert len(ids(client.get(TASKS, {"status": "open"}))) == 3


def test_a_decision_the_reader_cannot_see_is_not_a_filter_choice(world, api_as):
    decision, *_ = two_tasks(world)
    response = api_as("tm2").get(TASKS, {"decision": decision.pk})
    assert response.status_code == 400
    assert "decision" in response.json()


@pytest.mark.parametrize("key", ["sw2", "tm2", "bs"])
def test_tasks_outside_the_readers_cases_are_hidden(world, api_as, key):
    _, sw_task, _ = two_tasks(world)
    client = api_as(key)
    assert results(client.get(TASKS)) == []
    assert client.get(f"{TASKS}{sw_task.pk}/").status_code == 404


def test_the_owner_reads_their_task_and_the_read_is_logged(world, api_as):
    _, sw_task, _ = two_tasks(world)
    response = api_as("sw").get(f"{TASKS}{sw_task.pk}/")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.kind, entry.object_id, entry.via) == ("decision-task", str(sw_task.pk), "api")


def test_tasks_are_read_only(world, api_as):
    _, sw_task, _ = two_tasks(world)
    client = api_as("tm")
    assert client.post(TASKS, {"description": "x"}, format="json").status_code == 405
    assert client.patch(f"{TASKS}{sw_task.pk}/", {"description": "x"}).status_code == 405
