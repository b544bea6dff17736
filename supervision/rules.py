"""Supervision's place in the access policy (DESIGN §5), registered with `oversight.access`
the way apps register with the admin, so the spine never imports supervision.

Records are scoped through the supervisee (the person they are about) with the *records*
purpose; whoever recorded a session or discussion (a supervisor, a manager acting as cover)
keeps sight of it. A manager covering for an absent supervisor joins the line-management chain
of that supervisor's supervisees for the period of cover.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from oversight import access
from oversight.access import EVERYTHING, NOTHING, Purpose, UserLike
from oversight.models import DIRECTORATE_ROLES, Role, StaffMember
from oversight.records import RecordKind, register_kind
from supervision.models import (
    Action,
    ActionReview,
    Addendum,
    CaseDiscussion,
    Cover,
    CoverStatus,
    InformalDiscussion,
    PolicyRule,
    SupervisionPolicy,
    SupervisionRequest,
    SupervisionSession,
)


def covered_supervisors(me: StaffMember) -> list[int]:
    """The supervisors `me` acts for today."""
    day = timezone.localdate()
    cache = getattr(me, "_covered_supervisors_cache", None)
    if cache is None or cache[0] != day:
        ids = list(
            Cover.objects.filter(
                covering_manager=me,
                start_date__lte=day,
                end_date__gte=day,
                status=CoverStatus.ARRANGED,  # a proposal hands over nothing
            ).values_list("absent_supervisor_id", flat=True)
        )
        cache = (day, ids)
        me._covered_supervisors_cache = cache  # type: ignore[attr-defined]
    return cache[1]


def _cover_reach(me: StaffMember, prefix: str) -> Q | None:
    covered = covered_supervisors(me)
    if not covered:
        return None
    return Q(**{access.field_path(prefix, "supervisor__in"): covered})


access.extend_line_management(_cover_reach)


def _records_about(path: str, *also_mine: str):  # type: ignore[no-untyped-def]
    """Records about the staff member at `path`, plus those where `me` is named at any of
    `also_mine` (e.g. the supervisor who recorded them)."""

    def rule(user: UserLike) -> Q:
        q = access.staff_scope_q(user, Purpose.RECORDS, path)
        if not q:
            # Everything already (directorate roles): `Q() | Q(...)` would narrow it to the
            # other side alone.
            return EVERYTHING
        me = access.staff_for(user)
        if me is not None and access.reads_practice_records(user):
            for field in also_mine:
                q |= Q(**{field: me})
        return q

    return rule


def _policy_rule(user: UserLike) -> Q:
    """The supervision policy is configuration everyone signed in may read."""
    return EVERYTHING if user.is_authenticated else NOTHING


access.register(SupervisionSession, _records_about("supervisee", "supervisor"))
access.register(CaseDiscussion, _records_about("session__supervisee", "session__supervisor"))
access.register(ActionReview, _records_about("session__supervisee", "session__supervisor"))
access.register(Addendum, _records_about("session__supervisee", "session__supervisor"))
access.register(InformalDiscussion, _records_about("worker", "recorded_by", "manager"))
access.register(Action, _records_about("supervisee", "owner"))
access.register(SupervisionRequest, _records_about("worker", "answered_by"))
access.register(
    Cover, lambda user: access.staff_scope_q(user, Purpose.DIRECTORY, "absent_supervisor")
)
access.register(SupervisionPolicy, _policy_rule)
access.register(PolicyRule, _policy_rule)


# --- confidential support notes --------------------------------------------------------------


# Who reads confidential support notes (DESIGN §4.3): the people named on the session and the
# supervisee's line-management chain — not auditors or the assistant director. Written once as
# data, so the check for one session and a list's SQL annotation are built from it alike.
CONFIDENTIAL_READER_FIELDS = ("supervisee", "supervisor", "acting_for")
CONFIDENTIAL_CHAIN_OF = "supervisee"


def _confidential_reader(user: UserLike) -> StaffMember | None:
    me = access.staff_for(user)
    return me if me is not None and access.reads_practice_records(user) else None


def may_read_confidential_q(user: UserLike) -> Q:
    """The sessions whose confidential support notes `user` may read, as a filter."""
    if getattr(user, "is_superuser", False):
        return EVERYTHING
    me = _confidential_reader(user)
    if me is None:
        return NOTHING
    q = access.line_managed_q(me, CONFIDENTIAL_CHAIN_OF)
    for field in CONFIDENTIAL_READER_FIELDS:
        q |= Q(**{field: me})
    return q


def may_read_confidential(user: UserLike, session: Any) -> bool:
    """Whether `user` may read this session's confidential support notes (a session or one of
    its historical versions)."""
    if getattr(user, "is_superuser", False):
        return True
    me = _confidential_reader(user)
    if me is None:
        return False
    if me.pk in (getattr(session, f"{field}_id") for field in CONFIDENTIAL_READER_FIELDS):
        return True
    return StaffMember.objects.filter(
        access.line_managed_q(me, ""), pk=getattr(session, f"{CONFIDENTIAL_CHAIN_OF}_id")
    ).exists()


CONFIDENTIAL_FIELDS = frozenset({"support_notes"})


def hidden_session_fields(user: UserLike, session: Any) -> frozenset[str]:
    """Hidden while the notes are confidential — or ever were, so an old value cannot leak
    through a history diff after the flag is cleared."""
    if may_read_confidential(user, session):
        return frozenset()
    if session.support_confidential or session.history.filter(support_confidential=True).exists():
        return CONFIDENTIAL_FIELDS
    return frozenset()


SESSION_KIND = register_kind(
    RecordKind(
        "supervision",
        SupervisionSession,
        "supervisee",
        hidden_session_fields,
        detail_url_name="supervision-session",
    )
)
register_kind(RecordKind("case-discussion", CaseDiscussion, "session__supervisee"))
register_kind(
    RecordKind(
        "informal-discussion",
        InformalDiscussion,
        "worker",
        detail_url_name="informal-discussion-detail",
    )
)
register_kind(RecordKind("action", Action, "supervisee"))
register_kind(RecordKind("addendum", Addendum, "session__supervisee"))
register_kind(RecordKind("cover", Cover, "absent_supervisor"))
register_kind(RecordKind("supervision-request", SupervisionRequest, "worker"))


# --- what a user may do ----------------------------------------------------------------------


def acting_for_today(me: StaffMember, supervisee: StaffMember) -> StaffMember | None:
    """The absent supervisor `me` covers for, if `me` records for `supervisee` as cover."""
    if supervisee.supervisor_id and supervisee.supervisor_id in covered_supervisors(me):
        return supervisee.supervisor
    return None


def offers_supervision_history(user: UserLike, member: StaffMember) -> bool:
    """Whether a person's page links to their supervision history: one's own, or as a
    manager (the history page lists only the records the access policy lets them read)."""
    me = access.staff_for(user)
    return me is not None and (me.pk == member.pk or access.is_manager(user))


def may_record_supervision(user: UserLike, supervisee: StaffMember) -> bool:
    """The supervisee's supervisor records their supervision, or a manager acting for that
    supervisor while they are away. Nobody records their own."""
    me = access.staff_for(user)
    if me is None or me.pk == supervisee.pk:
        return False
    return supervisee.supervisor_id == me.pk or acting_for_today(me, supervisee) is not None


def may_ask_for_extra_supervision(user: UserLike, worker: StaffMember) -> bool:
    """Only the worker asks for their own extra supervision: nobody asks on their behalf."""
    me = access.staff_for(user)
    return me is not None and me.pk == worker.pk


def may_answer_supervision_request(user: UserLike, request: SupervisionRequest) -> bool:
    """Whoever records the worker's supervision (their supervisor, or a manager acting for
    them) accepts or declines a request for extra supervision."""
    return may_record_supervision(user, request.worker)


def is_recorder(user: UserLike, session: SupervisionSession) -> bool:
    """The manager who records this session (the supervisor, or who acted for them)."""
    me = access.staff_for(user)
    return me is not None and me.pk == session.supervisor_id


def is_supervisee(user: UserLike, session: SupervisionSession) -> bool:
    me = access.staff_for(user)
    return me is not None and me.pk == session.supervisee_id


def may_record_informal_discussion(user: UserLike, worker: StaffMember) -> bool:
    """The worker themselves, their line-management chain (and cover), and the assistant team
    manager of their team, who also gives advice on duty."""
    me = access.staff_for(user)
    if me is None or not access.reads_practice_records(user):
        return False
    if me.pk == worker.pk:
        return True
    if me.role == Role.ASSISTANT_TEAM_MANAGER and _advises_on_duty_in(me, worker.team_id):
        return True
    return StaffMember.objects.filter(access.line_managed_q(me, ""), pk=worker.pk).exists()


def _advises_on_duty_in(me: StaffMember, team_id: int | None) -> bool:
    """An assistant team manager gives advice on duty to their own team, and only theirs."""
    return bool(me.team_id) and me.team_id == team_id


def may_note_discussions_in_team(user: UserLike, team: Any) -> bool:
    """Who records informal discussions with a team's members from the team page: its
    manager, its group manager, and its assistant team manager (who advises on duty)."""
    me = access.staff_for(user)
    if me is None or not access.reads_practice_records(user):
        return False
    if me.role == Role.ASSISTANT_TEAM_MANAGER:
        return _advises_on_duty_in(me, team.pk)
    return me.pk in (team.manager_id, team.service.group_manager_id)


def may_publish_policy(user: UserLike) -> bool:
    """The supervision policy is the practice lead's: principal social workers (and
    administrators) publish new versions."""
    return bool(getattr(user, "is_superuser", False)) or (
        access.role_of(user) == Role.PRINCIPAL_SOCIAL_WORKER
    )


def may_set_cover(user: UserLike, absent_supervisor: StaffMember) -> bool:
    """Cover hands the absent supervisor's supervisees' confidential notes to another
    manager, so it is arranged by the absent supervisor's own line managers or the
    directorate (and administrators) — never by business support alone."""
    me = access.staff_for(user)
    if me is None:
        return bool(getattr(user, "is_superuser", False))
    if me.pk == absent_supervisor.pk:
        return False
    return me.role in DIRECTORATE_ROLES or access.manages(user, absent_supervisor)


def may_propose_cover(user: UserLike, absent_supervisor: StaffMember) -> bool:
    """Business support may propose cover (they often hear of an absence first); it takes
    effect when the absent supervisor's manager confirms it."""
    if may_set_cover(user, absent_supervisor):
        return True
    me = access.staff_for(user)
    return me is not None and me.role == Role.BUSINESS_SUPPORT
