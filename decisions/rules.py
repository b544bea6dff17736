"""Decisions' place in the access policy (DESIGN §5), registered with `oversight.access`.

An MDR is case content: whoever may see the case may read its decisions (the allocated worker,
the team's managers, the group manager, the directorate) — business support and the
case-recording system's account never. Tasks, clocks, addenda and escalations follow their
decision. Team managers record decisions on their team's cases and group managers on their
service's (assistant team managers only where the setting allows); the directorate reads.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from decisions.models import (
    Clock,
    Decision,
    DecisionAddendum,
    DecisionTask,
    Escalation,
    EscalationStage,
    StatutoryTimescale,
    ThresholdFramework,
    ThresholdLevel,
)
from oversight import access
from oversight.access import EVERYTHING, NOTHING, UserLike
from oversight.models import DIRECTORATE_ROLES, Case, Role, StaffMember
from oversight.records import RecordKind, register_kind


def decisions_q(user: UserLike, prefix: str = "") -> Q:
    """The decisions `user` may read (reached through `prefix`), as a filter."""
    if not access.reads_practice_records(user):
        return NOTHING
    cases = access.case_scope_q(user)
    if cases is EVERYTHING:
        return EVERYTHING
    path = access.field_path(prefix, "case__in")
    return Q(**{path: Case.objects.filter(cases).values("pk")})


def _configuration(user: UserLike) -> Q:
    return EVERYTHING if user.is_authenticated else NOTHING


access.register(Decision, decisions_q)
access.register(DecisionTask, lambda user: decisions_q(user, "decision"))
access.register(DecisionAddendum, lambda user: decisions_q(user, "decision"))
access.register(Clock, lambda user: decisions_q(user, "decision"))
access.register(Escalation, lambda user: decisions_q(user, "decision"))
for configuration in (ThresholdFramework, ThresholdLevel, StatutoryTimescale, EscalationStage):
    access.register(configuration, _configuration)

register_kind(
    RecordKind("decision", Decision, "case__allocated_worker", detail_url_name="decision-detail")
)
register_kind(RecordKind("decision-task", DecisionTask, "action__owner"))
register_kind(RecordKind("decision-addendum", DecisionAddendum, "decision__case__allocated_worker"))
register_kind(
    RecordKind(
        "escalation",
        Escalation,
        "decision__case__allocated_worker",
        detail_url_name="escalation-detail",
    )
)


# --- what a user may do ----------------------------------------------------------------------


def decision_maker_roles() -> frozenset[str]:
    """Team managers and group managers make decisions; assistant team managers too where
    the council allows it (OVERSIGHT["ASSISTANT_TEAM_MANAGERS_RECORD_DECISIONS"])."""
    roles = {Role.TEAM_MANAGER, Role.GROUP_MANAGER}
    if settings.OVERSIGHT["ASSISTANT_TEAM_MANAGERS_RECORD_DECISIONS"]:
        roles.add(Role.ASSISTANT_TEAM_MANAGER)
    return frozenset(roles)


def may_make_decisions(user: UserLike) -> bool:
    """Whether `user` holds a role that records MDRs at all (for navigation and buttons)."""
    return access.role_of(user) in decision_maker_roles()


def may_record_decision(user: UserLike, case: Any) -> bool:
    """A decision maker who may see the case: a team manager's team, a group manager's service."""
    if not may_make_decisions(user):
        return False
    return access.visible_to(user, Case.objects.filter(pk=case.pk)).exists()


def may_edit_decision(user: UserLike, decision: Decision) -> bool:
    """Only its decision maker edits a draft and signs it."""
    me = access.staff_for(user)
    return me is not None and me.pk == decision.decision_maker_id


def may_see_decision(user: UserLike, decision: Decision) -> bool:
    return access.visible_to(user, Decision.objects.filter(pk=decision.pk)).exists()


def may_add_decision_addendum(user: UserLike, decision: Decision) -> bool:
    """The decision maker, or another decision maker who may record on the case."""
    return may_edit_decision(user, decision) or may_record_decision(user, decision.case)


def may_respond_to_escalation(user: UserLike, escalation: Escalation) -> bool:
    """Managers who may record decisions on the case answer an escalation about one."""
    return may_record_decision(user, escalation.decision.case)


def may_see_decision_lists(user: UserLike) -> bool:
    """Managers and the directorate list decisions across cases; workers see theirs on cases."""
    return access.reads_practice_records(user) and (
        access.is_manager(user) or access.role_of(user) in DIRECTORATE_ROLES
    )


def task_owners_q(case: Case, actor: UserLike) -> Q:
    """Who an MDR's task may be given to: someone in post, not business support, who works
    on the case — its allocated worker, a member of its team — or the decision maker."""
    me = access.staff_for(actor)
    today = timezone.localdate()
    works_on_case = Q(pk=case.allocated_worker_id) if case.allocated_worker_id else NOTHING
    if case.team_id:
        works_on_case |= Q(team=case.team_id)
    if me is not None:
        works_on_case |= Q(pk=me.pk)
    in_post = Q(leaving_date__isnull=True) | Q(leaving_date__gte=today)
    return works_on_case & in_post & ~Q(role=Role.BUSINESS_SUPPORT)


def task_owners(case: Case, actor: UserLike) -> QuerySet[StaffMember]:
    return StaffMember.objects.filter(task_owners_q(case, actor)).order_by(
        "last_name", "first_name"
    )


def may_own_task(owner: StaffMember, case: Case, actor: UserLike) -> bool:
    return StaffMember.objects.filter(task_owners_q(case, actor), pk=owner.pk).exists()


def may_choose_framework(user: UserLike) -> bool:
    """The threshold framework in use is the practice lead's: principal social workers (and
    administrators) choose it."""
    return bool(getattr(user, "is_superuser", False)) or (
        access.role_of(user) == Role.PRINCIPAL_SOCIAL_WORKER
    )
