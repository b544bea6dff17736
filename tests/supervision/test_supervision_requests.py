"""Extra supervision on request: the worker asks, their manager accepts (booking an extra
session) or declines with a reason the worker sees; everyone else is refused."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from oversight.models import Notification
from supervision import services
from supervision.models import (
    RequestReason,
    RequestStatus,
    SessionStatus,
    SessionType,
    SupervisionRequest,
)
from tests.factories import CaseFactory
from tests.supervision.factories import CoverFactory, HeldSessionFactory, SessionFactory, at

pytestmark = pytest.mark.django_db

MINE = "/supervision/mine/"
MY_TEAM = "/supervision/my-team/"
ASK = "/supervision/mine/extra/new/"


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def asked(world, *, note: str = "NoteAskx", case=None) -> SupervisionRequest:
    return services.supervision_request_create(
        worker=world.sw,
        reason=RequestReason.COMPLEX_CASE,
        case=case,
        note=note,
        actor=world.sw.user,
    )


def notices_of(person) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person.user))


# --- asking ----------------------------------------------------------------------------------


def test_the_worker_asks_from_their_page_and_their_manager_is_told(world):
    client = world.client("sw")
    assert "Ask for extra supervision" in client.get(MINE).content.decode()
    assert client.get(ASK).status_code == 200
    response = client.post(
        ASK, {"reason": "complex_case", "case": world.case_sw.pk, "note": "NoteAskx"}
    )
    assert response.status_code == 302
    request = SupervisionRequest.objects.get()
    assert (request.worker, request.case, request.status) == (
        world.sw,
        world.case_sw,
        RequestStatus.OPEN,
    )
    assert request.history.get().history_user == world.sw.user
    [notice] = notices_of(world.tm)
    assert "asked for extra supervision" in notice.subject
    assert "NoteAskx" not in notice.subject and "NoteAskx" not in notice.url
    page = client.get(MINE).content.decode()
    assert "Waiting for an answer" in page


def test_a_covering_manager_is_told_too(world):
    CoverFactory(absent_supervisor=world.tm, covering_manager=world.tm2)
    asked(world)
    assert notices_of(world.tm) and notices_of(world.tm2)


def test_it_refuses_asking_on_someone_elses_behalf(world):
    with pytest.raises(PermissionDenied):
        services.supervision_request_create(
            worker=world.sw, reason=RequestReason.CASELOAD, actor=world.tm.user
        )
    assert not SupervisionRequest.objects.exists()


def test_it_refuses_a_case_not_on_the_workers_caseload(world):
    someone_elses = CaseFactory(allocated_worker=world.asye)
    with pytest.raises(ValidationError) as refused:
        asked(world, case=someone_elses)
    assert "case" in refused.value.message_dict
    response = world.client("sw").post(ASK, {"reason": "caseload", "case": someone_elses.pk})
    assert response.status_code == 200
    assert not SupervisionRequest.objects.exists()


def test_it_refuses_a_request_without_a_reason(world):
    response = world.client("sw").post(ASK, {"note": "Please"})
    assert response.status_code == 200
    assert "Choose why you would like extra supervision" in response.content.decode()
    assert not SupervisionRequest.objects.exists()


# --- answering -------------------------------------------------------------------------------


def test_the_manager_sees_it_on_my_team_and_accepts_booking_an_extra_session(world):
    request = asked(world)
    client = world.client("tm")
    page = client.get(MY_TEAM).content.decode()
    assert "Requests for extra supervision" in page and "NoteAskx" in page
    response = client.post(
        f"/supervision-requests/{request.pk}/accept/",
        {"scheduled_on": tomorrow().isoformat(), "scheduled_time": "14:30"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    session = request.session
    assert session is not None
    assert (session.session_type, session.status) == (SessionType.EXTRA, SessionStatus.SCHEDULED)
    assert session.scheduled_for == at(tomorrow(), 14, 30)
    assert (session.supervisee, session.supervisor) == (world.sw, world.tm)
    assert request.answered_by == world.tm
    assert request.history.latest().history_user == world.tm.user
    assert any("booked" in notice.subject for notice in notices_of(world.sw))
    assert "Accepted" in world.client("sw").get(MINE).content.decode()


def test_the_manager_declines_and_the_worker_sees_why(world):
    request = asked(world)
    response = world.client("tm").post(
        f"/supervision-requests/{request.pk}/decline/", {"reason": "ReasonDeclinedx"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decline_reason) == (RequestStatus.DECLINED, "ReasonDeclinedx")
    assert any("declined" in notice.subject for notice in notices_of(world.sw))
    assert all("ReasonDeclinedx" not in notice.subject for notice in notices_of(world.sw))
    assert "ReasonDeclinedx" in world.client("sw").get(MINE).content.decode()


def test_declining_needs_a_reason(world):
    request = asked(world)
    with pytest.raises(ValidationError) as refused:
        services.supervision_request_decline(
            supervision_request=request, reason="  ", actor=world.tm.user
        )
    assert "reason" in refused.value.message_dict


def test_answering_twice_is_refused_with_a_message(world):
    request = asked(world)
    services.supervision_request_decline(
        supervision_request=request, reason="Not now", actor=world.tm.user
    )
    client = world.client("tm")
    response = client.post(
        f"/supervision-requests/{request.pk}/accept/",
        {"scheduled_on": tomorrow().isoformat(), "scheduled_time": "10:00"},
        follow=True,
    )
    assert "already been declined" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED and request.session is None
    with pytest.raises(services.AlreadyAnswered):
        services.supervision_request_decline(
            supervision_request=request, reason="Again", actor=world.tm.user
        )


def test_accepting_for_a_time_already_past_is_refused(world):
    request = asked(world)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = world.client("tm").post(
        f"/supervision-requests/{request.pk}/accept/",
        {"scheduled_on": yesterday.isoformat(), "scheduled_time": "10:00"},
        follow=True,
    )
    assert "still to come" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    assert not request.worker.supervision_sessions.exists()


@pytest.mark.parametrize("role", ["gm", "psw", "sw", "asye"])
def test_only_the_workers_managers_answer_others_get_404(world, role):
    request = asked(world)
    client = world.client(role)
    for action, body in (
        ("accept", {"scheduled_on": tomorrow().isoformat(), "scheduled_time": "10:00"}),
        ("decline", {"reason": "No"}),
    ):
        response = client.post(f"/supervision-requests/{request.pk}/{action}/", body)
        assert response.status_code == 404, (role, action)
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN


def test_a_covering_manager_may_answer(world):
    CoverFactory(absent_supervisor=world.tm, covering_manager=world.tm2)
    request = asked(world)
    services.supervision_request_accept(
        supervision_request=request, scheduled_for=at(tomorrow(), 9), actor=world.tm2.user
    )
    request.refresh_from_db()
    assert request.session.acting_for == world.tm


@pytest.mark.parametrize("role", ["sw2", "bs", "tm2", "atm"])
def test_others_cannot_see_the_workers_requests(world, role):
    request = asked(world)
    client = world.client(role)
    assert "NoteAskx" not in client.get(MY_TEAM).content.decode()
    assert "NoteAskx" not in client.get(MINE).content.decode()
    assert client.get(f"/api/v1/supervision-requests/{request.pk}/").status_code == 404


# --- in the next session ---------------------------------------------------------------------


def test_the_next_session_lists_requests_since_the_last_session(world):
    HeldSessionFactory(
        supervisee=world.sw,
        supervisor=world.tm,
        held_on=timezone.localdate() - datetime.timedelta(days=60),
    )
    declined = asked(world, note="NoteDeclinedx")
    services.supervision_request_decline(
        supervision_request=declined, reason="No", actor=world.tm.user
    )
    accepted = asked(world, note="NoteAcceptedx")
    services.supervision_request_accept(
        supervision_request=accepted, scheduled_for=at(tomorrow(), 9), actor=world.tm.user
    )
    asked(world, note="NoteOpenx")
    accepted.refresh_from_db()
    page = world.client("tm").get(f"/supervision/{accepted.session.pk}/").content.decode()
    assert "Extra supervision asked for" in page
    assert "NoteAcceptedx" in page and "NoteOpenx" in page
    assert "NoteDeclinedx" not in page


def test_requests_before_the_last_session_are_not_listed_again(world):
    old = asked(world, note="NoteOldx")
    SupervisionRequest.objects.filter(pk=old.pk).update(  # backdated (history not at issue)
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    HeldSessionFactory(
        supervisee=world.sw,
        supervisor=world.tm,
        held_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    session = SessionFactory(supervisee=world.sw, supervisor=world.tm, scheduled_for=at(tomorrow()))
    page = world.client("tm").get(f"/supervision/{session.pk}/").content.decode()
    assert "NoteOldx" not in page
