"""Writes that carry supervision's rules (DESIGN §4.3). Pages, API and commands call these.

Every function is keyword-only, takes the acting user as `actor`, runs in one transaction and
leaves history rows naming that user. Refusals are `ValidationError` (bad input, shown against
the field), `PermissionDenied` (you may see this but may not do that), `RecordLocked` (signed
by both) and `EditConflict` (someone saved this section since you loaded it).
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from oversight import access
from oversight.access import UserLike
from oversight.history import save_with_history
from oversight.models import SUPERVISING_ROLES, Case, Role, StaffMember
from oversight.notifications import notify
from oversight.refusals import StateConflict
from oversight.services import line_manager_of
from oversight.text import clean_text
from oversight.workdays import add_working_days
from supervision import rules
from supervision.models import (
    RECORD_SECTIONS,
    SUPERVISEE_SECTIONS,
    Action,
    ActionReview,
    ActionStatus,
    Addendum,
    CaseDiscussion,
    Channel,
    Cover,
    CoverStatus,
    InformalDiscussion,
    NotHeldReason,
    PolicyRule,
    RequestReason,
    RequestStatus,
    ReviewOutcome,
    SessionStatus,
    SessionType,
    SupervisionPolicy,
    SupervisionRequest,
    SupervisionSession,
)
from supervision.selectors import load_policy_book
from supervision.variants import VARIANT_NAMES, VARIANT_RULES

SIGN_OFF_WORKING_DAYS = 5
# Fields the live page saves one at a time, each with its own version.
SESSION_FIELDS = frozenset({*RECORD_SECTIONS, "wellbeing_score", "support_confidential"})
CASE_DISCUSSION_FIELDS = frozenset(
    {
        "discussion",
        "worries",
        "working_well",
        "needs_to_happen",
        "scaling",
        "analysis_tool",
        "decisions",
    }
)
OPEN_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS)


class RecordLocked(StateConflict):
    """The record has been signed by both and can only be added to by an addendum."""

    def __init__(self) -> None:
        super().__init__(
            "This record has been signed by both people and is locked. "
            "Add an addendum to record anything further.",
            code="locked",
        )


class AlreadyAnswered(StateConflict):
    """The request for extra supervision has been accepted or declined already."""

    def __init__(self, supervision_request: SupervisionRequest) -> None:
        super().__init__(
            f"This request has already been {supervision_request.get_status_display().lower()}.",
            code="answered",
        )


class EditConflict(Exception):
    """Someone saved this section after you loaded it: both versions are kept for the user."""

    def __init__(
        self,
        *,
        field: str,
        current_value: Any,
        current_version: int,
        changed_by: str,
        changed_by_name: str | None = None,
    ) -> None:
        super().__init__(f"{field} was changed by {changed_by} while you were editing")
        self.field = field
        self.current_value = current_value
        self.current_version = current_version
        # How the page names who saved it: their full name, a login, or "someone else".
        self.changed_by = changed_by
        # The full name of the staff member who saved it; None when that is not known.
        self.changed_by_name = changed_by_name


def _me(actor: UserLike) -> StaffMember:
    me = access.staff_for(actor)
    if me is None:
        raise PermissionDenied("Only staff members record supervision.")
    return me


def _lock(session: SupervisionSession) -> SupervisionSession:
    """Re-read the session under a row lock so concurrent saves are serialised."""
    return SupervisionSession.objects.select_for_update().get(pk=session.pk)


def _refuse_if_locked(session: SupervisionSession) -> None:
    if session.is_locked:
        raise RecordLocked()


def _validate_fields(record: Any, *names: str) -> None:
    """The model's own checks on the fields this write sets — the text rule and length limit
    (oversight/text.py), plausible dates — without re-checking the rest of the row."""
    record.clean_fields(exclude=[f.name for f in record._meta.fields if f.name not in names])


def _clean_text_value(field: str, value: str) -> str:
    """Typed text under the one text rule, refused against the field it was typed in."""
    try:
        return clean_text(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _max_actions() -> int:
    return cast(int, settings.OVERSIGHT["MAX_ACTIONS_PER_RECORD"])


def _refuse_too_many_actions(
    *,
    session: SupervisionSession | None,
    case_discussion: CaseDiscussion | None,
    informal_discussion: InformalDiscussion | None,
) -> None:
    """A session, a case discussion or an informal discussion sets at most
    `MAX_ACTIONS_PER_RECORD` actions: an action plan nobody can review is not a plan."""
    limit = _max_actions()
    for record, what in (
        (case_discussion, "A case discussion"),
        (session, "A session"),
        (informal_discussion, "An informal discussion"),
    ):
        if record is not None and record.actions.count() >= limit:
            raise ValidationError(
                f"{what} can set at most {limit} actions, and this one has {limit}. "
                "Close or combine some before adding another."
            )


# --- policy ----------------------------------------------------------------------------------


@transaction.atomic
def policy_create_from_variant(
    *,
    variant: str,
    effective_from: datetime.date,
    actor: UserLike | None,
    name: str = "",
    min_minutes: int = 90,
    tolerance_days: int = 0,
) -> SupervisionPolicy:
    """Publish a new version of the policy from one of the shipped variants. Months before
    `effective_from` keep being judged by the version that was in force then."""
    if actor is not None and not rules.may_publish_policy(actor):
        raise PermissionDenied("Only a principal social worker can publish a supervision policy.")
    if variant not in VARIANT_RULES:
        raise ValidationError({"variant": "Choose employer standards 2024 or ASYE framework."})
    if SupervisionPolicy.objects.filter(effective_from=effective_from).exists():
        raise ValidationError({"effective_from": "A policy version already starts on that date."})
    policy = SupervisionPolicy(
        name=name or VARIANT_NAMES[variant],
        variant=variant,
        effective_from=effective_from,
        tolerance_days=tolerance_days,
    )
    policy.full_clean()
    save_with_history(policy, actor=actor, reason=None, default_reason="Policy published")
    for row in VARIANT_RULES[variant]:
        rule = PolicyRule(policy=policy, min_minutes=min_minutes, **row)
        save_with_history(rule, actor=actor, reason=None, default_reason="Policy published")
    return policy


# --- starting a session ----------------------------------------------------------------------


def caseload_snapshot(supervisee: StaffMember) -> dict[str, Any]:
    """The worker's caseload as it stands when the session starts: open cases by type, duty
    cases and FTE, so the workload discussion is about real numbers."""
    open_cases = Case.objects.filter(allocated_worker=supervisee, closed_on__isnull=True)
    by_type = Counter(open_cases.values_list("case_type", flat=True))
    return {
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "open_cases": sum(by_type.values()),
        "by_type": dict(sorted(by_type.items())),
        "duty_cases": open_cases.filter(is_duty=True).count(),
        "fte": str(supervisee.fte),
    }


@transaction.atomic
def session_schedule(
    *,
    supervisee: StaffMember,
    scheduled_for: datetime.datetime,
    actor: UserLike,
    session_type: str = SessionType.PLANNED,
    agenda: str = "",
) -> SupervisionSession:
    """Book a session; the supervisee can then write their preparation notes."""
    me = _me(actor)
    if not rules.may_record_supervision(actor, supervisee):
        raise PermissionDenied(f"You do not supervise {supervisee.full_name}.")
    session = SupervisionSession(
        supervisee=supervisee,
        supervisor=me,
        acting_for=rules.acting_for_today(me, supervisee),
        session_type=session_type,
        scheduled_for=scheduled_for,
        agenda=agenda,
    )
    session.full_clean()
    save_with_history(session, actor=actor, reason=None, default_reason="Session booked")
    return session


@transaction.atomic
def session_start(
    *,
    supervisee: StaffMember,
    actor: UserLike,
    session: SupervisionSession | None = None,
    session_type: str = SessionType.PLANNED,
) -> SupervisionSession:
    """Start supervision now: take the caseload snapshot, pull in every informal discussion
    not yet in a session, and bring the worker's open actions for review — nothing retyped.

    Starting again while a session is in progress returns that session (a double click
    never makes two records)."""
    me = _me(actor)
    StaffMember.objects.select_for_update().filter(pk=supervisee.pk).first()
    if not rules.may_record_supervision(actor, supervisee):
        raise PermissionDenied(
            f"You do not supervise {supervisee.full_name}, and are not covering for their "
            "supervisor, so you cannot record their supervision."
        )
    if session is None:
        open_sessions = SupervisionSession.objects.filter(
            supervisee=supervisee, status__in=OPEN_STATUSES
        )
        # The session in progress if there is one, else the next one booked.
        session = (
            open_sessions.filter(status=SessionStatus.IN_PROGRESS).order_by("pk").first()
            or open_sessions.order_by(F("scheduled_for").asc(nulls_last=True), "pk").first()
        )
        if session is not None and session.status == SessionStatus.IN_PROGRESS:
            return session
    else:
        session = _lock(session)
        if session.supervisee_id != supervisee.pk:
            raise ValidationError("This session is for someone else.")
        if session.status == SessionStatus.IN_PROGRESS:
            return session
        if session.status != SessionStatus.SCHEDULED:
            raise ValidationError(
                f"This session is {session.get_status_display().lower()} and cannot be started."
            )
    if session is None:
        session = SupervisionSession(supervisee=supervisee, session_type=session_type)
        if supervisee.role == Role.ASYE_SOCIAL_WORKER and session_type == SessionType.PLANNED:
            session.session_type = SessionType.ASYE
    session.supervisor = me
    session.acting_for = rules.acting_for_today(me, supervisee)
    session.status = SessionStatus.IN_PROGRESS
    session.started_at = timezone.now()
    session.caseload_snapshot = caseload_snapshot(supervisee)
    save_with_history(session, actor=actor, reason=None, default_reason="Session started")
    _pull_in_informal_discussions(session, actor)
    _bring_open_actions(session, actor)
    return session


def _pull_in_informal_discussions(session: SupervisionSession, actor: UserLike) -> None:
    """Every informal discussion with the worker not yet taken into a session — exactly once,
    guarded by the row lock on the discussions."""
    waiting = InformalDiscussion.objects.select_for_update().filter(
        worker=session.supervisee_id, incorporated_into__isnull=True
    )
    for discussion in waiting:
        discussion.incorporated_into = session
        save_with_history(
            discussion, actor=actor, reason=None, default_reason="Pulled into supervision"
        )


def _bring_open_actions(session: SupervisionSession, actor: UserLike) -> None:
    """Each open action of the worker (from earlier sessions, case discussions or informal
    discussions) is listed in the session for review."""
    already = set(session.action_reviews.values_list("action_id", flat=True))
    for action in Action.objects.filter(
        supervisee=session.supervisee_id, status=ActionStatus.OPEN
    ).exclude(session=session):
        if action.pk in already:
            continue
        review = ActionReview(session=session, action=action)
        save_with_history(review, actor=actor, reason=None, default_reason="Brought for review")


# --- recording -------------------------------------------------------------------------------


def _check_may_edit(session: SupervisionSession, field: str, actor: UserLike) -> None:
    if field in SUPERVISEE_SECTIONS:
        if not (rules.is_supervisee(actor, session) or rules.is_recorder(actor, session)):
            raise PermissionDenied("Only the supervisee and supervisor write the preparation.")
        if session.status not in (*OPEN_STATUSES, SessionStatus.HELD):
            raise ValidationError("Preparation can be written until the session is signed.")
        return
    if not rules.is_recorder(actor, session):
        raise PermissionDenied("Only the supervisor recording this session can change it.")
    if session.status in (SessionStatus.NOT_HELD, SessionStatus.CANCELLED):
        raise ValidationError(
            f"This session was {session.get_status_display().lower()}; there is nothing to record."
        )
    if session.supervisor_signed_at is not None:
        raise ValidationError(
            "You have signed this record; it is waiting for the supervisee's signature. "
            "Add an addendum once it is locked."
        )


def _whole_number(value: Any) -> int:
    """A score typed or sent as a whole number; 4.5 or `true` is not silently read as 4 or 1."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return int(value)


