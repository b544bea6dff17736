"""Supervision history for the demo authority (DESIGN §10), added by `seed_demo` through
`seed(authority)` once the organisation is built.

For every worker with a supervisor it walks their time in post over the history window the
way a team lives it. Each session is booked a little before the due date the policy sets
(last held session + interval, paused by excusing absence), and then things happen: the
worker is on leave or off sick (sessions wait until they are back; a short sickness may leave
a "not held" record), the supervisor is away (a colleague covers long absences, otherwise the
session waits or is recorded as not held), an emergency or a rescheduling request moves it, a
few run short or late. Held records carry short generic notes, case discussions with Signs of
Safety scaling, actions reviewed at the following sessions, and the informal discussions in
between, pulled into the next session. Records are signed by both within a few working days,
except the most recent.

The demo logins tell a story: `sw.demo` was last supervised about three weeks ago, has a
signed record and one waiting for their signature, two open actions (one overdue) and two
informal discussions waiting for their next session; `asye.demo` is due within days.

Deterministic for the authority's seed and "today". Each worker has their own random stream
(from the seed and their employee number), so a worker's history does not depend on how many
colleagues they have or how the work is chunked. Rows are written with
`bulk_create_with_history` for a chunk of workers at a time, so a national-size authority
(about a million sessions) is built in bounded memory.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from oversight.demo import DemoAuthority
from oversight.models import SUPERVISING_ROLES, AbsenceType, Case, Role, StaffMember
from oversight.workdays import add_working_days, is_working_day
from supervision.models import (
    Action,
    ActionReview,
    ActionStatus,
    CaseDiscussion,
    Channel,
    Cover,
    InformalDiscussion,
    NotHeldReason,
    ReviewOutcome,
    SessionStatus,
    SessionType,
    SupervisionSession,
)
from supervision.policy import PolicyBook, Rule, due_date
from supervision.selectors import load_policy_book

WORKERS_PER_CHUNK = 1000
BATCH_SIZE = 2000
SIGN_OFF_WORKING_DAYS = 5
# A supervisor away this long (or with no end date) has a colleague acting for them.
COVERED_ABSENCE_DAYS = 21
ONE_DAY = datetime.timedelta(days=1)

# -- words ------------------------------------------------------------------------------------
# Short, generic sentences: no real people, no real places, nothing identifying.

AGENDAS = (
    "Caseload review and priorities for the coming month.",
    "Wellbeing check-in; actions from last time; case discussions.",
    "Visiting timescales and recording; planning for upcoming conferences.",
    "Case progression, court deadlines and balancing the workload.",
    "Reflection on a recent home visit; learning from the latest audit.",
    "New allocations and review of child protection plans.",
)
PREPARATION = (
    "I would like to discuss two families where progress has stalled.",
    "Questions about a recent strategy discussion and the next steps.",
    "I want to talk about fitting the duty rota around my caseload.",
    "Visits are up to date; one assessment is running late.",
    "I would like advice on preparing for an upcoming review conference.",
    "Nothing specific from me this time.",
)
SUPPORT_NOTES = {
    "low": (
        "Feeling stretched by the volume of work. Agreed to protect time for recording and to "
        "look at the caseload again next week.",
        "Finding one case emotionally difficult. Talked through the impact and agreed a "
        "debrief with the team.",
    ),
    "middle": (
        "Managing, though the last month has been busy. Agreed priorities and a recording day.",
        "A mixed few weeks. Discussed work-life balance and taking planned leave.",
    ),
    "high": (
        "Feeling settled and confident in the team; enjoying the direct work.",
        "A good month. The team's peer support has helped.",
        "Positive about progress with several families.",
    ),
}
CONFIDENTIAL_SUPPORT_NOTES = (
    "Discussed a personal matter affecting wellbeing. Agreed adjusted hours for a month and "
    "signposted the employee assistance programme.",
    "A health concern was shared. Agreed an occupational health referral and a lighter "
    "allocation while it is assessed.",
    "Talked through a difficult situation at home. Agreed flexible working for a period and a "
    "check-in in two weeks.",
)
CAPACITY_NOTES = {
    "none": ("Discussed the team's workload and cover arrangements.",),
    "low": ("Capacity for new allocations this month.", "Caseload is manageable."),
    "middle": (
        "Caseload is manageable; recording is up to date.",
        "Busy but manageable. No new allocations for two weeks while assessments are finished.",
    ),
    "high": (
        "Caseload above the team's guide. Agreed to transfer one case and pause new work.",
        "Workload is high; agreed to review allocations with the team manager this week.",
    ),
}
CPD_LEARNING = (
    "Learning from the recent session on contextual safeguarding.",
    "Using genograms and ecomaps in assessments.",
    "The practice standards for recording and analysis.",
    "Learning from a local child safeguarding practice review.",
    "The Signs of Safety refresher and using scaling questions with families.",
    "The impact of neglect on adolescents, following team learning.",
)
TRAINING_REQUESTS = (
    "Court skills training.",
    "Advanced Signs of Safety workshop.",
    "Practice educator award.",
    "Motivational interviewing course.",
    "Parenting assessment training.",
)
REFLECTIONS = (
    "How the worker's own values shape first impressions of a family.",
    "What the child's day-to-day experience is, and whether the plan reflects it.",
    "Hypotheses about a family's disengagement and how to test them.",
    "The balance between support and authority in a difficult visit.",
    "Keeping the child's voice at the centre of reports.",
)
DISCUSSIONS = (
    "Reviewed progress against the plan since the last core group.",
    "Discussed the latest home visit and the child's views.",
    "Considered whether the current level of intervention is still right.",
    "Talked through information from school and health about recent concerns.",
    "Reviewed the chronology and recent contacts.",
)
WORRIES = (
    "Inconsistent school attendance and missed health appointments.",
    "Parental mental health and its impact on routines at home.",
    "Reports of arguments at home; the child appears withdrawn.",
    "Home conditions have declined since the last visit.",
    "The young person is spending time with older peers who are not known.",
    "A parent's alcohol use in the evenings.",
)
WORKING_WELL = (
    "The parent is engaging well with the family support worker.",
    "Grandparents provide regular, safe care at weekends.",
    "The child has a trusted relationship with a teacher.",
    "Attendance has improved this term.",
    "The young person is attending college and talks openly with their personal adviser.",
    "The parent has kept every appointment this month.",
)
NEEDS_TO_HAPPEN = (
    "Update the assessment and share it with the family.",
    "Hold a family network meeting before the next review.",
    "Direct work with the child to hear their wishes and feelings.",
    "Agree a safety plan with the parents and the wider network.",
    "A referral for parenting support.",
    "Legal advice ahead of the next review.",
)
ANALYSIS_TOOLS = (
    "Discrepancy matrix",
    "Resilience matrix",
    "Analysis grid",
    "Genogram",
    "Ecomap",
    "Chronology",
)
DECISIONS = (
    "Continue with the current plan; review at the next core group.",
    "Hold a strategy discussion if the concerns recur.",
    "Step down to early help once the plan's goals are met.",
    "Visit weekly for the next month.",
    "Request a legal planning meeting.",
    "Close after the final review if progress holds.",
)
WORKER_ACTIONS = (
    "Update the case chronology",
    "Complete the outstanding assessment",
    "Book a joint visit with the health visitor",
    "Write up the direct work with the child",
    "Arrange a family network meeting",
    "Send the updated plan to the family and partners",
    "Complete the mandatory training module",
    "Book time to catch up on recording",
    "Check attendance with the school",
    "Prepare the report for the review conference",
)
MANAGER_ACTIONS = (
    "Review the caseload allocation",
    "Approve the assessment",
    "Arrange cover for the duty rota",
    "Follow up the training request",
    "Ask legal services for advice",
)
REVIEW_NOTES = (
    "Waiting for information from partners.",
    "Started; needs more time.",
    "Delayed by leave.",
    "New date agreed.",
)
INFORMAL_ADVICE = (
    "Agreed to hold a strategy discussion today with police and health.",
    "Advised to visit within 24 hours and update me afterwards.",
    "Agreed the plan can continue; to review at supervision.",
    "Advised to contact the school and GP before the next visit.",
    "Agreed to visit weekly for now.",
    "Talked through the referral; agreed advice and signposting only.",
    "Agreed to seek legal advice before the next review.",
    "Advised to record the visit today and share the new information with the chair.",
)
INFORMAL_ACTIONS = (
    "Record the visit and share it with the conference chair",
    "Call the school about this week's attendance",
    "Book the strategy discussion",
)
NOT_HELD_OTHER = (
    "The room booking fell through; rebooked.",
    "Clash with an urgent court hearing.",
    "The worker was on a full-day training course.",
    "IT systems were down for the day.",
)
SUPERVISEE_COMMENTS = (
    "A helpful session, thank you.",
    "I agree with the record.",
    "Useful to have time to reflect on the case.",
)
SUPERVISEE_DISAGREEMENTS = (
    "I do not agree that my caseload is manageable and would like it looked at again.",
    "The record does not mention the visit I raised; I would like that added.",
)
START_TIMES = ((9, 30), (10, 0), (11, 0), (13, 30), (14, 0), (15, 0))
CHANNEL_MIX = (
    (Channel.IN_PERSON, 0.45),
    (Channel.PHONE, 0.25),
    (Channel.UNIT_MEETING, 0.15),
    (Channel.DUTY, 0.15),
)
# How many sessions later an action is closed: most at the next session, some carried forward,
# a few still open (so the most recent sessions leave open actions, some of them overdue).
RESOLVED_AFTER_SESSIONS = ((1, 0.78), (2, 0.14), (3, 0.05), (4, 0.03))
# Working days after the session that the supervisor signs, then the supervisee after them.
SUPERVISOR_SIGNS = ((0, 0.3), (1, 0.3), (2, 0.2), (3, 0.1), (5, 0.06), (8, 0.04))
SUPERVISEE_SIGNS = ((0, 0.35), (1, 0.3), (2, 0.15), (3, 0.1), (6, 0.1))
# Chances of 0, 1, 2, 3 case discussions (of the worker's open cases) and actions a session.
_DISCUSSED = (0.25, 0.45, 0.22, 0.08)
_ACTIONS_AGREED = (0.3, 0.45, 0.2, 0.05)


T = TypeVar("T")


def _pick(rng: random.Random, mix: Sequence[tuple[T, float]]) -> T:
    roll = rng.random()
    total = 0.0
    for value, weight in mix:
        total += weight
        if roll < total:
            return value
    return mix[-1][0]


def _count(rng: random.Random, weights: Sequence[float]) -> int:
    """0, 1, 2 ... with these probabilities."""
    roll = rng.random()
    total = 0.0
    for count, weight in enumerate(weights):
        total += weight
        if roll < total:
            return count
    return len(weights) - 1


# -- what the simulation works from -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spell:
    start: datetime.date
    end: datetime.date | None
    kind: str
    excuses: bool

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class _CoverSpell:
    start: datetime.date
    end: datetime.date
    manager: StaffMember


@dataclass
class _Worker:
    """One worker's history as it is built: every session in date order, the held ones, and
    what hangs off them."""

    member: StaffMember
    rng: random.Random
    login: str = ""  # the demo login whose story this worker tells, if any
    sessions: list[SupervisionSession] = field(default_factory=list)
    held: list[SupervisionSession] = field(default_factory=list)
    # Actions, the index into `held` of the first session that reviews them, and when set.
    actions: list[tuple[Action, int, datetime.date]] = field(default_factory=list)


@dataclass
class _Chunk:
    sessions: list[SupervisionSession] = field(default_factory=list)
    case_discussions: list[CaseDiscussion] = field(default_factory=list)
    informal_discussions: list[InformalDiscussion] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    reviews: list[ActionReview] = field(default_factory=list)


@dataclass
class SeedCounts:
    """What `seed` added; `seed_demo` prints it."""

    covers: int = 0
    sessions: int = 0
    case_discussions: int = 0
    informal_discussions: int = 0
    actions: int = 0
    action_reviews: int = 0

    def add(self, chunk: _Chunk) -> None:
        self.sessions += len(chunk.sessions)
        self.case_discussions += len(chunk.case_discussions)
        self.informal_discussions += len(chunk.informal_discussions)
        self.actions += len(chunk.actions)
        self.action_reviews += len(chunk.reviews)

    def __str__(self) -> str:
        return (
            f"Added {self.sessions} supervision sessions, {self.case_discussions} case "
            f"discussions, {self.informal_discussions} informal discussions, {self.actions} "
            f"actions ({self.action_reviews} reviews) and {self.covers} periods of cover"
        )


def seed(authority: DemoAuthority) -> SeedCounts:
    """Add the supervision history of every supervised worker in the demo authority."""
    return _Seeder(authority, load_policy_book()).run()


class _Seeder:
    def __init__(self, authority: DemoAuthority, book: PolicyBook) -> None:
        self.authority = authority
        self.book = book
        self.today = authority.today
        self.window_start = authority.history_start
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.staff = {member.pk: member for member in authority.staff}
        self.spells: dict[int, list[_Spell]] = {}
        for absence in sorted(authority.absences, key=lambda a: (a.staff_id, a.start_date)):
            self.spells.setdefault(absence.staff_id, []).append(
                _Spell(
                    absence.start_date,
                    absence.end_date,
                    absence.absence_type,
                    absence.excuses_supervision,
                )
            )
        self.cases: dict[int, list[Case]] = {}
        for case in authority.cases:
            if case.allocated_worker_id is not None:
                self.cases.setdefault(case.allocated_worker_id, []).append(case)
        self.covers: dict[int, list[_CoverSpell]] = {}
        self.pinned = {
            authority.logins[name].pk: name
            for name in ("sw.demo", "asye.demo")
            if name in authority.logins
        }

    def _rng(self, key: str) -> random.Random:
        return random.Random(f"supervision:{self.authority.seed}:{key}")  # noqa: S311 (demo data)

    def run(self) -> SeedCounts:
        counts = SeedCounts()
        counts.covers = self._arrange_cover()
        workers = [m for m in self.authority.staff if m.supervisor_id is not None]
        for first in range(0, len(workers), WORKERS_PER_CHUNK):
            chunk = _Chunk()
            for member in workers[first : first + WORKERS_PER_CHUNK]:
                self._worker_history(member, chunk)
            with transaction.atomic():
                self._insert(chunk)
            counts.add(chunk)
        return counts

    @staticmethod
    def _insert(chunk: _Chunk) -> None:
        # Parents first: bulk_create sets their primary keys (SQLite 3.35+, PostgreSQL), and
        # the children's foreign keys are filled from the parent objects as they are written.
        for objects, model in (
            (chunk.sessions, SupervisionSession),
            (chunk.case_discussions, CaseDiscussion),
            (chunk.informal_discussions, InformalDiscussion),
            (chunk.actions, Action),
            (chunk.reviews, ActionReview),
        ):
            if objects:
                bulk_create_with_history(
                    objects, model, batch_size=BATCH_SIZE, default_date=timezone.now()
                )

    # -- cover ----------------------------------------------------------------------------

    def _arrange_cover(self) -> int:
        """A colleague of the same role (same service where possible) acts for a supervisor
        during a long or open-ended absence."""
        rng = self._rng("cover")
        supervisor_ids = sorted({m.supervisor_id for m in self.authority.staff if m.supervisor_id})
        supervisors = [self.staff[pk] for pk in supervisor_ids if pk in self.staff]
        service_of = {team.pk: team.service_id for team in self.authority.teams}
        covers: list[Cover] = []
        for supervisor in supervisors:
            for spell in self.spells.get(supervisor.pk, []):
                end = spell.end or self.today + datetime.timedelta(days=28)
                if not spell.excuses or (end - spell.start).days + 1 < COVERED_ABSENCE_DAYS:
                    continue
                if end < self.window_start:
                    continue
                colleagues = [
                    other
                    for other in supervisors
                    if other.pk != supervisor.pk
                    and other.role == supervisor.role
                    and other.role in SUPERVISING_ROLES
                    and not any(s.covers(spell.start) for s in self.spells.get(other.pk, []))
                ]
                same_service = [
                    other
                    for other in colleagues
                    if service_of.get(other.team_id or 0) == service_of.get(supervisor.team_id or 0)
                ]
                if not (same_service or colleagues):
                    continue
                manager = rng.choice(same_service or colleagues)
                covers.append(
                    Cover(
                        absent_supervisor=supervisor,
                        covering_manager=manager,
                        start_date=spell.start,
                        end_date=end,
                    )
                )
                self.covers.setdefault(supervisor.pk, []).append(
                    _CoverSpell(spell.start, end, manager)
                )
        bulk_create_with_history(covers, Cover, batch_size=BATCH_SIZE)
        return len(covers)

    # -- one worker -----------------------------------------------------------------------

    def _worker_history(self, member: StaffMember, chunk: _Chunk) -> None:
        worker = _Worker(
            member=member,
            rng=self._rng(member.employee_number),
            login=self.pinned.get(member.pk, ""),
        )
        if worker.login == "sw.demo":
            self._pin_social_worker(worker)
        elif worker.login == "asye.demo":
            self._pin_asye_worker(worker)
        else:
            self._simulate(worker, until=self.today, book_next=True)
        chunk.sessions.extend(worker.sessions)
        self._add_case_discussions_and_actions(worker, chunk)
        self._add_informal_discussions(worker, chunk)
        self._resolve_actions(worker, chunk)

    def _rule(self, member: StaffMember, day: datetime.date) -> Rule:
        return self.book.rule_on(role=member.role, asye_start=member.asye_start_date, day=day)

    def _excusing(self, member: StaffMember) -> list[tuple[datetime.date, datetime.date | None]]:
        return [(s.start, s.end) for s in self.spells.get(member.pk, []) if s.excuses]

    def _spell_on(self, staff_id: int, day: datetime.date) -> _Spell | None:
        for spell in self.spells.get(staff_id, ()):
            if spell.start > day:
                return None
            if spell.covers(day):
                return spell
        return None

    def _supervisor_of(self, member: StaffMember) -> StaffMember:
        assert member.supervisor_id is not None  # noqa: S101 (only the supervised are seeded)
        return self.staff[member.supervisor_id]

    def _supervisor_on(
        self, member: StaffMember, day: datetime.date
    ) -> tuple[StaffMember, StaffMember | None]:
        """Who supervises the worker on that day, and who they act for if it is cover."""
        supervisor = self._supervisor_of(member)
        for cover in self.covers.get(supervisor.pk, ()):
            if cover.start <= day <= cover.end:
                return cover.manager, supervisor
        return supervisor, None

    def _simulate(
        self,
        worker: _Worker,
        *,
        until: datetime.date,
        book_next: bool,
        last_held: datetime.date | None = None,
    ) -> None:
        """Sessions from the start of the window (or of employment) up to `until`.
        `book_next` books the next one if it falls within the next six weeks."""
        member, rng = worker.member, worker.rng
        end = min(member.leaving_date or until, until)
        excusing = self._excusing(member)
        if worker.held:
            last_held = worker.held[-1].held_on
        elif last_held is None and member.start_date < self.window_start:
            # The last session before the window: not recorded, it only sets the rhythm.
            interval = self._rule(member, self.window_start).interval_days
            last_held = self.window_start - datetime.timedelta(days=rng.randrange(interval))
        extra_next = False
        while True:
            base = last_held or member.start_date
            interval = self._rule(member, base).interval_days
            if extra_next:
                day = self._working_day_on_or_after(base + datetime.timedelta(rng.randint(5, 10)))
            else:
                due = due_date(
                    base=base, interval_days=interval, excusing_absences=excusing, today=self.today
                )
                day = self._planned_day(rng, base, due, interval)
            held_day, supervisor, acting_for = self._hold_on_or_after(worker, day, end)
            if held_day is None:
                break
            session_type = SessionType.EXTRA if extra_next else self._session_type(member)
            self._held(worker, held_day, supervisor, acting_for, session_type)
            last_held = held_day
            extra_next = rng.random() < 0.03
        soon = self.today + datetime.timedelta(days=42)
        if book_next and member.leaving_date is None and self.today < day <= soon:
            if self._spell_on(member.pk, day) is None:
                self._booked(worker, day)

    def _planned_day(
        self, rng: random.Random, base: datetime.date, due: datetime.date, interval: int
    ) -> datetime.date:
        """Most sessions are booked a few days before they are due; some slip past it."""
        roll = rng.random()
        if roll < 0.9:
            early = 0 if roll >= 0.72 else rng.randint(0, max(1, interval // 4))
            day = due - datetime.timedelta(days=early)
            while not is_working_day(day) and day > base + ONE_DAY:
                day -= ONE_DAY
        else:
            day = due + datetime.timedelta(days=rng.randint(1, max(3, interval // 2)))
        return self._working_day_on_or_after(max(day, base + ONE_DAY))

    @staticmethod
    def _working_day_on_or_after(day: datetime.date) -> datetime.date:
        while not is_working_day(day):
            day += ONE_DAY
        return day

    def _hold_on_or_after(
        self, worker: _Worker, day: datetime.date, end: datetime.date
    ) -> tuple[datetime.date | None, StaffMember, StaffMember | None]:
        """The day a planned session actually happens, recording the ones that did not."""
        member, rng = worker.member, worker.rng
        disrupted = False
        supervisor, acting_for = self._supervisor_on(member, day)
        while day <= end:
            away = self._spell_on(member.pk, day)
            if away is not None:
                if away.excuses and away.kind == AbsenceType.SICKNESS and not disrupted:
                    disrupted = rng.random() < 0.5
                    if disrupted:
                        self._not_held(worker, day, NotHeldReason.WORKER_ABSENT)
                if away.end is None:
                    break  # away until today or beyond: nothing more to hold
                day = self._working_day_on_or_after(
                    away.end + datetime.timedelta(days=rng.randint(1, 4))
                )
                continue
            supervisor, acting_for = self._supervisor_on(member, day)
            supervisor_away = self._spell_on(supervisor.pk, day)
            if supervisor_away is not None:
                if not disrupted and rng.random() < 0.4:
                    self._not_held(worker, day, NotHeldReason.SUPERVISOR_ABSENT)
                    disrupted = True
                back = supervisor_away.end or day + datetime.timedelta(days=7)
                day = self._working_day_on_or_after(
                    back + datetime.timedelta(days=rng.randint(1, 3))
                )
                continue
            if not disrupted:
                roll = rng.random()
                reason = None
                if roll < 0.03:
                    reason = NotHeldReason.OPERATIONAL_EMERGENCY
                elif roll < 0.055:
                    reason = NotHeldReason.RESCHEDULED_BY_WORKER
                elif roll < 0.062:
                    reason = NotHeldReason.OTHER
                elif roll < 0.067:
                    self._cancelled(worker, day)
                    disrupted = True
                if reason is not None:
                    self._not_held(worker, day, reason)
                    disrupted = True
                if disrupted:
                    day = self._working_day_on_or_after(
                        day + datetime.timedelta(days=rng.randint(1, 8))
                    )
                    continue
            return day, supervisor, acting_for
        return None, supervisor, acting_for

    def _session_type(self, member: StaffMember) -> str:
        return SessionType.ASYE if member.role == Role.ASYE_SOCIAL_WORKER else SessionType.PLANNED

    def _at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone)

    # -- sessions -------------------------------------------------------------------------

    def _not_held(self, worker: _Worker, day: datetime.date, reason: str) -> None:
        member, rng = worker.member, worker.rng
        supervisor, acting_for = self._supervisor_on(member, day)
        hour, minute = rng.choice(START_TIMES)
        worker.sessions.append(
            SupervisionSession(
                supervisee_id=member.pk,
                supervisor_id=supervisor.pk,
                acting_for_id=acting_for.pk if acting_for else None,
                session_type=self._session_type(member),
                status=SessionStatus.NOT_HELD,
                scheduled_for=self._at(day, hour, minute),
                # As `session_not_held` does: the date it was due, so the month counts it.
                held_on=day,
                not_held_reason=reason,
                not_held_detail=rng.choice(NOT_HELD_OTHER) if reason == NotHeldReason.OTHER else "",
            )
        )

    def _cancelled(self, worker: _Worker, day: datetime.date) -> None:
        member, rng = worker.member, worker.rng
        supervisor, acting_for = self._supervisor_on(member, day)
        hour, minute = rng.choice(START_TIMES)
        worker.sessions.append(
            SupervisionSession(
                supervisee_id=member.pk,
                supervisor_id=supervisor.pk,
                acting_for_id=acting_for.pk if acting_for else None,
                session_type=self._session_type(member),
                status=SessionStatus.CANCELLED,
                scheduled_for=self._at(day, hour, minute),
            )
        )

    def _booked(self, worker: _Worker, day: datetime.date) -> None:
        member, rng = worker.member, worker.rng
        supervisor, acting_for = self._supervisor_on(member, day)
        hour, minute = rng.choice(START_TIMES)
        worker.sessions.append(
            SupervisionSession(
                supervisee_id=member.pk,
                supervisor_id=supervisor.pk,
                acting_for_id=acting_for.pk if acting_for else None,
                session_type=self._session_type(member),
                status=SessionStatus.SCHEDULED,
                scheduled_for=self._at(day, hour, minute),
                agenda=rng.choice(AGENDAS),
            )
        )

    def _held(
        self,
        worker: _Worker,
        day: datetime.date,
        supervisor: StaffMember,
        acting_for: StaffMember | None,
        session_type: str,
        *,
        sign: str = "usual",
    ) -> SupervisionSession:
        """A held session with its notes, signed as people usually sign.

        `sign` is "usual", "both" (signed by both within the week) or "supervisor" (waiting
        for the supervisee's signature)."""
        member, rng = worker.member, worker.rng
        rule = self._rule(member, day)
        hour, minute = rng.choice(START_TIMES)
        started_at = self._at(day, hour, minute)
        is_short = rng.random() < 0.07
        minutes = (
            rng.randint(max(20, rule.min_minutes // 2), max(21, rule.min_minutes - 10))
            if is_short
            else rng.randint(rule.min_minutes, rule.min_minutes + 30)
        )
        open_cases = self._open_cases(member, day)
        by_type = Counter(case.case_type for case in open_cases)
        wellbeing = max(1, min(5, round(rng.gauss(3.6, 0.8))))
        confidential = rng.random() < 0.03
        if confidential:
            support = rng.choice(CONFIDENTIAL_SUPPORT_NOTES)
        else:
            mood = "low" if wellbeing <= 2 else "middle" if wellbeing == 3 else "high"
            support = rng.choice(SUPPORT_NOTES[mood])
        load = len(open_cases) / float(member.fte or 1)
        capacity = (
            "none"
            if not self.cases.get(member.pk)
            else "high"
            if load > 19
            else "low"
            if load < 10
            else "middle"
        )
        session = SupervisionSession(
            supervisee_id=member.pk,
            supervisor_id=supervisor.pk,
            acting_for_id=acting_for.pk if acting_for else None,
            session_type=session_type,
            status=SessionStatus.HELD,
            scheduled_for=started_at,
            started_at=started_at,
            ended_at=started_at + datetime.timedelta(minutes=minutes),
            held_on=day,
            is_short=is_short,
            agenda=rng.choice(AGENDAS),
            preparation=rng.choice(PREPARATION) if rng.random() < 0.6 else "",
            wellbeing_score=wellbeing,
            support_notes=support,
            support_confidential=confidential,
            caseload_snapshot={
                "taken_at": started_at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
                "open_cases": len(open_cases),
                "by_type": dict(sorted(by_type.items())),
                "duty_cases": sum(1 for case in open_cases if case.is_duty),
                "fte": str(member.fte),
            },
            capacity_notes=rng.choice(CAPACITY_NOTES[capacity]),
            cpd_learning=rng.choice(CPD_LEARNING) if rng.random() < 0.7 else "",
            training_requests=rng.choice(TRAINING_REQUESTS) if rng.random() < 0.08 else "",
            reflection=rng.choice(REFLECTIONS) if rng.random() < 0.8 else "",
        )
        self._sign(session, rng, day, supervisor, sign)
        worker.sessions.append(session)
        worker.held.append(session)
        return session

    def _sign(
        self,
        session: SupervisionSession,
        rng: random.Random,
        day: datetime.date,
        supervisor: StaffMember,
        sign: str,
    ) -> None:
        """Most records are signed by both within five working days; the latest are not yet."""
        supervisor_day = add_working_days(day, _pick(rng, SUPERVISOR_SIGNS))
        if sign == "both":
            supervisor_day = add_working_days(day, 1)
        if supervisor_day > self.today:
            return
        session.supervisor_signed_at = self._at(
            supervisor_day, rng.randint(15, 17), rng.randrange(60)
        )
        session.supervisor_signed_by_id = supervisor.user_id
        if sign == "supervisor" or (sign == "usual" and rng.random() < 0.015):
            return  # waiting for (or never given) the supervisee's signature
        supervisee_day = add_working_days(
            supervisor_day, 1 if sign == "both" else _pick(rng, SUPERVISEE_SIGNS)
        )
        if supervisee_day > self.today:
            return
        signed_at = self._at(supervisee_day, rng.randint(9, 17), rng.randrange(60))
        if signed_at <= session.supervisor_signed_at:
            signed_at = session.supervisor_signed_at + datetime.timedelta(
                minutes=rng.randint(5, 90)
            )
        session.supervisee_signed_at = signed_at
        session.locked_at = signed_at
        session.status = SessionStatus.SIGNED
        session.signed_on_time = supervisee_day <= add_working_days(day, SIGN_OFF_WORKING_DAYS)
        roll = rng.random()
        if roll < 0.01:
            session.supervisee_disagrees = True
            session.supervisee_comment = rng.choice(SUPERVISEE_DISAGREEMENTS)
        elif roll < 0.06:
            session.supervisee_comment = rng.choice(SUPERVISEE_COMMENTS)

    def _open_cases(self, member: StaffMember, day: datetime.date) -> list[Case]:
        return [
            case
            for case in self.cases.get(member.pk, ())
            if case.opened_on <= day and (case.closed_on is None or case.closed_on >= day)
        ]

    # -- the demo logins ------------------------------------------------------------------

    def _free_day(
        self, member: StaffMember, near: datetime.date, latest: datetime.date
    ) -> datetime.date:
        """The working day nearest `near` (not after `latest`) when neither the worker nor
        their supervisor is away."""
        supervisor = self._supervisor_of(member)
        for offset in range(60):
            for day in (near - datetime.timedelta(days=offset), near + datetime.timedelta(offset)):
                if (
                    day <= latest
                    and is_working_day(day)
                    and self._spell_on(member.pk, day) is None
                    and self._spell_on(supervisor.pk, day) is None
                ):
                    return day
        return near

    def _pin_social_worker(self, worker: _Worker) -> None:
        """Last held about three weeks ago and waiting for their signature; the one before
        signed by both; the next one booked."""
        member = worker.member
        last = self._free_day(member, self.today - datetime.timedelta(days=21), self.today)
        previous = self._free_day(
            member, last - datetime.timedelta(days=28), last - datetime.timedelta(days=21)
        )
        self._simulate(worker, until=previous - datetime.timedelta(days=14), book_next=False)
        supervisor = self._supervisor_of(member)
        self._held(worker, previous, supervisor, None, SessionType.PLANNED, sign="both")
        self._held(worker, last, supervisor, None, SessionType.PLANNED, sign="supervisor")
        due = last + datetime.timedelta(days=self._rule(member, last).interval_days)
        booked = self._free_day(member, due - datetime.timedelta(days=2), due)
        if booked > self.today:
            self._booked(worker, booked)

    def _pin_asye_worker(self, worker: _Worker) -> None:
        """Last held so that the next session is due within the coming week."""
        member = worker.member
        excusing = self._excusing(member)
        chosen = None
        for back in range(9, 40):
            day = self.today - datetime.timedelta(days=back)
            if day < member.start_date or self._free_day(member, day, day) != day:
                continue
            due = due_date(
                base=day,
                interval_days=self._rule(member, day).interval_days,
                excusing_absences=excusing,
                today=self.today,
            )
            if self.today <= due <= self.today + datetime.timedelta(days=5):
                chosen = day
                break
        if chosen is None:
            self._simulate(worker, until=self.today, book_next=False)
            return
        interval = self._rule(member, chosen).interval_days
        self._simulate(
            worker, until=chosen - datetime.timedelta(days=interval // 2), book_next=False
        )
        supervisor = self._supervisor_of(member)
        self._held(worker, chosen, supervisor, None, self._session_type(member), sign="both")

    # -- what hangs off the sessions ------------------------------------------------------

    def _add_case_discussions_and_actions(self, worker: _Worker, chunk: _Chunk) -> None:
        """Some of the worker's open cases discussed at each held session, with the scaling
        drifting from one discussion of a case to the next; and the actions agreed."""
        member, rng = worker.member, worker.rng
        scaling: dict[int, int] = {}
        last = len(worker.held) - 1
        for index, session in enumerate(worker.held):
            day = session.held_on
            assert day is not None  # noqa: S101 (held sessions always have a date)
            open_cases = self._open_cases(member, day)
            discussed: list[tuple[CaseDiscussion, Case]] = []
            for case in rng.sample(open_cases, min(len(open_cases), _count(rng, _DISCUSSED))):
                score = scaling.get(case.pk, rng.randint(2, 7)) + rng.choice((-1, 0, 0, 1, 1))
                scaling[case.pk] = score = max(0, min(10, score))
                discussion = CaseDiscussion(
                    session=session,
                    case_id=case.pk,
                    discussion=rng.choice(DISCUSSIONS),
                    worries=rng.choice(WORRIES),
                    working_well=rng.choice(WORKING_WELL),
                    needs_to_happen=rng.choice(NEEDS_TO_HAPPEN),
                    scaling=score,
                    analysis_tool=rng.choice(ANALYSIS_TOOLS) if rng.random() < 0.3 else "",
                    decisions=rng.choice(DECISIONS),
                )
                chunk.case_discussions.append(discussion)
                discussed.append((discussion, case))
            if worker.login == "sw.demo" and index == last:
                # Two open actions from the last session, one already overdue.
                for due_in, description in ((-4, WORKER_ACTIONS[1]), (10, WORKER_ACTIONS[4])):
                    action = Action(
                        supervisee_id=member.pk,
                        description=description,
                        owner_id=member.pk,
                        due_date=self.today + datetime.timedelta(days=due_in),
                        session=session,
                    )
                    worker.actions.append((action, index + 1, day))
                continue
            for _ in range(_count(rng, _ACTIONS_AGREED)):
                by_manager = rng.random() < 0.2
                description = rng.choice(MANAGER_ACTIONS if by_manager else WORKER_ACTIONS)
                from_discussion: CaseDiscussion | None = None
                if discussed and rng.random() < 0.5:
                    from_discussion, case = rng.choice(discussed)
                    description = f"{description} ({case.reference})"
                action = Action(
                    supervisee_id=member.pk,
                    description=description,
                    owner_id=session.supervisor_id if by_manager else member.pk,
                    due_date=day + datetime.timedelta(days=rng.randint(7, 28)),
                    session=session,
                    case_discussion=from_discussion,
                )
                worker.actions.append((action, index + 1, day))

    def _add_informal_discussions(self, worker: _Worker, chunk: _Chunk) -> None:
        """Conversations between sessions, each pulled into the session that followed; those
        since the last session are still waiting for the next."""
        member, rng = worker.member, worker.rng
        story = worker.login == "sw.demo"
        weekly_chance = 0.22 if self.cases.get(member.pk) else 0.08
        first = max(member.start_date, self.window_start)
        last = min(member.leaving_date or self.today, self.today - ONE_DAY)
        bounds = [first - ONE_DAY, *(s.held_on for s in worker.held), last + ONE_DAY]
        for gap in range(len(bounds) - 1):
            after, before = bounds[gap], bounds[gap + 1]
            assert after is not None and before is not None  # noqa: S101 (held: dated)
            span = (before - after).days - 1
            if span < 1:
                continue
            incorporated = worker.held[gap] if gap < len(worker.held) else None
            if story and incorporated is None:
                wanted, tries = 2, 200
            else:
                wanted = sum(rng.random() < weekly_chance for _ in range(max(1, span // 7)))
                tries = wanted * 4
            made = 0
            while made < wanted and tries > 0:
                tries -= 1
                day = after + datetime.timedelta(days=rng.randint(1, span))
                if not is_working_day(day) or self._spell_on(member.pk, day) is not None:
                    continue
                manager, _ = self._supervisor_on(member, day)
                if self._spell_on(manager.pk, day) is not None:
                    continue
                cases = self._open_cases(member, day)
                discussion = InformalDiscussion(
                    worker_id=member.pk,
                    recorded_by_id=manager.pk,
                    manager_id=manager.pk,
                    happened_at=self._at(day, rng.randint(9, 17), rng.randrange(60)),
                    channel=_pick(rng, CHANNEL_MIX),
                    case_id=rng.choice(cases).pk if cases and rng.random() < 0.7 else None,
                    advice=rng.choice(INFORMAL_ADVICE),
                    incorporated_into=incorporated,
                )
                chunk.informal_discussions.append(discussion)
                made += 1
                if not story and rng.random() < 0.1:
                    action = Action(
                        supervisee_id=member.pk,
                        description=rng.choice(INFORMAL_ACTIONS),
                        owner_id=member.pk,
                        due_date=day + datetime.timedelta(days=rng.randint(2, 10)),
                        informal_discussion=discussion,
                    )
                    worker.actions.append((action, gap, day))

    def _resolve_actions(self, worker: _Worker, chunk: _Chunk) -> None:
        """Many actions are marked done by their owner before the next session; the rest are
        reviewed at the following sessions until done (or dropped). Those from the latest
        sessions are still open, some past their due date."""
        member, rng, held = worker.member, worker.rng, worker.held
        left = member.leaving_date is not None and member.leaving_date <= self.today
        for action, first_review, set_on in worker.actions:
            story = worker.login == "sw.demo"
            if story and first_review >= len(held):
                chunk.actions.append(action)  # the two the story keeps open
                continue
            next_session = held[first_review].held_on if first_review < len(held) else None
            closed_by = (next_session or self.today) - ONE_DAY
            if (closed_by - set_on).days >= 2 and rng.random() < 0.5:
                action.status = ActionStatus.DONE
                action.closed_on = set_on + datetime.timedelta(
                    days=rng.randint(1, (closed_by - set_on).days)
                )
                chunk.actions.append(action)
                continue
            resolved_at = first_review + _pick(rng, RESOLVED_AFTER_SESSIONS) - 1
            if story:
                resolved_at = min(resolved_at, len(held) - 1)  # only the story's two stay open
            for index in range(first_review, min(resolved_at, len(held) - 1) + 1):
                session = held[index]
                assert session.held_on is not None  # noqa: S101 (held sessions are dated)
                note = ""
                if index < resolved_at:
                    outcome = ReviewOutcome.CARRIED_FORWARD
                    if rng.random() < 0.5:
                        note = rng.choice(REVIEW_NOTES)
                        action.due_date = session.held_on + datetime.timedelta(
                            days=rng.randint(7, 21)
                        )
                else:
                    cancelled = rng.random() < 0.05
                    outcome = ReviewOutcome.CANCELLED if cancelled else ReviewOutcome.DONE
                    action.status = ActionStatus.CANCELLED if cancelled else ActionStatus.DONE
                    action.closed_on = session.held_on
                chunk.reviews.append(
                    ActionReview(session=session, action=action, outcome=outcome, note=note)
                )
            if action.status == ActionStatus.OPEN and left:
                action.status, action.closed_on = ActionStatus.CANCELLED, member.leaving_date
            chunk.actions.append(action)
