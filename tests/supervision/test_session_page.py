"""The live session page: every section, who may write what, autosaving through the API's
PATCH as the page's script does (its session and CSRF token, its answers), locking,
confidential notes, and the same page working without JavaScript."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oversight.models import AccessLogEntry
from supervision import services
from supervision.models import (
    Action,
    ActionStatus,
    CaseDiscussion,
    SessionStatus,
    SupervisionSession,
)
from tests.supervision.factories import CoverFactory, at

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def session(world) -> SupervisionSession:
    return services.session_start(supervisee=world.sw, actor=world.tm.user)


def page_url(session: SupervisionSession) -> str:
    return reverse("supervision-session", args=[session.pk])


def save_url(session: SupervisionSession) -> str:
    return reverse("supervision-save", args=[session.pk])


def api_url(session: SupervisionSession) -> str:
    """Where the page's script saves a section (the form's `data-autosave-url`)."""
    return reverse("supervision-detail", args=[session.pk])


def discussion_api_url(discussion: CaseDiscussion) -> str:
    return reverse("case-discussion-detail", args=[discussion.pk])


def patch_json(client: Client, url: str, payload: object) -> object:
    """A save as the page's script sends it: PATCH with a JSON body."""
    return client.patch(url, data=json.dumps(payload), content_type="application/json")


def fresh(session: SupervisionSession) -> SupervisionSession:
    return SupervisionSession.objects.get(pk=session.pk)


def hold_and_sign(world, session: SupervisionSession) -> SupervisionSession:
    services.session_hold(
        session=session,
        actor=world.tm.user,
        started_at=at(YESTERDAY, 10),
        ended_at=at(YESTERDAY, 11, 30),
    )
    services.session_sign(session=session, actor=world.tm.user)
    return services.session_sign(session=session, actor=world.sw.user)


# --- the page --------------------------------------------------------------------------------


def test_the_recorder_gets_every_section_to_fill_in(world, session):
    response = world.client("tm").get(page_url(session))

    assert response.status_code == 200
    body = response.content.decode()
    for section in ("agenda", "preparation", "support", "workload", "case-discussions", "cpd"):
        assert f'id="{section}"' in body
    for name in (
        "agenda",
        "preparation",
        "support_notes",
        "capacity_notes",
        "cpd_learning",
        "training_requests",
        "reflection",
    ):
        assert (
            f'<textarea class="govuk-textarea" id="field-{name.replace("_", "-")}" name="{name}"'
            in body
        )
    assert body.count('name="wellbeing_score" type="radio"') == 5
    assert 'name="support_confidential" type="checkbox"' in body
    assert "CH-SW0001" in body  # the supervisee's open case, offered for discussion
    assert "Mark as held" in body


def test_the_header_names_the_supervisee_supervisor_and_status(world, session):
    body = world.client("tm").get(page_url(session)).content.decode()

    assert world.sw.full_name in body
    assert world.tm.full_name in body
    assert "In progress" in body


def test_the_page_shows_the_caseload_snapshot_taken_at_the_start(world, session):
    body = world.client("tm").get(page_url(session)).content.decode()

    assert "Caseload when the session started" in body
    assert "Child in need" in body  # world.case_sw's type


def test_pulled_in_informal_discussions_and_carried_forward_actions_are_shown(world):
    services.informal_discussion_record(
        worker=world.sw,
        actor=world.tm.user,
        happened_at=timezone.now() - datetime.timedelta(days=3),
        channel="duty",
        advice="Advised a strategy discussion (InformalMarker)",
        case=world.case_sw,
    )
    services.action_create(
        supervisee=world.sw,
        description="Update the chronology (ActionMarker)",
        owner=world.sw,
        actor=world.tm.user,
    )
    session = services.session_start(supervisee=world.sw, actor=world.tm.user)

    body = world.client("tm").get(page_url(session)).content.decode()

    assert "Advised a strategy discussion (InformalMarker)" in body
    assert "Duty" in body
    assert "Update the chronology (ActionMarker)" in body
    review = session.action_reviews.get()
    assert reverse("action-review", args=[review.pk]) in body