def _clean_session_value(field: str, value: Any) -> Any:
    if field == "wellbeing_score":
        if value in (None, ""):
            return None
        try:
            score = _whole_number(value)
        except (TypeError, ValueError):
            raise ValidationError({field: "Enter a wellbeing score from 1 to 5."}) from None
        if not 1 <= score <= 5:
            raise ValidationError({field: "Enter a wellbeing score from 1 to 5."})
        return score
    if field == "support_confidential":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1", "on", "yes"):
            return True
        if str(value).lower() in ("false", "0", "off", "no", ""):
            return False
        raise ValidationError({field: "Say whether the notes are confidential (true or false)."})
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: "Enter text."})
    return _clean_text_value(field, value)


def _last_changed_by(
    obj: Any, *, section: str | None = None, version: int = 0
) -> tuple[str, str | None]:
    """Who saved the record last — or, given a section and its version, who saved that
    section (someone may have saved another section since): how to name them (their full
    name, else their login, else "someone else") and their full name as a staff member
    (None when the save was not a staff member's, or nobody is recorded)."""
    history = obj.history.select_related("history_user")
    latest = None
    if section is not None and version:
        # Versions only go up, so the earliest row at this version is the save that made it.
        latest = (
            history.filter(**{f"section_versions__{section}": version})
            .order_by("history_date", "history_id")
            .first()
        )
    if latest is None:
        latest = history.first()
    user = getattr(latest, "history_user", None)
    if user is None:
        return "someone else", None
    staff = access.staff_for(user)
    if staff is None:
        return user.get_username(), None
    return staff.full_name, staff.full_name


@transaction.atomic
def session_save_field(
    *, session: SupervisionSession, field: str, value: Any, base_version: int, actor: UserLike
) -> SupervisionSession:
    """Save one section as the manager types. `base_version` is the version the page last
    saw; if someone has saved the section since, nothing is overwritten: `EditConflict`
    carries their text so the page can show both."""
    if field not in SESSION_FIELDS:
        raise ValidationError({"field": f"{field!r} is not a section of the record."})
    session = _lock(session)
    _refuse_if_locked(session)
    _check_may_edit(session, field, actor)
    cleaned = _clean_session_value(field, value)
    current = session.section_version(field)
    if base_version != current:
        if getattr(session, field) == cleaned:
            return session  # the same text arrived twice (a retry): nothing to do
        changed_by, changed_by_name = _last_changed_by(session, section=field, version=current)
        raise EditConflict(
            field=field,
            current_value=getattr(session, field),
            current_version=current,
            changed_by=changed_by,
            changed_by_name=changed_by_name,
        )
    setattr(session, field, cleaned)
    _validate_fields(session, field)
    session.section_versions = {**session.section_versions, field: current + 1}
    save_with_history(session, actor=actor, reason=None, default_reason=f"{field} saved")
    return session


def _caseload_case(supervisee: StaffMember, case: Case) -> Case:
    if case.allocated_worker_id != supervisee.pk or case.closed_on is not None:
        raise ValidationError(
            {"case": f"{case.reference} is not an open case on {supervisee.full_name}'s caseload."}
        )
    return case


