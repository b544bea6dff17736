"""Noting a conversation outside supervision in under a minute: who may, what is refused, and
the actions agreed in it (DESIGN §4.3, issue 3 §6)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from supervision import services
from supervision.models import Action, ActionStatus, Channel, InformalDiscussion
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def record(world, recorder="tm", worker="sw", **overrides):
    fields = {
        "happened_at": timezone.now() - datetime.timedelta(minutes=30),
        "channel": Channel.PHONE,
        "advice": "Hold a strategy discussion",
    }
    fields.update(overrides)
    return services.informal_discussion_record(
        worker=world.people[worker], actor=world.people[recorder].user, **fields
    )


# --- who may record --------------------------------------------------------------------------


def test_the_team_manager_notes_a_discussion_with_a_worker(world):
    discussion = record(world, "tm", case=world.case_sw)
    assert (discussion.worker, discussion.recorded_by, discussion.manager) == (
        world.sw,
        world.tm,
        world.tm,
    )
    assert discussion.case == world.case_sw
    assert discussion.incorporated_into is None


def test_a_worker_notes_their_own_discussion_with_their_supervisor_as_the_manager(world):
    discussion = record(world, "sw")
    assert discussion.recorded_by == world.sw
    assert discussion.manager == world.tm


def test_the_assistant_team_manager_notes_advice_given_on_duty(world):
    discussion = record(world, "atm", channel=Channel.DUTY)
    assert (discussion.recorded_by, discussion.manager) == (world.atm, world.atm)
    assert discussion.channel == Channel.DUTY


def test_the_group_manager_in_the_line_chain_may_note_a_discussion(world):
    assert record(world, "gm").recorded_by == world.gm


@pytest.mark.parametrize("recorder", ["tm2", "bs", "psw", "ad", "sw2", "asye"])
def test_others_cannot_note_a_discussion_with_the_worker(world, recorder):
    with pytest.raises(PermissionDenied):
        record(world, recorder)
    assert not InformalDiscussion.objects.exists()


# --- what is refused -------------------------------------------------------------------------


def test_a_discussion_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        record(world, happened_at=timezone.now() + datetime.timedelta(hours=1))
    assert "happened_at" in refused.value.message_dict


def test_a_clock_a_minute_fast_is_not_the_future(world):
    discussion = record(world, happened_at=timezone.now() + datetime.timedelta(minutes=1))
    assert discussion.pk is not None


@pytest.mark.parametrize("advice", ["", "   \n "])
def test_a_discussion_without_advice_is_refused(world, advice):
    with pytest.raises(ValidationError) as refused:
        record(world, advice=advice)
    assert "advice" in refused.value.message_dict


def test_an_unknown_channel_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        record(world, channel="carrier_pigeon")
    assert "channel" in refused.value.message_dict


def test_a_case_from_another_team_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        record(world, case=world.case_sw2)
    assert "case" in refused.value.message_dict
    assert not InformalDiscussion.objects.exists()


def test_a_case_of_the_workers_team_held_by_a_colleague_may_be_discussed(world):
    colleagues_case = CaseFactory(allocated_worker=world.asye)
    assert record(world, case=colleagues_case).case == colleagues_case


def test_every_problem_is_reported_at_once(world):
    with pytest.raises(ValidationError) as refused:
        record(
            world,
            happened_at=timezone.now() + datetime.timedelta(days=1),
            advice=" ",
            case=world.case_sw2,
        )
    assert {"happened_at", "advice", "case"} <= set(refused.value.message_dict)


def test_the_advice_is_kept_without_surrounding_space(world):
    assert record(world, advice="  Visit today \n").advice == "Visit today"


# --- actions agreed in it --------------------------------------------------------------------


def test_actions_agreed_are_created_with_the_discussion(world):
    discussion = record(
        world,
        actions=[
            {"description": "Visit the family", "due_date": D(2026, 12, 4)},
            {"description": "Update the plan", "owner": world.tm},
        ],
    )
    actions = list(Action.objects.filter(informal_discussion=discussion).order_by("pk"))
    assert [a.description for a in actions] == ["Visit the family", "Update the plan"]
    assert [a.owner for a in actions] == [world.sw, world.tm]
    assert actions[0].due_date == D(2026, 12, 4)
    assert all(a.supervisee == world.sw and a.status == ActionStatus.OPEN for a in actions)


def test_a_blank_action_refuses_the_whole_discussion(world):
    with pytest.raises(ValidationError):
        record(world, actions=[{"description": "Fine"}, {"description": "  "}])
    assert not InformalDiscussion.objects.exists()
    assert not Action.objects.exists()


def test_an_action_owned_by_someone_outside_the_supervision_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        record(world, actions=[{"description": "Their job", "owner": world.sw2}])
    assert "owner" in refused.value.message_dict
    assert not InformalDiscussion.objects.exists()
