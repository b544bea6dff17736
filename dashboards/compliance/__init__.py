"""Monthly supervision compliance (DESIGN §4.2), for any scope and run of months.

For calendar month M, every worker who needs supervision and was in post during M is:

- **not expected** when their time in post during M is shorter than one interval;
- **excused** when excusing absence covers at least the policy's share (half, by default) of
  M's working days, or when a session in M was recorded *not held — worker absent* and the
  sessions held did not meet the requirement;
- otherwise **expected**, and **compliant** when the sessions held in M are at least the days
  in post during M divided by the interval in force on the last of those days, rounded down.

Sessions shorter than the policy's minimum still count and are reported as short.

`judge_month` states the rule for one worker and one month. A directorate has tens of
thousands of workers, so `monthly_compliance` applies the same rule to every worker × month at
once, as numpy arrays. The data comes from a fixed handful of queries whatever the size of the
scope — the workers, team names, sessions (one small number each), excusing absences (with
whether the reader may see their type), the policy — and the rule is then array arithmetic.
The figures by month, team or scope are sums over those arrays; a `WorkerMonth` per row is
built only when someone asks for the rows.

The package, by job:

- `months` — `Month`, `MonthError` and `month_range`: the periods asked for;
- `rule` — `judge_month`, the rule for one worker and one month as it reads (the reference),
  with `Outcome`, `Worker` and `WorkerMonth`;
- `loading` — the data, from a fixed handful of queries, as numpy arrays (the numbers of each
  query packed into one text value that numpy parses);
- `engine` — `judge_all`, the same rule over every worker × month at once;
- `report` — `ComplianceReport` (what the dashboards, API and exports read) and `Tally`.

`monthly_compliance`, which joins them, lives here; `LARGE_SCOPE` is its one setting. Why
compliance is computed this way: `docs/decisions/0001-compliance-engine.md`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import F, Q, QuerySet

from dashboards.compliance.engine import judge_all, working_day_calendar, working_days
from dashboards.compliance.loading import load_absences, load_sessions, load_staff, read_numbers
from dashboards.compliance.months import Month, MonthError, month_range
from dashboards.compliance.report import ComplianceReport, Tally
from dashboards.compliance.rule import Outcome, Worker, WorkerMonth, judge_month
from oversight import access
from oversight.access import Purpose, UserLike
from oversight.models import StaffMember
from supervision.selectors import load_policy_book, needs_supervision_q

__all__ = [
    "LARGE_SCOPE",
    "ComplianceReport",
    "Month",
    "MonthError",
    "Outcome",
    "Tally",
    "Worker",
    "WorkerMonth",
    "judge_month",
    "month_range",
    "monthly_compliance",
    "needs_supervision_q",
    "performance_staff",
    "working_day_calendar",
    "working_days",
]


def performance_staff(user: UserLike) -> QuerySet[StaffMember]:
    """The staff whose figures `user` may read in dashboards and exports."""
    return StaffMember.objects.filter(access.staff_scope_q(user, Purpose.PERFORMANCE))


def monthly_compliance(
    user: UserLike,
    staff: QuerySet[StaffMember],
    months: Sequence[Month],
    *,
    today: datetime.date,
) -> ComplianceReport:
    """Compliance for every worker of `staff` the user may read, for each of `months`."""
    first, last = months[0].first, months[-1].last
    scoped = (
        staff.filter(access.staff_scope_q(user, Purpose.PERFORMANCE))
        .filter(needs_supervision_q())
        .filter(start_date__lte=last)
        .filter(Q(leaving_date__isnull=True) | Q(leaving_date__gte=first))
    )
    workers = load_staff(scoped)
    # Absence types are health data: only those line-managing a worker may read them.
    line_managed = read_numbers(
        scoped.filter(access.staff_scope_q(user, Purpose.LINE_MANAGEMENT)), n_pk=F("pk")
    )[:, 0]
    # Whose sessions and absences to read. For a large scope, everyone's in the period, kept
    # only for the scope's workers when judged (`Staff.index_of`): one pass along the date
    # index instead of a search per worker, several times faster for a directorate.
    worker_ids = scoped.values("pk") if len(workers) <= LARGE_SCOPE else None
    sessions = load_sessions(worker_ids, first, last)
    absences = load_absences(worker_ids, first, last, line_managed=line_managed)
    book = load_policy_book()
    cells = judge_all(workers, months, sessions, absences, book, today)
    targets = {month: book.version_on(month.last).target_rate for month in months}
    return ComplianceReport(months, targets, workers, cells)


# Workers in scope above which sessions and absences are read by date alone (see above).
LARGE_SCOPE = 3000
