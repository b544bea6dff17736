"""Each role's lists hold only what the access policy allows (DESIGN §5); an invisible object
answers 404, as if it did not exist.

The expectations are written out by hand for the named world, not asked of `access.py`.
"""

from __future__ import annotations

import pytest

from tests.api_helpers import ids
from tests.conftest import ROLES
from tests.oversight.api.conftest import RESOURCES

pytestmark = pytest.mark.django_db

TEAM_A = {"tm", "sw", "asye", "atm"}
TEAM_B = {"tm2", "sw2"}
EVERYONE = set(ROLES)

STAFF = {
    "sw": TEAM_A,
    "asye": TEAM_A,
    "atm": TEAM_A,
    "tm": TEAM_A,
    "tm2": TEAM_B,
    "sw2": TEAM_B,
    "gm": TEAM_A | {"gm"},
    "gm2": TEAM_B | {"gm2"},
    "psw": EVERYONE,
    "ad": EVERYONE,
    "bs": EVERYONE,
}
CASES = {
    "sw": {"case_sw"},
    "asye": set(),
    "atm": {"case_sw"},
    "tm": {"case_sw"},
    "gm": {"case_sw"},
    "tm2": {"case_sw2"},
    "sw2": {"case_sw2"},
    "gm2": {"case_sw2"},
    "psw": {"case_sw", "case_sw2"},
    "ad": {"case_sw", "case_sw2"},
    "bs": set(),
}
ALL_TEAMS = {"riverside", "hillside", "directorate"}
TEAMS = {
    "sw": {"riverside"},
    "asye": {"riverside"},
    "atm": {"riverside"},
    "tm": {"riverside"},
    "gm": {"riverside"},
    "tm2": {"hillside"},
    "sw2": {"hillside"},
    "gm2": {"hillside"},
    "psw": ALL_TEAMS,
    "ad": ALL_TEAMS,
    "bs": ALL_TEAMS,
}
SERVICE_OF_TEAM = {"riverside": "safeguarding", "hillside": "parenting"}
ABSENCES = {role: set() for role in ROLES}
for _role, _people in STAFF.items():
    ABSENCES[_role] = {f"absence_{key}" for key in _people if key in ("sw", "sw2")}


def _services(role: str, world) -> set[int]:
    if role in ("psw", "ad", "bs"):
        return {world.safeguarding.pk, world.parenting.pk, world.directorate.service_id}
    return {getattr(world, SERVICE_OF_TEAM[team]).pk for team in TEAMS[role]}


def _pks(world, keys: set[str]) -> set[int]:
    return {getattr(world, key).pk for key in keys}


@pytest.mark.parametrize("role", ROLES)
def test_staff_list_holds_exactly_the_people_in_scope(world, api_as, role):
    assert ids(api_as(role).get("/api/v1/staff/")) == _pks(world, STAFF[role])


@pytest.mark.parametrize("role", ROLES)
def test_case_list_holds_exactly_the_cases_in_scope(world, api_as, role):
    assert ids(api_as(role).get("/api/v1/cases/")) == _pks(world, CASES[role])


@pytest.mark.parametrize("role", ROLES)
def test_team_list_holds_exactly_the_teams_in_scope(world, api_as, role):
    assert ids(api_as(role).get("/api/v1/teams/")) == _pks(world, TEAMS[role])


@pytest.mark.parametrize("role", ROLES)
def test_service_list_holds_exactly_the_services_in_scope(world, api_as, role):
    assert ids(api_as(role).get("/api/v1/services/")) == _services(role, world)


@pytest.mark.parametrize("role", ROLES)
def test_absence_list_holds_absences_of_people_in_scope(world, api_as, role):
    assert ids(api_as(role).get("/api/v1/absences/")) == _pks(world, ABSENCES[role])


def test_a_social_worker_sees_their_team_but_not_another(world, api_as):
    staff = ids(api_as("sw").get("/api/v1/staff/"))
    assert {world.tm.pk, world.asye.pk} <= staff
    assert world.sw2.pk not in staff


def test_another_team_manager_cannot_see_the_worker(world, api_as):
    client = api_as("tm2")
    assert world.sw.pk not in ids(client.get("/api/v1/staff/"))
    assert client.get(f"/api/v1/staff/{world.sw.pk}/").status_code == 404


def test_a_group_manager_sees_their_service(world, api_as):
    client = api_as("gm")
    assert ids(client.get("/api/v1/services/")) == {world.safeguarding.pk}
    assert client.get(f"/api/v1/services/{world.safeguarding.pk}/").json()["name"] == (
        "Safeguarding"
    )
    assert client.get(f"/api/v1/services/{world.parenting.pk}/").status_code == 404


