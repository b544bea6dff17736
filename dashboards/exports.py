"""Workbook builders: the figures a group manager takes to the performance board (DESIGN §9).

Each builder reads through the same selectors as the dashboard pages — so a workbook
reconciles with the screen at the moment it was produced, which its About sheet states — and
writes with `dashboards.xlsx` (write-only, typed cells, RAG fills, user text neutralised).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db.models import Q
from django.utils import timezone

from dashboards.caseloads import caseload_threshold, caseloads_by_team, worker_caseloads
from dashboards.compliance import (
    Month,
    Outcome,
    Tally,
    WorkerMonth,
    monthly_compliance,
    needs_supervision_q,
)
from dashboards.decision_metrics import DecisionFigures, decision_figures
from dashboards.metrics import Rag
from dashboards.scope import Scope
from dashboards.xlsx import Colour, Column, Kind, Styled, WorkbookWriter
from decisions.drift import REASONS as DRIFT_REASONS
from decisions.drift import DriftRow, drift_rows, drift_working_days
from oversight import access
from oversight.access import UserLike
from oversight.models import (
    AbsenceType,
    EmploymentType,
    Role,
    StaffMember,
    Team,
    non_excusing_absence_types,
)
from supervision.models import NotHeldReason
from supervision.selectors import WorkerStatus, load_policy_book, supervision_status

Progress = Callable[[int], None]

NO_WORKERS = "No workers in this scope"

ROLE_LABELS = dict(Role.choices)
EMPLOYMENT_LABELS = dict(EmploymentType.choices)
NOT_HELD_LABELS = dict(NotHeldReason.choices)

OUTCOME_COLOURS = {
    Outcome.COMPLIANT: Colour.GREEN,
    Outcome.NOT_COMPLIANT: Colour.RED,
    Outcome.EXCUSED: Colour.GREY,
    Outcome.NOT_EXPECTED: None,
}


def _share_words(share: Decimal) -> str:
    return "half" if share == Decimal("0.5") else f"{share * 100:.0f} %"


def _non_excusing_words() -> str:
    labels = dict(AbsenceType.choices)
    names = [str(labels.get(code, code)).lower() for code in non_excusing_absence_types()]
    if not names:
        return "every absence type"
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"every absence type but {listed}"


def compliance_definitions(*, excusing_share: Decimal) -> list[tuple[str, str]]:
    """How each figure is computed, in the words of DESIGN §4.2 (shown on every About sheet),
    with the configured values — which absences excuse, what share of a month excuses it,
    the amber band — read from configuration rather than spelled here."""
    band = Rag.AMBER_BAND * 100
    return [
        (
            "Who counts",
            "Every worker in the scope who needs supervision (everyone with a supervisor "
            "named, and practitioners and assistant team managers still waiting for one) and "
            "was in post during the month.",
        ),
        (
            "Excused",
            f"Excusing absence ({_non_excusing_words()}) covers at least "
            f"{_share_words(excusing_share)} of the month's working days (a day two absences "
            "overlap counts once); or a session that month was recorded as not held because "
            "the worker was absent. Excused workers are left out of the rate, with their "
            "reason: the absence type covering most of those days.",
        ),
        *((name, _FIXED_DEFINITIONS[name]) for name in ("Not expected", "Expected", "Compliant")),
        (
            "Rate",
            f"Compliant ÷ expected. Green at or above the target, amber within {band:.0f} "
            "percentage points below it, red further below; empty when nobody was expected.",
        ),
        *(
            (name, _FIXED_DEFINITIONS[name])
            for name in ("Held", "Short", "Signed in time", "Not held")
        ),
    ]


# The definitions whose words hold no configured value (see `compliance_definitions`).
_FIXED_DEFINITIONS: dict[str, str] = dict(
    [
        (
            "Not expected",
            "The worker's time in post during the month is shorter than one supervision interval "
            "(e.g. they started late in the month). Left out of the rate.",
        ),
        ("Expected", "Every other worker who counts that month."),
        (
            "Compliant",
            "An expected worker is compliant when the sessions held in the month are at least the "
            "number the policy requires: the days in post during the month divided by the interval "
            "in force at the end of that time, rounded down (1 for a 28-day interval over a whole "
            "month, 2 for 14 days, 4 for 7 days). Past months are judged by the policy in force "
            "then.",
        ),
        ("Held", "Sessions held (or held and signed) in the month."),
        (
            "Short",
            "Held sessions shorter than the policy's minimum length: they still count, and are "
            "reported here.",
        ),
        ("Signed in time", "Held sessions whose record was signed within 5 working days."),
        ("Not held", "Sessions recorded as not held, counted by the reason given."),
    ]
)

STATUS_DEFINITION = (
    "Status now",
    "The next supervision is due one interval after the last one held (or after the start "
    "date for someone never supervised). Excusing absence pauses the clock. Someone away today "
    "is excused; past the due date is overdue; within a week of it is due soon; otherwise in "
    "time; a worker with nobody named as supervisor has no supervisor.",
)
NOT_YET_AVAILABLE = (
    "Training figures will be added to this workbook when the training module is in use. "
    "No figures are shown for it yet."
)
DECISIONS_DEFINITION = (
    "Signed management decision records (MDRs) on the scope's cases, by the team the case "
    "belongs to and the month the decision was made. A contact decision is in time when it "
    "was made within 1 working day of the contact being received; the rate is in-time "
    "contact decisions ÷ contact decisions made that month. Drafts are not counted."
)
DRIFT_DEFINITION = (
    "Open cases today with no MDR, supervision case discussion or informal discussion for "
    "more than {days} working days, past their MDR review date, with overdue MDR tasks, or "
    "whose Signs of Safety scaling fell at each of the last two discussions. Case "
    "references and labels only."
)
HANDLING = (
    "This workbook contains personal information about staff. Keep it and share it under the "
    "council's information governance policy, and delete it when it is no longer needed."
)

ABOUT_COLUMNS = [Column("Item", width=26), Column("Detail", Kind.AUTO, width=110)]


@dataclass(frozen=True)
class ExportResult:
    rows: int  # data rows written across all sheets


def _no_progress(_percent: int) -> None:
    return None


RAG_COLOURS = {Rag.GREEN: Colour.GREEN, Rag.AMBER: Colour.YELLOW, Rag.RED: Colour.RED}


def rate_colour(rate: Decimal | None, target: Decimal) -> str | None:
    """The page's RAG band (`metrics.Rag`) as a workbook fill: the same colours on both."""
    return RAG_COLOURS.get(Rag.of(rate, target))