def _clean_scaling(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        scaling = _whole_number(value)
    except (TypeError, ValueError):
        raise ValidationError({"scaling": "Enter a scaling score from 0 to 10."}) from None
    if not 0 <= scaling <= 10:
        raise ValidationError({"scaling": "Enter a scaling score from 0 to 10."})
    return scaling


@transaction.atomic
def case_discussion_add(
    *, session: SupervisionSession, case: Case, actor: UserLike, **fields: Any
) -> CaseDiscussion:
    """Discuss a child's case from the supervisee's caseload in this session."""
    session = _lock(session)
    _refuse_if_locked(session)
    _check_may_edit(session, "discussion", actor)
    _caseload_case(session.supervisee, case)
    unknown = set(fields) - CASE_DISCUSSION_FIELDS
    if unknown:
        raise ValidationError(
            {name: "This is not a field of a case discussion." for name in unknown}
        )
    if "scaling" in fields:
        fields["scaling"] = _clean_scaling(fields["scaling"])
    discussion = CaseDiscussion(session=session, case=case, **fields)
    discussion.full_clean()
    save_with_history(discussion, actor=actor, reason=None, default_reason="Case discussed")
    return discussion


@transaction.atomic
def case_discussion_save_field(
    *, discussion: CaseDiscussion, field: str, value: Any, base_version: int, actor: UserLike
) -> CaseDiscussion:
    """Save one field of a case discussion, with the same conflict rule as the sections."""
    if field not in CASE_DISCUSSION_FIELDS:
        raise ValidationError({"field": f"{field!r} is not a field of a case discussion."})
    session = _lock(discussion.session)
    _refuse_if_locked(session)
    _check_may_edit(session, field, actor)
    discussion = CaseDiscussion.objects.select_for_update().get(pk=discussion.pk)
    cleaned: Any
    if field == "scaling":
        cleaned = _clean_scaling(value)
    elif isinstance(value, str):
        cleaned = _clean_text_value(field, value)
    else:
        cleaned = value or ""
    if base_version != discussion.version:
        if getattr(discussion, field) == cleaned:
            return discussion
        changed_by, changed_by_name = _last_changed_by(discussion)
        raise EditConflict(
            field=field,
            current_value=getattr(discussion, field),
            current_version=discussion.version,
            changed_by=changed_by,
            changed_by_name=changed_by_name,
        )
    setattr(discussion, field, cleaned)
    discussion.version += 1
    discussion.full_clean()
    save_with_history(discussion, actor=actor, reason=None, default_reason=f"{field} saved")
    return discussion


# --- actions ---------------------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    supervisee: StaffMember,
    description: str,
    owner: StaffMember,
    actor: UserLike,
    due_date: datetime.date | None = None,
    session: SupervisionSession | None = None,
    case_discussion: CaseDiscussion | None = None,
    informal_discussion: InformalDiscussion | None = None,
) -> Action:
    """Add an item to the worker's action plan, owned by the worker or their manager.

    Set in a session (or one of its case discussions) by whoever records it, in an informal
    discussion by whoever may note one with the worker, otherwise by their supervisor; the
    session or discussion must be about the same worker."""
    if case_discussion is not None:
        if session is None:
            session = case_discussion.session
        elif case_discussion.session_id != session.pk:
            raise ValidationError(
                {"case_discussion": "This case discussion belongs to another session."}
            )
    if informal_discussion is not None and informal_discussion.worker_id != supervisee.pk:
        raise ValidationError({"informal_discussion": "This discussion was with someone else."})
    if session is not None:
        session = _lock(session)
        _refuse_if_locked(session)
        _check_may_edit(session, "actions", actor)
        if session.supervisee_id != supervisee.pk:
            raise ValidationError({"supervisee": "This session is about someone else."})
    elif informal_discussion is not None:
        if not rules.may_record_informal_discussion(actor, supervisee):
            raise PermissionDenied(f"You cannot record discussions with {supervisee.full_name}.")
    elif not rules.may_record_supervision(actor, supervisee):
        raise PermissionDenied(f"You do not supervise {supervisee.full_name}.")
    if not description.strip():
        raise ValidationError({"description": "Describe the action."})
    _refuse_too_many_actions(
        session=session, case_discussion=case_discussion, informal_discussion=informal_discussion
    )
    allowed_owners = {supervisee.pk, supervisee.supervisor_id}
    if session is not None:
        allowed_owners.add(session.supervisor_id)
    me = access.staff_for(actor)
    if me is not None:
        allowed_owners.add(me.pk)
    if owner.pk not in allowed_owners:
        raise ValidationError(
            {"owner": "An action is owned by the worker, their supervisor or whoever set it."}
        )
    action = Action(
        supervisee=supervisee,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        session=session,
        case_discussion=case_discussion,
        informal_discussion=informal_discussion,
    )
    action.full_clean()
    save_with_history(action, actor=actor, reason=None, default_reason="Action set")
    return action


