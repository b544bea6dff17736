"""Recording supervision live in a real Chromium: start, type everywhere, reload, lose the
connection, meet a second window, sign, lock. Waits are for text on the page, never sleeps."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from oversight.models import StaffMember
from supervision import services
from supervision.models import CaseDiscussion, SessionStatus, SupervisionSession
from tests.browser.conftest import DEMO_PASSWORD, TIMEOUT_MS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo")]

SAVED = re.compile(r"^Saved at \d\d:\d\d:\d\d$")


def _staff(username: str) -> StaffMember:
    return StaffMember.objects.get(user__username=username)


def _status(page: Page):  # noqa: ANN202
    return page.locator("[data-autosave-status]")


def _start_session(live_server, page: Page, sign_in) -> SupervisionSession:  # noqa: ANN001
    """tm.demo starts supervision for sw.demo from sw.demo's page."""
    worker = _staff("sw.demo")
    sign_in("tm.demo", reverse("staff-detail", args=[worker.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name="Start supervision", exact=True).click()
    expect(page.locator("[data-session-status]")).to_have_text("In progress")
    session = SupervisionSession.objects.get(supervisee=worker, status=SessionStatus.IN_PROGRESS)
    assert page.url == f"{live_server.url}{reverse('supervision-session', args=[session.pk])}"
    return session


def _second_window(browser: Browser, live_server, username: str) -> tuple[BrowserContext, Page]:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    return context, page


def _type(page: Page, selector: str, value: str) -> None:
    field = page.locator(selector)
    field.fill(value)
    field.press("Tab")  # leaving the field saves it at once


def _stored_in_browser(page: Page) -> str:
    return page.evaluate(
        "() => JSON.stringify(Object.assign({}, localStorage))"
        " + JSON.stringify(Object.assign({}, sessionStorage)) + document.cookie"
    )


def test_manager_records_every_section_and_it_survives_a_reload(live_server, page: Page, sign_in):
    worker, manager = _staff("sw.demo"), _staff("tm.demo")
    services.informal_discussion_record(
        worker=worker,
        actor=manager.user,
        happened_at=timezone.now() - datetime.timedelta(days=2),
        channel="phone",
        advice="Agreed to step the Parker case down to early help (BrowserInformal)",
    )
    services.action_create(
        supervisee=worker,
        description="Send the core group minutes (BrowserAction)",
        owner=worker,
        due_date=timezone.localdate() + datetime.timedelta(days=5),
        actor=manager.user,
    )

    session = _start_session(live_server, page, sign_in)

    informal = page.locator("#informal")
    expect(informal).to_contain_text(
        "Agreed to step the Parker case down to early help (BrowserInformal)"
    )
    expect(informal).to_contain_text("Phone")
    carried = page.locator("#carried-forward")
    expect(carried).to_contain_text("Send the core group minutes (BrowserAction)")

    # Review the carried-forward action, and add a case discussion (these post and come back).
    review = carried.locator("[data-review]", has_text="(BrowserAction)")
    review.get_by_label("Carried forward").check()
    with page.expect_navigation():
        review.get_by_role("button", name=re.compile("^Save review")).click()
    expect(
        page.locator("#carried-forward [data-review]", has_text="(BrowserAction)")
    ).to_contain_text("Carried forward")
    page.locator("#id_case").select_option(index=1)
    with page.expect_navigation():
        page.get_by_role("button", name="Add case discussion").click()
    discussion_card = page.locator("[data-case-discussion]").last
    expect(discussion_card).to_be_visible()

    # Type into every section, in no particular order, with the keyboard.
    texts = {
        "#field-reflection": "Reflected on working with the father (BrowserReflection)",
        "#field-agenda": "Caseload, the Parker case, court skills (BrowserAgenda)",
        "#field-preparation": "I want to talk about the Parker case (BrowserPreparation)",
        "#field-support-notes": "Tired after a heavy duty week (BrowserSupport)",
        "#field-capacity-notes": "Two new child protection cases this month (BrowserCapacity)",
        "#field-cpd-learning": "Read the neglect toolkit (BrowserCPD)",
        "#field-training-requests": "Court skills course (BrowserTraining)",
    }
    for selector, value in texts.items():
        _type(page, selector, value)
    page.locator("label[for=field-wellbeing-score-4]").click()
    page.locator("#field-support-confidential").check()
    discussion_texts = {
        "discussion": "Parker children: school attendance dropping (BrowserDiscussion)",
        "worries": "Neglect of the youngest (BrowserWorries)",
        "working_well": "Grandmother visits daily (BrowserWorking)",
        "needs_to_happen": "Core group to agree a plan (BrowserNeeds)",
        "scaling": "4",
        "analysis_tool": "Resilience matrix",
        "decisions": "Hold a core group within 10 days (BrowserDecisions)",
    }
    for name, value in discussion_texts.items():
        field = discussion_card.locator(f"[name={name}]")
        field.fill(value)
    discussion_card.locator("[name=decisions]").press("Tab")

    expect(_status(page)).to_have_text(SAVED)
    assert "Browser" not in _stored_in_browser(page)

    page.reload()
    for selector, value in texts.items():
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("#field-wellbeing-score-4")).to_be_checked()
    expect(page.locator("#field-support-confidential")).to_be_checked()
    discussion_card = page.locator("[data-case-discussion]").last
    for name, value in discussion_texts.items():
        expect(discussion_card.locator(f"[name={name}]")).to_have_value(value)

    saved = SupervisionSession.objects.get(pk=session.pk)
    assert saved.reflection == texts["#field-reflection"]
    assert (saved.wellbeing_score, saved.support_confidential) == (4, True)
    discussion = CaseDiscussion.objects.filter(session=session).last()
    assert (discussion.scaling, discussion.analysis_tool) == (4, "Resilience matrix")


def test_text_typed_offline_stays_on_the_page_and_is_saved_when_back_online(
    live_server, page: Page, sign_in
):
    session = _start_session(live_server, page, sign_in)
    _type(page, "#field-agenda", "Typed while online")
    expect(_status(page)).to_have_text(SAVED)

    page.context.set_offline(True)
    _type(page, "#field-reflection", "Typed with no connection (OfflineMarker)")

    problem = page.locator("[data-autosave-problem]")
    expect(problem).to_be_visible()
    expect(problem).to_contain_text("Not saved — reconnecting")
    expect(page.locator("#field-reflection")).to_have_value(
        "Typed with no connection (OfflineMarker)"
    )
    assert "OfflineMarker" not in _stored_in_browser(page)
    # Leaving now would lose the text: the browser asks first.
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Print view").click(no_wait_after=True)
    expect(page.locator("#field-reflection")).to_have_value(
        "Typed with no connection (OfflineMarker)"
    )
    assert dialogs == ["beforeunload"]
    assert SupervisionSession.objects.get(pk=session.pk).reflection == ""

    page.context.set_offline(False)

    expect(_status(page)).to_have_text(SAVED)
    expect(problem).to_be_hidden()
    assert (
        SupervisionSession.objects.get(pk=session.pk).reflection
        == "Typed with no connection (OfflineMarker)"
    )


def test_a_second_window_editing_the_same_section_sees_both_versions(
    live_server, page: Page, sign_in, browser: Browser
):
    session = _start_session(live_server, page, sign_in)
    other_context, other = _second_window(browser, live_server, "tm.demo")
    try:
        other.goto(f"{live_server.url}{reverse('supervision-session', args=[session.pk])}")
        expect(other.locator("#field-agenda")).to_be_visible()

        _type(page, "#field-agenda", "Agenda from the first window")
        expect(_status(page)).to_have_text(SAVED)
        _type(other, "#field-agenda", "Agenda from the second window")

        conflict = other.locator("#agenda .app-conflict")
        expect(conflict).to_contain_text("changed “Manager's agenda” while you were editing")
        expect(conflict).to_contain_text(_staff("tm.demo").full_name)
        expect(conflict.locator("[data-conflict-theirs]")).to_have_text(
            "Agenda from the first window"
        )
        expect(conflict.locator("[data-conflict-mine]")).to_have_text(
            "Agenda from the second window"
        )
        expect(other.locator("#field-agenda")).to_have_value("Agenda from the second window")
        # Nothing was overwritten silently.
        assert (
            SupervisionSession.objects.get(pk=session.pk).agenda == "Agenda from the first window"
        )

        conflict.get_by_role("button", name="Keep mine").click()

        expect(_status(other)).to_have_text(SAVED)
        expect(other.locator("#agenda .app-conflict")).to_have_count(0)
        assert (
            SupervisionSession.objects.get(pk=session.pk).agenda == "Agenda from the second window"
        )
    finally:
        other_context.close()


def test_both_sign_and_the_record_is_locked(live_server, page: Page, sign_in, browser: Browser):
    session = _start_session(live_server, page, sign_in)
    _type(page, "#field-reflection", "Reflection before signing")

    with page.expect_navigation():
        page.get_by_role("button", name="Mark as held").click()
    expect(page.locator("[data-session-status]")).to_have_text("Held")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign as supervisor").click()
    expect(page.locator("#sign")).to_contain_text("Waiting for")

    worker_context, worker = _second_window(browser, live_server, "sw.demo")
    try:
        url = f"{live_server.url}{reverse('supervision-session', args=[session.pk])}"
        worker.goto(url)
        expect(worker.locator("#field-reflection")).to_have_text("Reflection before signing")
        worker.get_by_label("Your comment (optional)").fill("Agreed, thank you")
        with worker.expect_navigation():
            worker.get_by_role("button", name="Sign record").click()

        expect(worker.locator("[data-locked-notice]")).to_contain_text("This record is locked")
        expect(worker.locator("[data-session-status]")).to_have_text("Signed")
        page.reload()
        expect(page.locator("[data-locked-notice]")).to_be_visible()
        expect(page.locator("textarea[name=reflection]")).to_have_count(0)
        expect(page.locator("#field-reflection")).to_have_text("Reflection before signing")

        # An edit sent anyway to the API the page saves through is refused with a clear message.
        token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
        response = page.request.patch(
            f"{live_server.url}{reverse('supervision-detail', args=[session.pk])}",
            data={"field": "reflection", "value": "Changed after signing", "version": 1},
            headers={"X-CSRFToken": token or "", "Referer": url},
        )
        assert response.status == 409
        assert "locked" in response.json()["detail"]
    finally:
        worker_context.close()
    locked = SupervisionSession.objects.get(pk=session.pk)
    assert locked.status == SessionStatus.SIGNED
    assert locked.reflection == "Reflection before signing"
    assert locked.supervisee_comment == "Agreed, thank you"
