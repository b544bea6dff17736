"""Who records supervision, who sees it, and who reads confidential support notes (DESIGN §5,
§4.3): the supervisor records; a manager covering for them records and sees while the cover
lasts; the line-management chain reads; auditors read everything but confidential notes."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from oversight import access
from oversight.models import Role
from supervision import rules, services
from supervision.models import Cover, SupervisionSession
from tests.factories import StaffFactory, UserFactory
from tests.supervision.factories import CoverFactory, SessionFactory, at

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)


def fresh_user(staff):
    """The login as a new request would see it (no cached staff record or cover)."""
    return get_user_model().objects.get(pk=staff.user_id)


def visible(user) -> set[int]:
    return set(
        access.visible_to(user, SupervisionSession.objects.all()).values_list("pk", flat=True)
    )


# --- who records -----------------------------------------------------------------------------


def test_the_supervisor_records_their_supervisees_supervision(world):
    session = services.session_start(supervisee=world.sw, actor=world.tm.user)
    assert (session.supervisor, session.acting_for) == (world.tm, None)


@pytest.mark.parametrize("person", ["tm2", "atm", "gm", "psw", "ad", "bs", "sw"])
def test_nobody_but_the_supervisor_records_supervision(world, person):
    with pytest.raises(PermissionDenied):
        services.session_start(supervisee=world.sw, actor=world.people[person].user)
    with pytest.raises(PermissionDenied):
        services.session_schedule(
            supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.people[person].user
        )
    assert not SupervisionSession.objects.exists()


def test_a_login_without_a_staff_record_records_nothing(world):
    with pytest.raises(PermissionDenied):
        services.session_start(supervisee=world.sw, actor=UserFactory())


# --- cover -----------------------------------------------------------------------------------


@pytest.fixture
def cover_manager(world):
    return StaffFactory(
        role=Role.TEAM_MANAGER,
        team=world.hillside,
        supervisor=world.gm2,
        first_name="Cover",
        last_name="ManagerCMx",
    )


def cover_for_tm(cover_manager, start, end):
    return CoverFactory(
        absent_supervisor=cover_manager.__class__.objects.get(user__username="tm.test"),
        covering_manager=cover_manager,
        start_date=start,
        end_date=end,
    )


def test_a_manager_covering_today_records_and_the_record_shows_who_they_acted_for(
    world, cover_manager
):
    today = timezone.localdate()
    cover_for_tm(cover_manager, today - DAY, today + 7 * DAY)
    session = services.session_start(supervisee=world.sw, actor=fresh_user(cover_manager))
    assert session.supervisor == cover_manager
    assert session.acting_for == world.tm


def test_a_manager_covering_today_takes_over_a_booked_session(world, cover_manager):
    booked = services.session_schedule(
        supervisee=world.sw, scheduled_for=at(D(2026, 12, 1)), actor=world.tm.user
    )
    today = timezone.localdate()
    cover_for_tm(cover_manager, today, today)
    session = services.session_start(supervisee=world.sw, actor=fresh_user(cover_manager))
    assert session.pk == booked.pk
    assert (session.supervisor, session.acting_for) == (cover_manager, world.tm)


@pytest.mark.parametrize("offset", [(-20, -5), (3, 10)])
def test_cover_outside_its_period_gives_no_right_to_record(world, cover_manager, offset):
    today = timezone.localdate()
    cover_for_tm(cover_manager, today + offset[0] * DAY, today + offset[1] * DAY)
    with pytest.raises(PermissionDenied):
        services.session_start(supervisee=world.sw, actor=fresh_user(cover_manager))


def test_cover_reaches_only_the_absent_supervisors_supervisees(world, cover_manager):
    today = timezone.localdate()
    cover_for_tm(cover_manager, today, today + DAY)
    with pytest.raises(PermissionDenied):
        services.session_start(supervisee=world.tm, actor=fresh_user(cover_manager))


def test_the_covering_manager_sees_the_supervisees_sessions_only_while_covering(
    world, cover_manager
):
    sessions_of_sw = {SessionFactory(supervisee=world.sw).pk for _ in range(2)}
    assert visible(fresh_user(cover_manager)) == set()
    today = timezone.localdate()
    cover = cover_for_tm(cover_manager, today - 3 * DAY, today + 3 * DAY)
    assert visible(fresh_user(cover_manager)) == sessions_of_sw
    Cover.objects.filter(pk=cover.pk).delete()
    cover_for_tm(cover_manager, today - 30 * DAY, today - DAY)
    assert visible(fresh_user(cover_manager)) == set()


def test_a_covering_manager_reads_confidential_notes_while_covering(world, cover_manager):
    session = SessionFactory(supervisee=world.sw, support_confidential=True)
    assert rules.hidden_session_fields(fresh_user(cover_manager), session) == {"support_notes"}
    today = timezone.localdate()
    cover_for_tm(cover_manager, today, today)
    assert rules.hidden_session_fields(fresh_user(cover_manager), session) == frozenset()


def test_the_supervisors_manager_arranges_cover(world, cover_manager):
    today = timezone.localdate()
    cover = services.cover_set(
        absent_supervisor=world.tm,
        covering_manager=cover_manager,
        start_date=today,
        end_date=today + 14 * DAY,
        actor=world.gm.user,
    )
    assert cover.covering_manager == cover_manager


@pytest.mark.parametrize("person", ["sw", "tm", "tm2"])
def test_others_cannot_arrange_cover(world, cover_manager, person):
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.cover_set(
            absent_supervisor=world.tm,
            covering_manager=cover_manager,
            start_date=today,
            end_date=today,
            actor=world.people[person].user,
        )


def test_cover_must_be_a_manager_and_end_after_it_starts(world, cover_manager):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.cover_set(
            absent_supervisor=world.tm,
            covering_manager=world.sw2,
            start_date=today,
            end_date=today,
            actor=world.gm.user,
        )
    with pytest.raises(ValidationError):
        services.cover_set(
            absent_supervisor=world.tm,
            covering_manager=cover_manager,
            start_date=today,
            end_date=today - DAY,
            actor=world.gm.user,
        )
    assert not Cover.objects.exists()


# --- who sees which sessions -----------------------------------------------------------------


@pytest.fixture
def sessions(world) -> dict[str, int]:
    """One session for each of sw, asye, atm, tm (supervised by gm), sw2 and tm2 (by gm2)."""
    return {
        key: SessionFactory(supervisee=world.people[key]).pk
        for key in ("sw", "asye", "atm", "tm", "sw2", "tm2")
    }


EXPECTED_VISIBLE = {
    "sw": {"sw"},
    "asye": {"asye"},
    "atm": {"atm"},
    "tm": {"sw", "asye", "atm", "tm"},
    "gm": {"sw", "asye", "atm", "tm"},
    "tm2": {"sw2", "tm2"},
    "gm2": {"sw2", "tm2"},
    "psw": {"sw", "asye", "atm", "tm", "sw2", "tm2"},
    "ad": {"sw", "asye", "atm", "tm", "sw2", "tm2"},
    "bs": set(),
}


@pytest.mark.parametrize("reader", sorted(EXPECTED_VISIBLE))
def test_each_role_sees_the_sessions_design_section_5_allows(world, sessions, reader):
    expected = {sessions[key] for key in EXPECTED_VISIBLE[reader]}
    assert visible(world.people[reader].user) == expected


def test_a_detail_outside_scope_is_not_found(world, sessions):
    from django.http import Http404

    with pytest.raises(Http404):
        access.get_for_user(world.tm2.user, SupervisionSession, sessions["sw"])


# --- confidential support notes --------------------------------------------------------------


def confidential_session(world) -> SupervisionSession:
    session = services.session_start(supervisee=world.sw, actor=world.tm.user)
    services.session_save_field(
        session=session,
        field="support_notes",
        value="Hard month",
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


@pytest.mark.parametrize("reader", ["psw", "ad"])
def test_confidential_notes_are_hidden_from_auditors_and_the_assistant_director(world, reader):
    session = confidential_session(world)
    assert rules.hidden_session_fields(world.people[reader].user, session) == {"support_notes"}
    assert not rules.may_read_confidential(world.people[reader].user, session)


@pytest.mark.parametrize("reader", ["sw", "tm", "gm"])
def test_confidential_notes_are_read_by_the_supervisee_and_the_line_chain(world, reader):
    session = confidential_session(world)
    assert rules.hidden_session_fields(world.people[reader].user, session) == frozenset()


def test_notes_not_marked_confidential_are_hidden_from_nobody(world):
    session = services.session_start(supervisee=world.sw, actor=world.tm.user)
    assert rules.hidden_session_fields(world.psw.user, session) == frozenset()


def test_notes_once_confidential_stay_hidden_from_auditors_after_the_mark_is_cleared(world):
    session = confidential_session(world)
    session = services.session_save_field(
        session=session,
        field="support_confidential",
        value=False,
        base_version=1,
        actor=world.tm.user,
    )
    assert session.support_confidential is False
    assert rules.hidden_session_fields(world.psw.user, session) == {"support_notes"}
    assert rules.hidden_session_fields(world.tm.user, session) == frozenset()


@pytest.mark.parametrize("person", ["bs", "tm2", "asye"])
def test_nobody_outside_the_chain_may_read_confidential_notes(world, person):
    session = confidential_session(world)
    assert not rules.may_read_confidential(world.people[person].user, session)


# --- actions ---------------------------------------------------------------------------------


def test_the_supervisor_sets_an_action_outside_a_session(world):
    action = services.action_create(
        supervisee=world.sw, description="Read the policy", owner=world.sw, actor=world.tm.user
    )
    assert (action.supervisee, action.owner, action.session) == (world.sw, world.sw, None)


def test_an_action_for_someone_you_do_not_supervise_is_refused(world):
    with pytest.raises(PermissionDenied):
        services.action_create(
            supervisee=world.sw, description="Read", owner=world.sw, actor=world.tm2.user
        )


def test_your_own_session_is_no_way_to_set_an_action_for_another_worker(world):
    session = services.session_start(supervisee=world.sw, actor=world.tm.user)
    with pytest.raises(ValidationError):
        services.action_create(
            supervisee=world.sw2,
            description="Not yours",
            owner=world.sw2,
            session=session,
            actor=world.tm.user,
        )
    assert not world.sw2.supervision_actions.exists()


def test_an_action_on_a_case_discussion_belongs_to_that_discussions_session(world):
    from supervision.models import CaseDiscussion

    first = services.session_start(supervisee=world.sw, actor=world.tm.user)
    discussion = services.case_discussion_add(
        session=first, case=world.case_sw, actor=world.tm.user
    )
    other = services.session_start(supervisee=world.asye, actor=world.tm.user)
    with pytest.raises(ValidationError):
        services.action_create(
            supervisee=world.asye,
            description="Mixed up",
            owner=world.asye,
            session=other,
            case_discussion=CaseDiscussion.objects.get(pk=discussion.pk),
            actor=world.tm.user,
        )
    action = services.action_create(
        supervisee=world.sw,
        description="Chase the school",
        owner=world.sw,
        case_discussion=discussion,
        actor=world.tm.user,
    )
    assert (action.session, action.case_discussion) == (first, discussion)


def test_an_informal_discussion_gives_nobody_else_a_way_to_set_actions(world):
    discussion = services.informal_discussion_record(
        worker=world.sw,
        actor=world.tm.user,
        happened_at=timezone.now(),
        channel="phone",
        advice="Call back",
    )
    with pytest.raises(PermissionDenied):
        services.action_create(
            supervisee=world.sw,
            description="Sneaked in",
            owner=world.sw,
            informal_discussion=discussion,
            actor=world.tm2.user,
        )
    with pytest.raises(ValidationError):
        services.action_create(
            supervisee=world.asye,
            description="Wrong worker",
            owner=world.asye,
            informal_discussion=discussion,
            actor=world.tm.user,
        )
    assert not discussion.actions.exists()


@pytest.mark.parametrize("person", ["sw", "tm", "gm"])
def test_the_worker_and_their_managers_close_an_action(world, person):
    action = services.action_create(
        supervisee=world.sw, description="Read", owner=world.sw, actor=world.tm.user
    )
    services.action_set_status(action=action, status="done", actor=world.people[person].user)
    action.refresh_from_db()
    assert action.status == "done"
    assert action.closed_on == timezone.localdate()


@pytest.mark.parametrize("person", ["bs", "psw", "tm2", "asye"])
def test_others_cannot_change_an_action(world, person):
    action = services.action_create(
        supervisee=world.sw, description="Read", owner=world.sw, actor=world.tm.user
    )
    with pytest.raises(PermissionDenied):
        services.action_set_status(action=action, status="done", actor=world.people[person].user)
    action.refresh_from_db()
    assert action.status == "open"
