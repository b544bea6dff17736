"""Writes that carry the decisions rules (DESIGN §4.4). Pages, API and commands call these.

Keyword-only, `actor=` the acting user, `mdr=` the decision acted on (its `decision` is the
sentence decided), one transaction each, history naming that user.
Refusals: `ValidationError` (bad input, against the field), `PermissionDenied` (you may see
this but may not do that), `DecisionLocked` (signed: add an addendum) and `DecisionConflict`
(someone saved the draft since you loaded it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from decisions import rules, selectors
from decisions.models import (
    CONTACT_TYPES,
    Clock,
    ClockStart,
    Decision,
    DecisionAddendum,
    DecisionStatus,
    DecisionTask,
    DecisionType,
    Escalation,
    EscalationStage,
    EscalationStatus,
    StatutoryTimescale,
    ThresholdFramework,
    ThresholdLevel,
)
from oversight import access
from oversight.access import UserLike
from oversight.history import save_with_history
from oversight.models import Case, StaffMember
from oversight.notifications import notify
from oversight.refusals import StateConflict
from oversight.workdays import add_working_days
from supervision.models import Action, ActionStatus, CaseDiscussion, InformalDiscussion

# Fields of a draft the maker writes (pages and API alike); the rest the server sets.
EDITABLE_FIELDS = (
    "decision_type",
    "level_before",
    "level_after",
    "contact_received_on",
    "decision",
    "facts",
    "rationale",
    "child_voice",
    "risk_analysis",
    "worries",
    "working_well",
    "needs_to_happen",
    "scaling",
    "review_date",
    "no_tasks_reason",
    "close_open_tasks",
)


class DecisionLocked(StateConflict):
    """A signed MDR is locked: later changes are addenda."""

    def __init__(self) -> None:
        super().__init__(
            "This decision has been signed and is locked. Add an addendum to record anything "
            "further.",
            code="locked",
        )


class DecisionConflict(Exception):
    """Someone saved this draft after you loaded it."""

    def __init__(self, *, current_version: int, changed_by: str) -> None:
        super().__init__(f"The draft was changed by {changed_by} while you were editing")
        self.current_version = current_version
        self.changed_by = changed_by


@dataclass(frozen=True)
class TaskSpec:
    """A task as typed: its deadline is a date or a number of working days after the decision."""

    description: str
    owner: StaffMember
    due_date: datetime.date | None = None
    due_in_working_days: int | None = None


def _me(actor: UserLike) -> StaffMember:
    me = access.staff_for(actor)
    if me is None:
        raise PermissionDenied("Only staff members record decisions.")
    return me


# --- frameworks ------------------------------------------------------------------------------


@transaction.atomic
def framework_activate(*, framework: ThresholdFramework, actor: UserLike) -> ThresholdFramework:
    """Make `framework` the installation's one active framework (principal social workers and
    administrators). Decisions already made keep the framework they were made under."""
    if not rules.may_choose_framework(actor):
        raise PermissionDenied("Only a principal social worker chooses the threshold framework.")
    if not framework.levels.exists():
        raise ValidationError({"framework": "A framework needs its levels before it is used."})
    for current in ThresholdFramework.objects.select_for_update().filter(is_active=True):
        if current.pk != framework.pk:
            current.is_active = False
            save_with_history(current, actor=actor, reason=None, default_reason="Replaced")
    framework.is_active = True
    save_with_history(framework, actor=actor, reason=None, default_reason="Made active")
    return framework


# --- recording an MDR ------------------------------------------------------------------------


def _level(framework: ThresholdFramework, value: Any, field: str) -> ThresholdLevel | None:
    """A level of `framework`, given as a level, its number, or nothing."""
    if value in (None, ""):
        return None
    if isinstance(value, ThresholdLevel):
        if value.framework_id != framework.pk:
            raise ValidationError({field: f"Choose a level of {framework.name}."})
        return value
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: "Choose a level by its number."}) from None
    level = framework.levels.filter(number=number).first()
    if level is None:
        numbers = ", ".join(str(n) for n in framework.levels.values_list("number", flat=True))
        raise ValidationError(
            {field: f"{framework.name} has levels {numbers}; {number} is not one."}
        )
    return level


def _check_levels(decision: Decision) -> None:
    """A step up raises the threshold level, a step down lowers it."""
    before, after = decision.level_before, decision.level_after
    kind = decision.decision_type
    if kind not in (DecisionType.STEP_UP, DecisionType.STEP_DOWN):
        return
    word = "up" if kind == DecisionType.STEP_UP else "down"
    if before is None:
        raise ValidationError({"level_before": f"Give the level before the step {word}."})
    if after is None:
        raise ValidationError({"level_after": f"Give the level after the step {word}."})
    if kind == DecisionType.STEP_UP and after.number <= before.number:
        raise ValidationError(
            {"level_after": "A step up raises the level: choose a level above the one before."}
        )
    if kind == DecisionType.STEP_DOWN and after.number >= before.number:
        raise ValidationError(
            {"level_after": "A step down lowers the level: choose a level below the one before."}
        )


def _check_dates(decision: Decision) -> None:
    made_on = decision.made_on
    if decision.contact_received_on and decision.contact_received_on > made_on:
        raise ValidationError(
            {"contact_received_on": "The contact was received on or before the decision."}
        )
    if decision.decision_type in CONTACT_TYPES and decision.contact_received_on is None:
        raise ValidationError(
            {"contact_received_on": "Give the date the contact or referral was received."}
        )
    if decision.review_date and decision.review_date < made_on:
        raise ValidationError({"review_date": "The review date is on or after the decision."})


def _check_source(
    case: Case,
    case_discussion: CaseDiscussion | None,
    informal_discussion: InformalDiscussion | None,
) -> None:
    if case_discussion is not None and case_discussion.case_id != case.pk:
        raise ValidationError({"case_discussion": "That discussion was about another case."})
    if informal_discussion is not None and informal_discussion.case_id != case.pk:
        raise ValidationError({"informal_discussion": "That discussion was about another case."})


def _validate(decision: Decision) -> None:
    decision.full_clean(exclude=["case", "decision_maker", "framework"])
    _check_levels(decision)
    _check_dates(decision)


def _task_due(spec: TaskSpec, made_on: datetime.date, index: int) -> datetime.date:
    field = f"tasks[{index}]"
    if spec.due_date is not None and spec.due_in_working_days is not None:
        raise ValidationError({field: "Give the due date or a number of working days, not both."})
    if spec.due_in_working_days is not None:
        if spec.due_in_working_days < 0:
            raise ValidationError({field: "The number of working days cannot be negative."})
        if spec.due_in_working_days > 260:
            raise ValidationError({field: "Give a deadline within a year (260 working days)."})
        return add_working_days(made_on, spec.due_in_working_days)
    if spec.due_date is None:
        raise ValidationError({field: "Give the task a due date or a number of working days."})
    if spec.due_date < made_on:
        raise ValidationError({field: "A task cannot be due before the decision was made."})
    return spec.due_date


def _check_owner(owner: StaffMember, case: Case, actor: UserLike, index: int) -> None:
    if not rules.may_own_task(owner, case, actor):
        raise ValidationError(
            {f"tasks[{index}]": f"{owner.full_name} does not work on this case's team."}
        )


def _add_tasks(decision: Decision, tasks: Iterable[TaskSpec], actor: UserLike) -> None:
    made_on = decision.made_on
    for index, spec in enumerate(tasks):
        if not spec.description.strip():
            raise ValidationError({f"tasks[{index}]": "Describe the task."})
        _check_owner(spec.owner, decision.case, actor, index)
        due = _task_due(spec, made_on, index)
        action = Action(
            supervisee=spec.owner,
            owner=spec.owner,
            description=spec.description.strip(),
            due_date=due,
        )
        try:
            action.full_clean(exclude=["supervisee", "owner"])
        except ValidationError as error:
            raise ValidationError({f"tasks[{index}]": error.messages}) from None
        save_with_history(action, actor=actor, reason=None, default_reason="Task of an MDR")
        task = DecisionTask(
            decision=decision, action=action, due_in_working_days=spec.due_in_working_days
        )
        save_with_history(task, actor=actor, reason=None, default_reason="Task added")


def _refuse_too_many_tasks(decision: Decision, adding: int) -> None:
    """At most MAX_ACTIONS_PER_RECORD tasks, as for any record's actions (a task is one)."""
    limit = cast(int, settings.OVERSIGHT["MAX_ACTIONS_PER_RECORD"])
    if decision.tasks.count() + adding > limit:
        raise ValidationError({"tasks": f"An MDR can have at most {limit} tasks."})