def test_business_support_see_all_staff_but_no_cases(world, api_as):
    client = api_as("bs")
    assert len(ids(client.get("/api/v1/staff/"))) == len(ROLES)
    assert ids(client.get("/api/v1/cases/")) == set()
    assert client.get(f"/api/v1/cases/{world.case_sw.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["psw", "ad"])
def test_the_directorate_sees_everything(world, api_as, role):
    client = api_as(role)
    assert ids(client.get("/api/v1/staff/")) == _pks(world, EVERYONE)
    assert ids(client.get("/api/v1/cases/")) == {world.case_sw.pk, world.case_sw2.pk}
    assert ids(client.get("/api/v1/absences/")) == {world.absence_sw.pk, world.absence_sw2.pk}


def _detail_urls(world) -> list[tuple[str, str, str]]:
    """(url, model family, key) for every object of the world."""
    urls = [(f"/api/v1/staff/{world.people[key].pk}/", "staff", key) for key in ROLES]
    urls += [
        (f"/api/v1/cases/{getattr(world, k).pk}/", "cases", k) for k in ("case_sw", "case_sw2")
    ]
    urls += [(f"/api/v1/teams/{getattr(world, k).pk}/", "teams", k) for k in ALL_TEAMS]
    urls += [
        (f"/api/v1/absences/{getattr(world, k).pk}/", "absences", k)
        for k in ("absence_sw", "absence_sw2")
    ]
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_detail_answers_404_out_of_scope_and_200_in_scope(world, api_as, role):
    client = api_as(role)
    expected = {"staff": STAFF, "cases": CASES, "teams": TEAMS, "absences": ABSENCES}
    for url, family, key in _detail_urls(world):
        response = client.get(url)
        if key in expected[family][role]:
            assert response.status_code == 200, f"{role} should see {url}"
        else:
            assert response.status_code == 404, f"{role} should not see {url}"
            assert b"Marker" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_lists_never_name_anyone_out_of_scope(world, api_as, role):
    client = api_as(role)
    forbidden = [f"Marker{key.upper()}x" for key in EVERYONE - STAFF[role]]
    forbidden += [
        label
        for key, label in (("case_sw", "CaseSWx"), ("case_sw2", "CaseSW2x"))
        if key not in CASES[role]
    ]
    for resource in ("services", "teams", "staff", "cases", "absences"):
        body = client.get(f"/api/v1/{resource}/").content.decode()
        for marker in forbidden:
            assert marker not in body, f"{role} sees {marker} in /api/v1/{resource}/"


def test_writing_to_an_invisible_object_answers_404(world, api_as):
    response = api_as("tm2").patch(
        f"/api/v1/absences/{world.absence_sw.pk}/", {"notes": "x"}, format="json"
    )
    assert response.status_code == 404
    world.absence_sw.refresh_from_db()
    assert world.absence_sw.notes == "NoteSWsecret"


@pytest.mark.parametrize("role", ROLES)
def test_the_browsable_api_shows_nothing_out_of_scope(world, api_as, role):
    """The HTML view of the API renders filter forms and write forms with choices: those
    choices must be scoped too (a supervisor drop-down must not list the whole authority)."""
    import re

    client = api_as(role)
    forbidden = [f"Marker{key.upper()}x" for key in EVERYONE - STAFF[role]]
    forbidden += [
        label
        for key, label in (("case_sw", "CaseSWx"), ("case_sw2", "CaseSW2x"))
        if key not in CASES[role]
    ]
    forbidden += [
        name
        for key, name in (("riverside", "Riverside"), ("hillside", "Hillside"))
        if key not in TEAMS[role]
    ]
    chains = {"absence_sw": {"sw", "tm", "gm", "bs"}, "absence_sw2": {"sw2", "tm2", "gm2", "bs"}}
    for absence, readers in chains.items():
        if role not in readers:
            forbidden.append("NoteSW2secret" if absence == "absence_sw2" else "NoteSWsecret")
    urls = [f"/api/v1/{resource}/" for resource in RESOURCES]
    urls += [url for url, _family, _key in _detail_urls(world)]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response["Content-Type"].startswith("text/html"), url
        body = response.content.decode()
        for marker in forbidden:
            assert marker not in body, f"{role} sees {marker} at {url} (HTML)"
        if role not in chains["absence_sw2"]:
            assert not re.search(r'value="parental_leave"\s+selected', body), url