def test_viewing_the_record_is_written_to_the_access_log(world, session):
    world.client("gm").get(page_url(session))

    entry = AccessLogEntry.objects.get(kind="supervision", object_id=str(session.pk))
    assert entry.user == world.gm.user
    assert entry.action == AccessLogEntry.Action.VIEW


def test_the_supervisee_may_write_only_their_preparation(world, session):
    body = world.client("sw").get(page_url(session)).content.decode()

    assert 'name="preparation"' in body
    for name in ("agenda", "support_notes", "capacity_notes", "reflection", "wellbeing_score"):
        assert f'name="{name}"' not in body
    assert "Mark as held" not in body


def test_a_group_manager_reads_the_record_without_forms(world, session):
    body = world.client("gm").get(page_url(session)).content.decode()

    assert "<textarea" not in body
    assert "Mark as held" not in body


def test_another_team_manager_gets_page_not_found(world, session):
    assert world.client("tm2").get(page_url(session)).status_code == 404


# --- autosave: the API's PATCH, as the page's script sends it ------------------------------


def test_the_page_points_its_script_at_the_api(world, session):
    discussion = services.case_discussion_add(
        session=session, case=world.case_sw, actor=world.tm.user
    )
    body = world.client("tm").get(page_url(session)).content.decode()

    assert f'data-autosave-url="{api_url(session)}" data-autosave-record="supervision"' in body
    assert (
        f'data-autosave-url="{discussion_api_url(discussion)}" '
        'data-autosave-record="case-discussion"'
    ) in body
    # Without JavaScript the same forms post to the page's own form routes.
    assert f'action="{save_url(session)}"' in body