@transaction.atomic
def decision_create(
    *,
    case: Case,
    actor: UserLike,
    decision_type: str,
    decision: str,
    tasks: Iterable[TaskSpec] = (),
    made_at: datetime.datetime | None = None,
    case_discussion: CaseDiscussion | None = None,
    informal_discussion: InformalDiscussion | None = None,
    **fields: Any,
) -> Decision:
    """Record a draft MDR on `case`, made now (or at `made_at`, never in the future), under
    the active framework; tasks become actions of their owners."""
    me = _me(actor)
    if not rules.may_record_decision(actor, case):
        raise PermissionDenied(
            "Only a team manager or group manager responsible for this case records decisions."
        )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set." for name in sorted(unknown)})
    now = timezone.now()
    if made_at is not None and made_at > now:
        raise ValidationError({"made_at": "A decision cannot be made in the future."})
    framework = selectors.active_framework()
    record = Decision(
        case=case,
        decision_maker=me,
        made_at=made_at or now,
        decision_type=decision_type,
        framework=framework,
        decision=decision,
        case_discussion=case_discussion,
        informal_discussion=informal_discussion,
    )
    _set_fields(record, fields)
    _check_source(case, case_discussion, informal_discussion)
    _validate(record)
    save_with_history(record, actor=actor, reason=None, default_reason="Recorded")
    tasks = list(tasks)
    _refuse_too_many_tasks(record, len(tasks))
    _add_tasks(record, tasks, actor)
    return record


