"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

Playwright's own browser download is not used; the system Chromium at /usr/bin/chromium is.
Without it these tests skip, unless REQUIRE_BROWSER=1 (as in CI), when they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "oversight-demo"  # noqa: S105 (fictional demo logins)
TIMEOUT_MS = 15_000


def _unavailable(reason: str) -> None:
    """Skip, or fail when the browser tests are required (REQUIRE_BROWSER=1)."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1, so browser tests must run)", pytrace=False)
    pytest.skip(f"{reason}; set REQUIRE_BROWSER=1 to make this a failure")


@pytest.fixture(scope="module", autouse=True)
def allow_orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an asyncio event loop running on the test thread, so Django's
    async-safety guard would refuse the ORM calls test code makes (setting up data, reading it
    back) while the live server, in another thread, answers the browser.

    Set only while browser tests run: left in os.environ it would leak into every later test and
    subprocess (`manage.py check --deploy` rightly fails with async.E001 when it is set).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module; torn down before other modules run."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("Python Playwright is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page for each test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        context.close()


@pytest.fixture
def demo(live_server) -> None:  # noqa: ANN001 (pytest-django fixture)
    """The demo authority, as `make run` loads it (smaller), visible to the live server."""
    call_command("seed_demo", "--staff", "60", "--seed", "1", verbosity=0)


@pytest.fixture
def sign_in(live_server, page: Page):  # noqa: ANN001, ANN201
    """Sign in through the real sign-in form; returns the response of the page landed on."""

    def _sign_in(username: str, path: str = "/"):  # noqa: ANN202
        page.goto(f"{live_server.url}{path}")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state("load")
        assert "/accounts/login/" not in page.url, f"sign-in as {username} failed: {page.url}"
        return navigation.value

    return _sign_in
