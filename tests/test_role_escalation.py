"""Nobody widens their own reach: for every role, each way of writing (API, pages, admin)
is tried on the person's own role, team and supervisor and on the fields that decide scope
elsewhere (a team's manager, a service's group manager, cover for oneself). Nothing changes.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from oversight.models import Role, Service, StaffMember, Team
from supervision.models import Cover
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db


def _scope_of(world) -> tuple:
    people = tuple(
        StaffMember.objects.order_by("pk").values_list("pk", "role", "team", "supervisor")
    )
    teams = tuple(Team.objects.order_by("pk").values_list("pk", "manager"))
    services = tuple(Service.objects.order_by("pk").values_list("pk", "group_manager"))
    return people, teams, services, Cover.objects.count()


def _attempts(world, me: StaffMember) -> list[tuple[str, str, dict]]:
    """(method, url, body) of every write that could widen `me`'s reach."""
    senior = {"role": Role.ASSISTANT_DIRECTOR}
    other_team = world.hillside if me.team_id != world.hillside.pk else world.riverside
    today = timezone.localdate()
    return [
        ("patch", f"/api/v1/staff/{me.pk}/", senior),
        ("patch", f"/api/v1/staff/{me.pk}/", {"role": Role.BUSINESS_SUPPORT}),
        ("patch", f"/api/v1/staff/{me.pk}/", {"team": other_team.pk}),
        ("patch", f"/api/v1/staff/{me.pk}/", {"supervisor": world.ad.pk}),
        ("patch", f"/api/v1/staff/{me.pk}/", {"supervisor": None}),
        ("patch", f"/api/v1/teams/{world.hillside.pk}/", {"manager": me.pk}),
        ("patch", f"/api/v1/teams/{world.riverside.pk}/", {"manager": me.pk}),
        ("patch", f"/api/v1/services/{world.parenting.pk}/", {"group_manager": me.pk}),
        ("post", "/api/v1/staff/", {
            "employee_number": "EMP-ESC", "first_name": "E", "last_name": "Scalate",
            "role": Role.ASSISTANT_DIRECTOR, "start_date": "2026-01-05",
        }),
        ("page", f"/staff/{me.pk}/role/", {"role": Role.ASSISTANT_DIRECTOR}),
        # (tm2's own group manager, gm2, may cover for tm2: that is no widening.)
        ("page", f"/staff/{world.tm2.pk}/cover/new/", {
            "covering_manager": str(me.pk),
            "start_date": f"{today:%Y-%m-%d}",
            "end_date": f"{today + datetime.timedelta(days=7):%Y-%m-%d}",
        }),
        ("admin", f"/admin/oversight/staffmember/{me.pk}/change/", {}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_widen_its_own_reach(world, role):
    me = world.people[role]
    api = APIClient()
    api.force_login(me.user)
    page = Client()
    page.force_login(me.user)
    before = _scope_of(world)
    for method, url, body in _attempts(world, me):
        if role == "gm2" and "/cover/" in url:
            continue
        if method == "page":
            response = page.post(url, body)
        elif method == "admin":
            response = page.get(url)
            assert response.status_code == 302, f"{role} reached the admin"  # to the admin login
            continue
        else:
            response = getattr(api, method)(url, body, format="json")
        assert response.status_code in (200, 302, 400, 403, 404), (
            role, method, url, response.status_code,
        )
        # A page re-shown with its refusal (200) or redirecting (302) changed nobody's scope.
        assert _scope_of(world) == before, (role, method, url)
    assert _scope_of(world) == before, f"{role} changed whose records they read"


@pytest.mark.parametrize("role", ["psw", "ad"])
def test_even_the_directorate_cannot_change_their_own_role_on_the_role_page(world, role):
    me = world.people[role]
    client = world.client(role)
    response = client.post(f"/staff/{me.pk}/role/", {"role": Role.BUSINESS_SUPPORT})
    assert response.status_code == 200
    assert "You cannot change your own role" in response.content.decode()
    me.refresh_from_db()
    assert me.role != Role.BUSINESS_SUPPORT


def test_an_administrator_cannot_change_their_own_role_in_the_admin(world):
    me = world.tm
    me.user.is_superuser = True
    me.user.is_staff = True
    me.user.save()
    client = world.client("tm")
    url = f"/admin/oversight/staffmember/{me.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "user": me.user.pk,
        "first_name": me.first_name,
        "last_name": me.last_name,
        "employee_number": me.employee_number,
        "email": "",
        "role": Role.ASSISTANT_DIRECTOR,
        "employment_type": me.employment_type,
        "team": me.team_id,
        "supervisor": me.supervisor_id,
        "start_date": f"{me.start_date:%Y-%m-%d}",
        "asye_start_date": "",
        "fte": "1.00",
        "leaving_date": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200  # the form again, with the refusal
    assert "You cannot change your own role" in response.content.decode()
    me.refresh_from_db()
    assert me.role == Role.TEAM_MANAGER


def test_the_directorate_change_someone_elses_role_on_the_role_page(world):
    response = world.client("ad").post(f"/staff/{world.sw.pk}/role/", {"role": Role.TEAM_MANAGER})
    assert response.status_code == 302
    world.sw.refresh_from_db()
    assert world.sw.role == Role.TEAM_MANAGER


@pytest.mark.parametrize("role", ["bs", "gm", "tm"])
def test_only_the_directorate_reach_the_role_page(world, role):
    assert world.client(role).get(f"/staff/{world.sw.pk}/role/").status_code == 404
