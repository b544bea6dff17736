"""Arranging cover for an absent supervisor."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from oversight.models import Notification
from supervision.models import Cover, CoverStatus
from tests.supervision.factories import CoverFactory

pytestmark = pytest.mark.django_db


def _url(world, person: str = "tm") -> str:
    return f"/staff/{world.people[person].pk}/cover/new/"


def _dates(start_in: int = 0, end_in: int = 14) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "start_date": f"{today + datetime.timedelta(days=start_in):%Y-%m-%d}",
        "end_date": f"{today + datetime.timedelta(days=end_in):%Y-%m-%d}",
    }


def test_the_form_offers_the_managers_the_arranger_can_see(world):
    html = world.client("bs").get(_url(world)).content.decode()
    assert f'<option value="{world.tm2.pk}">PersonTM2 MarkerTM2x (Team manager)</option>' in html
    assert f'value="{world.gm.pk}"' in html
    assert f'value="{world.tm.pk}"' not in html  # not themselves
    assert f'value="{world.sw.pk}"' not in html  # not a manager


def test_the_supervisors_manager_arranges_cover_with_history(world):
    response = world.client("gm").post(
        _url(world), {"covering_manager": str(world.gm.pk), **_dates(0, 14)}, follow=True
    )
    cover = Cover.objects.get()
    assert (cover.absent_supervisor, cover.covering_manager) == (world.tm, world.gm)
    assert cover.status == CoverStatus.ARRANGED
    assert cover.end_date == timezone.localdate() + datetime.timedelta(days=14)
    assert cover.history.first().history_user == world.gm.user
    assert response.redirect_chain[-1][0] == f"/staff/{world.tm.pk}/"
    assert "PersonGM MarkerGMx will cover for PersonTM MarkerTMx" in response.content.decode()


def test_business_support_only_propose_cover_and_the_manager_is_told(world):
    response = world.client("bs").post(
        _url(world), {"covering_manager": str(world.tm2.pk), **_dates(0, 14)}, follow=True
    )
    cover = Cover.objects.get()
    assert cover.status == CoverStatus.PROPOSED
    assert cover.proposed_by == world.bs
    assert "is proposed" in response.content.decode()
    notice = Notification.objects.get(kind="cover-proposed")
    assert notice.recipient == world.gm.user  # tm's own line manager
    # A proposal hands over nothing: tm2 still cannot read tm's supervisees' records.
    assert world.client("tm2").get(f"/staff/{world.sw.pk}/supervision/").status_code == 404


def test_the_supervisors_manager_confirms_a_proposal_and_cover_starts(world):
    world.client("bs").post(_url(world), {"covering_manager": str(world.tm2.pk), **_dates()})
    cover = Cover.objects.get()
    assert 'Confirm cover' in world.client("gm").get(_url(world)).content.decode()
    response = world.client("gm").post(f"/covers/{cover.pk}/confirm/")
    assert response.status_code == 302
    cover.refresh_from_db()
    assert cover.status == CoverStatus.ARRANGED
    assert cover.history.first().history_user == world.gm.user
    assert Notification.objects.filter(kind="cover-arranged", recipient=world.tm2.user).exists()
    assert world.client("tm2").get(f"/staff/{world.sw.pk}/supervision/").status_code == 200


@pytest.mark.parametrize("role", ["bs", "tm2", "sw"])
def test_others_cannot_confirm_a_proposal(world, role):
    world.client("bs").post(_url(world), {"covering_manager": str(world.tm2.pk), **_dates()})
    cover = Cover.objects.get()
    assert world.client(role).post(f"/covers/{cover.pk}/confirm/").status_code == 404
    cover.refresh_from_db()
    assert cover.status == CoverStatus.PROPOSED


def test_business_support_are_not_offered_a_confirm_button(world):
    world.client("bs").post(_url(world), {"covering_manager": str(world.tm2.pk), **_dates()})
    html = world.client("bs").get(_url(world)).content.decode()
    assert "Propose cover" in html and "Confirm cover" not in html


@pytest.mark.parametrize("role", ["psw", "ad"])
def test_the_directorate_arrange_cover(world, role):
    response = world.client(role).post(
        _url(world), {"covering_manager": str(world.gm.pk), **_dates()}
    )
    assert response.status_code == 302
    assert Cover.objects.get().status == CoverStatus.ARRANGED


def test_a_group_manager_can_cover_their_own_team_manager(world):
    response = world.client("gm").post(
        _url(world), {"covering_manager": str(world.gm.pk), **_dates()}
    )
    assert response.status_code == 302
    assert Cover.objects.get().covering_manager == world.gm


def test_an_end_before_the_start_is_refused_and_what_was_typed_is_kept(world):
    data = {"covering_manager": str(world.gm.pk), **_dates(10, 2)}
    response = world.client("gm").post(_url(world), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "The last day of cover must be on or after the first." in html
    assert f'value="{data["start_date"]}"' in html
    assert f'<option value="{world.gm.pk}" selected>' in html
    assert Cover.objects.count() == 0


def test_missing_answers_are_each_asked_for(world):
    html = world.client("gm").post(_url(world), {}).content.decode()
    assert "Choose who will cover." in html
    assert "Enter the first day of cover." in html
    assert "Enter the last day of cover." in html


def test_a_manager_outside_the_arrangers_view_cannot_be_chosen(world):
    html = (
        world.client("gm")
        .post(_url(world), {"covering_manager": str(world.tm2.pk), **_dates()})
        .content.decode()
    )
    assert "govuk-error-summary" in html
    assert Cover.objects.count() == 0


@pytest.mark.parametrize("role", ["sw", "atm", "sw2"])
def test_people_who_are_not_the_supervisors_managers_get_404(world, role):
    client = world.client(role)
    assert client.get(_url(world)).status_code == 404
    response = client.post(_url(world), {"covering_manager": str(world.gm.pk), **_dates()})
    assert response.status_code == 404
    assert Cover.objects.count() == 0


def test_another_services_manager_gets_404(world):
    assert world.client("tm2").get(_url(world)).status_code == 404


def test_a_manager_cannot_arrange_their_own_cover(world):
    assert world.client("tm").get(_url(world)).status_code == 404


def test_cover_already_arranged_is_listed(world):
    CoverFactory(absent_supervisor=world.tm, covering_manager=world.gm)
    html = world.client("gm").get(_url(world)).content.decode()
    assert 'data-testid="existing-covers"' in html
    assert "PersonGM MarkerGMx" in html


def test_the_supervisors_page_offers_to_arrange_cover_to_their_managers_only(world):
    link = f'href="{_url(world)}"'
    assert link in world.client("gm").get(f"/staff/{world.tm.pk}/").content.decode()
    assert link not in world.client("sw").get(f"/staff/{world.tm.pk}/").content.decode()
    assert link not in world.client("tm").get(f"/staff/{world.tm.pk}/").content.decode()
