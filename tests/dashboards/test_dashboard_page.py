"""The compliance dashboard page: scope, figures, bad input, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.models import StaffMember
from tests.dashboards.conftest import worker
from tests.supervision.factories import HeldSessionFactory

pytestmark = pytest.mark.django_db

MARCH = "from=2026-03&to=2026-03"


def test_a_team_manager_sees_the_worked_example_figures_for_their_team(
    client, march_team, team_manager
):
    client.force_login(team_manager.user)
    response = client.get(f"/dashboards/?scope=team:{team_manager.team_id}&{MARCH}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "25%" in body
    assert "1 compliant</a> of" in body and "4 expected</a>" in body
    assert "3 excused: " in body
    assert "maternity, paternity or adoption leave" in body
    for name in ("M1", "M2", "M8"):
        assert f"{name} Worker" in body


def test_the_drill_down_lists_the_excused_with_their_reasons(client, march_team, team_manager):
    client.force_login(team_manager.user)
    response = client.get(
        f"/dashboards/workers/?scope=team:{team_manager.team_id}&{MARCH}&outcome=excused"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "3 excused" in body
    assert "M3 Worker" in body and "M5 Worker" in body and "M8 Worker" in body
    assert "M1 Worker" not in body
    assert "worker absent" in body


@pytest.mark.parametrize(
    "query",
    [
        "month=2026-13",
        "from=2026-03&to=2099-01",
        "from=2020-01&to=2026-03",
        "from=2026-04&to=2026-03",
        "scope=team:abc",
        "scope=planet",
        "from=2026-03&to=2026-03&month=2026-05",
    ],
)
def test_bad_input_gets_a_clear_message_not_a_crash(client, world, query):
    client.force_login(world.gm.user)
    response = client.get(f"/dashboards/?{query}")
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_a_team_outside_your_scope_is_not_found(client, world):
    client.force_login(world.tm2.user)
    assert client.get(f"/dashboards/?scope=team:{world.riverside.pk}").status_code == 404
    assert client.get(f"/dashboards/?scope=service:{world.safeguarding.pk}").status_code == 404
    assert client.get("/dashboards/?scope=directorate").status_code == 404


def test_business_support_have_no_dashboard(client, world):
    client.force_login(world.bs.user)
    assert client.get("/dashboards/").status_code == 404


def test_each_role_starts_at_its_natural_scope(client, world):
    for role, label in [("gm", "Safeguarding"), ("tm", "Riverside"), ("psw", "The directorate")]:
        client.force_login(world.people[role].user)
        response = client.get("/dashboards/")
        assert response.status_code == 200
        assert f'<h1 class="govuk-heading-l">{label}</h1>' in response.content.decode(), role


def test_a_practitioner_sees_only_their_own_figures(client, world):
    client.force_login(world.sw.user)
    response = client.get(f"/dashboards/?scope=team:{world.riverside.pk}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "MarkerASYEx" not in body and "MarkerATMx" not in body


def _page_queries(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_page_takes_the_same_number_of_queries_for_a_bigger_service(client, world):
    url = f"/dashboards/?scope=service:{world.safeguarding.pk}"
    small = _page_queries(client, world.gm.user, url)
    for n in range(15):
        person = worker(world.tm, f"Extra{n}")
        HeldSessionFactory(
            supervisee=person, supervisor=world.tm, held_on=datetime.date(2026, 10, 5)
        )
    assert StaffMember.objects.count() > 25
    assert _page_queries(client, world.gm.user, url) == small
