"""`/api/v1/case-discussions/`: a case from the supervisee's caseload discussed in a session,
with Signs of Safety fields, saved one field at a time with optimistic locking."""

from __future__ import annotations

import pytest

from supervision import services
from supervision.models import CaseDiscussion
from tests.api_helpers import ids
from tests.factories import CaseFactory
from tests.supervision.api.conftest import D, locked, started

pytestmark = pytest.mark.django_db

CASE_DISCUSSIONS = "/api/v1/case-discussions/"


def discuss(client, session, case, **fields):
    return client.post(
        CASE_DISCUSSIONS, {"session": session.pk, "case": case.pk, **fields}, format="json"
    )


def save(client, discussion, field, value, version):
    return client.patch(
        f"{CASE_DISCUSSIONS}{discussion.pk}/",
        {"field": field, "value": value, "version": version},
        format="json",
    )


def test_a_supervisor_discusses_a_case_from_the_caseload(world, api_as):
    session = started(world)
    response = discuss(
        api_as("tm"),
        session,
        world.case_sw,
        worries="Missed school",
        working_well="Grandmother helps",
        needs_to_happen="School meeting",
        scaling=4,
        analysis_tool="Resilience matrix",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["case_reference"], body["scaling"], body["version"]) == ("CH-SW0001", 4, 1)
    discussion = CaseDiscussion.objects.get(pk=body["id"])
    assert discussion.session == session
    assert discussion.history.get().history_user == world.tm.user


@pytest.mark.parametrize("scaling", [11, -1])
def test_a_scaling_outside_zero_to_ten_is_refused(world, api_as, scaling):
    response = discuss(api_as("tm"), started(world), world.case_sw, scaling=scaling)
    assert response.status_code == 400
    assert "scaling" in response.json()
    assert not CaseDiscussion.objects.exists()


def test_a_case_not_on_the_supervisees_caseload_is_refused(world, api_as):
    asyes_case = CaseFactory(allocated_worker=world.asye)  # visible to tm, not sw's
    response = discuss(api_as("tm"), started(world), asyes_case)
    assert response.status_code == 400
    assert "not an open case on PersonSW MarkerSWx's caseload" in response.json()["case"][0]


def test_a_closed_case_is_refused(world, api_as):
    closed = CaseFactory(allocated_worker=world.sw, closed_on=D(2026, 10, 1))
    response = discuss(api_as("tm"), started(world), closed)
    assert response.status_code == 400
    assert "case" in response.json()


def test_a_case_the_user_cannot_see_is_refused_like_a_missing_one(world, api_as):
    response = discuss(api_as("tm"), started(world), world.case_sw2)
    assert response.status_code == 400
    assert "case" in response.json()


def test_discussing_in_a_session_you_can_see_but_do_not_record_is_forbidden(world, api_as):
    response = discuss(api_as("gm"), started(world), world.case_sw)
    assert response.status_code == 403


def test_discussing_in_a_session_you_cannot_see_is_not_found(world, api_as):
    response = discuss(api_as("tm2"), started(world), world.case_sw)
    assert response.status_code == 404


def test_discussing_in_a_locked_session_is_a_conflict(world, api_as):
    response = discuss(api_as("tm"), locked(world), world.case_sw)
    assert response.status_code == 409
    assert "locked" in response.json()["detail"]


def test_saving_a_field_raises_the_version(world, api_as):
    discussion = services.case_discussion_add(
        session=started(world), case=world.case_sw, actor=world.tm.user
    )
    response = save(api_as("tm"), discussion, "decisions", "Strategy discussion", 1)
    assert response.status_code == 200, response.json()
    assert (response.json()["decisions"], response.json()["version"]) == ("Strategy discussion", 2)


def test_a_conflicting_edit_is_refused_with_both_values(world, api_as):
    discussion = services.case_discussion_add(
        session=started(world), case=world.case_sw, actor=world.tm.user
    )
    assert save(api_as("tm"), discussion, "worries", "Neglect", 1).status_code == 200
    response = save(api_as("tm"), discussion, "worries", "Domestic abuse", 1)
    assert response.status_code == 409
    body = response.json()
    assert (body["field"], body["your_value"], body["current_value"], body["current_version"]) == (
        "worries",
        "Domestic abuse",
        "Neglect",
        2,
    )
    assert "What are we worried about? was changed by PersonTM MarkerTMx" in body["detail"]
    assert body["changed_by"] == "PersonTM MarkerTMx"


def test_saving_a_scaling_of_eleven_is_refused(world, api_as):
    discussion = services.case_discussion_add(
        session=started(world), case=world.case_sw, actor=world.tm.user
    )
    response = save(api_as("tm"), discussion, "scaling", 11, 1)
    assert response.status_code == 400
    assert "scaling" in response.json()


def test_the_case_and_session_of_a_discussion_cannot_be_changed(world, api_as):
    discussion = services.case_discussion_add(
        session=started(world), case=world.case_sw, actor=world.tm.user
    )
    assert save(api_as("tm"), discussion, "case", world.case_sw2.pk, 1).status_code == 400
    assert save(api_as("tm"), discussion, "version", 9, 1).status_code == 400
    response = api_as("tm").patch(
        f"{CASE_DISCUSSIONS}{discussion.pk}/", {"session": 1}, format="json"
    )
    assert response.status_code == 400
    discussion.refresh_from_db()
    assert (discussion.case, discussion.version) == (world.case_sw, 1)


def test_editing_a_discussion_in_a_locked_record_is_a_conflict(world, api_as):
    session = started(world)
    discussion = services.case_discussion_add(
        session=session, case=world.case_sw, actor=world.tm.user
    )
    session = services.session_hold(session=session, actor=world.tm.user)
    services.session_sign(session=session, actor=world.tm.user)
    services.session_sign(session=session, actor=world.sw.user)
    response = save(api_as("tm"), discussion, "worries", "Late", 1)
    assert response.status_code == 409


def test_discussions_are_seen_with_their_session_and_filtered_by_it(world, api_as):
    session = started(world)
    discussion = services.case_discussion_add(
        session=session, case=world.case_sw, actor=world.tm.user
    )
    assert ids(api_as("psw").get(CASE_DISCUSSIONS, {"session": session.pk})) == {discussion.pk}
    assert ids(api_as("tm2").get(CASE_DISCUSSIONS)) == set()
    assert ids(api_as("bs").get(CASE_DISCUSSIONS)) == set()
    assert api_as("asye").get(f"{CASE_DISCUSSIONS}{discussion.pk}/").status_code == 404
