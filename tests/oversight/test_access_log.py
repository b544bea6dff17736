"""The access log: reading is audited, and the log is read by the record's managers and the
principal social worker only (DESIGN §3)."""

from __future__ import annotations

import pytest
from django.test import Client

from oversight import services
from oversight.models import AccessLogEntry


def test_viewing_a_staff_page_is_logged(world):
    response = world.client("tm").get(f"/staff/{world.sw.pk}/")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert entry.user == world.tm.user
    assert entry.action == AccessLogEntry.Action.VIEW
    assert entry.kind == "staff"
    assert entry.object_id == str(world.sw.pk)
    assert entry.subject == world.sw
    assert entry.via == "web"


def test_every_view_is_logged_again(world):
    client = world.client("asye")
    client.get(f"/staff/{world.sw.pk}/")
    client.get(f"/staff/{world.sw.pk}/")
    assert AccessLogEntry.objects.filter(user=world.asye.user, kind="staff").count() == 2


def test_viewing_a_case_is_logged_against_its_worker(world):
    world.client("tm").get(f"/cases/{world.case_sw.pk}/")
    entry = AccessLogEntry.objects.get()
    assert (entry.kind, entry.object_id, entry.subject) == ("case", str(world.case_sw.pk), world.sw)


def test_reading_through_the_api_is_logged_as_api(world):
    assert world.client("tm").get(f"/api/v1/staff/{world.sw.pk}/").status_code == 200
    assert AccessLogEntry.objects.get().via == "api"


def test_a_refused_view_is_not_logged(world):
    assert world.client("tm2").get(f"/staff/{world.sw.pk}/").status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_an_anonymous_request_is_not_logged(world):
    Client().get(f"/staff/{world.sw.pk}/")
    assert not AccessLogEntry.objects.exists()


def test_a_list_is_one_line_naming_every_record_it_showed(world):
    # DESIGN §5: a list writes one line naming the records it returned, not a line per row.
    world.client("bs").get("/staff/")
    entry = AccessLogEntry.objects.get()
    assert entry.kind == "staff"
    named = set(entry.items.values_list("object_id", flat=True))
    assert named == {str(person.pk) for person in world.people.values()}


def test_a_record_shown_in_a_list_has_that_list_in_its_own_log(world):
    world.client("tm").get("/staff/")
    response = world.client("gm").get(f"/access-log/staff/{world.sw.pk}/")
    assert response.status_code == 200
    assert world.tm.full_name in response.content.decode()


def test_an_api_list_is_one_line_naming_its_page(world):
    from tests.supervision.factories import HeldSessionFactory

    sessions = {HeldSessionFactory(supervisee=world.sw, supervisor=world.tm) for _ in range(3)}
    response = world.client("psw").get(f"/api/v1/supervisions/?supervisee={world.sw.pk}")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.kind, entry.via, entry.subject) == ("supervision", "api", world.sw)
    assert set(entry.items.values_list("object_id", flat=True)) == {str(s.pk) for s in sessions}


def test_history_of_a_record_is_logged(world):
    response = world.client("psw").get(f"/history/staff/{world.sw.pk}/")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.kind, entry.object_id) == ("staff", str(world.sw.pk))
    assert entry.description == "History"


def test_an_empty_list_leaves_no_line(world):
    world.client("bs").get("/staff/?q=nobody-is-called-this")
    assert not AccessLogEntry.objects.exists()


def test_the_service_skips_anonymous_users_and_unregistered_kinds(world):
    from django.contrib.auth.models import AnonymousUser

    assert services.access_log_record(user=AnonymousUser(), action="view", obj=world.sw) is None
    assert services.access_log_record(user=world.tm.user, action="view", obj=world.tm.user) is None
    assert not AccessLogEntry.objects.exists()


def test_an_export_is_logged_whatever_it_contained(world):
    entry = services.access_log_export(user=world.gm.user, description="x" * 400)
    assert entry.action == AccessLogEntry.Action.EXPORT
    assert entry.kind == "export"
    assert len(entry.description) == 255


# --- who may read the log --------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["tm", "gm", "psw"])
def test_the_workers_managers_and_the_principal_social_worker_read_the_log(world, reader):
    world.client("asye").get(f"/staff/{world.sw.pk}/")
    response = world.client(reader).get(f"/access-log/staff/{world.sw.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "PersonASYE MarkerASYEx" in html
    assert "Viewed" in html


@pytest.mark.parametrize("reader", ["sw", "asye", "atm", "bs", "tm2", "gm2", "sw2"])
def test_everyone_else_is_answered_404(world, reader):
    world.client("tm").get(f"/staff/{world.sw.pk}/")
    response = world.client(reader).get(f"/access-log/staff/{world.sw.pk}/")
    assert response.status_code == 404
    assert b"PersonTM MarkerTMx" not in response.content


def test_the_staff_page_links_to_the_log_only_for_its_readers(world):
    link = f"/access-log/staff/{world.sw.pk}/".encode()
    assert link in world.client("tm").get(f"/staff/{world.sw.pk}/").content
    assert link not in world.client("sw").get(f"/staff/{world.sw.pk}/").content
    assert link not in world.client("bs").get(f"/staff/{world.sw.pk}/").content


def test_an_unknown_kind_or_record_answers_404(world):
    client = world.client("psw")
    assert client.get(f"/access-log/payroll/{world.sw.pk}/").status_code == 404
    assert client.get("/access-log/staff/999999/").status_code == 404


def test_reading_the_log_shows_only_that_records_entries(world):
    world.client("asye").get(f"/staff/{world.tm.pk}/")
    world.client("atm").get(f"/staff/{world.sw.pk}/")
    html = world.client("tm").get(f"/access-log/staff/{world.sw.pk}/").content.decode()
    assert "PersonATM MarkerATMx" in html
    assert "PersonASYE MarkerASYEx" not in html


def test_an_export_without_a_signed_in_user_is_refused(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ValueError, match="signed-in"):
        services.access_log_export(user=AnonymousUser(), description="performance.xlsx")
    assert not AccessLogEntry.objects.exists()
