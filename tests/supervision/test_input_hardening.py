"""Text nobody can store, bodies nobody should parse, and text or action lists too long to be a
record: every save route answers 400 with a message (never 500), on SQLite and PostgreSQL
alike, and the page keeps what was typed (oversight/text.py)."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from oversight.text import UNSTORABLE_MESSAGE, clean_text
from supervision import services
from supervision.models import (
    Action,
    CaseDiscussion,
    Channel,
    InformalDiscussion,
    SupervisionSession,
)
from tests.supervision.factories import at

pytestmark = pytest.mark.django_db

NUL_TEXT = "Visit x\u0000y"
HALF_AN_EMOJI = "Visit x\ud83d"
LIMIT = 20_000
TOO_LONG = "a" * (LIMIT + 1)
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def session(world) -> SupervisionSession:
    return services.session_start(supervisee=world.sw, actor=world.tm.user)


@pytest.fixture
def discussion(world, session) -> CaseDiscussion:
    return services.case_discussion_add(session=session, case=world.case_sw, actor=world.tm.user)


def fresh(session: SupervisionSession) -> SupervisionSession:
    return SupervisionSession.objects.get(pk=session.pk)


def save_url(session: SupervisionSession) -> str:
    return reverse("supervision-save", args=[session.pk])


def discussion_url(discussion: CaseDiscussion) -> str:
    return reverse("case-discussion-save", args=[discussion.pk])


def api(world, key: str = "tm") -> APIClient:
    client = APIClient()
    client.force_login(world.people[key].user)
    return client


def send(client: APIClient, method: str, url: str, payload: object) -> object:
    """JSON as a browser or script sends it: a half character arrives escaped ("\\ud83d")."""
    return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")


def patch_discussion(world, discussion, field: str, value: object) -> object:
    return send(
        api(world),
        "patch",
        f"/api/v1/case-discussions/{discussion.pk}/",
        {"field": field, "value": value, "version": discussion.version},
    )


def patch_section(world, session, field: str, value: object, version: int = 0) -> object:
    return send(
        api(world),
        "patch",
        f"/api/v1/supervisions/{session.pk}/",
        {"field": field, "value": value, "version": version},
    )


# --- the rule itself -------------------------------------------------------------------------


def test_the_rule_removes_nul_characters():
    assert clean_text("a\u0000b\u0000") == "ab"


def test_the_rule_refuses_half_a_character():
    with pytest.raises(ValidationError) as refused:
        clean_text("x\ud83d")
    assert refused.value.messages == [UNSTORABLE_MESSAGE]


def test_the_rule_joins_a_character_sent_as_two_halves():
    assert clean_text("x\ud83d\ude00") == "x\U0001f600"


def test_the_rule_keeps_ordinary_text_and_emoji_as_they_are():
    text = "Line one\n\tLine two – café 😀"
    assert clean_text(text) == text


# --- bodies nobody should parse --------------------------------------------------------------
# (JSON nested too deeply: tests/oversight/api/test_request_bodies.py.)


@pytest.mark.parametrize(
    "body",
    [
        b'{"field": "agenda", "value": "caf\xe9", "version": 0}',  # Latin-1, not UTF-8
        b'{"field": "agenda", "value": "x\xed\xa0\xbd", "version": 0}',  # a surrogate as bytes
        b"\xff\xfe",
    ],
)
def test_an_api_save_that_is_not_utf8_answers_400_json(world, session, body):
    response = api(world).patch(
        f"/api/v1/supervisions/{session.pk}/", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
    assert fresh(session).agenda == ""


# --- NUL and half characters: the API ---------------------------------------------------------


def test_an_api_save_removes_nul(world, session):
    response = patch_section(world, session, "reflection", NUL_TEXT)
    assert response.status_code == 200, response.content
    assert response.json()["reflection"] == "Visit xy"
    assert fresh(session).reflection == "Visit xy"


def test_an_api_save_refuses_half_a_character_naming_the_field(world, session):
    response = patch_section(world, session, "reflection", HALF_AN_EMOJI)
    assert response.status_code == 400
    assert response.json() == {"reflection": [UNSTORABLE_MESSAGE]}
    assert fresh(session).reflection == ""


def test_an_api_case_discussion_save_removes_nul(world, discussion):
    response = patch_discussion(world, discussion, "worries", NUL_TEXT)
    assert response.status_code == 200, response.content
    assert CaseDiscussion.objects.get(pk=discussion.pk).worries == "Visit xy"


def test_an_api_case_discussion_save_refuses_half_a_character(world, discussion):
    response = patch_discussion(world, discussion, "decisions", HALF_AN_EMOJI)
    assert response.status_code == 400
    assert response.json() == {"decisions": [UNSTORABLE_MESSAGE]}
    assert CaseDiscussion.objects.get(pk=discussion.pk).decisions == ""


def test_an_api_informal_discussion_removes_nul_and_refuses_half_a_character(world):
    def record(advice: str) -> object:
        return send(
            api(world),
            "post",
            "/api/v1/informal-discussions/",
            {
                "worker": world.sw.pk,
                "happened_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
                "channel": Channel.PHONE,
                "advice": advice,
            },
        )

    assert record(NUL_TEXT).status_code == 201
    assert InformalDiscussion.objects.get().advice == "Visit xy"
    refused = record(HALF_AN_EMOJI)
    assert refused.status_code == 400
    assert refused.json() == {"advice": [UNSTORABLE_MESSAGE]}


# --- NUL and half characters: the page without JavaScript -----------------------------------


def test_a_section_posted_as_a_form_removes_nul(world, session):
    response = world.client("tm").post(
        save_url(session), {"version_capacity_notes": "0", "capacity_notes": NUL_TEXT}
    )
    assert response.status_code == 302
    assert fresh(session).capacity_notes == "Visit xy"


def test_a_case_discussion_posted_as_a_form_removes_nul(world, discussion):
    response = world.client("tm").post(
        discussion_url(discussion),
        {"version": str(discussion.version), "discussion": NUL_TEXT},
    )
    assert response.status_code == 302
    assert CaseDiscussion.objects.get(pk=discussion.pk).discussion == "Visit xy"


def test_an_action_posted_as_a_form_removes_nul(world, session):
    response = world.client("tm").post(
        reverse("supervision-action-add", args=[session.pk]),
        {"description": "Book \u0000the visit", "owner": str(world.sw.pk), "due_date": ""},
    )
    assert response.status_code == 302
    assert Action.objects.get(session=session).description == "Book the visit"


def test_the_services_refuse_half_a_character_wherever_text_is_written(world, session):
    """Forms cannot send one (browsers replace it), so the services are the guard."""
    with pytest.raises(ValidationError) as refused:
        services.action_create(
            supervisee=world.sw,
            description=HALF_AN_EMOJI,
            owner=world.sw,
            session=session,
            actor=world.tm.user,
        )
    assert refused.value.message_dict == {"description": [UNSTORABLE_MESSAGE]}
    with pytest.raises(ValidationError):
        services.informal_discussion_record(
            worker=world.sw,
            actor=world.tm.user,
            happened_at=timezone.now(),
            channel=Channel.PHONE,
            advice=HALF_AN_EMOJI,
        )
    assert not Action.objects.exists()
    assert not InformalDiscussion.objects.exists()


# --- length ----------------------------------------------------------------------------------


def test_a_section_of_exactly_the_limit_is_saved(world, session):
    saved = services.session_save_field(
        session=session, field="agenda", value="a" * LIMIT, base_version=0, actor=world.tm.user
    )
    assert len(fresh(saved).agenda) == LIMIT


def test_an_api_save_over_the_limit_is_refused_saying_by_how_much(world, session):
    response = patch_section(world, session, "agenda", TOO_LONG)
    assert response.status_code == 400
    (message,) = response.json()["agenda"]
    assert "too long" in message
    assert "at most 20,000" in message
    assert "by 1 characters" in message
    assert fresh(session).agenda == ""


def test_an_api_save_over_the_limit_is_refused_naming_the_field(world, session):
    response = patch_section(world, session, "support_notes", "b" * 1_000_000)
    assert response.status_code == 400
    assert list(response.json()) == ["support_notes"]
    assert "too long" in response.json()["support_notes"][0]
    assert fresh(session).support_notes == ""


def test_an_api_case_discussion_field_over_the_limit_is_refused(world, discussion):
    response = patch_discussion(world, discussion, "needs_to_happen", TOO_LONG)
    assert response.status_code == 400
    assert "too long" in response.json()["needs_to_happen"][0]
    assert CaseDiscussion.objects.get(pk=discussion.pk).needs_to_happen == ""


def test_an_over_long_section_posted_as_a_form_is_shown_again_as_typed(world, session):
    typed = "KeepThis " + TOO_LONG
    response = world.client("tm").post(
        save_url(session), {"version_reflection": "0", "reflection": typed}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "This text is too long" in html
    assert typed in html
    assert fresh(session).reflection == ""


def test_the_live_page_counts_characters_with_the_govuk_component(world, session):
    html = world.client("tm").get(reverse("supervision-session", args=[session.pk])).content
    html = html.decode()
    assert 'data-module="govuk-character-count"' in html
    assert f'data-maxlength="{LIMIT}"' in html
    assert 'id="field-agenda-info"' in html
    assert 'name="agenda" data-character-count' in html
    # No maxlength attribute on a text box: the browser would silently cut what is pasted.
    textareas = re.findall(r"<textarea[^>]*>", html)
    assert textareas
    assert not [tag for tag in textareas if " maxlength=" in tag]


def test_an_over_long_informal_discussion_is_refused_on_the_page_keeping_the_text(world):
    earlier = timezone.localtime() - datetime.timedelta(hours=1)
    response = world.client("tm").post(
        f"/staff/{world.sw.pk}/informal-discussions/new/",
        {
            "happened_on": f"{earlier:%Y-%m-%d}",
            "happened_time": f"{earlier:%H:%M}",
            "channel": Channel.DUTY,
            "advice": "KeptAdvice" + TOO_LONG,
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This text is too long" in html
    assert "KeptAdvice" in html
    assert not InformalDiscussion.objects.exists()


def test_an_over_long_note_in_any_service_is_refused(world, session):
    with pytest.raises(ValidationError) as refused:
        services.informal_discussion_record(
            worker=world.sw,
            actor=world.tm.user,
            happened_at=timezone.now(),
            channel=Channel.PHONE,
            advice=TOO_LONG,
        )
    assert "advice" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.action_create(
            supervisee=world.sw, description=TOO_LONG, owner=world.sw, actor=world.tm.user
        )
    assert "description" in refused.value.message_dict
    services.session_hold(
        session=session,
        actor=world.tm.user,
        started_at=at(YESTERDAY, 10),
        ended_at=at(YESTERDAY, 11, 30),
    )
    services.session_sign(session=session, actor=world.tm.user)
    with pytest.raises(ValidationError) as refused:
        services.session_sign(session=session, actor=world.sw.user, comment=TOO_LONG)
    assert "supervisee_comment" in refused.value.message_dict
    assert fresh(session).supervisee_signed_at is None


def test_the_limit_is_a_setting(world, session, settings):
    settings.OVERSIGHT = {**settings.OVERSIGHT, "MAX_TEXT_CHARS": 10}
    with pytest.raises(ValidationError):
        services.session_save_field(
            session=session, field="agenda", value="a" * 11, base_version=0, actor=world.tm.user
        )


# --- how many actions ------------------------------------------------------------------------


def _add_actions(world, count: int, **where) -> None:
    for number in range(count):
        services.action_create(
            supervisee=world.sw,
            description=f"Action {number}",
            owner=world.sw,
            actor=world.tm.user,
            **where,
        )


def test_a_session_sets_at_most_fifty_actions(world, session):
    _add_actions(world, 50, session=session)
    with pytest.raises(ValidationError) as refused:
        _add_actions(world, 1, session=session)
    assert refused.value.messages == [
        "A session can set at most 50 actions, and this one has 50. "
        "Close or combine some before adding another."
    ]
    assert Action.objects.filter(session=session).count() == 50


def test_a_case_discussion_sets_at_most_the_configured_number(world, discussion, settings):
    settings.OVERSIGHT = {**settings.OVERSIGHT, "MAX_ACTIONS_PER_RECORD": 3}
    _add_actions(world, 3, case_discussion=discussion)
    with pytest.raises(ValidationError) as refused:
        _add_actions(world, 1, case_discussion=discussion)
    assert refused.value.messages[0].startswith("A case discussion can set at most 3 actions")


def test_the_page_explains_a_full_action_plan(world, session, settings):
    settings.OVERSIGHT = {**settings.OVERSIGHT, "MAX_ACTIONS_PER_RECORD": 2}
    _add_actions(world, 2, session=session)
    response = world.client("tm").post(
        reverse("supervision-action-add", args=[session.pk]),
        {"description": "One more", "owner": str(world.sw.pk), "due_date": ""},
    )
    assert response.status_code == 400
    assert "A session can set at most 2 actions" in response.content.decode()
    assert "One more" in response.content.decode()


def test_an_informal_discussion_with_too_many_actions_is_refused_whole(world):
    with pytest.raises(ValidationError) as refused:
        services.informal_discussion_record(
            worker=world.sw,
            actor=world.tm.user,
            happened_at=timezone.now(),
            channel=Channel.PHONE,
            advice="Lots to do",
            actions=[{"description": f"Action {n}"} for n in range(2_000)],
        )
    assert "actions" in refused.value.message_dict
    assert not InformalDiscussion.objects.exists()
    assert not Action.objects.exists()


def test_the_api_refuses_an_informal_discussion_with_two_thousand_actions(world):
    response = api(world).post(
        "/api/v1/informal-discussions/",
        {
            "worker": world.sw.pk,
            "happened_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
            "channel": Channel.PHONE,
            "advice": "Lots to do",
            "actions": [{"description": f"Action {n}"} for n in range(2_000)],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "at most 50 actions" in json.dumps(response.json())
    assert not InformalDiscussion.objects.exists()