@transaction.atomic
def action_review(
    *,
    review: ActionReview,
    outcome: str,
    actor: UserLike,
    note: str = "",
    new_due_date: datetime.date | None = None,
) -> ActionReview:
    """Review a carried-forward action in a session: done, carried forward (optionally with a
    new due date) or cancelled. The action itself follows."""
    session = _lock(review.session)
    _refuse_if_locked(session)
    _check_may_edit(session, "action_reviews", actor)
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": "Choose done, carried forward or cancelled."})
    review.outcome = outcome
    review.note = note[:255]
    _validate_fields(review, "note")
    save_with_history(review, actor=actor, reason=None, default_reason="Action reviewed")
    action = review.action
    if outcome == ReviewOutcome.DONE:
        action.status, action.closed_on = ActionStatus.DONE, timezone.localdate()
    elif outcome == ReviewOutcome.CANCELLED:
        action.status, action.closed_on = ActionStatus.CANCELLED, timezone.localdate()
    else:
        action.status, action.closed_on = ActionStatus.OPEN, None
        if new_due_date is not None:
            action.due_date = new_due_date
    save_with_history(action, actor=actor, reason=None, default_reason="Action reviewed")
    return review


@transaction.atomic
def action_set_status(*, action: Action, status: str, actor: UserLike) -> Action:
    """The owner, the worker or their managers mark an action done or cancelled (or reopen)."""
    me = access.staff_for(actor)
    # Business support reach everyone's absences but manage nobody's supervision.
    may = me is not None and (
        me.pk in (action.owner_id, action.supervisee_id) or access.manages(actor, action.supervisee)
    )
    if not may:
        raise PermissionDenied(
            "Only the action's owner, the worker or their managers can change it."
        )
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose open, done or cancelled."})
    action.status = status
    action.closed_on = None if status == ActionStatus.OPEN else timezone.localdate()
    save_with_history(action, actor=actor, reason=None, default_reason="Action updated")
    return action


# --- holding, not holding, signing -----------------------------------------------------------


@transaction.atomic
def session_hold(
    *,
    session: SupervisionSession,
    actor: UserLike,
    started_at: datetime.datetime | None = None,
    ended_at: datetime.datetime | None = None,
) -> SupervisionSession:
    """Mark the session held, with when it started and ended. A session shorter than the
    policy's minimum still counts, but is flagged as short."""
    session = _lock(session)
    _refuse_if_locked(session)
    if not rules.is_recorder(actor, session):
        raise PermissionDenied("Only the supervisor recording this session can mark it held.")
    if session.status not in OPEN_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}; it cannot be marked held."
        )
    started_at = started_at or session.started_at or timezone.now()
    ended_at = ended_at or timezone.now()
    if ended_at < started_at:
        raise ValidationError({"ended_at": "The session cannot end before it started."})
    if ended_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"ended_at": "The session cannot end in the future."})
    session.started_at, session.ended_at = started_at, ended_at
    session.held_on = timezone.localtime(started_at).date()
    supervisee = session.supervisee
    rule = load_policy_book().rule_on(
        role=supervisee.role, asye_start=supervisee.asye_start_date, day=session.held_on
    )
    _validate_fields(session, "held_on")
    session.is_short = (session.duration_minutes or 0) < rule.min_minutes
    session.status = SessionStatus.HELD
    save_with_history(session, actor=actor, reason=None, default_reason="Session held")
    return session


@transaction.atomic
def session_not_held(
    *,
    session: SupervisionSession,
    reason: str,
    actor: UserLike,
    detail: str = "",
    on: datetime.date | None = None,
) -> SupervisionSession:
    """Record why a session did not take place. `held_on` keeps the date it was due, so the
    month's figures count it (a worker absent excuses that month)."""
    session = _lock(session)
    if not rules.is_recorder(actor, session):
        raise PermissionDenied("Only the supervisor can record that a session was not held.")
    if session.status not in OPEN_STATUSES:
        raise ValidationError(
            f"This session is {session.get_status_display().lower()}; it cannot be not held."
        )
    if reason not in NotHeldReason.values:
        raise ValidationError({"not_held_reason": "Choose why the session was not held."})
    if reason == NotHeldReason.OTHER and not detail.strip():
        raise ValidationError({"not_held_detail": "Say why the session was not held."})
    # Discussions pulled in when it started go on to the next session that is held.
    for discussion in InformalDiscussion.objects.select_for_update().filter(
        incorporated_into=session
    ):
        discussion.incorporated_into = None
        save_with_history(
            discussion, actor=actor, reason=None, default_reason="Session not held: kept waiting"
        )
    session.status = SessionStatus.NOT_HELD
    session.not_held_reason = reason
    session.not_held_detail = detail.strip()[:255]
    scheduled = timezone.localtime(session.scheduled_for).date() if session.scheduled_for else None
    session.held_on = on or scheduled or timezone.localdate()
    _validate_fields(session, "not_held_detail", "held_on")
    save_with_history(session, actor=actor, reason=None, default_reason="Session not held")
    return session


