"""`/api/v1/supervision-requests/`: a worker asks for extra supervision; their manager
accepts (booking an extra session) or declines; 400 with field messages, 404 out of scope,
403 for a reader who may not answer, 409 once answered."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from oversight.models import Notification
from supervision.models import RequestStatus, SessionType, SupervisionRequest
from tests.api_helpers import ids
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/supervision-requests/"


def soon() -> str:
    return (timezone.now() + datetime.timedelta(days=2)).isoformat()


def ask(api_as, role: str = "sw", **body):
    return api_as(role).post(URL, {"reason": "caseload", **body}, format="json")


def test_the_worker_asks_and_the_manager_is_told(world, api_as):
    response = ask(api_as, case=world.case_sw.pk, note="NoteApix")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["worker"], body["case"], body["status"]) == (world.sw.pk, world.case_sw.pk, "open")
    notice = Notification.objects.get(recipient=world.tm.user)
    assert "NoteApix" not in notice.subject


def test_the_worker_is_the_one_asking_never_someone_named(world, api_as):
    response = ask(api_as, "tm", worker=world.sw.pk)
    assert response.status_code == 400
    assert "worker" in response.json()
    assert not SupervisionRequest.objects.exists()


def test_it_refuses_bad_input_with_field_messages(world, api_as):
    response = api_as("sw").post(URL, {"reason": "bored"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    not_mine = CaseFactory(allocated_worker=world.asye, team=world.riverside)
    response = ask(api_as, case=not_mine.pk)
    assert response.status_code == 400 and "case" in response.json()
    response = ask(api_as, note="x" * 501)
    assert response.status_code == 400 and "note" in response.json()


def test_the_manager_accepts_booking_an_extra_session(world, api_as):
    pk = ask(api_as).json()["id"]
    response = api_as("tm").post(f"{URL}{pk}/accept/", {"scheduled_for": soon()}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["session"]
    request = SupervisionRequest.objects.get(pk=pk)
    assert request.session.session_type == SessionType.EXTRA
    assert Notification.objects.filter(recipient=world.sw.user).exists()


def test_the_manager_declines_with_a_reason_the_worker_reads(world, api_as):
    pk = ask(api_as).json()["id"]
    response = api_as("tm").post(f"{URL}{pk}/decline/", {"reason": "Next week"}, format="json")
    assert response.status_code == 200
    mine = api_as("sw").get(f"{URL}{pk}/").json()
    assert (mine["status"], mine["decline_reason"]) == ("declined", "Next week")
    again = api_as("tm").post(f"{URL}{pk}/decline/", {"reason": "Again"}, format="json")
    assert again.status_code == 409


def test_a_decline_without_a_reason_is_400(world, api_as):
    pk = ask(api_as).json()["id"]
    response = api_as("tm").post(f"{URL}{pk}/decline/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_answering_twice_is_409(world, api_as):
    pk = ask(api_as).json()["id"]
    manager = api_as("tm")
    assert (
        manager.post(f"{URL}{pk}/accept/", {"scheduled_for": soon()}, format="json").status_code
        == 200
    )
    again = manager.post(f"{URL}{pk}/accept/", {"scheduled_for": soon()}, format="json")
    assert again.status_code == 409
    assert "already been accepted" in again.json()["detail"]
    assert SupervisionRequest.objects.get(pk=pk).worker.supervision_sessions.count() == 1


def test_accepting_for_a_time_past_is_400(world, api_as):
    pk = ask(api_as).json()["id"]
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    response = api_as("tm").post(f"{URL}{pk}/accept/", {"scheduled_for": past}, format="json")
    assert response.status_code == 400 and "scheduled_for" in response.json()
    assert SupervisionRequest.objects.get(pk=pk).status == RequestStatus.OPEN


@pytest.mark.parametrize(("role", "code"), [("gm", 403), ("sw", 403), ("tm2", 404), ("sw2", 404)])
def test_only_the_workers_managers_answer(world, api_as, role, code):
    pk = ask(api_as).json()["id"]
    response = api_as(role).post(f"{URL}{pk}/accept/", {"scheduled_for": soon()}, format="json")
    assert response.status_code == code
    response = api_as(role).post(f"{URL}{pk}/decline/", {"reason": "No"}, format="json")
    assert response.status_code == code
    assert SupervisionRequest.objects.get(pk=pk).status == RequestStatus.OPEN


@pytest.mark.parametrize("role", ["sw", "tm", "gm", "psw", "ad"])
def test_the_worker_and_their_chain_list_it(world, api_as, role):
    pk = ask(api_as).json()["id"]
    assert pk in ids(api_as(role).get(URL))
    assert api_as(role).get(f"{URL}{pk}/").status_code == 200


@pytest.mark.parametrize("role", ["sw2", "bs", "tm2", "atm", "asye"])
def test_others_cannot_see_it(world, api_as, role):
    pk = ask(api_as).json()["id"]
    assert pk not in ids(api_as(role).get(URL))
    assert api_as(role).get(f"{URL}{pk}/").status_code == 404
    response = api_as(role).post(f"{URL}{pk}/decline/", {"reason": "No"}, format="json")
    assert response.status_code == 404