def test_the_pages_session_and_form_token_authenticate_a_save(world, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.tm.user)
    page = client.get(page_url(session)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    payload = {"field": "agenda", "value": "Caseload", "version": 0}

    refused = patch_json(client, api_url(session), payload)
    saved = client.patch(
        api_url(session),
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": token.group(1)},
    )

    # The script tells a stale token from a refusal by this message, and signs in again.
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")
    assert saved.status_code == 200, saved.content
    assert saved.json()["section_versions"]["agenda"] == 1
    assert fresh(session).agenda == "Caseload"


def test_a_retry_of_the_same_text_is_not_a_conflict(world, session):
    client = world.client("tm")
    patch_json(client, api_url(session), {"field": "agenda", "value": "Same", "version": 0})

    response = patch_json(
        client, api_url(session), {"field": "agenda", "value": "Same", "version": 0}
    )

    assert response.status_code == 200
    assert response.json()["section_versions"]["agenda"] == 1


def test_saving_into_a_locked_record_is_refused_with_409(world, session):
    hold_and_sign(world, session)

    response = patch_json(
        world.client("tm"), api_url(session), {"field": "agenda", "value": "Late", "version": 0}
    )

    assert response.status_code == 409
    # No versions to choose between: the script reads this as locked, not as a conflict.
    assert "current_version" not in response.json()
    assert "locked" in response.json()["detail"]
    assert fresh(session).agenda == ""


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"[1, 2]",
        json.dumps({"field": "agenda", "value": "x"}).encode(),
        json.dumps({"field": "agenda", "value": "x", "version": "two"}).encode(),
        json.dumps({"field": "status", "value": "signed", "version": 0}).encode(),
        json.dumps({"field": "agenda", "value": ["a list"], "version": 0}).encode(),
    ],
)
def test_bad_requests_are_refused_with_400_not_500(world, session, payload):
    response = world.client("tm").patch(
        api_url(session), data=payload, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()
    assert fresh(session).status == SessionStatus.IN_PROGRESS


def test_someone_who_may_read_but_not_record_gets_403(world, session):
    response = patch_json(
        world.client("gm"), api_url(session), {"field": "agenda", "value": "x", "version": 0}
    )

    assert response.status_code == 403
    assert response.json()["detail"]
    assert fresh(session).agenda == ""


def test_a_get_to_a_post_only_endpoint_answers_405_or_404_out_of_sight(world, session):
    assert world.client("tm").get(save_url(session)).status_code == 405
    assert world.client("tm2").get(save_url(session)).status_code == 404
    start = reverse("supervision-start", args=[world.sw.pk])
    assert world.client("tm").get(start).status_code == 405
    assert world.client("tm2").get(start).status_code == 404


# --- confidential support notes --------------------------------------------------------------


@pytest.fixture
def confidential_session(world, session) -> SupervisionSession:
    services.session_save_field(
        session=session,
        field="support_notes",
        value="WellbeingSecretX",
        base_version=0,
        actor=world.tm.user,
    )
    return services.session_save_field(
        session=session,
        field="support_confidential",
        value=True,
        base_version=0,
        actor=world.tm.user,
    )


@pytest.mark.parametrize("role", ["psw", "ad"])
def test_auditors_see_a_placeholder_not_confidential_notes(world, confidential_session, role):
    client = world.client(role)
    for url in (
        page_url(confidential_session),
        reverse("supervision-print", args=[confidential_session.pk]),
    ):
        body = client.get(url).content.decode()
        assert "WellbeingSecretX" not in body
        assert "Confidential — not shown to you" in body


@pytest.mark.parametrize("role", ["tm", "sw", "gm"])
def test_the_supervisee_and_line_managers_read_confidential_notes(
    world, confidential_session, role
):
    body = world.client(role).get(page_url(confidential_session)).content.decode()

    assert "WellbeingSecretX" in body
    assert "Confidential — not shown to you" not in body


# --- starting --------------------------------------------------------------------------------


def test_starting_supervision_opens_the_session_page(world):
    response = world.client("tm").post(reverse("supervision-start", args=[world.sw.pk]))

    session = SupervisionSession.objects.get(supervisee=world.sw)
    assert response.status_code == 302
    assert response["Location"] == page_url(session)
    assert session.status == SessionStatus.IN_PROGRESS


def test_starting_twice_returns_to_the_same_session(world, session):
    response = world.client("tm").post(reverse("supervision-start", args=[world.sw.pk]))

    assert response["Location"] == page_url(session)
    assert SupervisionSession.objects.filter(supervisee=world.sw).count() == 1


def test_another_teams_manager_cannot_start_supervision_and_learns_nothing(world):
    response = world.client("tm2").post(reverse("supervision-start", args=[world.sw.pk]))

    assert response.status_code == 404
    assert not SupervisionSession.objects.exists()


def test_a_group_manager_who_does_not_supervise_gets_a_clear_refusal(world):
    response = world.client("gm").post(reverse("supervision-start", args=[world.sw.pk]))

    assert response.status_code == 403
    assert "You do not supervise" in response.content.decode()
    assert not SupervisionSession.objects.exists()


# --- without JavaScript ----------------------------------------------------------------------


def test_a_section_posted_as_a_form_is_saved_and_comes_back_to_the_page(world, session):
    response = world.client("tm").post(
        save_url(session),
        {
            "version_cpd_learning": "0",
            "cpd_learning": "Read the new neglect toolkit",
            "version_training_requests": "0",
            "training_requests": "Court skills",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == page_url(session) + "#cpd"
    saved = fresh(session)
    assert saved.cpd_learning == "Read the new neglect toolkit"
    assert saved.training_requests == "Court skills"


def test_an_unticked_confidential_box_in_a_form_post_clears_the_flag(world, confidential_session):
    world.client("tm").post(
        save_url(confidential_session),
        {
            "version_support_notes": "1",
            "support_notes": "WellbeingSecretX",
            "version_support_confidential": "1",
            "version_wellbeing_score": "0",
            "wellbeing_score": "4",
        },
    )

    saved = fresh(confidential_session)
    assert saved.support_confidential is False
    assert saved.wellbeing_score == 4


def test_a_form_post_with_an_error_keeps_what_was_typed(world, session):
    response = world.client("tm").post(
        save_url(session),
        {
            "version_wellbeing_score": "0",
            "wellbeing_score": "9",
            "version_support_notes": "0",
            "support_notes": "Tired after a heavy duty week",
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert "Enter a wellbeing score from 1 to 5" in body
    assert "Tired after a heavy duty week" in body
    assert fresh(session).wellbeing_score is None


def test_a_form_post_over_a_newer_save_shows_both_versions_and_keeps_mine(world, session):
    services.session_save_field(
        session=session,
        field="reflection",
        value="Their reflection",
        base_version=0,
        actor=world.tm.user,
    )

    response = world.client("tm").post(
        save_url(session), {"version_reflection": "0", "reflection": "My reflection"}
    )

    body = response.content.decode()
    assert response.status_code == 409
    assert "There is a problem" in body
    assert "Their reflection" in body
    assert "My reflection" in body
    assert 'name="version_reflection" value="1"' in body  # saving again keeps mine
    assert fresh(session).reflection == "Their reflection"


# --- case discussions ------------------------------------------------------------------------


def test_a_case_from_the_caseload_is_discussed_and_saved_as_typed(world, session):
    client = world.client("tm")
    response = client.post(
        reverse("case-discussion-add", args=[session.pk]), {"case": world.case_sw.pk}
    )
    discussion = CaseDiscussion.objects.get(session=session)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#case-discussion-{discussion.pk}")

    url = discussion_api_url(discussion)
    worries = patch_json(client, url, {"field": "worries", "value": "Missed visits", "version": 1})
    scaling = patch_json(client, url, {"field": "scaling", "value": "4", "version": 2})

    assert worries.status_code == 200 and worries.json()["version"] == 2
    assert scaling.status_code == 200 and scaling.json()["version"] == 3
    discussion.refresh_from_db()
    assert (discussion.worries, discussion.scaling) == ("Missed visits", 4)
    assert "Missed visits" in client.get(page_url(session)).content.decode()


def test_a_case_not_on_the_supervisees_caseload_is_refused(world, session):
    response = world.client("tm").post(
        reverse("case-discussion-add", args=[session.pk]), {"case": world.case_sw2.pk}
    )

    assert response.status_code == 400
    assert "Choose a case from the supervisee" in response.content.decode()
    assert not CaseDiscussion.objects.exists()


# --- actions ---------------------------------------------------------------------------------


def test_an_action_is_added_with_owner_and_due_date(world, session):
    response = world.client("tm").post(
        reverse("supervision-action-add", args=[session.pk]),
        {"description": "Book the core group", "owner": world.sw.pk, "due_date": "2026-12-01"},
    )

    assert response.status_code == 302
    action = Action.objects.get(session=session)
    assert (action.owner, action.due_date) == (world.sw, datetime.date(2026, 12, 1))


def test_an_action_without_a_description_keeps_the_due_date_typed(world, session):
    response = world.client("tm").post(
        reverse("supervision-action-add", args=[session.pk]),
        {"description": "", "owner": world.sw.pk, "due_date": "2026-12-01"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Describe the action." in body
    assert 'value="2026-12-01"' in body


def test_a_carried_forward_action_is_reviewed_as_done(world):
    action = services.action_create(
        supervisee=world.sw, description="Visit", owner=world.sw, actor=world.tm.user
    )
    session = services.session_start(supervisee=world.sw, actor=world.tm.user)
    review = session.action_reviews.get()

    response = world.client("tm").post(
        reverse("action-review", args=[review.pk]), {f"review-{review.pk}-outcome": "done"}
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


# --- holding, signing, locking ---------------------------------------------------------------


def test_holding_with_an_end_before_the_start_is_refused_on_the_page(world, session):
    response = world.client("tm").post(
        reverse("supervision-hold", args=[session.pk]),
        {"held_on": YESTERDAY.isoformat(), "start_time": "11:00", "end_time": "10:00"},
    )

    assert response.status_code == 400
    assert "cannot end before it started" in response.content.decode()
    assert fresh(session).status == SessionStatus.IN_PROGRESS


def test_a_short_session_is_held_and_flagged(world, session):
    response = world.client("tm").post(
        reverse("supervision-hold", args=[session.pk]),
        {"held_on": YESTERDAY.isoformat(), "start_time": "10:00", "end_time": "10:30"},
    )

    assert response.status_code == 302
    held = fresh(session)
    assert held.status == SessionStatus.HELD
    assert held.is_short is True


def test_not_held_for_another_reason_needs_a_detail(world, session):
    client = world.client("tm")
    url = reverse("supervision-not-held", args=[session.pk])

    refused = client.post(url, {"not_held_reason": "other", "not_held_detail": ""})
    accepted = client.post(url, {"not_held_reason": "worker_absent"})

    assert refused.status_code == 400
    assert "Say why the session was not held" in refused.content.decode()
    assert accepted.status_code == 302
    assert fresh(session).status == SessionStatus.NOT_HELD


def test_both_sign_and_the_record_is_locked_and_read_only(world, session):
    tm, sw = world.client("tm"), world.client("sw")
    tm.post(
        reverse("supervision-hold", args=[session.pk]),
        {"held_on": YESTERDAY.isoformat(), "start_time": "10:00", "end_time": "11:30"},
    )
    early = sw.post(reverse("supervision-sign", args=[session.pk]), {})
    tm.post(reverse("supervision-sign", args=[session.pk]), {})
    sw.post(
        reverse("supervision-sign", args=[session.pk]),
        {"supervisee_comment": "I see workload differently", "supervisee_disagrees": "on"},
    )

    assert early.status_code == 400  # the supervisor signs first
    locked = fresh(session)
    assert locked.status == SessionStatus.SIGNED
    assert locked.supervisee_disagrees is True
    body = tm.get(page_url(session)).content.decode()
    assert "This record is locked" in body
    assert "<textarea" not in body.split('id="addenda"')[0]
    assert "I see workload differently" in body


def test_an_addendum_is_added_to_a_locked_record(world, session):
    hold_and_sign(world, session)

    response = world.client("tm").post(
        reverse("supervision-addendum", args=[session.pk]), {"text": "Training date confirmed"}
    )

    assert response.status_code == 302
    assert "Training date confirmed" in world.client("sw").get(page_url(session)).content.decode()


def test_the_print_view_is_logged_and_shows_the_record(world, session):
    services.session_save_field(
        session=session,
        field="reflection",
        value="PrintedReflection",
        base_version=0,
        actor=world.tm.user,
    )

    response = world.client("sw").get(reverse("supervision-print", args=[session.pk]))

    assert response.status_code == 200
    assert "PrintedReflection" in response.content.decode()
    assert AccessLogEntry.objects.filter(
        kind="supervision", object_id=str(session.pk), description="Print view"
    ).exists()


def test_a_manager_covering_for_the_supervisor_is_shown_as_acting_for_them(world):
    CoverFactory(absent_supervisor=world.tm, covering_manager=world.tm2)

    response = world.client("tm2").post(reverse("supervision-start", args=[world.sw.pk]))

    session = SupervisionSession.objects.get(supervisee=world.sw)
    assert response["Location"] == page_url(session)
    body = world.client("tm2").get(page_url(session)).content.decode()
    assert f"{world.tm2.full_name}, acting for {world.tm.full_name}" in body
