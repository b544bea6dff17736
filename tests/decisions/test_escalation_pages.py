"""Escalations through the pages: raise, respond, escalate, resolve, and who may."""

from __future__ import annotations

import pytest

from decisions.models import Escalation, EscalationStatus
from tests.decisions.factories import record_decision

pytestmark = pytest.mark.django_db


def _raise(world, key: str = "sw", concern: str = "ConcernX"):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    response = world.client(key).post(
        f"/decisions/{decision.pk}/escalations/new/",
        {"concern": concern, "partner_agency": "School"},
    )
    return decision, response


def test_the_worker_raises_an_escalation(world):
    decision, response = _raise(world)
    escalation = Escalation.objects.get(decision=decision)
    assert response.status_code == 302
    assert response["Location"] == f"/escalations/{escalation.pk}/"
    assert (escalation.raised_by, escalation.stage) == (world.sw, 1)
    assert escalation.partner_agency == "School"
    body = world.client("sw").get(f"/decisions/{decision.pk}/").content.decode()
    assert f"/escalations/{escalation.pk}/" in body


def test_refuses_an_escalation_without_a_concern(world):
    decision, response = _raise(world, concern="")
    assert "Say what the disagreement is about." in response.content.decode()
    assert not Escalation.objects.exists()


def test_refuses_an_escalation_of_a_draft(world):
    decision = record_decision(world.tm, world.case_sw)
    client = world.client("sw")
    assert (
        'data-testid="not-signed"'
        in client.get(f"/decisions/{decision.pk}/escalations/new/").content.decode()
    )
    response = client.post(f"/decisions/{decision.pk}/escalations/new/", {"concern": "X"})
    assert "Only a signed decision can be escalated." in response.content.decode()
    assert not Escalation.objects.exists()


def test_refuses_an_escalation_out_of_scope(world):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    response = world.client("sw2").post(
        f"/decisions/{decision.pk}/escalations/new/", {"concern": "X"}
    )
    assert response.status_code == 404
    assert not Escalation.objects.exists()


def test_the_manager_responds_then_resolves(world):
    _, _ = _raise(world)
    escalation = Escalation.objects.get()
    client = world.client("tm")
    body = client.get(f"/escalations/{escalation.pk}/").content.decode()
    assert 'data-testid="respond-form"' in body and 'data-testid="resolve-form"' in body
    response = client.post(
        f"/escalations/{escalation.pk}/respond/", {"respond-response": "ResponseX"}
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.status, escalation.response) == (EscalationStatus.RESPONDED, "ResponseX")
    response = client.post(f"/escalations/{escalation.pk}/resolve/", {"resolve-outcome": "Agreed"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED


def test_refuses_an_empty_response_keeping_the_page(world):
    _raise(world)
    escalation = Escalation.objects.get()
    response = world.client("tm").post(
        f"/escalations/{escalation.pk}/respond/", {"respond-response": ""}
    )
    assert response.status_code == 200
    assert "Write the response." in response.content.decode()


def test_the_worker_escalates_to_the_next_stage(world):
    _raise(world)
    escalation = Escalation.objects.get()
    response = world.client("sw").post(
        f"/escalations/{escalation.pk}/escalate/", {"escalate-concern": "Still worriedX"}
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.stage == 2 and "Still worriedX" in escalation.concern


def test_refuses_a_response_or_resolution_by_the_worker(world):
    _raise(world)
    escalation = Escalation.objects.get()
    client = world.client("sw")
    body = client.get(f"/escalations/{escalation.pk}/").content.decode()
    assert 'data-testid="respond-form"' not in body
    assert (
        client.post(
            f"/escalations/{escalation.pk}/respond/", {"respond-response": "Mine"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/escalations/{escalation.pk}/resolve/", {"resolve-outcome": "Mine"}
        ).status_code
        == 404
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN


@pytest.mark.parametrize("key", ["sw2", "tm2", "bs"])
def test_refuses_the_escalation_out_of_scope(world, key):
    _raise(world)
    escalation = Escalation.objects.get()
    client = world.client(key)
    assert client.get(f"/escalations/{escalation.pk}/").status_code == 404
    assert "ConcernX" not in client.get("/escalations/").content.decode()


def test_the_list_shows_open_escalations_first(world):
    _raise(world, concern="First")
    first = Escalation.objects.get()
    decision = record_decision(world.tm, world.case_sw, sign=True)
    world.client("sw").post(f"/decisions/{decision.pk}/escalations/new/", {"concern": "Second"})
    second = Escalation.objects.exclude(pk=first.pk).get()
    world.client("tm").post(f"/escalations/{first.pk}/resolve/", {"resolve-outcome": "Done"})
    body = world.client("tm").get("/escalations/").content.decode()
    assert body.index(f'data-escalation="{second.pk}"') < body.index(
        f'data-escalation="{first.pk}"'
    )
