"""Services, teams and staff are kept by business support; the request cannot set what the
server sets; records are never deleted."""

from __future__ import annotations

import pytest

from oversight.models import Role, Service, StaffMember, Team

pytestmark = pytest.mark.django_db


def _new_person(world, **overrides) -> dict:
    return {
        "employee_number": "EMP-NEW1",
        "first_name": "Nia",
        "last_name": "Newstarter",
        "email": "nia@example.org",
        "role": Role.SOCIAL_WORKER,
        "employment_type": "agency",
        "team": world.riverside.pk,
        "supervisor": world.tm.pk,
        "start_date": "2026-04-01",
        "fte": "0.80",
    } | overrides


def test_business_support_create_a_staff_member(world, api_as):
    response = api_as("bs").post("/api/v1/staff/", _new_person(world), format="json")
    assert response.status_code == 201, response.json()
    person = StaffMember.objects.get(employee_number="EMP-NEW1")
    assert person.supervisor == world.tm
    assert person.team == world.riverside
    assert str(person.fte) == "0.80"
    assert response.json()["full_name"] == "Nia Newstarter"


def test_business_support_update_a_staff_member(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/",
        {"fte": "0.60", "employment_type": "secondee"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    world.sw.refresh_from_db()
    assert str(world.sw.fte) == "0.60"
    assert world.sw.employment_type == "secondee"


def test_business_support_move_a_worker_to_another_team_and_supervisor(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/",
        {"team": world.hillside.pk, "supervisor": world.tm2.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    world.sw.refresh_from_db()
    assert (world.sw.team, world.sw.supervisor) == (world.hillside, world.tm2)


@pytest.mark.parametrize("role", ["sw", "tm", "gm", "psw", "ad"])
def test_only_business_support_write_staff(world, api_as, role):
    client = api_as(role)
    assert client.post("/api/v1/staff/", _new_person(world), format="json").status_code == 403
    response = client.patch(f"/api/v1/staff/{world.sw.pk}/", {"fte": "0.5"}, format="json")
    assert response.status_code == 403
    assert not StaffMember.objects.filter(employee_number="EMP-NEW1").exists()
    world.sw.refresh_from_db()
    assert str(world.sw.fte) == "1.00"


def test_a_worker_cannot_edit_themself(world, api_as):
    response = api_as("sw").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"role": Role.TEAM_MANAGER}, format="json"
    )
    assert response.status_code == 403
    world.sw.refresh_from_db()
    assert world.sw.role == Role.SOCIAL_WORKER


def test_a_refused_write_does_not_tell_whether_the_person_exists(world, api_as):
    client = api_as("tm2")
    invisible = client.patch(f"/api/v1/staff/{world.sw.pk}/", {"fte": "0.5"}, format="json")
    missing = client.patch("/api/v1/staff/987654/", {"fte": "0.5"}, format="json")
    assert invisible.status_code == missing.status_code
    assert invisible.json() == missing.json()
    assert "Marker" not in invisible.content.decode()


@pytest.mark.parametrize("supervisor", ["sw", "asye", "atm", "bs"])
def test_the_supervisor_must_be_a_team_manager_or_above(world, api_as, supervisor):
    response = api_as("bs").post(
        "/api/v1/staff/",
        _new_person(world, supervisor=world.people[supervisor].pk),
        format="json",
    )
    assert response.status_code == 400
    assert "team manager or above" in str(response.json()["supervisor"])
    assert not StaffMember.objects.filter(employee_number="EMP-NEW1").exists()


def test_changing_the_supervisor_to_a_practitioner_is_refused(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.asye.pk}/", {"supervisor": world.atm.pk}, format="json"
    )
    assert response.status_code == 400
    assert "supervisor" in response.json()
    world.asye.refresh_from_db()
    assert world.asye.supervisor == world.tm


def test_nobody_supervises_themself(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.tm.pk}/", {"supervisor": world.tm.pk}, format="json"
    )
    assert response.status_code == 400
    assert "supervisor" in response.json()


