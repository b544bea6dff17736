"""The organisation: services, teams, staff and their line management, cases, absences.

Every domain model inherits `TrackedModel`, so its history is kept by django-simple-history
with the acting user.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from oversight.text import clean_text, validate_text_length
from oversight.validators import validate_plausible_date


class TrackedModel(models.Model):
    """Base for domain models: timestamps and audit history with the acting user."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Collection[str] | None = None) -> None:
        """Every text field first goes through the one text rule (oversight/text.py): NUL
        removed, half a character refused — so whatever validates a record gets it."""
        errors: dict[str, list[ValidationError]] = {}
        for model_field in self._meta.concrete_fields:
            if exclude and model_field.name in exclude:
                continue
            if not isinstance(model_field, models.CharField | models.TextField):
                continue
            value = getattr(self, model_field.attname)
            if isinstance(value, str):
                try:
                    setattr(self, model_field.attname, clean_text(value))
                except ValidationError as error:
                    errors[model_field.name] = error.error_list
        try:
            super().clean_fields(exclude={*(exclude or ()), *errors} if errors else exclude)
        except ValidationError as error:
            errors.update(error.error_dict)
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    ASYE_SOCIAL_WORKER = "asye_social_worker", "ASYE social worker"
    SENIOR_PRACTITIONER = "senior_practitioner", "Senior practitioner"
    ADVANCED_PRACTITIONER = "advanced_practitioner", "Advanced practitioner"
    ASSISTANT_TEAM_MANAGER = "assistant_team_manager", "Assistant team manager"
    TEAM_MANAGER = "team_manager", "Team manager"
    GROUP_MANAGER = "group_manager", "Group manager"
    PRINCIPAL_SOCIAL_WORKER = "principal_social_worker", "Principal social worker"
    ASSISTANT_DIRECTOR = "assistant_director", "Assistant director"
    BUSINESS_SUPPORT = "business_support", "Business support"


# Only team managers and above supervise (assistant team managers do not).
SUPERVISING_ROLES = frozenset(
    {
        Role.TEAM_MANAGER,
        Role.GROUP_MANAGER,
        Role.PRINCIPAL_SOCIAL_WORKER,
        Role.ASSISTANT_DIRECTOR,
    }
)
# Practitioners who hold cases and are supervised on the practitioner policy.
PRACTITIONER_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.ASYE_SOCIAL_WORKER,
        Role.SENIOR_PRACTITIONER,
        Role.ADVANCED_PRACTITIONER,
    }
)
DIRECTORATE_ROLES = frozenset({Role.PRINCIPAL_SOCIAL_WORKER, Role.ASSISTANT_DIRECTOR})
SERVICE_LEADING_ROLES = frozenset({Role.GROUP_MANAGER}) | DIRECTORATE_ROLES


class EmploymentType(models.TextChoices):
    PERMANENT = "permanent", "Permanent"
    AGENCY = "agency", "Agency"
    SECONDEE = "secondee", "Secondee"


