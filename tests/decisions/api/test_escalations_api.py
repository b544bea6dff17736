"""`/api/v1/escalations/`: a professional disagreement about a signed decision, raised,
answered, taken to the next stage and resolved."""

from __future__ import annotations

import pytest

from decisions.models import Escalation, EscalationStatus
from oversight.models import Notification
from tests.api_helpers import ids, results
from tests.decisions.api.conftest import ESCALATIONS, escalated, escalation_url, signed
from tests.decisions.factories import record_decision

pytestmark = pytest.mark.django_db


def test_an_escalation_goes_from_raised_to_resolved(world, api_as):
    decision = signed(world)
    worker, manager = api_as("sw"), api_as("tm")

    raised = worker.post(
        ESCALATIONS,
        {"decision": decision.pk, "concern": "The risk is higher.", "partner_agency": "School"},
        format="json",
    )
    assert raised.status_code == 201, raised.json()
    data = raised.json()
    assert (data["stage"], data["status"], data["raised_by"]) == (1, "open", world.sw.pk)
    assert (data["partner_agency"], data["case_reference"]) == ("School", "CH-SW0001")
    assert data["response_due_at"] > data["raised_at"]
    escalation = Escalation.objects.get(pk=data["id"])
    assert escalation.history.get().history_user == world.sw.user
    assert Notification.objects.filter(recipient=world.tm.user, kind="escalation").exists()

    responded = manager.post(
        escalation_url(escalation, "respond"), {"response": "Visit booked."}, format="json"
    )
    assert responded.status_code == 200, responded.json()
    assert (responded.json()["status"], responded.json()["responded_by"]) == (
        "responded",
        world.tm.pk,
    )

    onward = worker.post(
        escalation_url(escalation, "escalate"), {"concern": "Still worried."}, format="json"
    )
    assert onward.status_code == 200, onward.json()
    assert (onward.json()["stage"], onward.json()["status"]) == (2, "open")
    assert "Stage 2: Still worried." in onward.json()["concern"]

    resolved = manager.post(
        escalation_url(escalation, "resolve"), {"outcome": "Plan changed."}, format="json"
    )
    assert resolved.status_code == 200, resolved.json()
    assert (resolved.json()["status"], resolved.json()["outcome"]) == ("resolved", "Plan changed.")
    assert resolved.json()["resolved_at"] is not None
    escalation.refresh_from_db()
    assert escalation.history.first().history_user == world.tm.user


def test_a_draft_cannot_be_escalated(world, api_as):
    draft = record_decision(world.tm, world.case_sw)
    response = api_as("sw").post(
        ESCALATIONS, {"decision": draft.pk, "concern": "No."}, format="json"
    )
    assert response.status_code == 400
    assert "decision" in response.json()


@pytest.mark.parametrize("key", ["sw2", "tm2", "bs"])
def test_raising_about_a_decision_the_reader_cannot_see_answers_404(world, api_as, key):
    response = api_as(key).post(
        ESCALATIONS, {"decision": signed(world).pk, "concern": "No."}, format="json"
    )
    assert response.status_code == 404
    assert not Escalation.objects.exists()


def test_refuses_an_escalation_without_a_concern(world, api_as):
    response = api_as("sw").post(
        ESCALATIONS, {"decision": signed(world).pk, "concern": "  "}, format="json"
    )
    assert response.status_code == 400
    assert "concern" in response.json()


@pytest.mark.parametrize("action", ["respond", "resolve", "escalate"])
def test_someone_who_may_not_see_the_decision_gets_404(world, api_as, action):
    escalation = escalated(world)
    field = {"respond": "response", "resolve": "outcome", "escalate": "concern"}[action]
    response = api_as("tm2").post(
        escalation_url(escalation, action), {field: "Not mine."}, format="json"
    )
    assert response.status_code == 404
    escalation.refresh_from_db()
    assert (escalation.status, escalation.stage) == (EscalationStatus.OPEN, 1)


@pytest.mark.parametrize("action", ["respond", "resolve"])
def test_the_worker_may_not_answer_their_own_escalation(world, api_as, action):
    escalation = escalated(world)
    field = {"respond": "response", "resolve": "outcome"}[action]
    response = api_as("sw").post(escalation_url(escalation, action), {field: "x"}, format="json")
    assert response.status_code == 403
    assert "Only the case's managers" in response.json()["detail"]


def test_a_resolved_escalation_cannot_be_answered_again(world, api_as):
    escalation = escalated(world)
    client = api_as("tm")
    client.post(escalation_url(escalation, "resolve"), {"outcome": "Done."}, format="json")
    response = client.post(escalation_url(escalation, "respond"), {"response": "x"}, format="json")
    assert response.status_code == 400
    assert "response" in response.json()


def test_the_list_shows_escalations_the_reader_may_see(world, api_as):
    escalation = escalated(world)
    assert ids(api_as("tm").get(ESCALATIONS)) == {escalation.pk}
    assert ids(api_as("tm").get(ESCALATIONS, {"status": "resolved"})) == set()
    assert results(api_as("sw2").get(ESCALATIONS)) == []
    assert api_as("sw2").get(escalation_url(escalation)).status_code == 404