@pytest.mark.parametrize("supervisor", ["tm", "gm", "psw", "ad"])
def test_team_managers_and_above_may_supervise(world, api_as, supervisor):
    response = api_as("bs").post(
        "/api/v1/staff/",
        _new_person(world, supervisor=world.people[supervisor].pk),
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_an_asye_worker_needs_an_asye_start_date(world, api_as):
    client = api_as("bs")
    response = client.post(
        "/api/v1/staff/", _new_person(world, role=Role.ASYE_SOCIAL_WORKER), format="json"
    )
    assert response.status_code == 400
    assert "asye_start_date" in response.json()
    response = client.post(
        "/api/v1/staff/",
        _new_person(world, role=Role.ASYE_SOCIAL_WORKER, asye_start_date="2026-04-01"),
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_a_leaving_date_before_the_start_is_refused(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"leaving_date": "2019-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "leaving_date" in response.json()


@pytest.mark.parametrize("fte", ["0", "0.00", "1.50", "-0.5"])
def test_fte_must_be_more_than_nothing_and_at_most_one(world, api_as, fte):
    response = api_as("bs").patch(f"/api/v1/staff/{world.sw.pk}/", {"fte": fte}, format="json")
    assert response.status_code == 400
    assert "fte" in response.json()


def test_employee_numbers_are_unique(world, api_as):
    response = api_as("bs").post(
        "/api/v1/staff/", _new_person(world, employee_number="EMP-SW"), format="json"
    )
    assert response.status_code == 400
    assert "employee_number" in response.json()


def test_server_set_fields_are_ignored_on_create(world, api_as):
    response = api_as("bs").post(
        "/api/v1/staff/",
        _new_person(
            world,
            id=999999,
            created_at="2000-01-01T00:00:00Z",
            updated_at="2000-01-01T00:00:00Z",
            username="ad.test",
            full_name="Someone Else",
            user=world.ad.user.pk,
        ),
        format="json",
    )
    assert response.status_code == 201, response.json()
    person = StaffMember.objects.get(employee_number="EMP-NEW1")
    assert person.pk != 999999
    assert person.created_at.year != 2000
    assert person.user is None
    assert response.json()["username"] is None
    assert response.json()["full_name"] == "Nia Newstarter"


def test_server_set_fields_are_ignored_on_update(world, api_as):
    created_at = world.sw.created_at
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/",
        {
            "id": world.tm.pk,
            "created_at": "2000-01-01T00:00:00Z",
            "username": "hijacked",
            "user": world.ad.user.pk,
            "first_name": "Renamed",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    world.sw.refresh_from_db()
    world.sw.user.refresh_from_db()
    assert world.sw.first_name == "Renamed"
    assert world.sw.created_at == created_at
    assert world.sw.user.username == "sw.test"
    assert response.json()["id"] == world.sw.pk
    assert response.json()["username"] == "sw.test"


@pytest.mark.parametrize("resource", ["services", "teams", "staff", "cases", "absences"])
def test_nothing_is_ever_deleted(world, api_as, integration_api, resource):
    obj = {
        "services": world.safeguarding,
        "teams": world.riverside,
        "staff": world.sw,
        "cases": world.case_sw,
        "absences": world.absence_sw,
    }[resource]
    # Each resource as someone who may write it, so the refusal is about the method.
    client = integration_api if resource == "cases" else api_as("bs")
    assert client.delete(f"/api/v1/{resource}/{obj.pk}/").status_code == 405
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_business_support_create_a_team_in_an_existing_service(world, api_as):
    response = api_as("bs").post(
        "/api/v1/teams/",
        {"name": "Brookside", "service": world.parenting.pk, "manager": world.tm2.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Team.objects.get(name="Brookside").service == world.parenting


def test_business_support_create_a_service(world, api_as):
    response = api_as("bs").post(
        "/api/v1/services/",
        {"name": "Disabled Children", "group_manager": world.gm.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Service.objects.get(name="Disabled Children").group_manager == world.gm


def test_business_support_see_a_new_service_and_give_it_a_team(world, api_as):
    client = api_as("bs")
    service = Service.objects.create(name="Disabled Children")
    assert client.get(f"/api/v1/services/{service.pk}/").status_code == 200
    response = client.post(
        "/api/v1/teams/", {"name": "Brookside", "service": service.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    response = client.post(
        "/api/v1/teams/",
        {"name": "Brookside East", "service": service.pk, "manager": world.tm.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Team.objects.get(name="Brookside").service == service
    assert Team.objects.get(name="Brookside East").manager == world.tm


@pytest.mark.parametrize("role", ["tm", "gm", "psw"])
def test_only_business_support_write_services_and_teams(world, api_as, role):
    client = api_as(role)
    assert client.post("/api/v1/services/", {"name": "X"}, format="json").status_code == 403
    response = client.patch(
        f"/api/v1/teams/{world.riverside.pk}/", {"name": "Renamed"}, format="json"
    )
    assert response.status_code == 403
    world.riverside.refresh_from_db()
    assert world.riverside.name == "Riverside"


def test_an_unknown_supervisor_is_a_bad_reference(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"supervisor": 987654}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"supervisor": ['Invalid pk "987654" - object does not exist.']}
    world.sw.refresh_from_db()
    assert world.sw.supervisor == world.tm
