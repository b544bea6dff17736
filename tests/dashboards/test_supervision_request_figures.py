"""The dashboard's extra-supervision figure: requests asked for in the month, and the median
days from asking to the session booked — for the scope's staff only, in constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.compliance import Month
from dashboards.metrics import supervision_request_figures
from oversight.models import StaffMember
from supervision import services
from supervision.models import RequestReason, SupervisionRequest
from tests.dashboards.conftest import worker
from tests.supervision.factories import at

pytestmark = pytest.mark.django_db


def asked_on(person, day: datetime.date, *, booked_after_days: int | None = None) -> None:
    request = services.supervision_request_create(
        worker=person, reason=RequestReason.CASELOAD, actor=person.user
    )
    if booked_after_days is not None:
        request = services.supervision_request_accept(
            supervision_request=request,
            scheduled_for=at(timezone.localdate() + datetime.timedelta(days=booked_after_days)),
            actor=person.supervisor.user,
        )
    # Backdated to the month under test, keeping the wait (history is not at issue here).
    shift = timezone.localdate() - day
    SupervisionRequest.objects.filter(pk=request.pk).update(created_at=request.created_at - shift)
    if request.session is not None:
        session = request.session
        type(session).objects.filter(pk=session.pk).update(
            scheduled_for=session.scheduled_for - shift
        )


def test_it_counts_the_months_requests_and_the_median_wait(world):
    march = Month(2026, 3)
    asked_on(world.sw, datetime.date(2026, 3, 2), booked_after_days=2)
    asked_on(world.asye, datetime.date(2026, 3, 10), booked_after_days=7)
    asked_on(world.atm, datetime.date(2026, 3, 20))
    asked_on(world.sw, datetime.date(2026, 4, 1), booked_after_days=30)  # another month
    asked_on(world.sw2, datetime.date(2026, 3, 5), booked_after_days=20)  # another team
    riverside = StaffMember.objects.filter(team=world.riverside)
    figures = supervision_request_figures(riverside, march)
    assert (figures.asked, figures.booked) == (3, 2)
    assert figures.median_days_to_session == 4.5


def test_the_figure_is_on_the_dashboard_for_the_scope(client, world):
    asked_on(world.sw, datetime.date(2026, 3, 2), booked_after_days=3)
    asked_on(world.sw2, datetime.date(2026, 3, 3), booked_after_days=9)
    client.force_login(world.tm.user)
    body = client.get(
        f"/dashboards/?scope=team:{world.riverside.pk}&from=2026-03&to=2026-03&month=2026-03"
    ).content.decode()
    assert 'data-figure="requests-asked">1<' in body
    assert 'data-figure="requests-median-days">3<' in body


def _page_queries(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_figure_keeps_the_dashboard_query_count_constant(client, world):
    url = f"/dashboards/?scope=service:{world.safeguarding.pk}&from=2026-03&to=2026-03"
    asked_on(world.sw, datetime.date(2026, 3, 2), booked_after_days=3)
    small = _page_queries(client, world.gm.user, url)
    for n in range(8):
        person = worker(world.tm, f"Asker{n}")
        asked_on(person, datetime.date(2026, 3, 3 + n), booked_after_days=n + 1)
    assert _page_queries(client, world.gm.user, url) == small
