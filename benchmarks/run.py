"""Benchmarks at national scale (issue: in-time dashboards). Not part of `make test`.

    .venv/bin/python benchmarks/run.py [--staff 40000] [--months 24] [--repeat 7]
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/run.py

Builds the data set once per database (`seed_demo --staff N --months M`, kept between runs in
an SQLite file under /tmp, or in the PostgreSQL database named by DATABASE_URL), then times each
figure the dashboards compute, reporting the median of several runs and the number of queries,
against its target. Prints a table; exits non-zero only if the run itself fails.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _configure(args: argparse.Namespace) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oversight.settings")
    os.environ.setdefault("SECRET_KEY", "benchmarks-only")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("HTTPS", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    if not os.environ.get("DATABASE_URL"):
        path = Path(f"/tmp/oversight-bench-{args.staff}-{args.months}.sqlite3")  # noqa: S108
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


def _ensure_data(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from oversight.models import StaffMember

    call_command("migrate", verbosity=0, interactive=False)
    if StaffMember.objects.count() < args.staff * 0.9:
        print(f"Building the data set: seed_demo --staff {args.staff} --months {args.months} …")
        started = time.monotonic()
        call_command(
            "seed_demo", staff=args.staff, months=args.months, reset=True, today=args.today
        )
        print(f"  built in {time.monotonic() - started:.0f} s")


def _measure(fn: Callable[[], object], repeat: int) -> tuple[float, int]:
    """Median seconds over `repeat` runs (after one warm-up), and the queries of one run."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    fn()
    with CaptureQueriesContext(connection) as context:
        fn()
    queries = len(context)  # now: the captured list is a view of the log reset below
    times = []
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=40000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)
    args = parser.parse_args()
    vendor = _configure(args)
    _ensure_data(args)

    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from dashboards.compliance import Month, month_range, monthly_compliance
    from dashboards.decision_metrics import decision_figures
    from dashboards.scope import resolve_scope
    from decisions.drift import drift_rows
    from decisions.models import Decision
    from decisions.selectors import case_trail
    from oversight.models import Service, StaffMember, Team
    from supervision.models import SupervisionSession
    from supervision.selectors import supervision_status

    today = args.today or timezone.localdate()
    psw = get_user_model().objects.get(username="psw.demo")
    tm = get_user_model().objects.get(username="tm.demo")
    last_month = Month.of(today).previous()
    first = last_month
    for _ in range(11):
        first = first.previous()
    year = month_range(first, last_month)
    directorate = resolve_scope(psw, "directorate")
    biggest = Service.objects.annotate(n=Count("teams__members")).order_by("-n").first()
    service_scope = resolve_scope(psw, f"service:{biggest.pk}")
    team = Team.objects.get(manager__user=tm)
    client = Client()
    client.force_login(tm)
    directorate_client = Client()
    directorate_client.force_login(psw)

    trail_case = _case_with_a_long_trail(tm, items=200)
    service_workers = service_scope.staff(psw).count()

    # (name, what to time, target in seconds or None: measured for information)
    figures: list[tuple[str, Callable[[], object], float | None]] = [
        (
            "Directorate monthly compliance, one month",
            lambda: monthly_compliance(psw, directorate.staff(psw), [last_month], today=today),
            0.250,
        ),
        (
            "Directorate 12-month trend",
            lambda: monthly_compliance(psw, directorate.staff(psw), year, today=today),
            1.5,
        ),
        (
            f"Status now, biggest service ({service_scope.staff(psw).count()} staff)",
            lambda: supervision_status(psw, service_scope.staff(psw), today=today),
            0.200,
        ),
        (
            "One team's dashboard page (test client)",
            lambda: client.get(f"/dashboards/?scope=team:{team.pk}"),
            0.150,
        ),
        (
            "The directorate's dashboard page (test client)",
            lambda: directorate_client.get("/dashboards/?scope=directorate"),
            None,
        ),
        (
            "metrics/decisions, directorate, 12 months",
            lambda: decision_figures(directorate.cases(psw), year, today=today),
            0.500,
        ),
        (
            f"Drift list, biggest service ({service_workers} staff)",
            lambda: drift_rows(service_scope.cases(psw), today),
            0.300,
        ),
        (
            f"Case trail, {len(case_trail(tm, trail_case))} items",
            lambda: case_trail(tm, trail_case),
            0.100,
        ),
    ]
    print(
        f"\n{vendor}: {StaffMember.objects.count():,} staff, "
        f"{SupervisionSession.objects.count():,} sessions, "
        f"{Decision.objects.count():,} MDRs, today {today}\n"
    )
    print(f"{'figure':<58} {'median':>9} {'target':>8} {'queries':>8}  result")
    for name, fn, target in figures:
        seconds, queries = _measure(fn, args.repeat if target is not None else 1)
        if target is None:
            goal, verdict = "—", "(no target)"
        else:
            goal, verdict = f"{target * 1000:.0f}ms", "met" if seconds <= target else "MISSED"
        print(f"{name:<58} {seconds * 1000:>7.0f}ms {goal:>8} {queries:>8}  {verdict}")
    return 0


def _case_with_a_long_trail(user, *, items: int):  # type: ignore[no-untyped-def]
    """One of the team manager's cases given `items` informal discussions and MDRs in all (made
    once, kept with the data set), for timing a long decision trail."""
    import datetime

    from django.utils import timezone

    from decisions.models import Decision
    from oversight import access
    from oversight.models import Case
    from supervision.models import InformalDiscussion

    case = (
        access.visible_to(user, Case.objects.filter(closed_on__isnull=True))
        .exclude(allocated_worker=None)
        .order_by("pk")
        .first()
    )
    have = (
        Decision.objects.filter(case=case).count()
        + InformalDiscussion.objects.filter(case=case).count()
    )
    manager = access.staff_for(user)
    start = timezone.now() - datetime.timedelta(days=700)
    InformalDiscussion.objects.bulk_create(
        InformalDiscussion(
            worker=case.allocated_worker,
            recorded_by=manager,
            manager=manager,
            happened_at=start + datetime.timedelta(days=3 * n),
            channel="phone",
            case=case,
            advice=f"Advice on the plan, call {n}.",
        )
        for n in range(max(0, items - have))
    )
    return case


if __name__ == "__main__":
    raise SystemExit(main())
