"""The demo authority's supervision history (supervision/demo.py): deterministic, consistent
with the organisation it is built on, and telling the demo logins' story."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction

from oversight.demo import DemoAuthority, build_demo_authority
from oversight.models import Absence, StaffMember
from supervision import demo
from supervision.models import (
    Action,
    ActionReview,
    ActionStatus,
    CaseDiscussion,
    InformalDiscussion,
    SessionStatus,
    SupervisionSession,
)
from supervision.policy import Status, due_date, status_now
from supervision.selectors import load_policy_book

TODAY = datetime.date(2026, 3, 18)
HELD = (SessionStatus.HELD, SessionStatus.SIGNED)

pytestmark = pytest.mark.django_db


def _build(
    seed: int = 3, staff_count: int = 60, months: int = 6
) -> tuple[DemoAuthority, demo.SeedCounts]:
    authority = build_demo_authority(seed=seed, staff_count=staff_count, months=months, today=TODAY)
    return authority, demo.seed(authority)


def _fingerprint() -> list[tuple[object, ...]]:
    """Everything that should repeat for a seed, without primary keys."""
    return list(
        SupervisionSession.objects.order_by(
            "supervisee__employee_number", "scheduled_for", "held_on", "status"
        ).values_list(
            "supervisee__employee_number",
            "supervisor__employee_number",
            "status",
            "scheduled_for",
            "held_on",
            "not_held_reason",
            "wellbeing_score",
            "supervisee_signed_at",
            "agenda",
        )
    )


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            SupervisionSession,
            CaseDiscussion,
            InformalDiscussion,
            Action,
            ActionReview,
        )
    )


# These build their own authority, so they run before the shared one below exists.


def test_it_is_the_same_for_the_same_seed_and_differs_for_another():
    fingerprints = []
    for seed in (3, 3, 4):
        with transaction.atomic():
            _build(seed=seed, staff_count=40, months=3)
            fingerprints.append((_counts(), _fingerprint()))
            transaction.set_rollback(True)
    assert fingerprints[0][0][0] > 100
    assert fingerprints[0] == fingerprints[1]
    assert fingerprints[0][1] != fingerprints[2][1]


def test_seed_demo_finds_the_supervision_demo_module():
    with transaction.atomic():
        call_command(
            "seed_demo", "--staff", "40", "--months", "2", "--today", "2026-03-18", verbosity=0
        )
        assert SupervisionSession.objects.exists()
        assert SupervisionSession.history.exists()  # type: ignore[attr-defined]
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[tuple[DemoAuthority, demo.SeedCounts]]:
    """One small authority for the rest of the module, rolled back at the end (each test's
    own transaction is a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def authority(seeded) -> DemoAuthority:
    return seeded[0]


def test_it_reports_what_it_added(seeded):
    counts = seeded[1]
    assert counts.sessions == SupervisionSession.objects.count()
    assert counts.case_discussions == CaseDiscussion.objects.count()
    assert counts.informal_discussions == InformalDiscussion.objects.count()
    assert counts.actions == Action.objects.count()
    assert counts.action_reviews == ActionReview.objects.count()
    assert str(counts).startswith(f"Added {counts.sessions} supervision sessions")


def test_only_supervised_staff_have_sessions(authority):
    assert not SupervisionSession.objects.filter(supervisee__supervisor__isnull=True).exists()
    supervised = StaffMember.objects.filter(supervisor__isnull=False, leaving_date__isnull=True)
    with_sessions = SupervisionSession.objects.values("supervisee").distinct().count()
    assert with_sessions >= supervised.count() * 0.9


def test_no_session_is_held_during_an_excusing_absence(authority):
    held = list(
        SupervisionSession.objects.filter(status__in=HELD).values_list("supervisee_id", "held_on")
    )
    assert held
    spells: dict[int, list[tuple[datetime.date, datetime.date | None]]] = {}
    for staff_id, start, end in Absence.objects.filter(excuses_supervision=True).values_list(
        "staff_id", "start_date", "end_date"
    ):
        spells.setdefault(staff_id, []).append((start, end))
    inside = [
        (staff_id, day)
        for staff_id, day in held
        for start, end in spells.get(staff_id, [])
        if start <= day and (end is None or day <= end)
    ]
    assert inside == []


def test_no_session_is_held_after_the_worker_left_or_in_the_future(authority):
    assert not SupervisionSession.objects.filter(held_on__gt=TODAY).exists()
    for session in SupervisionSession.objects.filter(
        status__in=HELD, supervisee__leaving_date__isnull=False
    ).select_related("supervisee"):
        assert session.held_on <= session.supervisee.leaving_date


def test_sessions_not_held_keep_their_reason(authority):
    not_held = SupervisionSession.objects.filter(status=SessionStatus.NOT_HELD)
    assert not_held.exists()
    assert not not_held.filter(not_held_reason="").exists()
    assert not not_held.filter(held_on__isnull=True).exists()
    assert (
        not SupervisionSession.objects.exclude(status=SessionStatus.NOT_HELD)
        .exclude(not_held_reason="")
        .exists()
    )


def test_signed_records_are_locked_and_held_ones_are_not(authority):
    signed = SupervisionSession.objects.filter(status=SessionStatus.SIGNED)
    assert signed.count() > SupervisionSession.objects.count() * 0.7
    assert not signed.filter(locked_at__isnull=True).exists()
    assert not signed.filter(supervisor_signed_at__isnull=True).exists()
    assert not signed.filter(signed_on_time__isnull=True).exists()
    assert signed.filter(signed_on_time=True).count() > signed.count() * 0.6
    held = SupervisionSession.objects.filter(status=SessionStatus.HELD)
    assert held.exists()
    assert not held.filter(supervisee_signed_at__isnull=False).exists()


def test_a_few_sessions_are_short_and_a_few_support_notes_confidential(authority):
    held = SupervisionSession.objects.filter(status__in=HELD)
    assert 0 < held.filter(is_short=True).count() < held.count() * 0.2
    assert 0 < held.filter(support_confidential=True).count() < held.count() * 0.1


def test_case_discussions_are_of_the_workers_own_cases(authority):
    discussions = CaseDiscussion.objects.select_related("case", "session")
    assert discussions.exists()
    for discussion in discussions:
        assert discussion.case.allocated_worker_id == discussion.session.supervisee_id
        assert 0 <= discussion.scaling <= 10
        assert discussion.case.opened_on <= discussion.session.held_on


def test_informal_discussions_are_pulled_into_the_next_session(authority):
    incorporated = InformalDiscussion.objects.filter(incorporated_into__isnull=False)
    assert incorporated.exists()
    for discussion in incorporated.select_related("incorporated_into"):
        assert discussion.happened_at.date() < discussion.incorporated_into.held_on
        assert discussion.worker_id == discussion.incorporated_into.supervisee_id
    waiting = InformalDiscussion.objects.filter(incorporated_into__isnull=True)
    for discussion in waiting:
        last_held = (
            SupervisionSession.objects.filter(supervisee=discussion.worker_id, status__in=HELD)
            .order_by("-held_on")
            .values_list("held_on", flat=True)
            .first()
        )
        assert last_held is None or discussion.happened_at.date() > last_held


def test_older_actions_are_closed_and_some_recent_ones_overdue(authority):
    assert Action.objects.filter(status=ActionStatus.DONE).count() > Action.objects.count() / 2
    assert not Action.objects.exclude(status=ActionStatus.OPEN).filter(closed_on=None).exists()
    assert Action.objects.filter(status=ActionStatus.OPEN, due_date__lt=TODAY).exists()
    # An action still open has not yet been through four sessions since it was set.
    for action in Action.objects.filter(status=ActionStatus.OPEN, session__isnull=False):
        later = SupervisionSession.objects.filter(
            supervisee=action.supervisee_id,
            status__in=HELD,
            held_on__gt=action.session.held_on,
        )
        assert later.count() < 4


def test_every_record_has_its_history(authority):
    for model in (SupervisionSession, CaseDiscussion, InformalDiscussion, Action, ActionReview):
        assert model.history.count() == model.objects.count(), model.__name__  # type: ignore[attr-defined]
        assert model.history.filter(history_type="+").count() == model.objects.count()  # type: ignore[attr-defined]


def test_sw_demo_has_a_story_to_show(authority):
    sw = authority.logins["sw.demo"]
    assert sw.supervisor == authority.logins["tm.demo"]
    held = list(
        SupervisionSession.objects.filter(supervisee=sw, status__in=HELD).order_by("-held_on")
    )
    last, previous = held[0], held[1]
    assert 17 <= (TODAY - last.held_on).days <= 25
    assert last.status == SessionStatus.HELD
    assert last.supervisor_signed_at is not None and last.supervisee_signed_at is None
    assert previous.status == SessionStatus.SIGNED and previous.signed_on_time
    open_actions = Action.objects.filter(supervisee=sw, status=ActionStatus.OPEN)
    assert open_actions.count() == 2
    assert open_actions.filter(due_date__lt=TODAY).count() == 1
    waiting = InformalDiscussion.objects.filter(worker=sw, incorporated_into__isnull=True)
    assert waiting.count() == 2


def test_asye_demo_is_due_soon_or_overdue(authority):
    asye = authority.logins["asye.demo"]
    last = (
        SupervisionSession.objects.filter(supervisee=asye, status__in=HELD)
        .order_by("-held_on")
        .first()
    )
    assert last is not None
    rule = load_policy_book().rule_on(
        role=asye.role, asye_start=asye.asye_start_date, day=last.held_on
    )
    assert rule.interval_days == 14
    spans = list(
        Absence.objects.filter(staff=asye, excuses_supervision=True).values_list(
            "start_date", "end_date"
        )
    )
    due = due_date(
        base=last.held_on, interval_days=rule.interval_days, excusing_absences=spans, today=TODAY
    )
    status = status_now(today=TODAY, due=due, excusing_absences=spans, has_supervisor=True)
    assert status in (Status.DUE_SOON, Status.OVERDUE)


def test_asye_workers_are_seen_fortnightly_and_others_monthly(authority):
    since = TODAY - datetime.timedelta(days=112)
    in_post = StaffMember.objects.filter(
        supervisor__isnull=False, leaving_date=None, start_date__lte=since
    )

    def held_per_worker(workers) -> float:
        held = SupervisionSession.objects.filter(
            supervisee__in=workers, status__in=HELD, held_on__gte=since
        )
        return held.count() / workers.count()

    asye = held_per_worker(in_post.filter(asye_start_date__isnull=False))
    others = held_per_worker(in_post.filter(asye_start_date__isnull=True))
    assert 6 <= asye <= 9  # 112 days at 14-day intervals, less absence
    assert 3 <= others <= 5  # at 28-day intervals


def test_someone_in_the_demo_team_is_on_maternity_leave_and_shows_as_excused(authority):
    from supervision.selectors import supervision_status

    tm = authority.logins["tm.demo"]
    statuses = supervision_status(
        tm.user, StaffMember.objects.filter(team=tm.team_id), today=authority.today
    )
    assert any(worker.status is Status.EXCUSED for worker in statuses)