@transaction.atomic
def session_not_held_for(
    *,
    supervisee: StaffMember,
    reason: str,
    actor: UserLike,
    detail: str = "",
    on: datetime.date | None = None,
) -> SupervisionSession:
    """Record a session that did not happen when none was booked in the system."""
    me = _me(actor)
    if not rules.may_record_supervision(actor, supervisee):
        raise PermissionDenied(f"You do not supervise {supervisee.full_name}.")
    session = SupervisionSession(
        supervisee=supervisee, supervisor=me, acting_for=rules.acting_for_today(me, supervisee)
    )
    save_with_history(session, actor=actor, reason=None, default_reason="Session booked")
    return session_not_held(session=session, reason=reason, actor=actor, detail=detail, on=on)


@transaction.atomic
def session_cancel(*, session: SupervisionSession, actor: UserLike) -> SupervisionSession:
    """Withdraw a booked session that was entered by mistake (not the same as not held)."""
    session = _lock(session)
    if not rules.is_recorder(actor, session):
        raise PermissionDenied("Only the supervisor can cancel this session.")
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError("Only a booked session that has not started can be cancelled.")
    session.status = SessionStatus.CANCELLED
    save_with_history(session, actor=actor, reason=None, default_reason="Session cancelled")
    return session


@transaction.atomic
def session_sign(
    *, session: SupervisionSession, actor: UserLike, comment: str = "", disagrees: bool = False
) -> SupervisionSession:
    """The supervisor signs the held record; then the supervisee reads it and signs, with a
    comment or disagreement if they wish. Both signatures lock the record."""
    session = _lock(session)
    _refuse_if_locked(session)
    now = timezone.now()
    if rules.is_recorder(actor, session):
        if session.status != SessionStatus.HELD:
            raise ValidationError("Mark the session as held before signing it.")
        if session.supervisor_signed_at is not None:
            raise ValidationError("You have already signed this record.")
        session.supervisor_signed_at = now
        session.supervisor_signed_by = actor  # type: ignore[assignment]
        reason = "Signed by supervisor"
    elif rules.is_supervisee(actor, session):
        if session.supervisor_signed_at is None:
            raise ValidationError(
                "Your supervisor has not signed this record yet; you can sign it after them."
            )
        if disagrees and not comment.strip():
            raise ValidationError(
                {"supervisee_comment": "Say what you disagree with, so it is on the record."}
            )
        session.supervisee_signed_at = now
        session.supervisee_comment = comment.strip()
        session.supervisee_disagrees = disagrees
        _validate_fields(session, "supervisee_comment")
        reason = "Signed by supervisee"
    else:
        raise PermissionDenied("Only the supervisor and the supervisee sign this record.")
    if session.supervisor_signed_at and session.supervisee_signed_at:
        session.status = SessionStatus.SIGNED
        session.locked_at = now
        session.signed_on_time = signed_in_time(session)
    save_with_history(session, actor=actor, reason=None, default_reason=reason)
    return session


def signed_in_time(session: SupervisionSession) -> bool:
    """Both signatures within 5 working days of the session (a quality measure)."""
    if session.held_on is None or session.supervisee_signed_at is None:
        return False
    deadline = add_working_days(session.held_on, SIGN_OFF_WORKING_DAYS)
    last = max(
        session.supervisor_signed_at or session.supervisee_signed_at, session.supervisee_signed_at
    )
    return timezone.localtime(last).date() <= deadline


@transaction.atomic
def addendum_add(*, session: SupervisionSession, text: str, actor: UserLike) -> Addendum:
    """Add to a locked record: the supervisor, the supervisee or their managers."""
    session = _lock(session)
    if not session.is_locked:
        raise ValidationError("This record is not locked yet: change it directly.")
    me = _me(actor)
    may = me.pk in (session.supervisor_id, session.supervisee_id) or access.manages(
        actor, session.supervisee
    )
    if not may:
        raise PermissionDenied("Only the people in this supervision and their managers add to it.")
    if not text.strip():
        raise ValidationError({"text": "Enter the addendum."})
    addendum = Addendum(session=session, author=me, text=text.strip())
    _validate_fields(addendum, "text")
    save_with_history(addendum, actor=actor, reason=None, default_reason="Addendum added")
    return addendum


# --- informal discussions and cover ----------------------------------------------------------


