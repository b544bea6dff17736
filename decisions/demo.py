"""The demo authority's decision history (DESIGN §10): about two MDRs per open case a year.

Each case starts with a contact decision (mostly within the working day, some late), then
step-ups, step-downs, allocations, conferences and legal planning follow its threshold level;
closed cases end with a case closure. Tasks go to the allocated worker, most done, some
overdue; clocks run on contact decisions, assessments and strategy discussions. tm.demo's team
gets a few drifting cases and an escalation waiting past its response date, so every page of
the module has something to show. Deterministic for the authority's seed and "today".
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from decisions import shipped
from decisions.models import (
    Clock,
    Decision,
    DecisionStatus,
    DecisionTask,
    DecisionType,
    Escalation,
    StatutoryTimescale,
    ThresholdLevel,
)
from decisions.selectors import active_framework
from oversight.demo import DemoAuthority
from oversight.models import Case, StaffMember
from oversight.workdays import add_working_days, working_days_before
from supervision.models import Action, ActionStatus

BATCH_SIZE = 2000
CASES_PER_CHUNK = 2000
DAYS_BETWEEN_DECISIONS = 182  # about two a year
DRIFTING_IN_DEMO_TEAM = 0.06
DRIFTING_ELSEWHERE = 0.03
TASKS_LEFT_OVERDUE = 0.03

CONTACT_OUTCOMES = (
    (DecisionType.CONTACT_ASSESSMENT, 0.45, 3),
    (DecisionType.CONTACT_EARLY_HELP, 0.2, 2),
    (DecisionType.CONTACT_STRATEGY, 0.15, 4),
    (DecisionType.CONTACT_ADVICE, 0.12, 2),
    (DecisionType.CONTACT_NFA, 0.08, 1),
)
DECISION_SENTENCES: dict[str, str] = {
    DecisionType.CONTACT_ASSESSMENT: "Proceed to a child and family assessment.",
    DecisionType.CONTACT_EARLY_HELP: "Offer early help through the family hub.",
    DecisionType.CONTACT_STRATEGY: "Convene a strategy discussion today.",
    DecisionType.CONTACT_ADVICE: "Give advice to the referrer and signpost the family.",
    DecisionType.CONTACT_NFA: "No further action: needs are met by universal services.",
    DecisionType.STEP_UP: "Step up: concerns have grown and need a higher level of support.",
    DecisionType.STEP_DOWN: "Step down: the plan has worked and support can reduce.",
    DecisionType.ALLOCATION: "Transfer to a new allocated worker within the team.",
    DecisionType.CP_CONFERENCE: "Request an initial child protection conference.",
    DecisionType.LEGAL_PLANNING: "Refer to legal gateway for pre-proceedings (PLO).",
    DecisionType.CASE_CLOSURE: "Close the case: the plan's outcomes are achieved.",
    DecisionType.OTHER: "Hold a family network meeting before the next review.",
}
RATIONALES = (
    "The worries are persistent and the family's own plan has not held.",
    "Strengths in the wider family network can keep the child safe with support.",
    "School and health report improvement over the last three months.",
    "The risk analysis shows escalating harm that the current plan cannot manage.",
)
CHILD_VOICES = (
    "Said they feel safest at their nan's and want to see their dad at weekends.",
    "Drew their house with everyone in it and said the shouting has stopped.",
    "Told the worker they are worried about their mum being sad.",
    "Wants to stay at the same school and keep their friends.",
)
FACTS = (
    "School reports falling attendance and the child arriving hungry.",
    "Police notification of a domestic incident at the home at the weekend.",
    "Health visitor concerned about home conditions and missed appointments.",
    "Parent asked for help with the child's behaviour at home.",
)
TASKS = (
    ("Visit the child at home and see them alone", 5),
    ("Speak to the school's designated safeguarding lead", 3),
    ("Update the chronology and risk analysis", 10),
    ("Arrange a family network meeting", 15),
    ("Complete the assessment and share it with the family", 20),
)
PARTNERS = ("Police", "Health", "Education")


def _local(day: datetime.date, hour: int, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=zone)


@dataclass
class _Chunk:
    decisions: list[Decision] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    tasks: list[tuple[Decision, Action, int]] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)


@dataclass
class SeedCounts:
    decisions: int = 0
    tasks: int = 0
    clocks: int = 0
    escalations: int = 0

    def __str__(self) -> str:
        return (
            f"Added {self.decisions} management decision records, {self.tasks} tasks, "
            f"{self.clocks} statutory clocks and {self.escalations} escalations"
        )


def _create_with_history(objects: list[Any], model: type[Model], now: datetime.datetime) -> None:
    """Insert `objects`, then their "created" history rows copied inside the database (one
    INSERT … SELECT per batch) rather than built as Python objects: the demo's hundreds of
    thousands of rows are written in a third of the time, and every row still has history."""
    for first in range(0, len(objects), BATCH_SIZE):
        batch = model._default_manager.bulk_create(objects[first : first + BATCH_SIZE])
        history = model.history.model  # type: ignore[attr-defined]
        columns = [
            f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")
        ]
        names = ", ".join(columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {history._meta.db_table} ({names}, history_date, "  # noqa: S608
                f"history_change_reason, history_type) SELECT {names}, %s, %s, '+' "
                f"FROM {model._meta.db_table} WHERE id BETWEEN %s AND %s",
                [now, "Demo data", batch[0].pk, batch[-1].pk],
            )


def seed(authority: DemoAuthority) -> SeedCounts:
    # A reset empties every table, the shipped frameworks and timescales with it.
    shipped.install(django_apps)
    return _Seeder(authority).run()


class _Seeder:
    def __init__(self, authority: DemoAuthority) -> None:
        self.authority = authority
        self.today = authority.today
        self.start = authority.history_start
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = timezone.now() - datetime.timedelta(minutes=5)
        self.framework = active_framework()
        self.levels: dict[int, ThresholdLevel] = {
            level.number: level for level in self.framework.levels.all()
        }
        self.top = max(self.levels)
        self.timescales = {t.code: t for t in StatutoryTimescale.objects.all()}
        self.staff = {member.pk: member for member in authority.staff}
        group_managers = {service.pk: service.group_manager_id for service in authority.services}
        self.team_makers: dict[int, StaffMember] = {}
        for team in authority.teams:
            maker = self.staff.get(team.manager_id or 0)
            if maker is None:
                maker = self.staff.get(group_managers.get(team.service_id) or 0)
            if maker is not None:
                self.team_makers[team.pk] = maker
        tm = authority.logins.get("tm.demo")
        self.demo_team = tm.team_id if tm else None

    def _rng(self, key: str) -> random.Random:
        return random.Random(f"decisions:{self.authority.seed}:{key}")  # noqa: S311 (demo data)

    def run(self) -> SeedCounts:
        counts = SeedCounts()
        cases = [c for c in self.authority.cases if c.team_id in self.team_makers]
        now = timezone.now()
        for first in range(0, len(cases), CASES_PER_CHUNK):
            chunk = _Chunk()
            for case in cases[first : first + CASES_PER_CHUNK]:
                self._case_history(case, chunk)
            with transaction.atomic():
                self._insert(chunk, now)
            counts.decisions += len(chunk.decisions)
            counts.tasks += len(chunk.tasks)
            counts.clocks += len(chunk.clocks)
        counts.escalations = self._escalations(now)
        return counts

    @staticmethod
    def _insert(chunk: _Chunk, now: datetime.datetime) -> None:
        _create_with_history(chunk.decisions, Decision, now)
        _create_with_history(chunk.actions, Action, now)
        links = [
            DecisionTask(decision=decision, action=action, due_in_working_days=days)
            for decision, action, days in chunk.tasks
        ]
        _create_with_history(links, DecisionTask, now)
        for clock in chunk.clocks:
            clock.decision_id = clock.decision.pk
        _create_with_history(chunk.clocks, Clock, now)

    # -- one case -------------------------------------------------------------------------

    def _case_history(self, case: Case, chunk: _Chunk) -> None:
        rng = self._rng(f"case:{case.pk}")
        maker = self.team_makers[case.team_id]
        end = min(case.closed_on or self.today, self.today)
        day = max(case.opened_on, self.start)
        # A few of tm.demo's open cases have slipped (no recent oversight, review passed).
        drifting = case.closed_on is None and rng.random() < (
            DRIFTING_IN_DEMO_TEAM if case.team_id == self.demo_team else DRIFTING_ELSEWHERE
        )
        recent = working_days_before(self.today, 15)
        last_day = None
        if case.opened_on >= self.start:
            kind, level = self._contact(rng)
            self._decision(case, maker, day, kind, None, level, rng, chunk, contact=True)
            last_day = day
        else:
            level = rng.choice([2, 3, 3, 4, 4])
        while True:
            day = day + datetime.timedelta(days=int(DAYS_BETWEEN_DECISIONS * rng.uniform(0.5, 1.5)))
            if day >= end or (case.closed_on is None and day >= recent):
                break
            kind, after = self._next(level, rng)
            self._decision(case, maker, day, kind, level, after, rng, chunk)
            level, last_day = after, day
        if case.closed_on is not None and self.start <= case.closed_on <= self.today:
            self._decision(
                case, maker, case.closed_on, DecisionType.CASE_CLOSURE, level, 1, rng, chunk
            )
        elif case.closed_on is None and not drifting and (last_day is None or last_day < recent):
            # The manager's latest review of an open case, within the last three weeks.
            last = working_days_before(self.today, rng.randint(0, 14))
            if last > case.opened_on:
                self._decision(case, maker, last, DecisionType.OTHER, level, level, rng, chunk)

    def _contact(self, rng: random.Random) -> tuple[str, int]:
        roll, total = rng.random(), 0.0
        for kind, weight, level in CONTACT_OUTCOMES:
            total += weight
            if roll < total:
                return kind, min(level, self.top)
        return DecisionType.CONTACT_ASSESSMENT, min(3, self.top)

    def _next(self, level: int, rng: random.Random) -> tuple[str, int]:
        roll = rng.random()
        if roll < 0.25 and level < self.top:
            return DecisionType.STEP_UP, level + 1
        if roll < 0.5 and level > 1:
            return DecisionType.STEP_DOWN, level - 1
        if roll < 0.65:
            return DecisionType.ALLOCATION, level
        if roll < 0.75 and level == self.top:
            return DecisionType.CP_CONFERENCE, level
        if roll < 0.8 and level == self.top:
            return DecisionType.LEGAL_PLANNING, level
        return DecisionType.OTHER, level

    def _decision(
        self,
        case: Case,
        maker: StaffMember,
        day: datetime.date,
        kind: str,
        before: int | None,
        after: int,
        rng: random.Random,
        chunk: _Chunk,
        *,
        contact: bool = False,
    ) -> None:
        # Never later than now: a decision made "today" was made earlier today.
        made_at = min(_local(day, rng.choice((9, 11, 14, 16)), self.zone), self.now)
        received = None
        if contact:
            # Mostly decided the working day the contact came in, some the next, a few later.
            late = rng.choices((0, 1, 3), weights=(0.7, 0.22, 0.08))[0]
            received = working_days_before(day, late)
        recent = (self.today - day).days < 45
        signed = not recent or kind == DecisionType.OTHER or rng.random() < 0.85
        decision = Decision(
            case=case,
            decision_maker=maker,
            made_at=made_at,
            decision_type=kind,
            framework=self.framework,
            level_before=self.levels.get(before) if before else None,
            level_after=self.levels.get(after),
            contact_received_on=received,
            decision=DECISION_SENTENCES[kind],
            facts=rng.choice(FACTS),
            rationale=rng.choice(RATIONALES),
            child_voice=rng.choice(CHILD_VOICES),
            scaling=rng.randint(2, 8) if rng.random() < 0.6 else None,
            review_date=day
            + datetime.timedelta(
                days=rng.choice((28, 42, 56, 90)) + 30 * (kind == DecisionType.OTHER)
            ),
            status=DecisionStatus.SIGNED if signed else DecisionStatus.DRAFT,
            signed_at=min(made_at + datetime.timedelta(hours=1), self.now) if signed else None,
        )
        chunk.decisions.append(decision)
        worker = case.allocated_worker_id and self.staff.get(case.allocated_worker_id)
        owner = worker or maker
        for description, days in rng.sample(TASKS, rng.choice((1, 1, 2, 2, 3))):
            due = add_working_days(day, days)
            done_on = None
            long_past = (self.today - due).days > 60
            if due < self.today and (long_past or rng.random() >= TASKS_LEFT_OVERDUE):
                done_on = min(due, self.today)
            action = Action(
                supervisee=owner,
                owner=owner,
                description=description,
                due_date=due,
                status=ActionStatus.DONE if done_on else ActionStatus.OPEN,
                closed_on=done_on,
            )
            chunk.actions.append(action)
            chunk.tasks.append((decision, action, days))
        if signed:
            self._clocks(decision, day, received, rng, chunk)

    def _clocks(
        self,
        decision: Decision,
        day: datetime.date,
        received: datetime.date | None,
        rng: random.Random,
        chunk: _Chunk,
    ) -> None:
        for timescale in self.timescales.values():
            if decision.decision_type not in timescale.decision_types:
                continue
            from_contact = timescale.starts_from == "contact_received"
            start = (received or day) if from_contact else day
            due = add_working_days(start, timescale.working_days)
            if not timescale.follow_up:
                met: datetime.date | None = day
            else:
                met = add_working_days(
                    start, max(0, timescale.working_days + rng.choice((-5, -1, 0, 0, 2)))
                )
                if met > self.today:
                    met = None
            chunk.clocks.append(
                Clock(
                    decision=decision, timescale=timescale, started_on=start, due_on=due, met_on=met
                )
            )

    # -- escalations ----------------------------------------------------------------------

    def _escalations(self, now: datetime.datetime) -> int:
        """A handful: one in tm.demo's team still waiting past its response date."""
        rng = self._rng("escalations")
        signed = Decision.objects.filter(
            status=DecisionStatus.SIGNED,
            case__closed_on__isnull=True,
            made_at__lt=now - datetime.timedelta(days=30),
        ).select_related("case", "decision_maker")
        picks: list[Decision] = []
        others = signed
        if self.demo_team is not None:
            picks += list(signed.filter(case__team_id=self.demo_team).order_by("-made_at")[:2])
            others = signed.exclude(case__team_id=self.demo_team)
        picks += list(others.order_by("?")[:4])
        escalations = []
        for index, decision in enumerate(picks):
            raised = now - datetime.timedelta(days=rng.choice((3, 9, 16)) if index else 12)
            due = _local(add_working_days(timezone.localdate(raised), 5), 23, self.zone)
            worker = (
                self.staff.get(decision.case.allocated_worker_id or 0) or decision.decision_maker
            )
            escalation = Escalation(
                decision=decision,
                raised_by=worker,
                partner_agency=rng.choice(PARTNERS) if index % 2 else "",
                raised_at=raised,
                stage=1 if index else 2,
                concern="We disagree with the threshold level: the worries at school have grown.",
                response_due_at=due,
            )
            if index > 1 and rng.random() < 0.6:
                escalation.response = (
                    "Reviewed with the team: the plan stands, with a review in 4 weeks."
                )
                escalation.responded_by = decision.decision_maker
                escalation.responded_at = raised + datetime.timedelta(days=2)
                escalation.status = "responded"
            escalations.append(escalation)
        bulk_create_with_history(escalations, Escalation, default_date=now)
        return len(escalations)