def period_words(months: Sequence[Month]) -> str:
    first, last = months[0], months[-1]
    count = len(months)
    span = f"{first.first:%B %Y}" if first == last else f"{first.first:%B %Y} to {last.first:%B %Y}"
    return f"{span} ({count} month{'s' if count != 1 else ''})"


def estimated_rows(user: UserLike, scope: Scope, months: Sequence[Month]) -> int:
    """Worker-months a performance workbook will hold (one count query): how the view decides
    between building while the browser waits and building in the background."""
    first, last = months[0].first, months[-1].last
    workers = (
        scope.staff(user)
        .filter(needs_supervision_q())
        .filter(start_date__lte=last)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=first))
        .count()
    )
    return workers * len(months)


def performance_filename(scope: Scope, months: Sequence[Month]) -> str:
    scope_part = scope.key.replace(":", "-")
    return f"oversight-performance-{scope_part}-{months[0]}-{months[-1]}.xlsx"


def status_filename(scope: Scope, today: datetime.date) -> str:
    return f"oversight-supervision-status-{scope.key.replace(':', '-')}-{today:%Y-%m-%d}.xlsx"


def _producer(user: UserLike) -> str:
    me = access.staff_for(user)
    if me is not None:
        return f"{me.full_name} ({ROLE_LABELS.get(me.role, me.role)})"
    return str(getattr(user, "get_username", lambda: "")())


def _as_at() -> datetime.datetime:
    return timezone.localtime(timezone.now())


# --- the performance workbook ---------------------------------------------------------------


