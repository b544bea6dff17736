"""An MDR from supervision to the dashboard in a real Chromium: a team manager records a case
discussion as a Management Decision Record and signs it, the worker sees its tasks, the case
trail shows the discussion then the decision, and the group manager's dashboard counts it.
Waits are for what is on the page, never sleeps."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect

from decisions import shipped
from decisions.models import Decision, DecisionStatus, DecisionType
from oversight.models import StaffMember
from oversight.workdays import add_working_days
from supervision import services
from supervision.models import CaseDiscussion, SupervisionSession
from tests.browser.conftest import TIMEOUT_MS
from tests.conftest import World, build_world
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

DISCUSSION = "Parker children: school attendance dropping (FlowDiscussion)"
DISCUSSION_DECISIONS = "Hold a core group within 10 days (FlowDiscussionDecisions)"
DECIDED = "Convene an initial child protection conference for the Parker children (FlowMDR)"
RATIONALE = "Neglect of the youngest is escalating despite the early help plan (FlowRationale)"
CHILD_VOICE = "The eldest says she is hungry at school most mornings (FlowVoice)"
TASKS = [
    ("Visit the children at home and see each one alone (FlowTaskVisit)", 2),
    ("Request school attendance records (FlowTaskSchool)", 7),
]

AT_LEAST_ONE = re.compile(r"^\s*[1-9]\d*\s*$")

OpenAs = Callable[[str, str], Page]


@pytest.fixture
def flow_world(live_server, transactional_db) -> World:  # noqa: ANN001 (pytest-django fixtures)
    """The named people and cases (tests/conftest.py), visible to the live server, with the
    shipped threshold frameworks and timescales (a flush between live-server tests removes
    what the data migration installed; installing again leaves alone anything already there)."""
    shipped.install(apps)
    return build_world()


@pytest.fixture
def open_as(browser: Browser, live_server) -> Iterator[OpenAs]:  # noqa: ANN001
    """A separate browser window per person, signed in through the real sign-in form."""
    contexts: list[BrowserContext] = []

    def _open_as(key: str, path: str) -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}{path}")
        page.locator("#id_username").fill(f"{key}.test")
        page.locator("#id_password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in", exact=True).click()
        assert "/accounts/login/" not in page.url, f"sign-in as {key} failed: {page.url}"
        assert page.url == f"{live_server.url}{path}"
        return page

    try:
        yield _open_as
    finally:
        for context in contexts:
            context.close()


def _session_with_a_discussion(world: World) -> tuple[SupervisionSession, CaseDiscussion]:
    """tm's supervision of sw in progress, discussing sw's case (as test_live_recording.py's
    session is, but built through the services rather than the page)."""
    session = services.session_start(supervisee=world.sw, actor=world.tm.user)
    discussion = services.case_discussion_add(
        session=session,
        case=world.case_sw,
        actor=world.tm.user,
        discussion=DISCUSSION,
        worries="Neglect of the youngest",
        working_well="Grandmother visits daily",
        needs_to_happen="Core group to agree a plan",
        scaling=3,
        decisions=DISCUSSION_DECISIONS,
    )
    return session, discussion


def test_a_case_discussion_becomes_a_signed_mdr_seen_by_worker_trail_and_dashboard(
    live_server, flow_world: World, open_as: OpenAs
):
    world = flow_world
    session, discussion = _session_with_a_discussion(world)
    sw: StaffMember = world.sw
    case = world.case_sw

    # The team manager, in the live session, records the case discussion as an MDR.
    manager = open_as("tm", reverse("supervision-session", args=[session.pk]))
    expect(manager.locator("[data-session-status]")).to_have_text("In progress")
    card = manager.locator(f"#case-discussion-{discussion.pk}")
    expect(card).to_contain_text(case.reference)
    with manager.expect_navigation():
        card.get_by_test_id("record-as-mdr").click()
    create_path = reverse("decision-create", args=[case.pk])
    assert manager.url == f"{live_server.url}{create_path}?case_discussion={discussion.pk}"
    expect(manager.get_by_role("heading", level=1)).to_have_text("Record a decision")
    expect(manager.get_by_test_id("source")).to_contain_text("a supervision case discussion")
    # What was said in the discussion is filled in, to check rather than retype.
    expect(manager.get_by_label("Facts and reflection")).to_have_value(
        f"{DISCUSSION}\n\n{DISCUSSION_DECISIONS}"
    )
    expect(manager.get_by_label("Scaling (0 to 10)")).to_have_value("3")

    manager.get_by_label("Type of decision").select_option(label=DecisionType.CP_CONFERENCE.label)
    manager.get_by_label("What is decided").fill(DECIDED)
    manager.get_by_label("Rationale", exact=True).fill(RATIONALE)
    manager.get_by_label("The child's lived experience and voice").fill(CHILD_VOICE)
    for index, (description, working_days) in enumerate(TASKS):
        row = manager.get_by_test_id(f"task-{index}")
        row.get_by_label("Task", exact=True).fill(description)
        row.get_by_label("Who will do it").select_option(label=sw.full_name)
        row.get_by_label("Or due in this many working days").fill(str(working_days))
    with manager.expect_navigation():
        manager.get_by_role("button", name="Save as a draft").click()

    decision = Decision.objects.get(case=case)
    detail_url = f"{live_server.url}{reverse('decision-detail', args=[decision.pk])}"
    assert manager.url == detail_url
    expect(manager.get_by_role("heading", level=1)).to_have_text(DecisionType.CP_CONFERENCE.label)
    expect(manager.get_by_test_id("sign-problems")).to_have_count(0)
    tasks_table = manager.get_by_test_id("tasks")
    for description, _ in TASKS:
        expect(tasks_table).to_contain_text(description)
    assert decision.status == DecisionStatus.DRAFT

    # ...and signs it on its page.
    with manager.expect_navigation():
        manager.get_by_role("button", name="Sign and lock").click()
    expect(manager.locator("main")).to_contain_text("Decision signed. It is now locked")
    expect(manager.get_by_test_id("draft-actions")).to_have_count(0)

    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SIGNED
    assert decision.signed_at is not None
    assert decision.decision_type == DecisionType.CP_CONFERENCE
    assert (decision.decision, decision.rationale, decision.child_voice) == (
        DECIDED,
        RATIONALE,
        CHILD_VOICE,
    )
    assert decision.case_discussion_id == discussion.pk
    assert decision.decision_maker_id == world.tm.pk
    saved_tasks = [
        (
            task.action.description,
            task.action.owner_id,
            task.due_in_working_days,
            task.action.due_date,
        )
        for task in decision.tasks.select_related("action").order_by("pk")
    ]
    assert saved_tasks == [
        (description, sw.pk, days, add_working_days(decision.made_on, days))
        for description, days in TASKS
    ]

    # The worker sees both tasks on My tasks.
    worker = open_as("sw", reverse("my-tasks"))
    open_tasks = worker.get_by_test_id("open-tasks")
    expect(open_tasks.locator("tbody tr")).to_have_count(len(TASKS))
    for description, _ in TASKS:
        row = open_tasks.locator("tbody tr", has_text=description)
        expect(row).to_contain_text(case.reference)
        expect(row.get_by_role("link", name="From the decision")).to_have_attribute(
            "href", reverse("decision-detail", args=[decision.pk])
        )

    # The case trail shows the discussion, then the decision.
    manager.goto(f"{live_server.url}{reverse('case-trail', args=[case.pk])}")
    rows = manager.get_by_test_id("trail").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("data-kind", "case-discussion")
    expect(rows.nth(0)).to_contain_text(DISCUSSION_DECISIONS)
    expect(rows.nth(1)).to_have_attribute("data-kind", "decision")
    expect(rows.nth(1)).to_contain_text(DECIDED)

    # The group manager's dashboard for their service counts the signed MDR.
    group_manager = open_as("gm", reverse("dashboard"))
    expect(group_manager.get_by_role("heading", level=1)).to_have_text(world.safeguarding.name)
    figure = group_manager.locator("[data-figure=decisions]")
    expect(figure).to_have_text(AT_LEAST_ONE)
    assert int(figure.inner_text().strip()) >= 1
