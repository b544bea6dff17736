"""Organisation pages: where each person starts, the team page, sign-in and caching rules."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from oversight.models import Role
from tests.factories import CaseFactory, StaffFactory

D = datetime.date


def _member_row(html: str, pk: int) -> list[str]:
    """The cells of the team-page row linking to staff member `pk`, tags stripped."""
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S):
        if f'href="/staff/{pk}/"' in row:
            cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S)
            return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]
    raise AssertionError(f"no row for staff {pk}")


# --- where each person starts ----------------------------------------------------------------


def test_a_team_manager_starts_on_their_team_page(world):
    client = world.client("tm")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/my-team/"
    response = client.get("/my-team/")
    assert response["Location"] == f"/teams/{world.riverside.pk}/"


def test_an_assistant_team_manager_starts_on_their_own_team_page(world):
    response = world.client("atm").get("/", follow=True)
    assert response.request["PATH_INFO"] == f"/teams/{world.riverside.pk}/"


def test_a_social_worker_starts_on_their_own_staff_page(world):
    client = world.client("sw")
    response = client.get("/")
    assert response["Location"] == "/me/"
    assert client.get("/me/")["Location"] == f"/staff/{world.sw.pk}/"
    assert client.get("/", follow=True).status_code == 200


def test_business_support_start_on_the_staff_list(world):
    response = world.client("bs").get("/", follow=True)
    assert response.request["PATH_INFO"] == "/staff/"
    assert response.status_code == 200


@pytest.mark.parametrize("person", ["gm", "psw", "ad"])
def test_managers_above_teams_start_on_their_compliance_dashboard(world, person):
    response = world.client(person).get("/", follow=True)
    assert response.request["PATH_INFO"] == "/dashboards/"
    assert response.status_code == 200


def test_a_manager_without_a_team_is_sent_to_the_list_of_teams(world):
    lonely = StaffFactory(role=Role.TEAM_MANAGER, team=None)
    client = Client()
    client.force_login(lonely.user)
    assert client.get("/my-team/")["Location"] == "/teams/"


def test_a_login_without_a_staff_record_is_sent_to_the_list_of_teams(db):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    assert client.get("/me/")["Location"] == "/teams/"


# --- the team page ---------------------------------------------------------------------------


def test_the_team_page_lists_members_with_their_open_cases(world):
    CaseFactory(allocated_worker=world.sw)
    CaseFactory(allocated_worker=world.sw, is_duty=True)
    CaseFactory(allocated_worker=world.sw, closed_on=D(2025, 12, 1))  # closed: not counted
    response = world.client("tm").get(f"/teams/{world.riverside.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    name, role, supervisor, open_cases, duty, _today = _member_row(html, world.sw.pk)
    assert name == "PersonSW MarkerSWx"
    assert role == "Social worker"
    assert supervisor == "PersonTM MarkerTMx"
    assert (open_cases, duty) == ("3", "1")
    assert _member_row(html, world.asye.pk)[3] == "0"
    assert "4 staff in post" in html


def test_the_team_page_leaves_out_leavers_and_other_teams(world):
    leaver = StaffFactory(
        team=world.riverside, last_name="LeaverMarker", leaving_date=D(2021, 1, 1)
    )
    html = world.client("tm").get(f"/teams/{world.riverside.pk}/").content.decode()
    assert f'href="/staff/{leaver.pk}/"' not in html
    assert f'href="/staff/{world.sw2.pk}/"' not in html


def test_another_teams_page_answers_404(world):
    assert world.client("tm2").get(f"/teams/{world.riverside.pk}/").status_code == 404
    assert world.client("sw").get(f"/teams/{world.hillside.pk}/").status_code == 404


def test_an_unknown_team_answers_404(world):
    assert world.client("psw").get("/teams/999999/").status_code == 404


def test_the_team_page_shows_an_absence_type_only_to_the_line_management_chain(world):
    as_manager = world.client("tm2").get(f"/teams/{world.hillside.pk}/").content.decode()
    assert "Maternity, paternity or adoption leave" in _member_row(as_manager, world.sw2.pk)[5]
    as_auditor = world.client("psw").get(f"/teams/{world.hillside.pk}/").content.decode()
    assert _member_row(as_auditor, world.sw2.pk)[5] == "Absent"
    assert "Maternity" not in as_auditor


def test_the_list_of_teams_counts_staff_in_post(world):
    StaffFactory(team=world.riverside, leaving_date=D(2021, 1, 1))
    html = world.client("gm").get("/teams/").content.decode()
    row = re.search(rf'href="/teams/{world.riverside.pk}/">Riverside</a>.*?</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row.group(0), re.S)
    assert cells[-2:] == ["PersonTM MarkerTMx", "4"]
    assert "Hillside" not in html


# --- signing in and caching ------------------------------------------------------------------


def _pages(world) -> list[str]:
    return [
        "/",
        "/me/",
        "/my-team/",
        "/teams/",
        f"/teams/{world.riverside.pk}/",
        "/staff/",
        f"/staff/{world.sw.pk}/",
        f"/staff/{world.sw.pk}/absences/new/",
        f"/absences/{world.absence_sw2.pk}/end/",
        "/cases/",
        f"/cases/{world.case_sw.pk}/",
        f"/history/staff/{world.sw.pk}/",
        f"/access-log/staff/{world.sw.pk}/",
        "/history/staff/999999/",
        "/no-such-page/",
    ]


def test_every_page_sends_an_anonymous_visitor_to_sign_in(world):
    client = Client()
    for path in _pages(world):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/accounts/login/?next={path}", path


def test_an_anonymous_post_is_sent_to_sign_in_and_writes_nothing(world):
    response = Client().post(
        f"/staff/{world.sw.pk}/absences/new/",
        {"absence_type": "sickness", "start_date": "2026-03-10"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert world.sw.absences.count() == 1


def test_the_sign_in_page_itself_is_open(world):
    assert Client().get("/accounts/login/").status_code == 200
    assert Client().get("/healthz").status_code == 200


def test_authenticated_pages_are_never_cached(world):
    client = world.client("tm")
    for path in [
        "/teams/",
        f"/teams/{world.riverside.pk}/",
        "/staff/",
        f"/staff/{world.sw.pk}/",
        f"/staff/{world.sw.pk}/absences/new/",
        "/cases/",
        f"/cases/{world.case_sw.pk}/",
        f"/history/staff/{world.sw.pk}/",
        f"/access-log/staff/{world.sw.pk}/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_redirects_and_refusals_for_signed_in_people_are_not_cached_either(world):
    client = world.client("tm")
    assert "no-store" in client.get("/")["Cache-Control"]
    refused = world.client("tm2").get(f"/staff/{world.sw.pk}/")
    assert refused.status_code == 404
    assert "no-store" in refused["Cache-Control"]


# --- lists -----------------------------------------------------------------------------------


def test_the_staff_list_shows_only_people_in_view(world):
    html = world.client("sw").get("/staff/").content.decode()
    assert "MarkerASYEx" in html
    assert "MarkerSW2x" not in html
    assert "MarkerPSWx" not in html


def test_the_staff_list_finds_people_by_name_or_employee_number(world):
    client = world.client("bs")
    by_name = client.get("/staff/", {"q": "MarkerSW2"}).content.decode()
    assert "PersonSW2 MarkerSW2x" in by_name
    assert "PersonASYE" not in by_name
    by_number = client.get("/staff/", {"q": "EMP-ASYE"}).content.decode()
    assert "PersonASYE MarkerASYEx" in by_number
    assert "PersonSW2" not in by_number
