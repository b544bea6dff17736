"""A group manager opens their service's dashboard, drills from a team to a worker, and
exports the workbook (Chromium)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from oversight.models import Team

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]


def test_group_manager_drills_from_a_team_to_a_worker_and_exports(
    live_server, page: Page, sign_in
):
    team = Team.objects.get(manager__user__username="tm.demo")
    sign_in("gm.demo")
    expect(page).to_have_url(f"{live_server.url}/dashboards/")
    expect(page.get_by_role("heading", level=1)).to_have_text(team.service.name)
    expect(page.locator(".app-tile__label").first).to_have_text("Supervision compliance")
    expect(page.locator("svg.app-chart__svg")).to_be_visible()

    page.get_by_role("link", name=team.name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(team.name)
    worker_link = page.get_by_role("link", name="Sam Whitlock")
    if worker_link.count() == 0:  # the demo's names come from the seed; take the first worker
        worker_link = page.locator("table a[href*='/supervision/']").first
    worker_name = worker_link.inner_text()
    worker_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision history")
    expect(page.locator("main")).to_contain_text(worker_name)

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export to Excel").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(open(download.path(), "rb").read()), read_only=True)
    assert "About" in workbook.sheetnames
    assert any("Summary" in name for name in workbook.sheetnames)