def performance_workbook(
    user: UserLike,
    scope: Scope,
    months: Sequence[Month],
    today: datetime.date,
    out: IO[bytes],
    *,
    progress: Progress = _no_progress,
) -> ExportResult:
    """The performance workbook for `scope` over `months`, written to `out`: About, Summary by
    team and month, Workers, Not held, Caseloads, Caseloads by team and Decisions. Every
    figure is read as `user` may read it."""
    as_at = _as_at()
    staff = scope.staff(user)
    report = monthly_compliance(user, staff, months, today=today)
    statuses = {status.staff.pk: status for status in supervision_status(user, staff, today=today)}
    caseloads = worker_caseloads(staff, today=today)
    cases = scope.cases(user)
    decisions = decision_figures(cases, list(months), today=today)
    progress(10)

    book = WorkbookWriter(title=f"Supervision performance: {scope.label}")
    target = report.targets[months[-1]]
    about = book.sheet("About", ABOUT_COLUMNS)
    about.extend(
        [
            ("Workbook", "Supervision performance"),
            ("Scope", scope.label),
            ("Period", period_words(months)),
            ("From", Styled(months[0].first, kind=Kind.MONTH)),
            ("To", Styled(months[-1].first, kind=Kind.MONTH)),
            ("As at", as_at),
            (
                "Reconciles with",
                "The dashboard at the moment above: every figure is computed live from the "
                "records, none from an overnight copy.",
            ),
            ("Target", Styled(target, kind=Kind.PERCENT)),
            ("Caseload threshold", caseload_threshold()),
            ("Produced by", _producer(user)),
            ("Workers", len({row.staff_id for row in report.rows}) or NO_WORKERS),
            *compliance_definitions(
                excusing_share=load_policy_book().version_on(months[-1].last).excusing_threshold
            ),
            STATUS_DEFINITION,
            (
                "Caseloads",
                "Open cases allocated to each case-holding worker in post today, the duty "
                "cases among them, and open cases per FTE. Per team: the median and maximum "
                "open cases and how many workers are above the caseload threshold, with duty "
                "workers (those holding duty cases) also shown apart.",
            ),
            ("Decisions", DECISIONS_DEFINITION),
            ("Tasks overdue today", decisions.tasks_overdue),
            ("Escalations past their response date", decisions.escalations_overdue_total),
            ("Drift", DRIFT_DEFINITION.format(days=drift_working_days())),
            ("Training", NOT_YET_AVAILABLE),
            ("Handling", HANDLING),
        ]
    )

    _summary_sheet(book, report.rows, report.targets)
    progress(20)
    _workers_sheet(book, report.rows, months, statuses, today, progress)
    _not_held_sheet(book, report.rows)
    _caseload_sheets(book, caseloads)
    _decisions_sheet(book, decisions)
    _drift_sheet(book, drift_rows(cases, today))
    progress(95)
    book.save(out)
    progress(100)
    return ExportResult(rows=sum(sheet.rows for sheet in book.sheets))


DECISION_COLUMNS = [
    Column("Team", width=28),
    Column("Month", Kind.MONTH, width=11),
    Column("MDRs signed", Kind.INT, width=12),
    Column("Contact decisions", Kind.INT, width=12),
    Column("Within 1 working day", Kind.INT, width=14),
    Column("Rate", Kind.PERCENT, width=8),
]
DRIFT_COLUMNS = [
    Column("Case", width=16),
    Column("Label", width=10),
    Column("Team", width=28),
    *(Column(label, width=16) for label in DRIFT_REASONS.values()),
]


def _decisions_sheet(book: WorkbookWriter, figures: DecisionFigures) -> None:
    sheet = book.sheet("Decisions", DECISION_COLUMNS)
    if not figures.by_team_month:
        sheet.note("No management decisions were signed on these cases in the period.")
        return
    for row in figures.by_team_month:
        sheet.append(
            (
                row.team,
                row.month.first,
                row.decisions,
                row.contact.met,
                row.contact.in_time,
                row.contact.rate,
            )
        )


def _drift_sheet(book: WorkbookWriter, rows: Sequence[DriftRow]) -> None:
    sheet = book.sheet("Drift", DRIFT_COLUMNS)
    if not rows:
        sheet.note("No open case is drifting today.")
        return
    for row in sorted(rows, key=lambda r: (r.case.team.name, r.case.reference)):
        sheet.append(
            (
                row.case.reference,
                row.case.label,
                row.case.team.name,
                *("Yes" if reason in row.reasons else "" for reason in DRIFT_REASONS),
            )
        )


SUMMARY_COLUMNS = [
    Column("Team", width=28),
    Column("Service", width=28),
    Column("Month", Kind.MONTH, width=11),
    Column("Expected", Kind.INT, width=10),
    Column("Compliant", Kind.INT, width=11),
    Column("Rate", Kind.PERCENT, width=8, styled=True),
    Column("Target", Kind.PERCENT, width=8),
    Column("Excused", Kind.INT, width=9),
    Column("Excused reasons", width=50),
    Column("Not expected", Kind.INT, width=9),
    Column("Held", Kind.INT, width=8),
    Column("Short", Kind.INT, width=8),
    Column("Signed in time", Kind.INT, width=9),
]


def _group(rows: Sequence[WorkerMonth]) -> dict[tuple[str, str, int | None, Month], Tally]:
    """Tallies by (service, team, team id, month), in that order, from one pass over rows."""
    tallies: dict[tuple[str, str, int | None, Month], Tally] = defaultdict(Tally)
    for row in rows:
        tallies[(row.service, row.team, row.team_id, row.month)].add(row)
    return dict(sorted(tallies.items(), key=lambda item: (item[0][0], item[0][1], item[0][3])))


