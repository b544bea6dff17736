"""Starting a session brings in what happened since the last one — the informal discussions
and the open actions — exactly once, so nobody retypes anything (DESIGN §4.3)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from supervision import services
from supervision.models import (
    Action,
    ActionReview,
    ActionStatus,
    Channel,
    InformalDiscussion,
    NotHeldReason,
    ReviewOutcome,
    SessionStatus,
    SupervisionSession,
)
from tests.supervision.factories import ActionFactory, InformalDiscussionFactory, at

pytestmark = pytest.mark.django_db

D = datetime.date


def start(world, supervisee=None):
    return services.session_start(supervisee=supervisee or world.sw, actor=world.tm.user)


def finish(world, session):
    services.session_hold(
        session=session,
        actor=world.tm.user,
        started_at=at(D(2026, 3, 2), 10),
        ended_at=at(D(2026, 3, 2), 11, 30),
    )
    services.session_sign(session=session, actor=world.tm.user)
    services.session_sign(session=session, actor=world.sw.user)


def discuss(world, advice="Advice", recorder="tm"):
    return services.informal_discussion_record(
        worker=world.sw,
        actor=world.people[recorder].user,
        happened_at=timezone.now() - datetime.timedelta(hours=1),
        channel=Channel.PHONE,
        advice=advice,
    )


def review_of(session, action) -> ActionReview:
    return ActionReview.objects.get(session=session, action=action)


# --- informal discussions --------------------------------------------------------------------


def test_informal_discussions_since_the_last_session_are_pulled_in(world):
    first, second = discuss(world, "On duty"), discuss(world, "In the corridor", recorder="sw")
    session = start(world)
    assert set(session.informal_discussions.all()) == {first, second}
    first.refresh_from_db()
    assert first.incorporated_into == session


def test_another_workers_discussions_stay_where_they_are(world):
    theirs = InformalDiscussionFactory(worker=world.asye)
    start(world)
    theirs.refresh_from_db()
    assert theirs.incorporated_into is None


def test_starting_twice_returns_the_same_session_and_pulls_nothing_twice(world):
    discuss(world)
    first = start(world)
    second = start(world)
    assert second.pk == first.pk
    assert SupervisionSession.objects.filter(supervisee=world.sw).count() == 1
    assert first.informal_discussions.count() == 1


def test_a_double_click_with_the_next_session_already_booked_makes_no_second_record(world):
    services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 29)), actor=world.tm.user
    )
    first = start(world)
    second = start(world)
    assert second.pk == first.pk
    assert first.scheduled_for == at(D(2026, 12, 1))
    in_progress = SupervisionSession.objects.filter(status=SessionStatus.IN_PROGRESS)
    assert in_progress.count() == 1


def test_a_discussion_noted_during_a_session_goes_to_the_next_session(world):
    current = start(world)
    during = discuss(world, "Phoned in during the session")
    start(world)  # the page reloaded
    during.refresh_from_db()
    assert during.incorporated_into is None
    finish(world, current)
    following = start(world)
    during.refresh_from_db()
    assert following.pk != current.pk
    assert during.incorporated_into == following


def test_a_discussion_already_in_a_session_is_not_pulled_into_the_next(world):
    earlier = discuss(world)
    current = start(world)
    finish(world, current)
    following = start(world)
    earlier.refresh_from_db()
    assert earlier.incorporated_into == current
    assert following.informal_discussions.count() == 0


def test_a_session_not_held_hands_its_discussions_on_to_the_next(world):
    waiting = discuss(world)
    current = start(world)
    services.session_not_held(
        session=current, reason=NotHeldReason.OPERATIONAL_EMERGENCY, actor=world.tm.user
    )
    following = start(world)
    waiting.refresh_from_db()
    assert waiting.incorporated_into == following


# --- open actions ----------------------------------------------------------------------------


def test_open_actions_are_brought_for_review_and_closed_ones_are_not(world):
    open_one = ActionFactory(supervisee=world.sw)
    open_two = ActionFactory(supervisee=world.sw, owner=world.tm)
    ActionFactory(supervisee=world.sw, status=ActionStatus.DONE)
    ActionFactory(supervisee=world.asye)
    session = start(world)
    reviewed = {review.action for review in session.action_reviews.all()}
    assert reviewed == {open_one, open_two}
    assert all(review.outcome == "" for review in session.action_reviews.all())


def test_starting_twice_does_not_bring_an_action_twice(world):
    ActionFactory(supervisee=world.sw)
    start(world)
    assert start(world).action_reviews.count() == 1


def test_an_action_set_in_this_session_is_not_reviewed_in_it(world):
    session = start(world)
    services.action_create(
        supervisee=world.sw,
        description="Book training",
        owner=world.sw,
        session=session,
        actor=world.tm.user,
    )
    assert start(world).action_reviews.count() == 0


def test_reviewing_an_action_as_done_closes_it(world):
    action = ActionFactory(supervisee=world.sw)
    session = start(world)
    services.action_review(
        review=review_of(session, action), outcome=ReviewOutcome.DONE, actor=world.tm.user
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.closed_on == timezone.localdate()


def test_reviewing_an_action_as_cancelled_cancels_it(world):
    action = ActionFactory(supervisee=world.sw)
    session = start(world)
    services.action_review(
        review=review_of(session, action), outcome=ReviewOutcome.CANCELLED, actor=world.tm.user
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


def test_carrying_an_action_forward_keeps_it_open_with_a_new_due_date(world):
    action = ActionFactory(supervisee=world.sw, due_date=D(2026, 3, 1))
    session = start(world)
    review = services.action_review(
        review=review_of(session, action),
        outcome=ReviewOutcome.CARRIED_FORWARD,
        note="Waiting for the course date",
        new_due_date=D(2026, 4, 1),
        actor=world.tm.user,
    )
    action.refresh_from_db()
    assert (action.status, action.due_date) == (ActionStatus.OPEN, D(2026, 4, 1))
    assert review.note == "Waiting for the course date"


def test_a_carried_forward_action_comes_back_next_time_and_a_done_one_does_not(world):
    carried = ActionFactory(supervisee=world.sw)
    done = ActionFactory(supervisee=world.sw)
    current = start(world)
    services.action_review(
        review=review_of(current, carried),
        outcome=ReviewOutcome.CARRIED_FORWARD,
        actor=world.tm.user,
    )
    services.action_review(
        review=review_of(current, done), outcome=ReviewOutcome.DONE, actor=world.tm.user
    )
    finish(world, current)
    following = start(world)
    assert [review.action for review in following.action_reviews.all()] == [carried]


def test_an_unknown_review_outcome_is_refused(world):
    action = ActionFactory(supervisee=world.sw)
    session = start(world)
    with pytest.raises(ValidationError):
        services.action_review(
            review=review_of(session, action), outcome="forgotten", actor=world.tm.user
        )
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_the_supervisee_does_not_review_their_own_actions(world):
    action = ActionFactory(supervisee=world.sw)
    session = start(world)
    with pytest.raises(PermissionDenied):
        services.action_review(
            review=review_of(session, action), outcome=ReviewOutcome.DONE, actor=world.sw.user
        )


def test_actions_agreed_in_an_informal_discussion_are_carried_into_the_session(world):
    discussion = services.informal_discussion_record(
        worker=world.sw,
        actor=world.tm.user,
        happened_at=timezone.now() - datetime.timedelta(hours=2),
        channel=Channel.DUTY,
        advice="Visit today",
        actions=[{"description": "Visit the family", "due_date": D(2026, 12, 1)}],
    )
    action = Action.objects.get(informal_discussion=discussion)
    session = start(world)
    assert list(session.informal_discussions.all()) == [discussion]
    assert [review.action for review in session.action_reviews.all()] == [action]


def test_pulled_in_discussions_stay_in_the_signed_record(world):
    discussion = discuss(world)
    session = start(world)
    finish(world, session)
    assert InformalDiscussion.objects.get(pk=discussion.pk).incorporated_into_id == session.pk
