"""The staff service's rules (DESIGN §4.1): nobody changes their own role, team or supervisor;
roles that widen what someone reads change only by an administrator or the directorate; a
supervisor is not demoted while they have supervisees; line management never loops. The same
rules hold through the API, the admin and the role page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from oversight import services
from oversight.models import Notification, Role, StaffMember
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _role_of(person: StaffMember) -> str:
    person.refresh_from_db()
    return person.role


# --- the escalation the security test found --------------------------------------------------


def test_business_support_cannot_give_themself_a_senior_role(world, api_as):
    client = api_as("bs")
    response = client.patch(
        f"/api/v1/staff/{world.bs.pk}/", {"role": Role.ASSISTANT_DIRECTOR}, format="json"
    )
    assert response.status_code == 400
    assert "role" in response.json()
    assert _role_of(world.bs) == Role.BUSINESS_SUPPORT
    # ...and so still reads no case or supervision record.
    assert client.get(f"/api/v1/cases/{world.case_sw.pk}/").status_code == 404


def test_business_support_cannot_make_someone_else_a_manager(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"role": Role.TEAM_MANAGER}, format="json"
    )
    assert response.status_code == 400
    assert "administrator" in response.json()["role"][0]
    assert _role_of(world.sw) == Role.SOCIAL_WORKER


def test_business_support_cannot_make_someone_business_support(world, api_as):
    # Business support read every absence type: the role widens access like a manager's.
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"role": Role.BUSINESS_SUPPORT}, format="json"
    )
    assert response.status_code == 400
    assert _role_of(world.sw) == Role.SOCIAL_WORKER


def test_business_support_cannot_create_a_manager(world, api_as):
    response = api_as("bs").post(
        "/api/v1/staff/",
        {
            "employee_number": "EMP-NEWTM",
            "first_name": "Nat",
            "last_name": "Newmanager",
            "role": Role.GROUP_MANAGER,
            "start_date": "2026-01-05",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not StaffMember.objects.filter(employee_number="EMP-NEWTM").exists()


def test_business_support_still_change_practitioner_roles(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.sw.pk}/", {"role": Role.SENIOR_PRACTITIONER}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert _role_of(world.sw) == Role.SENIOR_PRACTITIONER


@pytest.mark.parametrize("field", ["role", "team", "supervisor"])
def test_nobody_changes_their_own_role_team_or_supervisor(world, field):
    admin_user = UserFactory(is_superuser=True, is_staff=True)
    me = StaffFactory(user=admin_user, role=Role.TEAM_MANAGER, team=world.riverside)
    value = {"role": Role.ASSISTANT_DIRECTOR, "team": world.hillside, "supervisor": world.gm}
    with pytest.raises(ValidationError) as refused:
        services.staff_update(staff=me, actor=admin_user, **{field: value[field]})
    assert field in refused.value.message_dict
    me.refresh_from_db()
    assert (me.role, me.team, me.supervisor) == (Role.TEAM_MANAGER, world.riverside, None)


# --- who may change a senior role -------------------------------------------------------------


@pytest.mark.parametrize("who", ["psw", "ad"])
def test_the_directorate_make_someone_a_team_manager(world, who):
    services.staff_update(staff=world.sw, actor=world.people[who].user, role=Role.TEAM_MANAGER)
    assert _role_of(world.sw) == Role.TEAM_MANAGER


def test_an_administrator_makes_someone_a_team_manager(world):
    admin_user = UserFactory(is_superuser=True)
    services.staff_update(staff=world.sw, actor=admin_user, role=Role.TEAM_MANAGER)
    assert _role_of(world.sw) == Role.TEAM_MANAGER


def test_a_role_change_is_history_with_who_made_it(world):
    services.staff_update(staff=world.sw, actor=world.psw.user, role=Role.SENIOR_PRACTITIONER)
    latest = world.sw.history.latest()
    assert latest.history_user == world.psw.user
    assert latest.history_change_reason == "Role changed from Social worker to Senior practitioner"


def test_a_role_change_is_told_to_the_line_manager(world):
    services.staff_update(staff=world.sw, actor=world.bs.user, role=Role.SENIOR_PRACTITIONER)
    notice = Notification.objects.get()
    assert notice.recipient == world.tm.user
    assert notice.kind == "role-changed"
    assert "Senior practitioner" in notice.subject
    assert notice.url == f"/staff/{world.sw.pk}/"


def test_the_line_manager_who_makes_the_change_is_not_told_of_it(world):
    world.tm.user.is_superuser = True
    world.tm.user.save()
    services.staff_update(staff=world.sw, actor=world.tm.user, role=Role.SENIOR_PRACTITIONER)
    assert not Notification.objects.exists()


def test_a_change_that_is_not_a_role_change_tells_nobody(world):
    services.staff_update(staff=world.sw, actor=world.bs.user, last_name="Renamed")
    assert not Notification.objects.exists()


def test_a_role_change_is_emailed_after_the_commit(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.tm.email = "tara@example.org"
    world.tm.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_update(staff=world.sw, actor=world.bs.user, role=Role.SENIOR_PRACTITIONER)
    assert [m.to for m in mailoutbox] == [["tara@example.org"]]
    assert f"/staff/{world.sw.pk}/" in mailoutbox[0].body


# --- demotion and loops ---------------------------------------------------------------------


def test_demoting_a_supervisor_with_supervisees_is_refused_naming_them(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.tm.pk}/", {"role": Role.SOCIAL_WORKER}, format="json"
    )
    assert response.status_code == 400
    with pytest.raises(ValidationError) as refused:
        services.staff_update(staff=world.tm, actor=world.ad.user, role=Role.SOCIAL_WORKER)
    message = refused.value.message_dict["role"][0]
    assert world.sw.full_name in message and world.asye.full_name in message
    assert _role_of(world.tm) == Role.TEAM_MANAGER
    for supervisee in (world.sw, world.asye, world.atm):
        supervisee.refresh_from_db()
        supervisee.full_clean()  # still valid


def test_demoting_a_team_manager_who_still_leads_a_team_is_refused(world):
    for supervisee in (world.sw, world.asye, world.atm):
        services.staff_update(staff=supervisee, actor=world.bs.user, supervisor=world.gm)
    with pytest.raises(ValidationError, match="Riverside"):
        services.staff_update(staff=world.tm, actor=world.ad.user, role=Role.SOCIAL_WORKER)


def test_a_supervisor_with_nobody_left_can_be_demoted(world):
    lone = StaffFactory(role=Role.TEAM_MANAGER, team=world.riverside)
    services.staff_update(staff=lone, actor=world.ad.user, role=Role.SENIOR_PRACTITIONER)
    assert _role_of(lone) == Role.SENIOR_PRACTITIONER


def test_a_two_person_supervision_loop_is_refused(world, api_as):
    # gm supervises tm; making tm gm's supervisor would loop.
    response = api_as("bs").patch(
        f"/api/v1/staff/{world.gm.pk}/", {"supervisor": world.tm.pk}, format="json"
    )
    assert response.status_code == 400
    assert "loop" in response.json()["supervisor"][0]
    world.gm.refresh_from_db()
    assert world.gm.supervisor == world.ad


def test_a_longer_loop_is_refused_and_named(world):
    # ad → gm → tm; making tm supervise ad closes the loop.
    with pytest.raises(ValidationError) as refused:
        services.staff_update(staff=world.ad, actor=world.bs.user, supervisor=world.tm)
    message = refused.value.message_dict["supervisor"][0]
    assert world.gm.full_name in message and world.tm.full_name in message


def test_a_supervisor_outside_the_chain_is_accepted(world):
    services.staff_update(staff=world.sw, actor=world.bs.user, supervisor=world.tm2)
    world.sw.refresh_from_db()
    assert world.sw.supervisor == world.tm2


# --- teams and services are led by managers -------------------------------------------------


def test_a_team_cannot_be_given_a_practitioner_as_manager(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/teams/{world.hillside.pk}/", {"manager": world.sw.pk}, format="json"
    )
    assert response.status_code == 400
    assert "manager" in response.json()
    world.hillside.refresh_from_db()
    assert world.hillside.manager == world.tm2


def test_a_service_cannot_be_led_by_a_team_manager(world, api_as):
    response = api_as("bs").patch(
        f"/api/v1/services/{world.parenting.pk}/", {"group_manager": world.tm.pk}, format="json"
    )
    assert response.status_code == 400
    world.parenting.refresh_from_db()
    assert world.parenting.group_manager == world.gm2
