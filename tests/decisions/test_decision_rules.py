"""The MDR rules (DESIGN §4.4), each with the refusal that proves it, through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from decisions import selectors, services
from decisions.models import (
    Clock,
    DecisionStatus,
    DecisionType,
    ThresholdFramework,
)
from decisions.services import DecisionConflict, DecisionLocked, TaskSpec
from oversight import access
from oversight.models import Notification
from supervision.models import Action, ActionStatus
from tests.decisions.factories import at, record_decision

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


# --- who makes decisions -------------------------------------------------------------------


def test_team_manager_records_a_draft_on_their_teams_case(world):
    decision = record_decision(world.tm, world.case_sw)
    assert decision.status == DecisionStatus.DRAFT
    assert decision.decision_maker == world.tm
    assert decision.framework == selectors.active_framework()
    assert decision.history.first().history_user == world.tm.user


def test_group_manager_records_on_their_services_case(world):
    decision = record_decision(world.gm, world.case_sw)
    assert decision.decision_maker == world.gm


@pytest.mark.parametrize("key", ["sw", "asye", "atm", "psw", "ad", "bs"])
def test_refuses_a_decision_maker_without_the_role(world, key):
    with pytest.raises(PermissionDenied):
        record_decision(world.people[key], world.case_sw)


def test_refuses_a_team_manager_on_another_teams_case(world):
    with pytest.raises(PermissionDenied):
        record_decision(world.tm2, world.case_sw)


def test_assistant_team_managers_record_decisions_where_the_setting_allows(world, settings):
    settings.OVERSIGHT = {**settings.OVERSIGHT, "ASSISTANT_TEAM_MANAGERS_RECORD_DECISIONS": True}
    decision = record_decision(world.atm, world.case_sw)
    assert decision.decision_maker == world.atm


# --- threshold levels ----------------------------------------------------------------------


def test_step_up_raises_the_level(world):
    decision = record_decision(
        world.tm, world.case_sw, decision_type=DecisionType.STEP_UP, level_before=2, level_after=3
    )
    assert (decision.level_before.number, decision.level_after.number) == (2, 3)


def test_refuses_a_step_up_that_lowers_the_level(world):
    with pytest.raises(ValidationError) as caught:
        record_decision(
            world.tm,
            world.case_sw,
            decision_type=DecisionType.STEP_UP,
            level_before=3,
            level_after=2,
        )
    assert "step up raises the level" in messages(caught.value)["level_after"][0]


def test_refuses_a_step_down_that_raises_the_level(world):
    with pytest.raises(ValidationError) as caught:
        record_decision(
            world.tm,
            world.case_sw,
            decision_type=DecisionType.STEP_DOWN,
            level_before=2,
            level_after=4,
        )
    assert "step down lowers the level" in messages(caught.value)["level_after"][0]


def test_refuses_a_level_not_in_the_framework(world):
    with pytest.raises(ValidationError) as caught:
        record_decision(world.tm, world.case_sw, level_after=7)
    assert "7 is not one" in messages(caught.value)["level_after"][0]


def test_switching_framework_keeps_old_decisions_readable_against_theirs(world):
    old = record_decision(world.tm, world.case_sw, level_after=4)
    three = ThresholdFramework.objects.get(name__contains="three")
    services.framework_activate(framework=three, actor=world.psw.user)
    new = record_decision(world.tm, world.case_sw, level_after=3)
    old.refresh_from_db()
    assert old.framework.name.endswith("(four levels)")
    assert (old.level_after.number, old.level_after.name) == (4, "Acute needs")
    assert new.framework == three
    assert new.level_after.name == "Specialist"
    with pytest.raises(ValidationError):  # level 4 does not exist in the three-level framework
        record_decision(world.tm, world.case_sw, level_after=4)


def test_refuses_a_framework_switch_by_anyone_but_the_principal_social_worker(world):
    three = ThresholdFramework.objects.get(name__contains="three")
    for key in ("tm", "gm", "ad", "bs"):
        with pytest.raises(PermissionDenied):
            services.framework_activate(framework=three, actor=world.people[key].user)
    assert not ThresholdFramework.objects.get(pk=three.pk).is_active


# --- tasks ---------------------------------------------------------------------------------


def test_tasks_are_actions_of_their_owners_due_in_working_days_across_christmas(world):
    decision = record_decision(world.tm, world.case_sw, made_at=at(datetime.date(2025, 12, 23)))
    task = decision.tasks.get()
    # 24 Dec, (25, 26 bank holidays, 27-28 weekend), 29, 30, 31 Dec, (1 Jan), 2 Jan.
    assert task.action.due_date == datetime.date(2026, 1, 2)
    assert task.action.owner == world.sw
    assert task.due_in_working_days == 5
    assert Action.objects.filter(supervisee=world.sw, pk=task.action_id).exists()


def test_working_days_skip_easter(world):
    task = TaskSpec(description="Call the school", owner=world.sw, due_in_working_days=1)
    decision = record_decision(
        world.tm, world.case_sw, made_at=at(datetime.date(2026, 4, 2)), tasks=[task]
    )
    # Thursday before Good Friday: Friday 3 and Monday 6 April are bank holidays.
    assert decision.tasks.get().action.due_date == datetime.date(2026, 4, 7)


def test_working_days_skip_a_one_off_bank_holiday(world):
    task = TaskSpec(description="Call the school", owner=world.sw, due_in_working_days=1)
    decision = record_decision(
        world.tm, world.case_sw, made_at=at(datetime.date(2023, 5, 5)), tasks=[task]
    )
    # Monday 8 May 2023 was the coronation bank holiday.
    assert decision.tasks.get().action.due_date == datetime.date(2023, 5, 9)


def test_refuses_a_task_due_before_the_decision(world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    task = TaskSpec(description="Visit", owner=world.sw, due_date=yesterday)
    with pytest.raises(ValidationError) as caught:
        record_decision(world.tm, world.case_sw, tasks=[task])
    assert "before the decision" in messages(caught.value)["tasks[0]"][0]
    assert not Action.objects.filter(description="Visit").exists()  # nothing half-written


def test_refuses_a_negative_number_of_working_days(world):
    task = TaskSpec(description="Visit", owner=world.sw, due_in_working_days=-2)
    with pytest.raises(ValidationError) as caught:
        record_decision(world.tm, world.case_sw, tasks=[task])
    assert "cannot be negative" in messages(caught.value)["tasks[0]"][0]


def test_refuses_a_task_owner_from_another_team(world):
    task = TaskSpec(description="Visit", owner=world.sw2, due_in_working_days=2)
    with pytest.raises(ValidationError) as caught:
        record_decision(world.tm, world.case_sw, tasks=[task])
    assert "does not work on this case's team" in messages(caught.value)["tasks[0]"][0]


# --- signing -------------------------------------------------------------------------------


def test_signing_locks_the_decision_and_tells_task_owners(world):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    assert decision.status == DecisionStatus.SIGNED and decision.signed_at is not None
    notice = Notification.objects.get(recipient=world.sw.user)
    assert world.case_sw.reference in notice.subject
    with pytest.raises(DecisionLocked):
        services.decision_update(mdr=decision, actor=world.tm.user, decision="Changed")


def test_refuses_signing_without_rationale_or_childs_voice(world):
    decision = record_decision(world.tm, world.case_sw, rationale="", child_voice=" ")
    with pytest.raises(ValidationError) as caught:
        services.decision_sign(mdr=decision, actor=world.tm.user)
    assert set(messages(caught.value)) == {"rationale", "child_voice"}


def test_refuses_signing_with_no_tasks_and_no_reason(world):
    decision = record_decision(world.tm, world.case_sw, tasks=[])
    with pytest.raises(ValidationError) as caught:
        services.decision_sign(mdr=decision, actor=world.tm.user)
    assert "no_tasks_reason" in messages(caught.value)
    services.decision_update(
        mdr=decision, actor=world.tm.user, no_tasks_reason="Advice given; nothing to do."
    )
    assert services.decision_sign(mdr=decision, actor=world.tm.user).is_signed


def test_refuses_signing_by_anyone_but_the_decision_maker(world):
    decision = record_decision(world.tm, world.case_sw)
    for key in ("gm", "sw", "psw"):
        with pytest.raises(PermissionDenied):
            services.decision_sign(mdr=decision, actor=world.people[key].user)


def test_a_signed_decision_takes_addenda_not_edits(world):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    addendum = services.decision_addendum_add(
        mdr=decision, text="Mother now agrees to the plan.", actor=world.tm.user
    )
    assert addendum.author == world.tm
    assert addendum.history.first().history_user == world.tm.user
    with pytest.raises(PermissionDenied):
        services.decision_addendum_add(mdr=decision, text="x", actor=world.sw.user)


def test_refuses_a_stale_edit_as_a_conflict(world):
    decision = record_decision(world.tm, world.case_sw)
    loaded = decision.version
    services.decision_update(mdr=decision, actor=world.tm.user, version=loaded, decision="First")
    with pytest.raises(DecisionConflict) as caught:
        services.decision_update(
            mdr=decision, actor=world.tm.user, version=loaded, decision="Second"
        )
    assert caught.value.changed_by == world.tm.user.get_username()
    decision.refresh_from_db()
    assert decision.decision == "First"


def test_case_closure_closes_open_tasks_only_when_the_maker_says_so(world):
    earlier = record_decision(world.tm, world.case_sw, sign=True)
    keep = dict(decision_type=DecisionType.CASE_CLOSURE, no_tasks_reason="Closing.", tasks=[])
    record_decision(world.tm, world.case_sw, sign=True, **keep)
    assert earlier.tasks.get().action.status == ActionStatus.OPEN
    record_decision(world.tm, world.case_sw, sign=True, close_open_tasks=True, **keep)
    assert Action.objects.get(pk=earlier.tasks.get().action_id).status == ActionStatus.CANCELLED


# --- statutory clocks ----------------------------------------------------------------------


def test_a_contact_decision_is_timed_from_the_contact(world):
    made = at(datetime.date(2026, 11, 16))  # a Monday
    on_time = record_decision(
        world.tm,
        world.case_sw,
        sign=True,
        made_at=made,
        decision_type=DecisionType.CONTACT_ADVICE,
        contact_received_on=datetime.date(2026, 11, 13),  # the Friday before
    )
    late = record_decision(
        world.tm,
        world.case_sw,
        sign=True,
        made_at=made,
        decision_type=DecisionType.CONTACT_NFA,
        contact_received_on=datetime.date(2026, 11, 12),
    )
    assert on_time.clocks.get().in_time is True
    assert late.clocks.get().in_time is False


def test_refuses_a_contact_decision_without_the_date_of_the_contact(world):
    with pytest.raises(ValidationError) as caught:
        record_decision(world.tm, world.case_sw, decision_type=DecisionType.CONTACT_NFA)
    assert "contact_received_on" in messages(caught.value)


def test_strategy_discussion_clock_then_conference_clock(world):
    made = at(datetime.date(2026, 11, 16))
    decision = record_decision(
        world.tm,
        world.case_sw,
        sign=True,
        made_at=made,
        decision_type=DecisionType.CONTACT_STRATEGY,
        contact_received_on=datetime.date(2026, 11, 16),
    )
    strategy = decision.clocks.get(timescale__code="strategy-discussion")
    assert strategy.due_on == datetime.date(2026, 11, 17)
    services.clock_meet(clock=strategy, met_on=datetime.date(2026, 11, 17), actor=world.tm.user)
    conference = Clock.objects.get(decision=decision, timescale__code="initial-conference")
    # 15 working days after 17 November 2026.
    assert conference.due_on == datetime.date(2026, 12, 8)
    assert Clock.objects.get(pk=strategy.pk).in_time is True


def test_assessment_clock_runs_45_working_days_from_the_referral(world):
    decision = record_decision(
        world.tm,
        world.case_sw,
        sign=True,
        made_at=at(datetime.date(2026, 11, 2)),
        decision_type=DecisionType.CONTACT_ASSESSMENT,
        contact_received_on=datetime.date(2026, 11, 2),
    )
    clock = decision.clocks.get(timescale__code="assessment")
    # 45 working days after Monday 2 November 2026, over Christmas and New Year.
    assert clock.due_on == datetime.date(2027, 1, 7)
    assert clock.met_on is None


def test_refuses_a_follow_up_by_someone_who_does_not_manage_the_case(world):
    decision = record_decision(
        world.tm,
        world.case_sw,
        sign=True,
        decision_type=DecisionType.CONTACT_ASSESSMENT,
        contact_received_on=timezone.localdate(),
    )
    clock = decision.clocks.get(timescale__code="assessment")
    with pytest.raises(PermissionDenied):
        services.clock_meet(clock=clock, met_on=timezone.localdate(), actor=world.sw.user)


# --- who reads decisions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "sees"),
    [
        ("sw", True),  # allocated to the case
        ("asye", False),  # same team, but practitioners see only their own cases
        ("tm", True),
        ("atm", True),
        ("gm", True),
        ("psw", True),
        ("ad", True),
        ("sw2", False),
        ("tm2", False),
        ("gm2", False),
        ("bs", False),
    ],
)
def test_decisions_are_read_by_whoever_may_see_the_case(world, key, sees):
    decision = record_decision(world.tm, world.case_sw)
    user = world.people[key].user
    visible = access.visible_to(user, type(decision).objects.all()).filter(pk=decision.pk)
    assert visible.exists() is sees


def test_the_case_recording_systems_account_never_reads_decisions(world, django_user_model):
    from django.contrib.auth.models import Permission

    decision = record_decision(world.tm, world.case_sw)
    integration = django_user_model.objects.create_user("case-system")
    integration.user_permissions.add(Permission.objects.get(codename="change_case"))
    integration = django_user_model.objects.get(pk=integration.pk)
    assert access.visible_to(integration, type(world.case_sw).objects.all()).exists()
    assert not access.visible_to(integration, type(decision).objects.all()).exists()
