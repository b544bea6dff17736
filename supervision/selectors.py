"""Reads that compute for supervision: the policy in force, due dates and status now."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from oversight import access
from oversight.access import Purpose, UserLike
from oversight.models import PRACTITIONER_ROLES, Absence, Role, StaffMember
from supervision.models import (
    Action,
    ActionStatus,
    InformalDiscussion,
    PolicyRule,
    SessionStatus,
    SupervisionPolicy,
    SupervisionSession,
)
from supervision.policy import (
    PolicyBook,
    PolicyVersion,
    Rule,
    Span,
    Status,
    due_date,
    status_now,
)


def load_policy_book() -> PolicyBook:
    """Every policy version with its rules, in two queries."""
    versions = SupervisionPolicy.objects.prefetch_related("rules")
    return PolicyBook(
        PolicyVersion(
            effective_from=version.effective_from,
            rules=tuple(
                Rule(
                    interval_days=rule.interval_days,
                    min_minutes=rule.min_minutes,
                    role=rule.role,
                    asye_week_from=rule.asye_week_from,
                    asye_week_to=rule.asye_week_to,
                )
                for rule in _ordered(version.rules.all())
            ),
            tolerance_days=version.tolerance_days,
            due_soon_days=version.due_soon_days,
            excusing_threshold=version.excusing_threshold,
            target_rate=version.target_rate,
            name=version.name,
        )
        for version in versions
    )


def _ordered(rules: object) -> list[PolicyRule]:
    return sorted(rules, key=lambda r: (r.asye_week_from is None, r.asye_week_from or 0, r.pk))  # type: ignore[call-overload]


# --- status now --------------------------------------------------------------------------------

# Practitioners and assistant team managers need supervision even before anyone is named as
# their supervisor: they show as "no supervisor" rather than drop off the list.
_SUPERVISED_WITHOUT_SUPERVISOR = frozenset(PRACTITIONER_ROLES | {Role.ASSISTANT_TEAM_MANAGER})
_HELD = (SessionStatus.HELD, SessionStatus.SIGNED)


def needs_supervision_q() -> Q:
    """Everyone with a supervisor named, and practitioners or assistant team managers still
    waiting for one (they count, as "no supervisor")."""
    return Q(supervisor__isnull=False) | Q(role__in=sorted(_SUPERVISED_WITHOUT_SUPERVISOR))


@dataclass(frozen=True)
class WorkerStatus:
    """Where one worker's supervision stands today.

    Carries no absence type or notes: an excusing absence shows only as the status
    `excused` (absence types are health data, DESIGN §5)."""

    staff: StaffMember
    status: Status
    due_date: datetime.date | None
    last_held_on: datetime.date | None
    interval_days: int
    open_actions: int
    informal_waiting: int
    as_at: datetime.date

    @property
    def days_until_due(self) -> int | None:
        """Days left before the due date (negative once overdue); None without a supervisor."""
        return None if self.due_date is None else (self.due_date - self.as_at).days


def _count(queryset: QuerySet[Any], key: str) -> Coalesce:
    """A correlated count of `queryset` rows whose `key` is the outer staff member."""
    counted = (
        queryset.filter(**{key: OuterRef("pk")})
        .order_by()
        .values(key)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def needing_supervision(
    user: UserLike,
    staff_queryset: QuerySet[StaffMember],
    *,
    today: datetime.date,
    purpose: Purpose = Purpose.RECORDS,
) -> QuerySet[StaffMember]:
    """The people in `staff_queryset` whose supervision this user may follow (their own, or
    the people they manage or oversee), who are in post today and need supervision: everyone
    with a supervisor named, and any practitioner or assistant team manager still waiting for
    one."""
    return (
        staff_queryset.filter(access.staff_scope_q(user, purpose))
        .filter(start_date__lte=today)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=today))
        .filter(needs_supervision_q())
    )


def supervised_staff(
    user: UserLike,
    staff_queryset: QuerySet[StaffMember],
    *,
    today: datetime.date,
    purpose: Purpose = Purpose.RECORDS,
) -> QuerySet[StaffMember]:
    """`needing_supervision`, each with the date of their last held (or signed) session up to
    today, their open actions and the informal discussions waiting to be pulled into their
    next session — all in one query."""
    last_held = (
        SupervisionSession.objects.filter(
            supervisee=OuterRef("pk"), status__in=_HELD, held_on__lte=today
        )
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    return (
        needing_supervision(user, staff_queryset, today=today, purpose=purpose)
        .select_related("team", "supervisor")
        .annotate(
            last_held_on=Subquery(last_held),
            open_actions=_count(Action.objects.filter(status=ActionStatus.OPEN), "supervisee"),
            informal_waiting=_count(
                InformalDiscussion.objects.filter(incorporated_into__isnull=True), "worker"
            ),
        )
    )


def _excusing_absences(
    workers: QuerySet[StaffMember], *, today: datetime.date, since: datetime.date
) -> dict[int, list[Span]]:
    """Each worker's excusing absence that has begun by today and lasts until `since` or
    later, as plain (start, end) spans: the type is never read. One query for everyone."""
    spans: dict[int, list[Span]] = defaultdict(list)
    rows = (
        Absence.objects.filter(
            staff__in=workers.values("pk"),
            excuses_supervision=True,
            start_date__lte=today,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
        .order_by("staff_id", "start_date")
        .values_list("staff_id", "start_date", "end_date")
    )
    for staff_id, start, end in rows:
        spans[staff_id].append((start, end))
    return spans


def supervision_status(
    user: UserLike,
    staff_queryset: QuerySet[StaffMember],
    *,
    today: datetime.date | None = None,
    purpose: Purpose = Purpose.RECORDS,
) -> list[WorkerStatus]:
    """Where each worker's supervision stands today, for everyone in `staff_queryset` this
    user may follow.

    In a team manager's words: the next supervision is due one interval after the last one
    held (or after the start date for someone never supervised), using the interval the policy
    set on that day — so a later change of policy or of ASYE stage counts from the next
    session. Time off sick or on leave that excuses supervision pauses the clock (annual leave
    does not). Someone away today is *excused*; past the due date is *overdue*; within a week
    of it is *due soon*; otherwise *in time*; a worker with nobody named as supervisor is
    *no supervisor*. A manager covering for an absent supervisor sees that supervisor's
    workers; their supervisor, and so their status, is unchanged.

    A fixed number of queries however many workers: the reader's staff record and cover,
    the policy (two), the workers with their last session and counts, and their absences.
    """
    today = today or timezone.localdate()
    rows = list(supervised_staff(user, staff_queryset, today=today, purpose=purpose))
    if not rows:
        return []
    book = load_policy_book()
    since = min(row.last_held_on or row.start_date for row in rows)  # type: ignore[attr-defined]
    absences = _excusing_absences(
        needing_supervision(user, staff_queryset, today=today, purpose=purpose),
        today=today,
        since=since,
    )
    in_force_today = book.version_on(today)

    statuses = []
    for worker in rows:
        last_held_on: datetime.date | None = worker.last_held_on  # type: ignore[attr-defined]
        base = last_held_on or worker.start_date
        rule = book.rule_on(role=worker.role, asye_start=worker.asye_start_date, day=base)
        spans = absences.get(worker.pk, [])
        has_supervisor = worker.supervisor_id is not None
        due = (
            due_date(
                base=base, interval_days=rule.interval_days, excusing_absences=spans, today=today
            )
            if has_supervisor
            else None
        )
        statuses.append(
            WorkerStatus(
                staff=worker,
                status=status_now(
                    today=today,
                    due=due,
                    excusing_absences=spans,
                    has_supervisor=has_supervisor,
                    tolerance_days=in_force_today.tolerance_days,
                    due_soon_days=in_force_today.due_soon_days,
                ),
                due_date=due,
                last_held_on=last_held_on,
                interval_days=rule.interval_days,
                open_actions=worker.open_actions,  # type: ignore[attr-defined]
                informal_waiting=worker.informal_waiting,  # type: ignore[attr-defined]
                as_at=today,
            )
        )
    return statuses


def status_summary(statuses: Iterable[WorkerStatus]) -> dict[Status, int]:
    """How many workers are in each status, every status listed (zero where none)."""
    counts = Counter(worker.status for worker in statuses)
    return {status: counts.get(status, 0) for status in Status}


# --- confidential support notes, for a whole list at once --------------------------------------


def with_support_notes_hidden(
    user: UserLike, sessions: QuerySet[SupervisionSession]
) -> QuerySet[SupervisionSession]:
    """Annotate each session with `support_notes_hidden`: the same answer as
    `rules.hidden_session_fields(user, session)` gives one session at a time, computed in the
    list's own query. Confidential notes are read by the supervisor, the supervisee (and a
    manager who acted for the supervisor) and the supervisee's line-management chain; anyone
    else sees no notes on a record that is confidential now or ever was (so an old value
    cannot leak through history)."""
    if getattr(user, "is_superuser", False):
        return sessions.annotate(support_notes_hidden=Value(False, output_field=BooleanField()))
    ever_confidential = Q(support_confidential=True) | Exists(
        SupervisionSession.history.model.objects.filter(  # type: ignore[attr-defined]
            id=OuterRef("pk"), support_confidential=True
        )
    )
    me = access.staff_for(user)
    may_read: Any = Q(pk__in=[])
    if me is not None and me.role != Role.BUSINESS_SUPPORT:
        may_read = (
            Q(supervisee=me)
            | Q(supervisor=me)
            | Q(acting_for=me)
            | Exists(
                StaffMember.objects.filter(
                    access._line_managed_q(me, ""), pk=OuterRef("supervisee_id")
                )
            )
        )
    return sessions.annotate(
        support_notes_hidden=Case(
            When(may_read, then=Value(False)),
            When(ever_confidential, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