@transaction.atomic
def informal_discussion_record(
    *,
    worker: StaffMember,
    actor: UserLike,
    happened_at: datetime.datetime,
    channel: str,
    advice: str,
    case: Case | None = None,
    actions: list[dict[str, Any]] | None = None,
) -> InformalDiscussion:
    """Note a conversation as it happens — in under a minute — so the next supervision
    pulls it in and nobody retypes it."""
    me = _me(actor)
    if not rules.may_record_informal_discussion(actor, worker):
        raise PermissionDenied(f"You cannot record discussions with {worker.full_name}.")
    errors: dict[str, str] = {}
    if happened_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["happened_at"] = "The discussion cannot be in the future."
    if channel not in Channel.values:
        errors["channel"] = "Choose how the discussion happened."
    if not advice.strip():
        errors["advice"] = "Enter what was advised or decided."
    if len(actions or []) > _max_actions():
        errors["actions"] = (
            f"An informal discussion can set at most {_max_actions()} actions "
            f"({len(actions or [])} were sent)."
        )
    if (
        case is not None
        and not Case.objects.filter(
            Q(allocated_worker=worker) | Q(team=worker.team_id), pk=case.pk
        ).exists()
    ):
        errors["case"] = f"{case.reference} is not one of {worker.full_name}'s team's cases."
    if errors:
        raise ValidationError(errors)
    manager = me if me.pk != worker.pk else worker.supervisor
    discussion = InformalDiscussion(
        worker=worker,
        recorded_by=me,
        manager=manager,
        happened_at=happened_at,
        channel=channel,
        case=case,
        advice=advice.strip(),
    )
    _validate_fields(discussion, "advice")
    save_with_history(discussion, actor=actor, reason=None, default_reason="Discussion noted")
    for item in actions or []:
        action_create(
            supervisee=worker,
            description=item.get("description", ""),
            owner=item.get("owner") or worker,
            due_date=item.get("due_date"),
            informal_discussion=discussion,
            actor=actor,
        )
    return discussion


@transaction.atomic
def cover_set(
    *,
    absent_supervisor: StaffMember,
    covering_manager: StaffMember,
    start_date: datetime.date,
    end_date: datetime.date,
    actor: UserLike,
) -> Cover:
    """Let another manager act for an absent supervisor for a period: they see and record
    that supervisor's supervisees' supervision, and the records show who acted. Arranged by
    the absent supervisor's own managers or the directorate; business support may only
    propose it, and their proposal waits for one of those to confirm (they are told)."""
    arranging = rules.may_set_cover(actor, absent_supervisor)
    if not arranging and not rules.may_propose_cover(actor, absent_supervisor):
        raise PermissionDenied("Only the supervisor's own managers can arrange cover.")
    cover = Cover(
        absent_supervisor=absent_supervisor,
        covering_manager=covering_manager,
        start_date=start_date,
        end_date=end_date,
        status=CoverStatus.ARRANGED if arranging else CoverStatus.PROPOSED,
        proposed_by=access.staff_for(actor),
    )
    cover.full_clean()
    if covering_manager.role not in SUPERVISING_ROLES:
        raise ValidationError({"covering_manager": "Cover must be a team manager or above."})
    if covering_manager == access.staff_for(actor) and not access.manages(actor, absent_supervisor):
        # Cover hands over confidential notes: someone outside the absent supervisor's own
        # line does not hand them to themselves.
        raise ValidationError(
            {"covering_manager": "You cannot appoint yourself: ask another manager to cover."}
        )
    save_with_history(
        cover,
        actor=actor,
        reason=None,
        default_reason="Cover arranged" if arranging else "Cover proposed",
    )
    if arranging:
        _notify_cover_arranged(cover, actor)
    else:
        notify(
            recipients=[line_manager_of(absent_supervisor)],
            kind="cover-proposed",
            subject=f"Cover proposed for {absent_supervisor.full_name}: please confirm it",
            url=reverse("cover-create", args=[absent_supervisor.pk]),
            actor=actor,
        )
    return cover


@transaction.atomic
def cover_confirm(*, cover: Cover, actor: UserLike) -> Cover:
    """A proposal of cover takes effect when the absent supervisor's own manager (or the
    directorate) confirms it."""
    if not rules.may_set_cover(actor, cover.absent_supervisor):
        raise PermissionDenied("Only the supervisor's own managers can confirm cover.")
    if cover.status != CoverStatus.PROPOSED:
        raise ValidationError("This cover is already arranged.")
    cover.status = CoverStatus.ARRANGED
    save_with_history(cover, actor=actor, reason=None, default_reason="Cover confirmed")
    _notify_cover_arranged(cover, actor)
    return cover


def _notify_cover_arranged(cover: Cover, actor: UserLike) -> None:
    notify(
        recipients=[cover.covering_manager],
        kind="cover-arranged",
        subject=f"You are covering for {cover.absent_supervisor.full_name} from "
        f"{cover.start_date:%-d %B %Y} to {cover.end_date:%-d %B %Y}",
        url=reverse("supervision-my-team"),
        actor=actor,
    )


# --- extra supervision on request ------------------------------------------------------------

REQUEST_NOTE_CHARS = 500


