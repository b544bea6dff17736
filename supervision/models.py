"""What is said in supervision: policy, sessions, case discussions, informal discussions,
actions, cover (DESIGN §4.2, §4.3)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from oversight.models import Case, Role, StaffMember, TrackedModel
from oversight.text import validate_text_length
from oversight.validators import validate_plausible_date

# Free text people write: at most OVERSIGHT["MAX_TEXT_CHARS"] characters (oversight/text.py).
LONG_TEXT = [validate_text_length]


class PolicyVariant(models.TextChoices):
    EMPLOYER_STANDARDS_2024 = "employer_standards_2024", "Employer standards 2024"
    ASYE_FRAMEWORK = "asye_framework", "ASYE framework"
    CUSTOM = "custom", "Local policy"


class SupervisionPolicy(TrackedModel):
    """A version of the supervision policy, in force from `effective_from` until the next
    version. Past periods are always judged by the version then in force."""

    name = models.CharField(max_length=120)
    variant = models.CharField(
        max_length=40, choices=PolicyVariant.choices, default=PolicyVariant.CUSTOM
    )
    effective_from = models.DateField(unique=True, validators=[validate_plausible_date])
    tolerance_days = models.PositiveSmallIntegerField(
        default=0, help_text="Days after the due date before a worker counts as overdue."
    )
    due_soon_days = models.PositiveSmallIntegerField(default=7)
    excusing_threshold = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text="Share of a month's working days of excusing absence that excuses the month.",
    )
    target_rate = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.950"))

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "supervision policies"

    def __str__(self) -> str:
        return f"{self.name} (from {self.effective_from:%d %b %Y})"


class PolicyRule(TrackedModel):
    """How often a group of workers is supervised under one policy version.

    A rule with ASYE weeks applies to workers in that week of their ASYE (weeks counted from 1
    on the ASYE start date); otherwise a rule for the worker's role; otherwise the rule with no
    role (everyone else)."""

    policy = models.ForeignKey(SupervisionPolicy, on_delete=models.CASCADE, related_name="rules")
    role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    asye_week_from = models.PositiveSmallIntegerField(null=True, blank=True)
    asye_week_to = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Inclusive; empty means no upper limit."
    )
    interval_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    min_minutes = models.PositiveSmallIntegerField(default=90)

    class Meta:
        ordering = ["policy", "asye_week_from", "role"]

    def __str__(self) -> str:
        if self.asye_week_from is not None:
            upper = self.asye_week_to if self.asye_week_to is not None else "…"
            who = f"ASYE weeks {self.asye_week_from}–{upper}"
        else:
            who = self.get_role_display() if self.role else "Everyone else"
        return f"{who}: every {self.interval_days} days"

    def clean(self) -> None:
        if (
            self.asye_week_from is not None
            and self.asye_week_to is not None
            and self.asye_week_to < self.asye_week_from
        ):
            raise ValidationError({"asye_week_to": "The last week must not be before the first."})


class SessionType(models.TextChoices):
    PLANNED = "planned", "Planned"
    EXTRA = "extra", "Extra (requested)"
    ASYE = "asye", "ASYE"
    GROUP = "group", "Group"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    HELD = "held", "Held"
    SIGNED = "signed", "Signed"
    NOT_HELD = "not_held", "Not held"
    CANCELLED = "cancelled", "Cancelled"


class NotHeldReason(models.TextChoices):
    WORKER_ABSENT = "worker_absent", "Worker absent"
    SUPERVISOR_ABSENT = "supervisor_absent", "Supervisor absent"
    RESCHEDULED_BY_WORKER = "rescheduled_by_worker", "Rescheduled at the worker's request"
    OPERATIONAL_EMERGENCY = "operational_emergency", "Operational emergency"
    OTHER = "other", "Other"


# The text sections of a record, in the order the page shows them. Each autosaves on its own.
RECORD_SECTIONS: dict[str, str] = {
    "agenda": "Manager's agenda",
    "preparation": "Supervisee's preparation",
    "support_notes": "Support: wellbeing notes",
    "capacity_notes": "Workload: capacity notes",
    "cpd_learning": "CPD: learning discussed",
    "training_requests": "CPD: training requests",
    "reflection": "Reflection",
}
SUPERVISEE_SECTIONS = frozenset({"preparation"})


class SupervisionSession(TrackedModel):
    supervisee = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    supervisor = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="sessions_as_supervisor"
    )
    acting_for = models.ForeignKey(
        StaffMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The absent supervisor this manager covered for.",
    )
    session_type = models.CharField(
        max_length=20, choices=SessionType.choices, default=SessionType.PLANNED
    )
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    held_on = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    not_held_reason = models.CharField(
        max_length=30, choices=NotHeldReason.choices, blank=True
    )
    not_held_detail = models.CharField(max_length=255, blank=True)
    # Set when the session is marked held: shorter than the policy's minimum length (it still
    # counts, but is reported), and, once both have signed, whether that was within 5 working
    # days of the session (a quality measure).
    is_short = models.BooleanField(default=False)
    signed_on_time = models.BooleanField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    agenda = models.TextField(blank=True, validators=LONG_TEXT)
    preparation = models.TextField(blank=True, validators=LONG_TEXT)
    wellbeing_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    support_notes = models.TextField(blank=True, validators=LONG_TEXT)
    support_confidential = models.BooleanField(default=False)
    caseload_snapshot = models.JSONField(default=dict, blank=True)
    capacity_notes = models.TextField(blank=True, validators=LONG_TEXT)
    cpd_learning = models.TextField(blank=True, validators=LONG_TEXT)
    training_requests = models.TextField(blank=True, validators=LONG_TEXT)
    reflection = models.TextField(blank=True, validators=LONG_TEXT)

    # Optimistic locking, per field the page autosaves: {"support_notes": 3, ...}. Two people
    # typing in different sections never conflict; in the same section the later save is
    # refused with both versions shown.
    section_versions = models.JSONField(default=dict, blank=True)

    supervisor_signed_at = models.DateTimeField(null=True, blank=True)
    supervisor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervisee_signed_at = models.DateTimeField(null=True, blank=True)
    supervisee_comment = models.TextField(blank=True, validators=LONG_TEXT)
    supervisee_disagrees = models.BooleanField(default=False)

    class Meta:
        ordering = ["-held_on", "-scheduled_for", "-pk"]
        indexes = [
            # The last held session per worker (status now).
            models.Index(fields=["supervisee", "status", "held_on"]),
            # Sessions by date; monthly compliance reads every column it needs from this
            # index, not the table. (Leading with status instead would win the planner's
            # choice for a single team too, whose few workers are better found by the index
            # above.)
            models.Index(
                fields=[
                    "held_on",
                    "supervisee",
                    "status",
                    "is_short",
                    "signed_on_time",
                    "not_held_reason",
                ],
                name="session_held_on_covering",
            ),
            models.Index(fields=["supervisor", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(wellbeing_score__isnull=True)
                | Q(wellbeing_score__gte=1, wellbeing_score__lte=5),
                name="session_wellbeing_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(ended_at__gte=models.F("started_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        when = self.held_on or (self.scheduled_for.date() if self.scheduled_for else None)
        suffix = f" on {when:%d %b %Y}" if when else ""
        return f"Supervision of {self.supervisee}{suffix}"

    @property
    def is_locked(self) -> bool:
        return self.status == SessionStatus.SIGNED

    @property
    def duration_minutes(self) -> int | None:
        if self.started_at and self.ended_at:
            return int((self.ended_at - self.started_at).total_seconds() // 60)
        return None

    def section_version(self, section: str) -> int:
        return int(self.section_versions.get(section, 0))


class CaseDiscussion(TrackedModel):
    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="case_discussions"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="case_discussions")
    discussion = models.TextField(blank=True, validators=LONG_TEXT)
    worries = models.TextField("What are we worried about?", blank=True, validators=LONG_TEXT)
    working_well = models.TextField("What's working well?", blank=True, validators=LONG_TEXT)
    needs_to_happen = models.TextField("What needs to happen?", blank=True, validators=LONG_TEXT)
    scaling = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    analysis_tool = models.CharField(max_length=80, blank=True)
    decisions = models.TextField(blank=True, validators=LONG_TEXT)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scaling__isnull=True) | Q(scaling__lte=10),
                name="case_discussion_scaling_0_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"Discussion of {self.case.reference}"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    UNIT_MEETING = "unit_meeting", "Unit meeting"
    DUTY = "duty", "Duty"


class InformalDiscussion(TrackedModel):
    """A conversation outside supervision, recorded as it happens and pulled into the next
    session so nobody retypes it."""

    worker = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="informal_discussions"
    )
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    happened_at = models.DateTimeField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="informal_discussions"
    )
    advice = models.TextField("What was advised or decided", validators=LONG_TEXT)
    incorporated_into = models.ForeignKey(
        SupervisionSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="informal_discussions",
    )

    class Meta:
        ordering = ["-happened_at"]
        indexes = [models.Index(fields=["worker", "incorporated_into", "happened_at"])]

    def __str__(self) -> str:
        return f"Informal discussion with {self.worker} on {self.happened_at:%d %b %Y}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Action(TrackedModel):
    """An item of a worker's action plan, reviewed at each session until closed."""

    supervisee = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="supervision_actions"
    )
    description = models.TextField(validators=LONG_TEXT)
    owner = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="actions_owned"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    session = models.ForeignKey(
        SupervisionSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    case_discussion = models.ForeignKey(
        CaseDiscussion, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    informal_discussion = models.ForeignKey(
        InformalDiscussion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["supervisee", "status"]),
            # Open actions past their due date, found without reading the closed ones
            # (overdue MDR tasks on the dashboard and the drift list).
            models.Index(fields=["status", "due_date"], name="action_open_due"),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today: datetime.date) -> bool:
        open_ = self.status == ActionStatus.OPEN
        return open_ and self.due_date is not None and self.due_date < today


class ReviewOutcome(models.TextChoices):
    DONE = "done", "Done"
    CARRIED_FORWARD = "carried_forward", "Carried forward"
    CANCELLED = "cancelled", "Cancelled"


class ActionReview(TrackedModel):
    """An open action reviewed in a later session."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="action_reviews"
    )
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reviews")
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices, blank=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "action"], name="one_review_per_session")
        ]

    def __str__(self) -> str:
        return f"Review of {self.action}"


class Addendum(TrackedModel):
    """A later addition to a locked record."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.PROTECT, related_name="addenda"
    )
    author = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(validators=LONG_TEXT)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.session}"


class CoverStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed, awaiting the supervisor's manager"
    ARRANGED = "arranged", "Arranged"


class Cover(TrackedModel):
    """A manager acting for an absent supervisor for a period. Cover hands over confidential
    support notes, so only the absent supervisor's own managers (or the directorate) arrange
    it; business support may propose it, and it takes effect once one of those confirms."""

    absent_supervisor = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    covering_manager = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="covers"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=CoverStatus.choices, default=CoverStatus.ARRANGED
    )
    proposed_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="cover_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.covering_manager} acting for {self.absent_supervisor}"

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start."})
        if self.absent_supervisor_id and self.absent_supervisor_id == self.covering_manager_id:
            raise ValidationError({"covering_manager": "A manager cannot cover for themselves."})


class RequestReason(models.TextChoices):
    CASELOAD = "caseload", "My caseload"
    COMPLEX_CASE = "complex_case", "A complex case"
    WELLBEING = "wellbeing", "My wellbeing"
    OTHER = "other", "Something else"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class SupervisionRequest(TrackedModel):
    """A worker asking for extra supervision (DESIGN §4.3). Their manager accepts it with a
    date — booking an extra (requested) session — or declines it with a reason the worker
    sees. Answered once."""

    worker = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="supervision_requests"
    )
    reason = models.CharField(max_length=20, choices=RequestReason.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answered_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    session = models.ForeignKey(
        SupervisionSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        help_text="The extra session booked when the request was accepted.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["worker", "status"]),
            # Requests by month for the dashboard figure.
            models.Index(fields=["created_at", "worker"], name="supervision_request_month"),
        ]

    def __str__(self) -> str:
        return f"Request for extra supervision from {self.worker} on {self.created_at:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN
