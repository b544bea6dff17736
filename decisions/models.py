"""What is decided on a child's case (DESIGN §4.4): threshold frameworks, Management Decision
Records, their tasks, the statutory clocks they start, and escalations about them.

A task is a supervision `Action` (so it flows into *My supervision*, *My team* and the next
session's review); the link lives here, on the decisions side, so `supervision/` never
imports `decisions/`.
"""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from oversight.models import Case, StaffMember, TrackedModel
from oversight.text import validate_text_length
from oversight.validators import validate_plausible_date
from supervision.models import Action, CaseDiscussion, InformalDiscussion

LONG_TEXT = [validate_text_length]
SCALING = [MinValueValidator(0), MaxValueValidator(10)]


class ThresholdFramework(TrackedModel):
    """A continuum of need with ordered levels. One is active per installation; an MDR keeps
    the framework it was made under, so switching never rewrites an old decision."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_framework"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ThresholdLevel(TrackedModel):
    framework = models.ForeignKey(
        ThresholdFramework, on_delete=models.CASCADE, related_name="levels"
    )
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    name = models.CharField(max_length=120)
    description = models.TextField()
    indicators = models.TextField("Example indicators", blank=True)

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="one_level_per_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.name}"


class DecisionType(models.TextChoices):
    CONTACT_NFA = "contact_nfa", "Contact outcome: no further action"
    CONTACT_ADVICE = "contact_advice", "Contact outcome: advice and signposting"
    CONTACT_EARLY_HELP = "contact_early_help", "Contact outcome: early help"
    CONTACT_ASSESSMENT = "contact_assessment", "Contact outcome: child and family assessment (s17)"
    CONTACT_STRATEGY = "contact_strategy", "Contact outcome: strategy discussion (s47)"
    STEP_UP = "step_up", "Step up"
    STEP_DOWN = "step_down", "Step down"
    ALLOCATION = "allocation", "Allocation or transfer"
    CP_CONFERENCE = "cp_conference", "Child protection conference"
    LEGAL_PLANNING = "legal_planning", "Legal planning (PLO)"
    CASE_CLOSURE = "case_closure", "Case closure"
    OTHER = "other", "Other"


# Decisions on a contact: the 1-working-day contact clock runs from when it was received.
CONTACT_TYPES = frozenset(
    {
        DecisionType.CONTACT_NFA,
        DecisionType.CONTACT_ADVICE,
        DecisionType.CONTACT_EARLY_HELP,
        DecisionType.CONTACT_ASSESSMENT,
        DecisionType.CONTACT_STRATEGY,
    }
)


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class Decision(TrackedModel):
    """A Management Decision Record: what a manager decided on a child's case, and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    decision_maker = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="decisions_made"
    )
    made_at = models.DateTimeField()
    decision_type = models.CharField(max_length=30, choices=DecisionType.choices)
    framework = models.ForeignKey(ThresholdFramework, on_delete=models.PROTECT, related_name="+")
    level_before = models.ForeignKey(
        ThresholdLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    level_after = models.ForeignKey(
        ThresholdLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_received_on = models.DateField(
        null=True, blank=True, validators=[validate_plausible_date]
    )
    decision = models.CharField("What is decided", max_length=500)
    facts = models.TextField("Facts and reflection", blank=True, validators=LONG_TEXT)
    rationale = models.TextField(blank=True, validators=LONG_TEXT)
    child_voice = models.TextField(
        "The child's lived experience and voice", blank=True, validators=LONG_TEXT
    )
    risk_analysis = models.TextField(
        "Risk analysis and strengths", blank=True, validators=LONG_TEXT
    )
    worries = models.TextField("What are we worried about?", blank=True, validators=LONG_TEXT)
    working_well = models.TextField("What's working well?", blank=True, validators=LONG_TEXT)
    needs_to_happen = models.TextField("What needs to happen?", blank=True, validators=LONG_TEXT)
    scaling = models.PositiveSmallIntegerField(null=True, blank=True, validators=SCALING)
    review_date = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    no_tasks_reason = models.CharField("Why there are no tasks", max_length=255, blank=True)
    close_open_tasks = models.BooleanField(
        "Close the case's open tasks", default=False, help_text="Case closures only."
    )
    case_discussion = models.ForeignKey(
        CaseDiscussion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    informal_discussion = models.ForeignKey(
        InformalDiscussion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-made_at", "-pk"]
        indexes = [
            models.Index(fields=["case", "made_at"]),
            models.Index(fields=["made_at", "decision_type"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(scaling__isnull=True) | Q(scaling__lte=10),
                name="decision_scaling_0_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_type_display()} on {self.case.reference}"

    @property
    def is_signed(self) -> bool:
        return self.status == DecisionStatus.SIGNED

    @property
    def made_on(self) -> datetime.date:
        return timezone.localdate(self.made_at)


class DecisionTask(TrackedModel):
    """One of an MDR's tasks. The task itself is a supervision action (owner, due date,
    status); this row links it to its decision and keeps how its deadline was given."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="tasks")
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="+")
    due_in_working_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Task of {self.decision}"


class DecisionAddendum(TrackedModel):
    """A later addition to a signed (locked) MDR."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(validators=LONG_TEXT)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "decision addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.decision}"


class ClockStart(models.TextChoices):
    CONTACT_RECEIVED = "contact_received", "When the contact or referral was received"
    DECISION = "decision", "When the decision was made"
    PREVIOUS_MET = "previous_met", "When the previous timescale was met"


class StatutoryTimescale(TrackedModel):
    """A statutory clock a decision can start (configuration, DESIGN §4.4)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    # The decision types that start it (empty: started only by another timescale being met).
    decision_types = models.JSONField(default=list, blank=True)
    starts_from = models.CharField(max_length=20, choices=ClockStart.choices)
    working_days = models.PositiveSmallIntegerField()
    # What stops it ("Strategy discussion held"); empty: the decision itself meets it.
    follow_up = models.CharField(max_length=120, blank=True)
    then = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The timescale that starts when this one is met.",
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.working_days} working days)"


class Clock(TrackedModel):
    """One statutory deadline running on one decision's case."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="clocks")
    timescale = models.ForeignKey(StatutoryTimescale, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    due_on = models.DateField()
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["timescale", "started_on"])]

    def __str__(self) -> str:
        return f"{self.timescale.name} by {self.due_on:%d %b %Y}"

    @property
    def in_time(self) -> bool | None:
        return None if self.met_on is None else self.met_on <= self.due_on

    def is_overdue(self, today: datetime.date) -> bool:
        return self.met_on is None and self.due_on < today


class EscalationStage(TrackedModel):
    """How long the responder has at one stage of the escalation protocol (configuration)."""

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    response_working_days = models.PositiveSmallIntegerField(default=5)
    response_hours = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Set instead of working days for a protocol in hours."
    )

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        if self.response_hours:
            return f"Stage {self.number}: {self.response_hours} hours"
        return f"Stage {self.number}: {self.response_working_days} working days"


class EscalationStatus(models.TextChoices):
    OPEN = "open", "Awaiting response"
    RESPONDED = "responded", "Responded"
    RESOLVED = "resolved", "Resolved"


class Escalation(TrackedModel):
    """A professional disagreement about a decision, raised by a worker or for a partner."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="escalations")
    raised_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    partner_agency = models.CharField(
        max_length=120, blank=True, help_text="Recorded on behalf of this agency."
    )
    raised_at = models.DateTimeField()
    stage = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    concern = models.TextField(validators=LONG_TEXT)
    response_due_at = models.DateTimeField()
    response = models.TextField(blank=True, validators=LONG_TEXT)
    responded_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    outcome = models.TextField(blank=True, validators=LONG_TEXT)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"Stage {self.stage} escalation about {self.decision}"
