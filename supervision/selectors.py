"""Reads that compute for supervision: the policy in force, due dates and status now."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    signals,
)
from django.db.models.base import ModelState
from django.db.models.functions import Coalesce
from django.utils import timezone

from oversight import access
from oversight.access import Purpose, UserLike
from oversight.models import PRACTITIONER_ROLES, Absence, Role, StaffMember, Team
from oversight.selectors import count_of
from supervision.models import (
    Action,
    ActionStatus,
    InformalDiscussion,
    PolicyRule,
    RequestStatus,
    SessionStatus,
    SupervisionPolicy,
    SupervisionRequest,
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
from supervision.rules import may_read_confidential_q


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


def _with_supervision_facts(
    workers: QuerySet[StaffMember], *, today: datetime.date
) -> QuerySet[StaffMember]:
    """`workers` annotated with `last_held_on`, `open_actions` and `informal_waiting`: three
    correlated subqueries, each answered from a covering index (supervisee, status, held_on;
    supervisee, status; worker, incorporated_into, happened_at) without reading the tables."""
    last_held = (
        SupervisionSession.objects.filter(
            supervisee=OuterRef("pk"), status__in=_HELD, held_on__lte=today
        )
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    return workers.annotate(
        last_held_on=Subquery(last_held),
        open_actions=count_of(Action.objects.filter(status=ActionStatus.OPEN), "supervisee"),
        informal_waiting=count_of(
            InformalDiscussion.objects.filter(incorporated_into__isnull=True), "worker"
        ),
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
    return _with_supervision_facts(
        needing_supervision(user, staff_queryset, today=today, purpose=purpose), today=today
    ).select_related("team", "supervisor")


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


# --- status now: reading the workers as plain rows ----------------------------------------------
#
# A whole service is thousands of workers. Building each (with its team and supervisor)
# through the ORM's model iterator cost more than the query itself, mostly in converting
# columns no page shows. So the one query reads plain values — the fields pages and exports
# use — and each worker is built as a StaffMember with those fields loaded and the rest
# deferred (read on first use, as after `.only()`); each team and supervisor is built once
# and shared, and cached on the worker as `select_related` would, so `worker.team` and
# `worker.supervisor` cost no query.

# In model field order (as Model.from_db expects). Deferred: the audit timestamps and FTE.
_STAFF_FIELDS = (
    "id",
    "user_id",
    "first_name",
    "last_name",
    "employee_number",
    "email",
    "role",
    "employment_type",
    "team_id",
    "supervisor_id",
    "start_date",
    "asye_start_date",
    "leaving_date",
)
_TEAM_FIELDS = ("id", "name", "service_id", "manager_id")
_SUPERVISOR_FIELDS = ("id", "user_id", "first_name", "last_name", "role", "team_id")
_FACTS = ("last_held_on", "open_actions", "informal_waiting")


_M = TypeVar("_M", bound=Model)


def _builder(model: type[_M], db: str, names: tuple[str, ...]) -> Callable[[Sequence[Any]], _M]:
    """Builds `model` instances from values of the fields `names`, the others deferred.

    Without listeners on the model's init signals, an instance is built as Django builds one
    when unpickling — its attributes set directly, without running __init__ — a fraction of
    the cost of Model.from_db, which is used otherwise."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        loaded = frozenset(names)
        return lambda values: model.from_db(db, loaded, values)

    def build(values: Sequence[Any]) -> _M:
        instance = model.__new__(model)
        state = ModelState()
        state.adding = False
        state.db = db
        instance.__dict__.update(zip(names, values, strict=True))
        instance.__dict__["_state"] = state
        return instance

    return build


def _workers_with_facts(
    workers: QuerySet[StaffMember], *, today: datetime.date
) -> list[tuple[StaffMember, datetime.date | None, int, int]]:
    """(worker, last held on, open actions, informal discussions waiting) for each of
    `workers`, in the queryset's order: one query."""
    db = workers.db
    staff_of = _builder(StaffMember, db, _STAFF_FIELDS)
    team_of = _builder(Team, db, _TEAM_FIELDS)
    supervisor_of = _builder(StaffMember, db, _SUPERVISOR_FIELDS)
    team_field = StaffMember._meta.get_field("team")
    supervisor_field = StaffMember._meta.get_field("supervisor")
    team_at = _STAFF_FIELDS.index("team_id")
    supervisor_at = _STAFF_FIELDS.index("supervisor_id")
    # Each slice of a row starts with the object's id, as the names do.
    end_staff = len(_STAFF_FIELDS)
    end_team = end_staff + len(_TEAM_FIELDS) - 1
    end_supervisor = end_team + len(_SUPERVISOR_FIELDS) - 1
    columns = (
        *_STAFF_FIELDS,
        *(f"team__{name}" for name in _TEAM_FIELDS[1:]),
        *(f"supervisor__{name}" for name in _SUPERVISOR_FIELDS[1:]),
        *_FACTS,
    )
    teams: dict[int, Team] = {}
    supervisors: dict[int, StaffMember] = {}
    result = []
    for row in _with_supervision_facts(workers, today=today).values_list(*columns):
        staff = staff_of(row[:end_staff])
        team_id = row[team_at]
        team = None
        if team_id is not None:
            team = teams.get(team_id)
            if team is None:
                team = teams[team_id] = team_of((team_id, *row[end_staff:end_team]))
        supervisor_id = row[supervisor_at]
        supervisor = None
        if supervisor_id is not None:
            supervisor = supervisors.get(supervisor_id)
            if supervisor is None:
                supervisor = supervisors[supervisor_id] = supervisor_of(
                    (supervisor_id, *row[end_team:end_supervisor])
                )
        team_field.set_cached_value(staff, team)
        supervisor_field.set_cached_value(staff, supervisor)
        last_held_on, open_actions, informal_waiting = row[end_supervisor:]
        result.append((staff, last_held_on, open_actions, informal_waiting))
    return result


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
    workers = needing_supervision(user, staff_queryset, today=today, purpose=purpose)
    rows = _workers_with_facts(workers, today=today)
    if not rows:
        return []
    book = load_policy_book()
    # Absences matter from the earliest date any supervised worker's clock runs from; for
    # someone without a supervisor only an absence covering today does, and that one lasts
    # past any such date.
    since = min(
        (
            last_held_on or staff.start_date
            for staff, last_held_on, _, _ in rows
            if staff.supervisor_id is not None
        ),
        default=today,
    )
    absences = _excusing_absences(workers, today=today, since=since)
    in_force_today = book.version_on(today)
    tolerance_days = in_force_today.tolerance_days
    due_soon_days = in_force_today.due_soon_days
    no_spans: list[Span] = []

    statuses = []
    for staff, last_held_on, open_actions, informal_waiting in rows:
        base = last_held_on or staff.start_date
        rule = book.rule_on(role=staff.role, asye_start=staff.asye_start_date, day=base)
        spans = absences.get(staff.pk, no_spans)
        if spans:
            # An absence over before the clock started neither pauses it nor covers today.
            spans = [span for span in spans if span[1] is None or span[1] >= base]
        has_supervisor = staff.supervisor_id is not None
        due = (
            due_date(
                base=base, interval_days=rule.interval_days, excusing_absences=spans, today=today
            )
            if has_supervisor
            else None
        )
        statuses.append(
            WorkerStatus(
                staff=staff,
                status=status_now(
                    today=today,
                    due=due,
                    excusing_absences=spans,
                    has_supervisor=has_supervisor,
                    tolerance_days=tolerance_days,
                    due_soon_days=due_soon_days,
                ),
                due_date=due,
                last_held_on=last_held_on,
                interval_days=rule.interval_days,
                open_actions=open_actions,
                informal_waiting=informal_waiting,
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
    # The rule's own definition, applied to this list.
    may_read = may_read_confidential_q(user)
    return sessions.annotate(
        support_notes_hidden=Case(
            When(may_read, then=Value(False)),
            When(ever_confidential, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


# --- requests for extra supervision ----------------------------------------------------------

# How long an answered request stays on the manager's My team page.
ANSWERED_REQUESTS_SHOWN_DAYS = 28
RECENT_REQUESTS = 20


def _requests(
    user: UserLike, queryset: QuerySet[SupervisionRequest]
) -> QuerySet[SupervisionRequest]:
    return access.visible_to(user, queryset).select_related(
        "worker", "case", "session", "answered_by"
    )


def supervision_requests_for_team(
    user: UserLike, team: QuerySet[StaffMember], *, today: datetime.date
) -> list[SupervisionRequest]:
    """Requests from the people a manager supervises (or covers for): those waiting for an
    answer, oldest first, then those answered in the last four weeks. One query."""
    since = today - datetime.timedelta(days=ANSWERED_REQUESTS_SHOWN_DAYS)
    rows = _requests(
        user,
        SupervisionRequest.objects.filter(
            Q(status=RequestStatus.OPEN) | Q(answered_at__date__gte=since),
            worker__in=team.values("pk"),
        ),
    ).order_by("created_at", "pk")
    requests = list(rows)
    return [r for r in requests if r.is_open] + [r for r in reversed(requests) if not r.is_open]


def supervision_requests_of(user: UserLike, worker: StaffMember) -> list[SupervisionRequest]:
    """A worker's own requests for extra supervision, newest first."""
    return list(
        _requests(user, SupervisionRequest.objects.filter(worker=worker)).order_by(
            "-created_at", "-pk"
        )[:RECENT_REQUESTS]
    )


def supervision_requests_for_session(
    user: UserLike, session: SupervisionSession
) -> list[SupervisionRequest]:
    """The worker's requests for extra supervision to talk about in this session: still
    waiting, or accepted, since their last session (and any that booked this one). One
    query."""
    last_held = (
        SupervisionSession.objects.filter(
            supervisee=session.supervisee_id,
            status__in=(SessionStatus.HELD, SessionStatus.SIGNED),
            held_on__isnull=False,
        )
        .exclude(pk=session.pk)
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    since = Coalesce(Subquery(last_held), Value(datetime.date.min), output_field=DateField())
    return list(
        _requests(
            user,
            SupervisionRequest.objects.filter(
                Q(session=session)
                | Q(
                    status__in=(RequestStatus.OPEN, RequestStatus.ACCEPTED),
                    created_at__date__gte=since,
                ),
                worker=session.supervisee_id,
            ),
        ).order_by("created_at", "pk")
    )
