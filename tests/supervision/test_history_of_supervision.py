"""Every write to a supervision record leaves a history row naming who made it, and the History
page never shows confidential support notes to someone who may not read them — not even an
old version (DESIGN §3, §6)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from oversight.history import HIDDEN
from supervision import services
from supervision.models import (
    ActionReview,
    Channel,
    NotHeldReason,
    PolicyVariant,
    ReviewOutcome,
    SupervisionSession,
)
from tests.supervision.factories import ActionFactory, at

pytestmark = pytest.mark.django_db

D = datetime.date


def last_by(obj):
    """The user named on the newest history row of `obj`."""
    return type(obj).history.filter(id=obj.pk).order_by("-history_date", "-history_id")[0]


def start(world):
    return services.session_start(supervisee=world.sw, actor=world.tm.user)


def hold(world, session):
    return services.session_hold(
        session=session,
        actor=world.tm.user,
        started_at=at(D(2026, 3, 2), 10),
        ended_at=at(D(2026, 3, 2), 11, 30),
    )


# --- the actor on every history row ----------------------------------------------------------


def test_booking_starting_and_saving_name_the_manager(world):
    session = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    assert last_by(session).history_user == world.tm.user
    assert last_by(session).history_change_reason == "Session booked"
    start(world)
    assert last_by(session).history_change_reason == "Session started"
    services.session_save_field(
        session=session, field="agenda", value="Leave", base_version=0, actor=world.tm.user
    )
    assert last_by(session).history_user == world.tm.user


def test_the_supervisees_preparation_names_the_supervisee(world):
    session = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    services.session_save_field(
        session=session, field="preparation", value="Points", base_version=0, actor=world.sw.user
    )
    assert last_by(session).history_user == world.sw.user


def test_holding_and_each_signature_name_who_did_it(world):
    session = hold(world, start(world))
    assert last_by(session).history_change_reason == "Session held"
    services.session_sign(session=session, actor=world.tm.user)
    assert last_by(session).history_user == world.tm.user
    services.session_sign(session=session, actor=world.sw.user)
    row = last_by(session)
    assert (row.history_user, row.history_change_reason) == (world.sw.user, "Signed by supervisee")


def test_not_held_and_cancelled_name_the_manager(world):
    not_held = services.session_not_held(
        session=start(world), reason=NotHeldReason.WORKER_ABSENT, actor=world.tm.user
    )
    cancelled = services.session_cancel(
        session=services.session_schedule(
            supervisee=world.asye, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
        ),
        actor=world.tm.user,
    )
    assert last_by(not_held).history_user == world.tm.user
    assert last_by(cancelled).history_change_reason == "Session cancelled"


def test_addenda_name_their_author(world):
    session = hold(world, start(world))
    services.session_sign(session=session, actor=world.tm.user)
    services.session_sign(session=session, actor=world.sw.user)
    addendum = services.addendum_add(session=session, text="Later", actor=world.sw.user)
    assert last_by(addendum).history_user == world.sw.user


def test_case_discussions_and_their_saves_name_the_manager(world):
    discussion = services.case_discussion_add(
        session=start(world), case=world.case_sw, actor=world.tm.user
    )
    assert last_by(discussion).history_user == world.tm.user
    services.case_discussion_save_field(
        discussion=discussion, field="scaling", value=6, base_version=1, actor=world.tm.user
    )
    assert last_by(discussion).history_change_reason == "scaling saved"


def test_pulling_in_and_reviewing_actions_name_the_manager_who_did_it(world):
    discussion = services.informal_discussion_record(
        worker=world.sw,
        actor=world.atm.user,
        happened_at=timezone.now(),
        channel=Channel.DUTY,
        advice="Strategy discussion",
    )
    assert last_by(discussion).history_user == world.atm.user
    action = ActionFactory(supervisee=world.sw)
    session = start(world)
    pulled = last_by(discussion)
    assert (pulled.history_user, pulled.history_change_reason) == (
        world.tm.user,
        "Pulled into supervision",
    )
    review = ActionReview.objects.get(session=session, action=action)
    assert last_by(review).history_user == world.tm.user
    services.action_review(review=review, outcome=ReviewOutcome.DONE, actor=world.tm.user)
    assert last_by(action).history_user == world.tm.user


def test_actions_set_and_closed_name_who_did_it(world):
    action = services.action_create(
        supervisee=world.sw, description="Read", owner=world.sw, actor=world.tm.user
    )
    assert last_by(action).history_user == world.tm.user
    services.action_set_status(action=action, status="done", actor=world.sw.user)
    assert last_by(action).history_user == world.sw.user


def test_cover_and_policy_versions_name_who_set_them(world):
    today = timezone.localdate()
    cover = services.cover_set(
        absent_supervisor=world.tm,
        covering_manager=world.tm2,
        start_date=today,
        end_date=today,
        actor=world.gm.user,
    )
    policy = services.policy_create_from_variant(
        variant=PolicyVariant.ASYE_FRAMEWORK, effective_from=D(2027, 1, 1), actor=world.psw.user
    )
    assert last_by(cover).history_user == world.gm.user
    assert last_by(policy).history_user == world.psw.user
    assert {last_by(rule).history_user for rule in policy.rules.all()} == {world.psw.user}


# --- the History page and confidential notes -------------------------------------------------


def history_page(world, reader, session) -> str:
    response = world.client(reader).get(f"/history/supervision/{session.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def notes_in_two_versions_then_confidential(world) -> SupervisionSession:
    session = start(world)
    for version, text in enumerate(["SecretNoteOne", "SecretNoteTwo"]):
        services.session_save_field(
            session=session,
            field="support_notes",
            value=text,
            base_version=version,
            actor=world.tm.user,
        )
    return services.session_save_field(
        session=session,
        field="support_confidential",
        value=True,
        base_version=0,
        actor=world.tm.user,
    )


@pytest.mark.parametrize("reader", ["psw", "ad"])
def test_the_history_page_hides_confidential_notes_in_every_version(world, reader):
    session = notes_in_two_versions_then_confidential(world)
    html = history_page(world, reader, session)
    assert "SecretNote" not in html
    assert HIDDEN in html


@pytest.mark.parametrize("reader", ["tm", "sw", "gm"])
def test_the_line_chain_reads_every_version_of_confidential_notes(world, reader):
    session = notes_in_two_versions_then_confidential(world)
    html = history_page(world, reader, session)
    assert "SecretNoteOne" in html
    assert "SecretNoteTwo" in html


def test_clearing_the_confidential_mark_does_not_reveal_old_versions(world):
    session = notes_in_two_versions_then_confidential(world)
    services.session_save_field(
        session=session,
        field="support_confidential",
        value=False,
        base_version=1,
        actor=world.tm.user,
    )
    services.session_save_field(
        session=session,
        field="support_notes",
        value="NowOpen",
        base_version=2,
        actor=world.tm.user,
    )
    html = history_page(world, "psw", session)
    assert "SecretNote" not in html
    assert "NowOpen" not in html


def test_notes_never_confidential_are_in_the_auditors_history(world):
    session = start(world)
    services.session_save_field(
        session=session,
        field="support_notes",
        value="OpenNote",
        base_version=0,
        actor=world.tm.user,
    )
    assert "OpenNote" in history_page(world, "psw", session)


def test_the_history_page_names_who_saved(world):
    session = notes_in_two_versions_then_confidential(world)
    assert "by PersonTM MarkerTMx" in history_page(world, "psw", session)


def test_the_history_of_a_session_out_of_scope_is_not_found(world):
    session = start(world)
    for reader in ("tm2", "bs", "asye"):
        response = world.client(reader).get(f"/history/supervision/{session.pk}/")
        assert response.status_code == 404