class Service(TrackedModel):
    name = models.CharField(max_length=120, unique=True)
    group_manager = models.ForeignKey(
        "StaffMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services_led",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Leading a service reads its supervision: only a group manager or above does.
        leader = self.group_manager
        if leader is not None and leader.role not in SERVICE_LEADING_ROLES:
            raise ValidationError(
                {
                    "group_manager": "The service's group manager must be a group manager or "
                    f"above ({leader.full_name} is {leader.get_role_display()})."
                }
            )


class Team(TrackedModel):
    name = models.CharField(max_length=120, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    manager = models.ForeignKey(
        "StaffMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_managed",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Managing a team reads its supervision and absences: only a manager does.
        manager = self.manager
        if manager is not None and manager.role not in SUPERVISING_ROLES:
            raise ValidationError(
                {
                    "manager": "The team manager must be a team manager or above "
                    f"({manager.full_name} is {manager.get_role_display()})."
                }
            )


class StaffMember(TrackedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_member",
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    employee_number = models.CharField(max_length=30, unique=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=40, choices=Role.choices)
    employment_type = models.CharField(
        max_length=20, choices=EmploymentType.choices, default=EmploymentType.PERMANENT
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisees",
    )
    start_date = models.DateField(validators=[validate_plausible_date])
    asye_start_date = models.DateField(null=True, blank=True, validators=[validate_plausible_date])
    fte = models.DecimalField("FTE", max_digits=3, decimal_places=2, default=Decimal("1.00"))
    leaving_date = models.DateField(null=True, blank=True)
    email_notifications = models.BooleanField(
        "E-mail copies of notifications",
        default=True,
        help_text="Off: notices still appear in Oversight, but no e-mail is sent.",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["team", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gt=0) & Q(fte__lte=1), name="staff_fte_between_0_and_1"
            ),
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True)
                | Q(leaving_date__gte=models.F("start_date")),
                name="staff_leaves_after_starting",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_asye(self) -> bool:
        return self.role == Role.ASYE_SOCIAL_WORKER

    def in_post_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.leaving_date is None or day <= self.leaving_date)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.supervisor_id is not None:
            if self.supervisor_id == self.pk:
                errors["supervisor"] = "A person cannot supervise themselves."
            elif self.supervisor is not None and self.supervisor.role not in SUPERVISING_ROLES:
                errors["supervisor"] = (
                    "The supervisor must be a team manager or above "
                    f"({self.supervisor.full_name} is {self.supervisor.get_role_display()})."
                )
        if self.leaving_date and self.start_date and self.leaving_date < self.start_date:
            errors["leaving_date"] = "The leaving date must be on or after the start date."
        if self.fte is not None and not (Decimal("0") < self.fte <= Decimal("1")):
            errors["fte"] = "FTE must be more than 0 and at most 1."
        if self.role == Role.ASYE_SOCIAL_WORKER and not self.asye_start_date:
            errors["asye_start_date"] = "Enter the ASYE start date for an ASYE social worker."
        if errors:
            raise ValidationError(errors)


class CaseType(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    CHILD_IN_NEED = "child_in_need", "Child in need"
    CHILD_PROTECTION = "child_protection", "Child protection"
    CHILD_LOOKED_AFTER = "child_looked_after", "Child looked after"
    CARE_LEAVER = "care_leaver", "Care leaver"


class Case(TrackedModel):
    reference = models.CharField(max_length=40, unique=True)
    label = models.CharField(max_length=12, help_text="Initials only, never a child's full name.")
    case_type = models.CharField(max_length=30, choices=CaseType.choices)
    allocated_worker = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    is_duty = models.BooleanField("Duty", default=False)
    opened_on = models.DateField(validators=[validate_plausible_date])
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["reference"]
        indexes = [
            # A worker's open cases, counted from the index alone (caseload figures).
            models.Index(
                fields=["allocated_worker", "closed_on", "opened_on", "is_duty"],
                name="case_worker_open_covering",
            ),
            models.Index(fields=["team", "closed_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.label})"

    def clean(self) -> None:
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": "The closing date must be on or after opening."})


class AbsenceType(models.TextChoices):
    SICKNESS = "sickness", "Sickness"
    LONG_TERM_SICKNESS = "long_term_sickness", "Long-term sickness"
    PARENTAL_LEAVE = "parental_leave", "Maternity, paternity or adoption leave"
    ANNUAL_LEAVE = "annual_leave", "Annual leave"
    SECONDMENT = "secondment", "Secondment"
    SUSPENSION = "suspension", "Suspension"
    OTHER = "other", "Other"


def non_excusing_absence_types() -> list[str]:
    """The absence types that do not excuse supervision (configuration; annual leave)."""
    return cast(list[str], settings.OVERSIGHT["NON_EXCUSING_ABSENCE_TYPES"])


def absence_type_excuses(absence_type: str) -> bool:
    """Whether this type of absence excuses supervision (configurable; all but annual leave)."""
    return absence_type not in non_excusing_absence_types()


class Absence(TrackedModel):
    """A period away from work. Its type and notes are health data (DESIGN §5)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="absences")
    absence_type = models.CharField("Type", max_length=30, choices=AbsenceType.choices)
    start_date = models.DateField(validators=[validate_plausible_date])
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty if open-ended.")
    excuses_supervision = models.BooleanField(default=True)
    notes = models.TextField(blank=True, validators=[validate_text_length])

    # Fields that only the person, their line-management chain and business support may read.
    RESTRICTED_FIELDS = ("absence_type", "notes")

    class Meta:
        ordering = ["-start_date"]
        indexes = [
            models.Index(fields=["staff", "start_date", "end_date"]),
            # Everyone's absences overlapping a period (a directorate's figures), read from
            # the index alone: most absences ended before the period starts.
            models.Index(
                fields=["end_date", "start_date", "staff", "absence_type", "excuses_supervision"],
                name="absence_period_covering",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="absence_ends_after_starting",
            )
        ]

    def __str__(self) -> str:
        return f"Absence of {self.staff} from {self.start_date:%d %b %Y}"

    def covers(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})


class AccessLogEntry(models.Model):
    """Who viewed or exported which record, and when. Append-only; never edited."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    action = models.CharField(max_length=10, choices=Action.choices)
    kind = models.CharField(max_length=60)
    object_id = models.CharField(max_length=60, blank=True)
    subject = models.ForeignKey(
        StaffMember,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The staff member the record is about, for scoping who may read the log.",
    )
    description = models.CharField(max_length=255, blank=True)
    via = models.CharField(max_length=10, default="web")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["kind", "object_id"])]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.user} {self.get_action_display().lower()} {self.kind} {self.object_id}"


class AccessLogItem(models.Model):
    """A record named by a list's line in the access log: a list of 100 supervision records
    is one line naming 100 records, and each record's own log finds it."""

    entry = models.ForeignKey(AccessLogEntry, on_delete=models.CASCADE, related_name="items")
    object_id = models.CharField(max_length=60)

    class Meta:
        indexes = [models.Index(fields=["object_id", "entry"])]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.object_id}"


class Notification(TrackedModel):
    """A notice to one person: a subject line and a link, never note text or health data
    (DESIGN §4.7). Shown in the header's count and on the Notifications page; e-mailed too."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=60, help_text="What the notice is about, e.g. role-changed.")
    subject = models.CharField(max_length=200)
    url = models.CharField("Link", max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class Reminder(TrackedModel):
    """That one reminder was sent: to this person, about this record, at this stage (e.g. a
    record awaiting a signature, then again once late). Each is sent once (DESIGN §4.7), so
    `send_reminders` can run any number of times a day."""

    kind = models.CharField(max_length=60)
    stage = models.CharField(max_length=40)
    subject_kind = models.CharField(max_length=100, help_text="The record's model, app.model.")
    subject_id = models.PositiveBigIntegerField()
    recipient = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField()

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stage", "subject_kind", "subject_id", "recipient"],
                name="reminder_once_per_subject_and_stage",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.stage}) for {self.subject_kind} {self.subject_id}"
