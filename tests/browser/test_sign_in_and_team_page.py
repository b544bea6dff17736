"""End to end in a real Chromium: sign in, see your team, be refused another team, sign out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from oversight.models import StaffMember, Team

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

SCREENSHOT = "/tmp/team_page.png"  # noqa: S108 (a fixed path the developer can look at)
HEADER_BLUE = "rgb(29, 58, 95)"  # .app-header in assets/oversight.scss


def _staff(username: str) -> StaffMember:
    return StaffMember.objects.get(user__username=username)


def _team_managed_by(username: str) -> Team:
    return Team.objects.get(manager__user__username=username)


def test_team_manager_signs_in_and_lands_on_their_team_page(live_server, page: Page, sign_in):
    team = _team_managed_by("tm.demo")
    worker = _staff("sw.demo")
    stylesheets: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda response: (
            stylesheets.append((response.url, response.status))
            if response.url.endswith("/static/oversight.css")
            else None
        ),
    )

    response = sign_in("tm.demo")

    # Home sends a team manager to /my-team/, which sends them to their own team.
    assert response is not None and response.status == 200
    expect(page).to_have_url(f"{live_server.url}/teams/{team.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(team.name)
    members = page.get_by_test_id("team-members")
    expect(members.get_by_role("link", name=worker.full_name, exact=True)).to_be_visible()

    # The GOV.UK Frontend stylesheet (built by `make assets`) really loaded and applies.
    assert stylesheets and all(status in (200, 304) for _, status in stylesheets), stylesheets
    expect(page.locator(".app-header")).to_have_css("background-color", HEADER_BLUE)
    expect(page.locator("body")).to_have_css("margin", "0px")
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_social_worker_gets_page_not_found_for_another_services_team(
    live_server, page: Page, sign_in
):
    other_team = _team_managed_by("tm2.demo")
    worker = _staff("sw.demo")
    assert other_team.service_id != (worker.team.service_id if worker.team else None)

    sign_in("sw.demo")
    response = page.goto(f"{live_server.url}/teams/{other_team.pk}/")

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text(other_team.name)


def test_sign_out_ends_the_session(live_server, page: Page, sign_in):
    sign_in("tm.demo")

    sign_out = page.get_by_role("button", name=re.compile(r"^Sign out\b"))
    expect(sign_out).to_be_visible()
    with page.expect_navigation():
        with page.expect_request(
            lambda request: (
                request.method == "POST" and request.url == f"{live_server.url}/accounts/logout/"
            )
        ):
            sign_out.click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server.url}/accounts/login/")))
    expect(page.get_by_role("button", name=re.compile(r"^Sign out\b"))).to_have_count(0)

    response = page.goto(f"{live_server.url}/teams/")

    assert response is not None and response.status == 200
    redirect = response.request.redirected_from
    assert redirect is not None and redirect.url == f"{live_server.url}/teams/"
    redirect_response = redirect.response()
    assert redirect_response is not None and redirect_response.status == 302
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/teams/")
    expect(page.locator("#id_username")).to_be_visible()