def _managers_answering(worker: StaffMember) -> list[StaffMember]:
    """Who may answer the worker's request today: their supervisor, and any manager acting
    for that supervisor while they are away."""
    if worker.supervisor_id is None:
        return []
    day = timezone.localdate()
    covering = StaffMember.objects.filter(
        covers__absent_supervisor=worker.supervisor_id,
        covers__start_date__lte=day,
        covers__end_date__gte=day,
        covers__status=CoverStatus.ARRANGED,
    ).distinct()
    return [worker.supervisor, *covering]  # type: ignore[list-item]


def _short_text(field: str, value: str, *, required: str | None = None) -> str:
    text = _clean_text_value(field, value or "").strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > REQUEST_NOTE_CHARS:
        raise ValidationError(
            {field: f"Keep it short: at most {REQUEST_NOTE_CHARS} characters ({len(text)} given)."}
        )
    return text


@transaction.atomic
def supervision_request_create(
    *,
    worker: StaffMember,
    reason: str,
    actor: UserLike,
    case: Case | None = None,
    note: str = "",
) -> SupervisionRequest:
    """A worker asks for extra supervision — for their caseload, a complex case, their
    wellbeing or something else — optionally about one case of their own and with a short
    note. Only the worker asks; their manager is told (the notice never carries the note)."""
    _me(actor)
    if not rules.may_ask_for_extra_supervision(actor, worker):
        raise PermissionDenied("Only the worker can ask for their own extra supervision.")
    errors: dict[str, Any] = {}
    if reason not in RequestReason.values:
        errors["reason"] = "Choose why you would like extra supervision."
    if case is not None:
        try:
            _caseload_case(worker, case)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        note = _short_text("note", note)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    supervision_request = SupervisionRequest(worker=worker, reason=reason, case=case, note=note)
    save_with_history(
        supervision_request, actor=actor, reason=None, default_reason="Extra supervision asked for"
    )
    notify(
        recipients=_managers_answering(worker),
        kind="supervision-request",
        subject=f"{worker.full_name} has asked for extra supervision",
        url=reverse("supervision-my-team") + "#requests",
        actor=actor,
    )
    return supervision_request


def _lock_open_request(
    supervision_request: SupervisionRequest, actor: UserLike
) -> SupervisionRequest:
    """Re-read the request under a row lock, refusing anyone but the worker's managers and a
    request answered already (two managers answering at once: the second is told)."""
    locked = (
        # Only the request's row is locked: the worker's supervisor is an outer join (there may
        # be none), which PostgreSQL will not lock.
        SupervisionRequest.objects.select_for_update(of=("self",))
        .select_related("worker__supervisor")
        .get(pk=supervision_request.pk)
    )
    if not rules.may_answer_supervision_request(actor, locked):
        raise PermissionDenied(f"You do not supervise {locked.worker.full_name}.")
    if not locked.is_open:
        raise AlreadyAnswered(locked)
    return locked


@transaction.atomic
def supervision_request_accept(
    *,
    supervision_request: SupervisionRequest,
    scheduled_for: datetime.datetime,
    actor: UserLike,
) -> SupervisionRequest:
    """The manager accepts a request for extra supervision by booking an extra (requested)
    session at a time still to come; the worker is told when."""
    supervision_request = _lock_open_request(supervision_request, actor)
    if scheduled_for < timezone.now():
        raise ValidationError({"scheduled_for": "Choose a date and time that is still to come."})
    session = session_schedule(
        supervisee=supervision_request.worker,
        scheduled_for=scheduled_for,
        session_type=SessionType.EXTRA,
        agenda=f"Extra supervision asked for: {supervision_request.get_reason_display()}",
        actor=actor,
    )
    supervision_request.status = RequestStatus.ACCEPTED
    supervision_request.session = session
    supervision_request.answered_by = _me(actor)
    supervision_request.answered_at = timezone.now()
    save_with_history(
        supervision_request, actor=actor, reason=None, default_reason="Extra supervision booked"
    )
    when = timezone.localtime(scheduled_for)
    notify(
        recipients=[supervision_request.worker],
        kind="supervision-request-accepted",
        subject=f"Your extra supervision is booked for {when:%-d %B %Y at %H:%M}",
        url=reverse("supervision-session", args=[session.pk]),
        actor=actor,
    )
    return supervision_request


@transaction.atomic
def supervision_request_decline(
    *, supervision_request: SupervisionRequest, reason: str, actor: UserLike
) -> SupervisionRequest:
    """The manager declines a request for extra supervision, saying why; the worker is told
    and sees the reason on their supervision page."""
    supervision_request = _lock_open_request(supervision_request, actor)
    reason = _short_text("reason", reason, required="Say why, so the worker knows.")
    supervision_request.status = RequestStatus.DECLINED
    supervision_request.decline_reason = reason
    supervision_request.answered_by = _me(actor)
    supervision_request.answered_at = timezone.now()
    save_with_history(
        supervision_request, actor=actor, reason=None, default_reason="Extra supervision declined"
    )
    notify(
        recipients=[supervision_request.worker],
        kind="supervision-request-declined",
        subject="Your request for extra supervision was declined: see why",
        url=reverse("my-supervision") + "#requests",
        actor=actor,
    )
    return supervision_request
