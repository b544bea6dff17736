"""Cases come from the case-recording system: only an account with `oversight.change_case`
(the integration account) writes them through the API; nobody else, whatever their role."""

from __future__ import annotations

import pytest

from oversight.models import Case, CaseType
from tests.api_helpers import ids

pytestmark = pytest.mark.django_db

# An integration account is a login with `change_case` and no staff record: it reads and
# writes cases and names teams and staff (as people), but reads no supervision records.


@pytest.fixture
def case_writer(world, api_as):
    """tm's login granted `change_case`: a case writer whose scope is Riverside."""
    from django.contrib.auth.models import Permission

    world.tm.user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_case", "change_case"])
    )
    return api_as("tm")


def _new_case(world, **overrides) -> dict:
    return {
        "reference": "CH-900001",
        "label": "AB",
        "case_type": CaseType.CHILD_PROTECTION,
        "allocated_worker": world.sw.pk,
        "team": world.riverside.pk,
        "is_duty": True,
        "opened_on": "2026-02-02",
    } | overrides


@pytest.mark.parametrize("role", ["sw", "tm", "gm", "psw", "ad", "bs"])
def test_people_cannot_write_cases(world, api_as, role):
    client = api_as(role)
    assert client.post("/api/v1/cases/", _new_case(world), format="json").status_code == 403
    response = client.patch(f"/api/v1/cases/{world.case_sw.pk}/", {"label": "ZZ"}, format="json")
    assert response.status_code == 403
    assert not Case.objects.filter(reference="CH-900001").exists()
    world.case_sw.refresh_from_db()
    assert world.case_sw.label == "CaseSWx"


def test_the_integration_account_creates_a_case(world, integration_api):
    response = integration_api.post("/api/v1/cases/", _new_case(world), format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference="CH-900001")
    assert (case.allocated_worker, case.team, case.is_duty) == (world.sw, world.riverside, True)


def test_the_integration_account_reallocates_and_closes_a_case(world, integration_api):
    response = integration_api.patch(
        f"/api/v1/cases/{world.case_sw.pk}/",
        {"allocated_worker": world.sw2.pk, "team": world.hillside.pk, "closed_on": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    world.case_sw.refresh_from_db()
    assert world.case_sw.allocated_worker == world.sw2
    assert str(world.case_sw.closed_on) == "2026-03-01"


def test_the_integration_account_reads_the_cases_it_writes(world, integration_api):
    assert ids(integration_api.get("/api/v1/cases/")) == {world.case_sw.pk, world.case_sw2.pk}


def test_the_integration_account_sees_no_people_beyond_case_references(world, integration_api):
    """Writing cases is not a licence to read staff records, absences or health data."""
    for resource in ("staff", "absences"):
        assert ids(integration_api.get(f"/api/v1/{resource}/")) == set(), resource
    assert integration_api.get(f"/api/v1/absences/{world.absence_sw.pk}/").status_code == 404


def test_the_integration_account_cannot_write_staff(world, integration_api):
    response = integration_api.patch(f"/api/v1/staff/{world.sw.pk}/", {"fte": "0.5"}, format="json")
    assert response.status_code in (403, 404)
    world.sw.refresh_from_db()
    assert str(world.sw.fte) == "1.00"


def test_a_case_cannot_close_before_it_opened(world, case_writer):
    response = case_writer.patch(
        f"/api/v1/cases/{world.case_sw.pk}/", {"closed_on": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "closed_on" in response.json()


def test_case_references_are_unique(world, case_writer):
    response = case_writer.post(
        "/api/v1/cases/", _new_case(world, reference="CH-SW0001"), format="json"
    )
    assert response.status_code == 400
    assert "reference" in response.json()


def test_case_labels_are_initials_not_names(world, case_writer):
    response = case_writer.post(
        "/api/v1/cases/", _new_case(world, label="Jonathan Smithson"), format="json"
    )
    assert response.status_code == 400
    assert "label" in response.json()


def test_server_set_fields_are_ignored(world, case_writer):
    response = case_writer.post(
        "/api/v1/cases/",
        _new_case(world, created_at="2000-01-01T00:00:00Z", updated_at="2000-01-01T00:00:00Z"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Case.objects.get(reference="CH-900001").created_at.year != 2000


def test_a_case_writer_creates_and_updates_cases(world, case_writer):
    response = case_writer.post("/api/v1/cases/", _new_case(world), format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(reference="CH-900001")
    assert (case.allocated_worker, case.team, case.is_duty) == (world.sw, world.riverside, True)
    response = case_writer.patch(
        f"/api/v1/cases/{case.pk}/",
        {"allocated_worker": world.asye.pk, "closed_on": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert (case.allocated_worker, str(case.closed_on)) == (world.asye, "2026-03-01")


def test_a_case_writer_writes_only_within_their_scope(world, case_writer):
    """A team manager given `change_case` still cannot reach another team's case or staff."""
    client = case_writer
    hidden = client.patch(f"/api/v1/cases/{world.case_sw2.pk}/", {"label": "ZZ"}, format="json")
    assert hidden.status_code == 404
    response = client.patch(
        f"/api/v1/cases/{world.case_sw.pk}/", {"allocated_worker": world.sw2.pk}, format="json"
    )
    assert response.status_code == 400
    assert "allocated_worker" in response.json()
    world.case_sw.refresh_from_db()
    assert world.case_sw.allocated_worker == world.sw