def _summary_sheet(
    book: WorkbookWriter, rows: Sequence[WorkerMonth], targets: dict[Month, Decimal]
) -> None:
    sheet = book.sheet("Summary by team and month", SUMMARY_COLUMNS)
    if not rows:
        sheet.note(NO_WORKERS)
        return
    for (service, team, _team_id, month), tally in _group(rows).items():
        target = targets[month]
        rate = tally.rate
        sheet.append(
            (
                team,
                service,
                month.first,
                tally.expected,
                tally.compliant,
                Styled(rate, rate_colour(rate, target)),
                target,
                tally.excused,
                tally.excused_summary() if tally.excused else "",
                tally.not_expected,
                tally.held,
                tally.short,
                tally.signed_in_time,
            )
        )


def _outcome_cell(row: WorkerMonth | None) -> Styled | None:
    if row is None:
        return None  # not in post that month
    label = row.outcome.label
    if row.outcome is Outcome.EXCUSED and row.excuse_reason:
        label = f"{label} ({row.excuse_reason})"
    return Styled(label, OUTCOME_COLOURS[row.outcome])


def _workers_sheet(
    book: WorkbookWriter,
    rows: Sequence[WorkerMonth],
    months: Sequence[Month],
    statuses: dict[int, WorkerStatus],
    today: datetime.date,
    progress: Progress,
) -> None:
    columns = [
        Column("Name", width=26),
        Column("Team", width=24),
        Column("Service", width=24),
        Column("Role", width=22),
        Column("Employment type", width=12),
        Column(f"Status now ({today:%d %b %Y})", width=14, styled=True),
        Column("Due date", Kind.DATE, width=12),
        Column("Last session", Kind.DATE, width=12),
        *(Column(month.label, width=16, styled=True) for month in months),
    ]
    sheet = book.sheet("Workers", columns)
    if not rows:
        sheet.note(NO_WORKERS)
        return
    by_worker: dict[int, dict[Month, WorkerMonth]] = {}
    for row in rows:  # already in service, team, name order
        by_worker.setdefault(row.staff_id, {})[row.month] = row
    total = len(by_worker)
    step = max(total // 20, 1)
    for done, worker_months in enumerate(by_worker.values(), 1):
        first = next(iter(worker_months.values()))
        status = statuses.get(first.staff_id)
        sheet.append(
            (
                first.name,
                first.team,
                first.service,
                ROLE_LABELS.get(first.role, first.role),
                EMPLOYMENT_LABELS.get(first.employment_type, first.employment_type),
                Styled(status.status.label, status.status.tag_colour) if status else None,
                status.due_date if status else None,
                status.last_held_on if status else None,
                *(_outcome_cell(worker_months.get(month)) for month in months),
            )
        )
        if done % step == 0:
            progress(20 + 65 * done // total)


def _not_held_sheet(book: WorkbookWriter, rows: Sequence[WorkerMonth]) -> None:
    sheet = book.sheet(
        "Not held",
        [
            Column("Team", width=28),
            Column("Service", width=28),
            Column("Month", Kind.MONTH, width=11),
            Column("Reason", width=36),
            Column("Sessions", Kind.INT, width=10),
        ],
    )
    if not rows:
        sheet.note(NO_WORKERS)
        return
    for (service, team, _team_id, month), tally in _group(rows).items():
        for reason, count in sorted(tally.not_held.items()):
            sheet.append((team, service, month.first, NOT_HELD_LABELS.get(reason, reason), count))


def _caseload_sheets(book: WorkbookWriter, caseloads: Sequence[Any]) -> None:
    threshold = caseload_threshold()
    workers = book.sheet(
        "Caseloads",
        [
            Column("Name", width=26),
            Column("Team", width=24),
            Column("Service", width=24),
            Column("Role", width=22),
            Column("Employment type", width=12),
            Column("FTE", Kind.DECIMAL, width=7),
            Column("Open cases", Kind.INT, width=10, styled=True),
            Column("Duty cases", Kind.INT, width=10),
            Column("Open cases per FTE", Kind.DECIMAL, width=10),
            Column("Duty worker", width=8),
        ],
    )
    teams = book.sheet(
        "Caseloads by team",
        [
            Column("Team", width=28),
            Column("Service", width=28),
            Column("Workers", width=16),
            Column("Number of workers", Kind.INT, width=10),
            Column("Median open cases", Kind.DECIMAL, width=10),
            Column("Most open cases", Kind.INT, width=10),
            Column(f"Above {threshold} open cases", Kind.INT, width=12, styled=True),
        ],
    )
    if not caseloads:
        workers.note(NO_WORKERS)
        teams.note(NO_WORKERS)
        return
    for row in caseloads:
        workers.append(
            (
                row.name,
                row.team,
                row.service,
                ROLE_LABELS.get(row.role, row.role),
                EMPLOYMENT_LABELS.get(row.employment_type, row.employment_type),
                row.fte,
                Styled(row.open_cases, Colour.RED if row.open_cases > threshold else None),
                row.duty_cases,
                row.per_fte,
                "Yes" if row.is_duty_worker else "No",
            )
        )
    for team in caseloads_by_team(list(caseloads)):
        for label, duty in (
            ("All workers", None),
            ("Duty workers", True),
            ("Other workers", False),
        ):
            spread = team.spread(duty=duty)
            if duty is not None and not spread.workers:
                continue
            teams.append(
                (
                    team.team,
                    team.service,
                    label,
                    spread.workers,
                    spread.median,
                    spread.maximum,
                    Styled(spread.above_threshold, Colour.RED if spread.above_threshold else None),
                )
            )


# --- the supervision status workbook ----------------------------------------------------------

STATUS_COLUMNS = [
    Column("Name", width=26),
    Column("Team", width=24),
    Column("Service", width=24),
    Column("Role", width=22),
    Column("Employment type", width=12),
    Column("Supervisor", width=26),
    Column("Status", width=14, styled=True),
    Column("Due date", Kind.DATE, width=12),
    Column("Days until due", Kind.INT, width=9),
    Column("Last session", Kind.DATE, width=12),
    Column("Interval (days)", Kind.INT, width=9),
    Column("Open actions", Kind.INT, width=9),
    Column("Informal discussions waiting", Kind.INT, width=12),
]


def supervision_status_workbook(
    user: UserLike,
    scope: Scope,
    today: datetime.date,
    out: IO[bytes],
    *,
    progress: Progress = _no_progress,
) -> ExportResult:
    """Where each worker's supervision stands today, for everyone in `scope` whose supervision
    `user` may follow, written to `out`: About and Supervision status."""
    as_at = _as_at()
    statuses = supervision_status(user, scope.staff(user), today=today)
    team_ids = {status.staff.team_id for status in statuses if status.staff.team_id}
    services = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "service__name"))
    # A supervisor is named only to a reader who may see them (a team manager's own line
    # manager, for one, is outside their directory).
    supervisor_ids = {status.staff.supervisor_id for status in statuses}
    visible_supervisors = set(
        access.visible_to(user, StaffMember.objects.filter(pk__in=supervisor_ids)).values_list(
            "pk", flat=True
        )
    )
    progress(30)

    book = WorkbookWriter(title=f"Supervision status: {scope.label}")
    about = book.sheet("About", ABOUT_COLUMNS)
    about.extend(
        [
            ("Workbook", "Supervision status now"),
            ("Scope", scope.label),
            ("As at", as_at),
            ("Produced by", _producer(user)),
            ("Workers", len(statuses) or NO_WORKERS),
            STATUS_DEFINITION,
            ("Handling", HANDLING),
        ]
    )
    sheet = book.sheet("Supervision status", STATUS_COLUMNS)
    if not statuses:
        sheet.note(NO_WORKERS)
    ordered = sorted(
        statuses,
        key=lambda s: (
            services.get(s.staff.team_id, "") if s.staff.team_id else "",
            s.staff.team.name if s.staff.team else "",
            s.staff.last_name,
            s.staff.first_name,
        ),
    )
    for status in ordered:
        staff = status.staff
        sheet.append(
            (
                staff.full_name,
                staff.team.name if staff.team else "No team",
                services.get(staff.team_id, "") if staff.team_id else "",
                ROLE_LABELS.get(staff.role, staff.role),
                EMPLOYMENT_LABELS.get(staff.employment_type, staff.employment_type),
                staff.supervisor.full_name
                if staff.supervisor and staff.supervisor_id in visible_supervisors
                else "",
                Styled(status.status.label, status.status.tag_colour),
                status.due_date,
                status.days_until_due,
                status.last_held_on,
                status.interval_days,
                status.open_actions,
                status.informal_waiting,
            )
        )
    progress(90)
    book.save(out)
    progress(100)
    return ExportResult(rows=sum(s.rows for s in book.sheets))