def _set_fields(record: Decision, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name in ("level_before", "level_after"):
            value = _level(record.framework, value, name)
        elif name == "close_open_tasks":
            value = bool(value)
        elif value is None and name not in ("contact_received_on", "review_date", "scaling"):
            value = ""
        setattr(record, name, value)


def _lock(decision: Decision) -> Decision:
    return (
        Decision.objects.select_for_update().select_related("framework", "case").get(pk=decision.pk)
    )


def _check_may_edit(decision: Decision, actor: UserLike) -> None:
    if decision.is_signed:
        raise DecisionLocked()
    if not rules.may_edit_decision(actor, decision):
        raise PermissionDenied("Only the decision maker changes or signs this decision.")


@transaction.atomic
def decision_update(
    *,
    mdr: Decision,
    actor: UserLike,
    version: int | None = None,
    tasks: Iterable[TaskSpec] = (),
    **fields: Any,
) -> Decision:
    """Change a draft. With `version` (the one the editor loaded), a save made in between is
    refused as a conflict rather than overwritten; `tasks` are added to the draft's."""
    record = _lock(mdr)
    _check_may_edit(record, actor)
    if version is not None and version != record.version:
        last = record.history.first()
        who = last.history_user.get_username() if last and last.history_user else "someone else"
        raise DecisionConflict(current_version=record.version, changed_by=who)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be set." for name in sorted(unknown)})
    _set_fields(record, fields)
    _validate(record)
    record.version += 1
    save_with_history(record, actor=actor, reason=None, default_reason="Draft changed")
    tasks = list(tasks)
    _refuse_too_many_tasks(record, len(tasks))
    _add_tasks(record, tasks, actor)
    return record


def sign_problems(decision: Decision) -> dict[str, str]:
    """What stops a draft being signed, by field (empty when it can be signed)."""
    problems: dict[str, str] = {}
    if not decision.rationale.strip():
        problems["rationale"] = "Give the rationale for the decision before signing."
    if not decision.child_voice.strip():
        problems["child_voice"] = "Record the child's lived experience and voice before signing."
    if not decision.no_tasks_reason.strip() and not _open_or_done_tasks(decision).exists():
        problems["no_tasks_reason"] = (
            "Add at least one task, or say why this decision needs no tasks."
        )
    return problems


def _open_or_done_tasks(decision: Decision) -> Any:
    return decision.tasks.exclude(action__status=ActionStatus.CANCELLED)


@transaction.atomic
def decision_sign(*, mdr: Decision, actor: UserLike) -> Decision:
    """Sign and lock the decision (its maker only): statutory clocks start, task owners are
    told, and a case closure closes the case's other open tasks if its maker said so."""
    record = _lock(mdr)
    _check_may_edit(record, actor)
    problems = sign_problems(record)
    if problems:
        raise ValidationError(problems)
    record.status = DecisionStatus.SIGNED
    record.signed_at = timezone.now()
    record.version += 1
    save_with_history(record, actor=actor, reason=None, default_reason="Signed")
    _start_clocks(record, actor)
    if record.decision_type == DecisionType.CASE_CLOSURE and record.close_open_tasks:
        _close_case_tasks(record, actor)
    _notify_task_owners(record, actor)
    return record


def _start_clocks(decision: Decision, actor: UserLike) -> None:
    for timescale in StatutoryTimescale.objects.all():
        if decision.decision_type not in timescale.decision_types:
            continue
        if timescale.starts_from == ClockStart.CONTACT_RECEIVED:
            start = decision.contact_received_on or decision.made_on
        else:
            start = decision.made_on
        clock = Clock(
            decision=decision,
            timescale=timescale,
            started_on=start,
            due_on=add_working_days(start, timescale.working_days),
            # A timescale with no follow-up is met by the decision itself (the contact clock).
            met_on=None if timescale.follow_up else decision.made_on,
        )
        save_with_history(clock, actor=actor, reason=None, default_reason="Clock started")


@transaction.atomic
def clock_meet(*, clock: Clock, met_on: datetime.date, actor: UserLike) -> Clock:
    """Record the follow-up that stops a clock (the strategy discussion held, the assessment
    completed); a timescale that leads to another starts it (strategy → conference)."""
    clock = (
        Clock.objects.select_for_update().select_related("decision", "timescale").get(pk=clock.pk)
    )
    if not rules.may_record_decision(actor, clock.decision.case):
        raise PermissionDenied("Only the case's managers record statutory follow-ups.")
    if clock.met_on is not None:
        raise ValidationError({"met_on": "This has already been recorded."})
    if met_on < clock.started_on:
        raise ValidationError({"met_on": "This cannot be before the clock started."})
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": "This cannot be in the future."})
    clock.met_on = met_on
    save_with_history(clock, actor=actor, reason=None, default_reason=clock.timescale.follow_up)
    following = clock.timescale.then
    if following is not None:
        save_with_history(
            Clock(
                decision=clock.decision,
                timescale=following,
                started_on=met_on,
                due_on=add_working_days(met_on, following.working_days),
            ),
            actor=actor,
            reason=None,
            default_reason="Clock started",
        )
    return clock


def _close_case_tasks(decision: Decision, actor: UserLike) -> None:
    today = timezone.localdate()
    others = Action.objects.filter(
        pk__in=DecisionTask.objects.filter(decision__case=decision.case)
        .exclude(decision=decision)
        .values("action"),
        status=ActionStatus.OPEN,
    )
    for action in others:
        action.status = ActionStatus.CANCELLED
        action.closed_on = today
        save_with_history(action, actor=actor, reason=None, default_reason="Case closed")


def _notify_task_owners(decision: Decision, actor: UserLike) -> None:
    owners = StaffMember.objects.filter(
        pk__in=_open_or_done_tasks(decision).values("action__owner")
    )
    notify(
        recipients=owners,
        kind="decision_task",
        subject=f"You have a task from a decision on case {decision.case.reference}",
        url=reverse("my-tasks"),
        actor=actor,
    )


@transaction.atomic
def decision_addendum_add(*, mdr: Decision, text: str, actor: UserLike) -> DecisionAddendum:
    """Add to a signed decision (its maker, or another manager who records on the case)."""
    me = _me(actor)
    if not mdr.is_signed:
        raise ValidationError({"text": "Change the draft instead: it is not signed yet."})
    if not rules.may_add_decision_addendum(actor, mdr):
        raise PermissionDenied("Only the case's managers add to a signed decision.")
    addendum = DecisionAddendum(decision=mdr, author=me, text=text.strip())
    if not addendum.text:
        raise ValidationError({"text": "Write the addendum."})
    addendum.full_clean(exclude=["decision", "author"])
    save_with_history(addendum, actor=actor, reason=None, default_reason="Addendum added")
    return addendum


# --- escalations -----------------------------------------------------------------------------


def response_due(stage: int, start: datetime.datetime) -> datetime.datetime:
    """When a response is due at `stage`: in hours where the protocol says so, otherwise by
    the end of the N-th working day."""
    config = EscalationStage.objects.filter(number=stage).first()
    if config is not None and config.response_hours:
        return start + datetime.timedelta(hours=config.response_hours)
    days = config.response_working_days if config is not None else 5
    local = timezone.localtime(start)
    due_day = add_working_days(local.date(), days)
    end_of_day = datetime.datetime.combine(due_day, datetime.time(23, 59), tzinfo=local.tzinfo)
    return end_of_day


@transaction.atomic
def escalation_raise(
    *, mdr: Decision, concern: str, actor: UserLike, partner_agency: str = ""
) -> Escalation:
    """Anyone who may see the decision disagrees with it (or records a partner's disagreement)."""
    me = _me(actor)
    if not rules.may_see_decision(actor, mdr):
        raise PermissionDenied("You cannot see this decision.")
    if not mdr.is_signed:
        raise ValidationError({"decision": "Only a signed decision can be escalated."})
    now = timezone.now()
    escalation = Escalation(
        decision=mdr,
        raised_by=me,
        partner_agency=partner_agency.strip(),
        raised_at=now,
        stage=1,
        concern=concern.strip(),
        response_due_at=response_due(1, now),
    )
    if not escalation.concern:
        raise ValidationError({"concern": "Say what the disagreement is about."})
    escalation.full_clean(exclude=["decision", "raised_by"])
    save_with_history(escalation, actor=actor, reason=None, default_reason="Raised")
    notify(
        recipients=[mdr.decision_maker],
        kind="escalation",
        subject=f"A decision on case {mdr.case.reference} has been escalated",
        url=reverse("escalation-detail", args=[escalation.pk]),
        actor=actor,
    )
    return escalation


def _lock_escalation(escalation: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update()
        .select_related("decision__case")
        .get(pk=escalation.pk)
    )


@transaction.atomic
def escalation_respond(*, escalation: Escalation, response: str, actor: UserLike) -> Escalation:
    record = _lock_escalation(escalation)
    me = _me(actor)
    if not rules.may_respond_to_escalation(actor, record):
        raise PermissionDenied("Only the case's managers respond to an escalation.")
    if record.status == EscalationStatus.RESOLVED:
        raise ValidationError({"response": "This escalation has been resolved."})
    if not response.strip():
        raise ValidationError({"response": "Write the response."})
    record.response = response.strip()
    record.responded_by = me
    record.responded_at = timezone.now()
    record.status = EscalationStatus.RESPONDED
    record.full_clean(exclude=["decision", "raised_by", "responded_by"])
    save_with_history(record, actor=actor, reason=None, default_reason="Responded")
    notify(
        recipients=[record.raised_by],
        kind="escalation",
        subject=f"Your escalation on case {record.decision.case.reference} has a response",
        url=reverse("escalation-detail", args=[record.pk]),
        actor=actor,
    )
    return record


@transaction.atomic
def escalation_escalate(*, escalation: Escalation, concern: str, actor: UserLike) -> Escalation:
    """Not satisfied: the escalation moves to the next stage with a new response date."""
    record = _lock_escalation(escalation)
    if not rules.may_see_decision(actor, record.decision):
        raise PermissionDenied("You cannot see this decision.")
    if record.status == EscalationStatus.RESOLVED:
        raise ValidationError({"stage": "This escalation has been resolved."})
    if record.stage >= 4:
        raise ValidationError({"stage": "Stage 4 is the last stage."})
    now = timezone.now()
    record.stage += 1
    record.status = EscalationStatus.OPEN
    if concern.strip():
        record.concern = f"{record.concern}\n\nStage {record.stage}: {concern.strip()}"
    record.response_due_at = response_due(record.stage, now)
    record.full_clean(exclude=["decision", "raised_by", "responded_by"])
    save_with_history(record, actor=actor, reason=None, default_reason=f"To stage {record.stage}")
    return record


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, outcome: str, actor: UserLike) -> Escalation:
    record = _lock_escalation(escalation)
    if not rules.may_respond_to_escalation(actor, record):
        raise PermissionDenied("Only the case's managers resolve an escalation.")
    if record.status == EscalationStatus.RESOLVED:
        raise ValidationError({"outcome": "This escalation is already resolved."})
    if not outcome.strip():
        raise ValidationError({"outcome": "Record the outcome."})
    record.outcome = outcome.strip()
    record.status = EscalationStatus.RESOLVED
    record.resolved_at = timezone.now()
    record.full_clean(exclude=["decision", "raised_by", "responded_by"])
    save_with_history(record, actor=actor, reason=None, default_reason="Resolved")
    return record
