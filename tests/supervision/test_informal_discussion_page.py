"""The quick informal-discussion form, and the page showing one."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from oversight.models import AccessLogEntry
from supervision.models import Action, Channel, InformalDiscussion
from tests.factories import CaseFactory
from tests.supervision.factories import (
    ActionFactory,
    HeldSessionFactory,
    InformalDiscussionFactory,
)

pytestmark = pytest.mark.django_db


def _url(world, person: str = "sw") -> str:
    return f"/staff/{world.people[person].pk}/informal-discussions/new/"


def _form(**overrides: str) -> dict[str, str]:
    earlier = timezone.localtime() - datetime.timedelta(hours=1)
    data = {
        "happened_on": f"{earlier:%Y-%m-%d}",
        "happened_time": f"{earlier:%H:%M}",
        "channel": Channel.DUTY,
        "case": "",
        "advice": "Convene a strategy discussion today",
        "action_1_description": "",
        "action_1_owner": "",
        "action_1_due_date": "",
    }
    data.update(overrides)
    return data


# --- the form --------------------------------------------------------------------------------


def test_the_form_names_the_worker_and_starts_at_now(world):
    response = world.client("tm").get(_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "With PersonSW MarkerSWx" in html
    now = timezone.localtime()
    assert f'value="{now:%Y-%m-%d}"' in html
    for value, _label in Channel.choices:
        assert f'value="{value}"' in html
    assert html.count("Action ") >= 3


def test_the_case_list_holds_the_workers_teams_open_cases(world):
    closed = CaseFactory(
        allocated_worker=world.sw, closed_on=datetime.date(2025, 12, 1), label="ClosedLbl"
    )
    team_case = CaseFactory(allocated_worker=world.asye, label="TeamLbl")
    html = world.client("tm").get(_url(world)).content.decode()
    assert f'<option value="{world.case_sw.pk}">CH-SW0001 (CaseSWx)</option>' in html
    assert f'value="{team_case.pk}"' in html
    assert f'value="{closed.pk}"' not in html
    assert "CaseSW2x" not in html


def test_a_worker_noting_their_own_discussion_sees_only_cases_they_may_see(world):
    team_case = CaseFactory(allocated_worker=world.asye, label="TeamLbl")
    html = world.client("sw").get(_url(world)).content.decode()
    assert "CaseSWx" in html
    assert f'value="{team_case.pk}"' not in html


def test_a_case_given_in_the_address_is_chosen(world):
    html = world.client("tm").get(f"{_url(world)}?case={world.case_sw.pk}").content.decode()
    assert f'<option value="{world.case_sw.pk}" selected>' in html


def test_a_case_in_the_address_from_elsewhere_is_ignored(world):
    html = world.client("tm").get(f"{_url(world)}?case={world.case_sw2.pk}").content.decode()
    assert "CaseSW2x" not in html
    case_select = html.split('name="case"')[1].split("</select>")[0]
    assert case_select.count(" selected>") == 1
    assert '<option value="" selected>' in case_select


def test_recording_a_discussion_keeps_it_with_the_recorder_as_history_user(world):
    response = world.client("tm").post(
        _url(world),
        _form(
            case=str(world.case_sw.pk),
            action_1_description="Visit the family with the police",
            action_1_owner=str(world.sw.pk),
            action_1_due_date=f"{timezone.localdate() + datetime.timedelta(days=2):%Y-%m-%d}",
            action_2_description="Chase the school",
            action_2_owner=str(world.tm.pk),
        ),
    )
    assert response.status_code == 302
    discussion = InformalDiscussion.objects.get()
    assert discussion.worker == world.sw
    assert discussion.recorded_by == world.tm
    assert discussion.channel == Channel.DUTY
    assert discussion.case == world.case_sw
    assert discussion.incorporated_into is None
    assert discussion.history.first().history_user == world.tm.user
    actions = {a.description: a for a in Action.objects.filter(informal_discussion=discussion)}
    assert set(actions) == {"Visit the family with the police", "Chase the school"}
    assert actions["Chase the school"].owner == world.tm
    assert actions["Chase the school"].due_date is None
    assert actions["Visit the family with the police"].history.first().history_user == (
        world.tm.user
    )


def test_after_recording_it_goes_back_to_my_team_with_a_banner(world):
    client = world.client("tm")
    response = client.post(_url(world), _form(), follow=True)
    assert response.redirect_chain[-1][0] == "/supervision/my-team/"
    assert "Informal discussion with PersonSW MarkerSWx recorded." in response.content.decode()


def test_after_recording_it_goes_back_to_the_page_it_came_from(world):
    back = f"/cases/{world.case_sw.pk}/"
    response = world.client("tm").post(_url(world), _form(next=back))
    assert response["Location"] == back


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "evil"]
)
def test_it_never_goes_back_to_another_site(world, unsafe):
    response = world.client("tm").post(_url(world), _form(next=unsafe))
    assert response["Location"] == "/supervision/my-team/"


def test_a_worker_noting_their_own_goes_back_to_my_supervision(world):
    response = world.client("sw").post(_url(world), _form())
    assert response["Location"] == "/supervision/mine/"
    discussion = InformalDiscussion.objects.get()
    assert discussion.recorded_by == world.sw
    assert discussion.manager == world.tm


def test_a_mistake_shows_an_error_summary_and_keeps_everything_typed(world):
    response = world.client("tm").post(
        _url(world),
        _form(
            channel="",
            advice="Advice kept after the error",
            action_1_description="Action kept after the error",
            action_3_description="",
            action_3_due_date="2026-12-01",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "There is a problem" in html
    assert "Advice kept after the error" in html
    assert 'value="Action kept after the error"' in html
    assert 'value="2026-12-01"' in html
    assert "Describe action 3, or clear its date." in html
    assert 'href="#id_channel_0"' in html
    assert InformalDiscussion.objects.count() == 0


def test_missing_advice_is_asked_for(world):
    html = world.client("tm").post(_url(world), _form(advice="  ")).content.decode()
    assert "Enter what was advised or decided." in html
    assert InformalDiscussion.objects.count() == 0


def test_a_discussion_in_the_future_is_refused_against_the_date(world):
    later = timezone.localtime() + datetime.timedelta(days=2)
    html = (
        world.client("tm")
        .post(_url(world), _form(happened_on=f"{later:%Y-%m-%d}", advice="Kept text"))
        .content.decode()
    )
    assert "The discussion cannot be in the future." in html
    assert 'href="#id_happened_on"' in html
    assert "Kept text" in html
    assert InformalDiscussion.objects.count() == 0


def test_a_case_from_another_team_is_refused(world):
    html = world.client("tm").post(_url(world), _form(case=str(world.case_sw2.pk))).content.decode()
    assert "govuk-error-summary" in html
    assert InformalDiscussion.objects.count() == 0


def test_an_action_owner_outside_the_choices_is_refused(world):
    html = (
        world.client("tm")
        .post(
            _url(world),
            _form(action_1_description="Do something", action_1_owner=str(world.tm2.pk)),
        )
        .content.decode()
    )
    assert "govuk-error-summary" in html
    assert InformalDiscussion.objects.count() == 0
    assert Action.objects.count() == 0


def test_another_teams_manager_gets_404_and_records_nothing(world):
    client = world.client("tm2")
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world), _form()).status_code == 404
    assert InformalDiscussion.objects.count() == 0


@pytest.mark.parametrize("role", ["psw", "bs", "asye"])
def test_people_who_may_see_the_worker_but_not_note_their_discussions_get_404(world, role):
    assert world.client(role).get(_url(world)).status_code == 404
    assert world.client(role).post(_url(world), _form()).status_code == 404
    assert InformalDiscussion.objects.count() == 0


def test_the_assistant_team_manager_may_note_a_duty_discussion(world):
    response = world.client("atm").post(_url(world), _form())
    assert response.status_code == 302
    assert InformalDiscussion.objects.get().recorded_by == world.atm


# --- the discussion page ---------------------------------------------------------------------


def _detail(discussion) -> str:
    return f"/informal-discussions/{discussion.pk}/"


def test_the_page_shows_the_discussion_and_its_actions(world):
    discussion = InformalDiscussionFactory(
        worker=world.sw, case=world.case_sw, advice="Step up to strategy", channel=Channel.PHONE
    )
    ActionFactory(supervisee=world.sw, informal_discussion=discussion, description="Call police")
    html = world.client("tm").get(_detail(discussion)).content.decode()
    assert "Step up to strategy" in html
    assert "Phone" in html
    assert "Call police" in html
    assert f'href="/cases/{world.case_sw.pk}/"' in html
    assert "Waiting for the next supervision session" in html


def test_the_page_says_which_session_it_was_pulled_into(world):
    session = HeldSessionFactory(supervisee=world.sw, supervisor=world.tm)
    discussion = InformalDiscussionFactory(worker=world.sw, incorporated_into=session)
    html = world.client("sw").get(_detail(discussion)).content.decode()
    assert f'href="/supervision/{session.pk}/"' in html
    assert "Pulled into" in html


def test_viewing_a_discussion_is_written_to_the_access_log(world):
    discussion = InformalDiscussionFactory(worker=world.sw)
    world.client("gm").get(_detail(discussion))
    entry = AccessLogEntry.objects.get(kind="informal-discussion")
    assert entry.object_id == str(discussion.pk)
    assert entry.user == world.gm.user


def test_a_case_the_reader_may_not_see_is_not_named(world):
    other = CaseFactory(allocated_worker=world.asye, label="HiddenLbl")
    discussion = InformalDiscussionFactory(worker=world.sw, case=other)
    html = world.client("sw").get(_detail(discussion)).content.decode()
    assert "HiddenLbl" not in html and other.reference not in html
    assert "A case outside your view" in html


@pytest.mark.parametrize("role", ["tm2", "asye", "bs", "sw2"])
def test_the_page_answers_404_out_of_scope(world, role):
    discussion = InformalDiscussionFactory(worker=world.sw)
    assert world.client(role).get(_detail(discussion)).status_code == 404


def test_the_case_page_offers_to_note_a_discussion_about_the_case(world):
    html = world.client("tm").get(f"/cases/{world.case_sw.pk}/").content.decode()
    link = re.search(r'href="(/staff/\d+/informal-discussions/new/[^"]*)"', html)
    assert link is not None
    assert link.group(1).startswith(f"{_url(world)}?case={world.case_sw.pk}&amp;next=")


def test_a_worker_may_give_an_action_to_their_supervisor(world):
    html = world.client("sw").get(_url(world)).content.decode()
    assert f'<option value="{world.tm.pk}">PersonTM MarkerTMx</option>' in html


def test_a_supervisor_outside_the_workers_view_is_not_offered_as_an_owner(world):
    html = world.client("tm").get(_url(world, "tm")).content.decode()
    assert "MarkerGMx" not in html
