"""The vectorised monthly compliance agrees with the plain rule, row for row.

`judge_month` states the monthly rule of DESIGN §4.2 for one worker and one month;
`monthly_compliance` applies it to every worker × month at once with numpy. Here a seeded,
varied world (teams and no team, ASYE workers, part-month starters and leavers, excusing
absences of every kind including open-ended ones and ones on the excusing threshold, sessions
held, signed, short, not held for every reason, policy versions changing mid-period) is judged
both ways and the two must give the same rows. Rows are compared keyed by (staff id, month),
never by position: SQLite and PostgreSQL sort a worker with no team differently.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter, defaultdict
from decimal import Decimal

import numpy as np
import pytest

from dashboards import compliance
from dashboards.compliance import (
    Month,
    Outcome,
    Tally,
    WorkerMonth,
    judge_month,
    month_range,
    monthly_compliance,
)
from dashboards.compliance import Worker as _Worker
from dashboards.compliance import working_day_calendar as _calendar
from dashboards.compliance import working_days as _working_days
from oversight.access import Purpose, staff_scope_q
from oversight.models import Absence, AbsenceType, EmploymentType, Role, StaffMember
from oversight.workdays import is_working_day, working_days_between
from oversight.workdays import weekday_bank_holidays as _weekday_bank_holidays
from supervision.models import NotHeldReason, PolicyVariant, SessionStatus, SupervisionSession
from supervision.policy import PolicyBook
from supervision.selectors import load_policy_book, needs_supervision_q
from supervision.services import policy_create_from_variant
from tests.factories import ServiceFactory, StaffFactory, TeamFactory, UserFactory
from tests.supervision.factories import PolicyFactory, PolicyRuleFactory

SEED = 20260315
MONTHS = month_range(Month(2025, 1), Month(2026, 2))  # 14 months, across a year end
FIRST, LAST = MONTHS[0].first, MONTHS[-1].last
TODAY = datetime.date(2025, 11, 19)  # open-ended absences run to here, not to the period end
DAY = datetime.timedelta(days=1)

# The policy versions the world is judged by (the shipped default, from 2000, comes first).
ASYE_FRAMEWORK_FROM = datetime.date(2025, 5, 1)
LOCAL_FROM = datetime.date(2025, 9, 15)  # mid-month: leavers before the 15th keep the old one
STRICT_FROM = datetime.date(2026, 1, 1)
THRESHOLDS = {
    datetime.date(2000, 1, 1): Decimal("0.50"),
    ASYE_FRAMEWORK_FROM: Decimal("0.50"),
    LOCAL_FROM: Decimal("0.40"),
    STRICT_FROM: Decimal("0.67"),
}

WORKER_ROLES = [
    Role.SOCIAL_WORKER,
    Role.ASYE_SOCIAL_WORKER,
    Role.SENIOR_PRACTITIONER,
    Role.ADVANCED_PRACTITIONER,
    Role.ASSISTANT_TEAM_MANAGER,
    Role.BUSINESS_SUPPORT,  # needs supervision only when someone is named as supervisor
]
NOT_HELD_REASONS = [*NotHeldReason.values, ""]  # "": a record with no reason given


def _random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _threshold_on(day: datetime.date) -> Decimal:
    return THRESHOLDS[max(start for start in THRESHOLDS if start <= day)]


def _spanning_working_days(start: datetime.date, n: int) -> datetime.date:
    """The day on which `n` working days from `start` (inclusive) have passed."""
    day, seen = start - DAY, 0
    while seen < n:
        day += DAY
        seen += is_working_day(day)
    return day


def _publish_policies() -> None:
    """Three versions after the shipped default: the ASYE framework; a local version with role
    rules and a lower threshold but no rule for everyone else (others fall back to the shipped
    default); and a strict one with an uneven threshold."""
    policy_create_from_variant(
        variant=PolicyVariant.ASYE_FRAMEWORK, effective_from=ASYE_FRAMEWORK_FROM, actor=None
    )
    local = PolicyFactory(effective_from=LOCAL_FROM, excusing_threshold=THRESHOLDS[LOCAL_FROM])
    PolicyRuleFactory(policy=local, asye_week_from=1, asye_week_to=12, interval_days=10)
    PolicyRuleFactory(policy=local, role=Role.ASSISTANT_TEAM_MANAGER, interval_days=21)
    PolicyRuleFactory(policy=local, role=Role.SENIOR_PRACTITIONER, interval_days=42)
    strict = PolicyFactory(effective_from=STRICT_FROM, excusing_threshold=THRESHOLDS[STRICT_FROM])
    PolicyRuleFactory(policy=strict, asye_week_from=1, asye_week_to=None, interval_days=7)
    PolicyRuleFactory(policy=strict, role=Role.SOCIAL_WORKER, interval_days=14)
    PolicyRuleFactory(policy=strict, interval_days=30)


def _absences_for(rng: random.Random, staff: StaffMember) -> list[Absence]:
    absences: list[Absence] = []
    starts: set[datetime.date] = set()  # one start per day: ties in type stay well defined
    for _ in range(rng.choices([0, 1, 2, 3, 4], weights=[2, 3, 3, 2, 1])[0]):
        kind = rng.choices(
            ["short", "long", "open", "threshold", "annual"], weights=[3, 2, 1, 4, 1]
        )[0]
        absence_type = rng.choice([t for t in AbsenceType.values if t != AbsenceType.ANNUAL_LEAVE])
        excuses = True
        if kind == "threshold":
            # Exactly the working days that excuse the month, or one fewer.
            month = rng.choice(MONTHS)
            need = math.ceil(_threshold_on(month.last) * month.working_days)
            start = _spanning_working_days(month.first, rng.randint(1, 3))
            end = _spanning_working_days(start, need - rng.choice([0, 1]))
        elif kind == "open":
            start = _random_day(rng, FIRST - 60 * DAY, LAST)  # some start after "today"
            end = None
        elif kind == "long":
            start = _random_day(rng, FIRST - 90 * DAY, LAST)
            end = start + rng.randint(20, 150) * DAY
        else:
            start = _random_day(rng, FIRST - 10 * DAY, LAST + 10 * DAY)
            end = start + rng.randint(0, 12) * DAY
            if kind == "annual":
                absence_type = AbsenceType.ANNUAL_LEAVE
                excuses = rng.random() < 0.2  # configurable per type
            else:
                excuses = rng.random() < 0.9
        if start in starts:
            continue
        starts.add(start)
        absences.append(
            Absence(
                staff=staff,
                absence_type=absence_type,
                start_date=start,
                end_date=end,
                excuses_supervision=excuses,
            )
        )
    return absences


def _sessions_for(
    rng: random.Random, staff: StaffMember, fallback_supervisor: StaffMember
) -> list[SupervisionSession]:
    sessions = []
    for month in [MONTHS[0].previous(), *MONTHS, MONTHS[-1].next()]:
        for _ in range(rng.choices([0, 1, 2, 3, 4], weights=[3, 5, 3, 1, 0.5])[0]):
            status = rng.choices(
                [
                    SessionStatus.HELD,
                    SessionStatus.SIGNED,
                    SessionStatus.NOT_HELD,
                    SessionStatus.CANCELLED,
                    SessionStatus.IN_PROGRESS,
                ],
                weights=[9, 5, 4, 1, 1],
            )[0]
            reason = ""
            if status == SessionStatus.NOT_HELD:
                reason = rng.choice([NotHeldReason.WORKER_ABSENT, *NOT_HELD_REASONS])
            sessions.append(
                SupervisionSession(
                    supervisee=staff,
                    supervisor=staff.supervisor or fallback_supervisor,
                    status=status,
                    held_on=_random_day(rng, month.first, month.last),
                    not_held_reason=reason,
                    is_short=rng.random() < 0.25,
                    signed_on_time=rng.choice([True, True, False, None]),
                )
            )
    return sessions


def _fixed_cases(tm: StaffMember, ad: StaffMember) -> list[Absence]:
    """Cases the draw may miss: an ASYE start under the local version's 10-day weeks (then
    the shipped default once past week 12, then the strict version); and two absence types
    tied on working days in March 2025 (the type of the latest-starting absence names it)."""
    StaffFactory(
        user=None,
        first_name="Fresh",
        role=Role.ASYE_SOCIAL_WORKER,
        team=tm.team,
        supervisor=tm,
        start_date=datetime.date(2025, 10, 6),
        asye_start_date=datetime.date(2025, 10, 6),
    )
    tied = StaffFactory(user=None, first_name="Tied", team=None, supervisor=ad)
    return [
        Absence(
            staff=tied,
            absence_type=absence_type,
            start_date=datetime.date(2025, month, first),
            end_date=datetime.date(2025, month, last),
            excuses_supervision=True,
        )
        for absence_type, month, first, last in [
            (AbsenceType.SICKNESS, 3, 3, 14),  # 10 working days
            (AbsenceType.SECONDMENT, 3, 17, 28),  # 10 working days
            (AbsenceType.SICKNESS, 5, 5, 9),
        ]
    ]


def build_world(rng: random.Random) -> dict[str, StaffMember]:
    """Readers `ad` (all figures; absence types only of those they supervise) and `tm` (one
    team's figures), three teams, and 40 workers drawn from `rng`."""
    _publish_policies()
    ad = StaffFactory(
        role=Role.ASSISTANT_DIRECTOR,
        team=None,
        supervisor=None,
        user=UserFactory(username="ad.vectorised"),
    )
    safeguarding, parenting = ServiceFactory(name="Safeguarding"), ServiceFactory(name="Parenting")
    teams = []
    for name, service in [
        ("Riverside", safeguarding),
        ("Hillside", parenting),
        ("Moor", parenting),
    ]:
        team = TeamFactory(name=name, service=service)
        team.manager = StaffFactory(
            role=Role.TEAM_MANAGER,
            team=team,
            supervisor=ad,
            user=UserFactory(username=f"tm.{name.lower()}") if not teams else None,
            start_date=datetime.date(2018, 4, 3),
            leaving_date=datetime.date(2025, 8, 14) if name == "Moor" else None,
        )
        team.save()
        teams.append(team)
    # A manager nobody supervises: needs no supervision, so is in neither result.
    StaffFactory(role=Role.TEAM_MANAGER, team=teams[1], supervisor=None, user=None)

    absences: list[Absence] = []
    sessions: list[SupervisionSession] = []
    for n in range(40):
        team = rng.choice([*teams, None])
        role = rng.choices(WORKER_ROLES, weights=[6, 4, 2, 1, 2, 1])[0]
        if team is None:
            supervisor = rng.choice([ad, ad, None])
        else:
            supervisor = rng.choices([team.manager, ad, None], weights=[8, 1, 1])[0]
        start = rng.choices(
            [
                _random_day(rng, datetime.date(2019, 1, 1), FIRST - DAY),
                _random_day(rng, FIRST, LAST),  # part-month starters
                _random_day(rng, LAST + DAY, LAST + 60 * DAY),  # not yet in post
            ],
            weights=[10, 4, 1],
        )[0]
        leaving = None
        if rng.random() < 0.3:
            leaving = rng.choice(
                [
                    start + rng.randint(0, 500) * DAY,  # some left before the period
                    max(start, _random_day(rng, FIRST, LAST)),
                    max(start, _random_day(rng, FIRST, LAST)),
                ]
            )
        asye_start = None
        if role == Role.ASYE_SOCIAL_WORKER:
            asye_start = rng.choice(
                [start + rng.randint(0, 40) * DAY, _random_day(rng, FIRST - 200 * DAY, LAST)]
            )
        elif role == Role.SOCIAL_WORKER and rng.random() < 0.2:
            asye_start = _random_day(rng, datetime.date(2023, 9, 1), FIRST + 90 * DAY)
        staff = StaffFactory(
            user=None,
            first_name=f"W{n:02d}",
            last_name=rng.choice(["Adams", "Begum", "Clarke", "Davies"]),
            role=role,
            employment_type=rng.choice(EmploymentType.values),
            team=team,
            supervisor=supervisor,
            start_date=start,
            leaving_date=leaving,
            asye_start_date=asye_start,
        )
        absences += _absences_for(rng, staff)
        sessions += _sessions_for(rng, staff, ad)
    absences += _fixed_cases(teams[0].manager, ad)
    Absence.objects.bulk_create(absences)
    SupervisionSession.objects.bulk_create(sessions)
    return {"ad": ad, "tm": teams[0].manager}


# --- the plain rule, fed from plain queries -----------------------------------------------------

Key = tuple[int, Month]


def _worker(staff: StaffMember) -> _Worker:
    team = staff.team
    return _Worker(
        pk=staff.pk,
        name=f"{staff.first_name} {staff.last_name}",
        team_id=staff.team_id,
        team=team.name if team else "No team",
        service_id=team.service_id if team else None,
        service=team.service.name if team else "",
        role=staff.role,
        employment_type=staff.employment_type,
        start_date=staff.start_date,
        leaving_date=staff.leaving_date,
        asye_start_date=staff.asye_start_date,
    )


def judged_one_by_one(reader: StaffMember, features: Counter[str]) -> dict[Key, WorkerMonth]:
    """`judge_month` for every worker the reader may see and every month, given the worker's
    data as the report loads it: excusing absences overlapping the period (latest start
    first), and the month's sessions counted by kind."""
    user = reader.user
    book = load_policy_book()
    workers = (
        StaffMember.objects.filter(staff_scope_q(user, Purpose.PERFORMANCE))
        .filter(needs_supervision_q())
        .select_related("team__service")
    )
    line_managed = set(
        StaffMember.objects.filter(staff_scope_q(user, Purpose.LINE_MANAGEMENT)).values_list(
            "pk", flat=True
        )
    )
    absences = defaultdict(list)
    for absence in Absence.objects.filter(excuses_supervision=True):
        if absence.start_date <= LAST and (absence.end_date is None or absence.end_date >= FIRST):
            absences[absence.staff_id].append(
                (absence.start_date, absence.end_date, absence.absence_type)
            )
    counts: dict[Key, Counter[str]] = defaultdict(Counter)
    not_held: dict[Key, Counter[str]] = defaultdict(Counter)
    for session in SupervisionSession.objects.filter(held_on__gte=FIRST, held_on__lte=LAST):
        key = (session.supervisee_id, Month.of(session.held_on))
        if session.status in (SessionStatus.HELD, SessionStatus.SIGNED):
            counts[key]["held"] += 1
            counts[key]["short"] += session.is_short
            counts[key]["signed_in_time"] += session.signed_on_time is True
        elif session.status == SessionStatus.NOT_HELD:
            # A session not held with no reason given is reported as "other".
            not_held[key][session.not_held_reason or NotHeldReason.OTHER] += 1

    judged: dict[Key, WorkerMonth] = {}
    for staff in workers:
        worker = _worker(staff)
        mine = sorted(absences[staff.pk], key=lambda absence: absence[0], reverse=True)
        for month in MONTHS:
            key = (staff.pk, month)
            row = judge_month(
                worker=worker,
                month=month,
                book=book,
                absences=mine,
                held=counts[key]["held"],
                short=counts[key]["short"],
                signed_in_time=counts[key]["signed_in_time"],
                not_held=dict(not_held[key]),
                today=TODAY,
                details_visible=staff.pk in line_managed,
            )
            if row is not None:
                judged[key] = row
                _note_features(features, row, mine, staff, book)
    return judged


def _note_features(
    features: Counter[str],
    row: WorkerMonth,
    absences: list[tuple[datetime.date, datetime.date | None, str]],
    staff: StaffMember,
    book: PolicyBook,
) -> None:
    """What a row exercises, so the test can insist the seeded world stays varied."""
    month = row.month
    features[f"outcome {row.outcome}"] += 1
    features[f"reason {row.excuse_reason}"] += row.outcome is Outcome.EXCUSED
    features["no team"] += staff.team_id is None
    features["started in the month"] += month.first < staff.start_date <= month.last
    features["left in the month"] += bool(staff.leaving_date and staff.leaving_date < month.last)
    features["short"] += row.short > 0
    features["not held"] += bool(row.not_held)
    features["worker absent but compliant"] += bool(
        row.outcome is Outcome.COMPLIANT and row.not_held.get(NotHeldReason.WORKER_ABSENT)
    )
    in_post_to = min(staff.leaving_date or month.last, month.last)
    threshold = _threshold_on(in_post_to) * month.working_days
    days = sum(
        working_days_between(max(start, month.first), min(end or TODAY, month.last))
        for start, end, _ in absences
    )
    features["absence exactly on the threshold"] += days == math.ceil(threshold)
    features["absence one day short of it"] += days == math.ceil(threshold) - 1
    features["open-ended absence in the month"] += any(
        end is None and start <= month.last for start, end, _ in absences
    )
    features[f"policy from {_threshold_on(in_post_to)}"] += 1
    rule = book.version_on(in_post_to).rule_for(
        role=staff.role, asye_start=staff.asye_start_date, on=in_post_to
    )
    features[f"interval {rule.interval_days}"] += 1
    features["tied types"] += staff.first_name == "Tied" and row.outcome is Outcome.EXCUSED
    features["in the ASYE"] += bool(staff.asye_start_date and staff.asye_start_date <= in_post_to)
    features["more than one session required"] += row.required > 1


def _row_facts(row: WorkerMonth) -> tuple[object, ...]:
    return (
        row.outcome,
        row.required,
        row.held,
        row.short,
        row.signed_in_time,
        dict(row.not_held),
        row.excuse_reason,
        row.worker,
    )


def _tally(rows: list[WorkerMonth]) -> Tally:
    tally = Tally()
    for row in rows:
        tally.add(row)
    return tally


@pytest.mark.django_db
@pytest.mark.parametrize(
    "large_scope",
    [compliance.LARGE_SCOPE, 0],
    ids=["sessions-of-the-scope", "sessions-of-everyone-kept-for-the-scope"],
)
def test_every_worker_month_is_judged_as_the_plain_rule_judges_it(large_scope, monkeypatch):
    monkeypatch.setattr(compliance, "LARGE_SCOPE", large_scope)
    people = build_world(random.Random(SEED))
    features: Counter[str] = Counter()
    for reader in ("ad", "tm"):
        expected = judged_one_by_one(people[reader], features)
        report = monthly_compliance(
            people[reader].user, StaffMember.objects.all(), MONTHS, today=TODAY
        )
        actual = {(row.staff_id, row.month): row for row in report.rows}
        assert len(actual) == len(report.rows), "a worker-month appears twice"
        assert set(actual) == set(expected), reader

        disagreements = [
            (key, _row_facts(expected[key]), _row_facts(actual[key]))
            for key in sorted(expected, key=lambda key: (key[0], key[1].ordinal))
            if _row_facts(expected[key]) != _row_facts(actual[key])
        ]
        assert not disagreements, f"{reader}: (key, judge_month, vectorised) {disagreements[:5]}"

        # The figures summed over the arrays are the sums of the rows.
        rows = list(expected.values())
        assert report.tally() == _tally(rows)
        assert report.by_month() == {
            month: _tally([row for row in rows if row.month == month]) for month in MONTHS
        }
        by_team: dict[tuple[int | None, str, str], list[WorkerMonth]] = defaultdict(list)
        for row in rows:
            by_team[(row.team_id, row.team, row.service)].append(row)
        assert report.by_team() == {team: _tally(group) for team, group in by_team.items()}

    # The seeded world exercises every branch of the rule (a new seed must keep it so).
    for feature in [
        "outcome compliant",
        "outcome not_compliant",
        "outcome excused",
        "outcome not_expected",
        "reason worker absent",
        "reason absence",  # the reader may not see the type
        "reason sickness",
        "no team",
        "started in the month",
        "left in the month",
        "short",
        "not held",
        "worker absent but compliant",
        "absence exactly on the threshold",
        "absence one day short of it",
        "open-ended absence in the month",
        "in the ASYE",
        "tied types",
        *(f"interval {days}" for days in (7, 10, 14, 21, 28, 30, 42)),
        "more than one session required",
        *(f"policy from {threshold}" for threshold in set(THRESHOLDS.values())),
    ]:
        assert features[feature], (feature, features)


# --- numpy's working days -----------------------------------------------------------------------

CALENDAR = month_range(Month(2023, 1), Month(2028, 12))


def test_numpy_counts_working_days_as_working_days_between_does():
    rng = random.Random(SEED)
    low, high = CALENDAR[0].first, CALENDAR[-1].last
    pairs = [(low, high), (high, low), (low, low), (high, high)]
    # Every pair of days around two Christmases and an Easter (weekends and bank holidays).
    for around in (
        datetime.date(2025, 12, 25),
        datetime.date(2027, 12, 25),
        datetime.date(2026, 4, 4),
    ):
        window = [around + offset * DAY for offset in range(-20, 21)]
        pairs += [(first, last) for first in window for last in window]
    # Each bank holiday and the days around it, as either end of a span.
    for year in range(low.year, high.year + 1):
        for holiday in _weekday_bank_holidays(year):
            for offset in range(-3, 4):
                day = min(max(holiday + offset * DAY, low), high)
                other = min(max(day + rng.randint(-40, 40) * DAY, low), high)
                pairs += [(day, day), (day, other), (other, day)]
    # Random spans, short and long, some backwards.
    for _ in range(4000):
        first = _random_day(rng, low, high)
        length = rng.choice([rng.randint(-5, 40), rng.randint(-400, 900)])
        last = min(max(first + length * DAY, low), high)
        pairs.append((first, last))
    # Whole months.
    pairs += [(month.first, month.last) for month in CALENDAR]

    firsts = np.array([first for first, _ in pairs], dtype="datetime64[D]")
    lasts = np.array([last for _, last in pairs], dtype="datetime64[D]")
    counted = _working_days(firsts, lasts, _calendar(CALENDAR)).tolist()
    expected = [working_days_between(first, last) for first, last in pairs]
    wrong = [
        (first, last, e, c)
        for (first, last), e, c in zip(pairs, expected, counted, strict=True)
        if e != c
    ]
    assert not wrong, f"(first, last, working_days_between, numpy) {wrong[:10]}"
    # The hand-checked answers of EXAMPLES.md, from numpy too.
    checked = [
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), 22),
        (datetime.date(2026, 4, 1), datetime.date(2026, 4, 30), 20),
        (datetime.date(2026, 3, 2), datetime.date(2026, 3, 13), 10),
        (datetime.date(2026, 3, 2), datetime.date(2026, 3, 16), 11),
    ]
    counted = _working_days(
        np.array([first for first, _, _ in checked], dtype="datetime64[D]"),
        np.array([last for _, last, _ in checked], dtype="datetime64[D]"),
        _calendar(CALENDAR),
    )
    assert counted.tolist() == [n for _, _, n in checked]


def test_numpy_counts_a_whole_grid_of_arrays_like_the_report_does():
    """The report asks for absences × months at once (two-dimensional, broadcast)."""
    months = month_range(Month(2025, 1), Month(2026, 2))
    firsts = np.array([m.first for m in months], dtype="datetime64[D]")
    lasts = np.array([m.last for m in months], dtype="datetime64[D]")
    rng = random.Random(SEED + 1)
    spans = []
    for _ in range(200):
        start = _random_day(rng, FIRST - 60 * DAY, LAST + 30 * DAY)
        spans.append((start, start + rng.randint(0, 200) * DAY))
    starts = np.array([s for s, _ in spans], dtype="datetime64[D]")
    ends = np.array([e for _, e in spans], dtype="datetime64[D]")
    grid = _working_days(
        np.maximum(starts[:, None], firsts[None, :]),
        np.minimum(ends[:, None], lasts[None, :]),
        _calendar(months),
    )
    assert grid.tolist() == [
        [working_days_between(max(s, m.first), min(e, m.last)) for m in months] for s, e in spans
    ]
