"""The MDR pages: recording one on a case, reading, changing and signing it, addenda and
statutory follow-ups, each rule with the refusal that proves it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from decisions import services
from decisions.models import Clock, Decision, DecisionStatus, DecisionType
from oversight.models import AccessLogEntry
from oversight.workdays import add_working_days
from tests.decisions.factories import record_decision
from tests.supervision.factories import CaseDiscussionFactory, HeldSessionFactory

pytestmark = pytest.mark.django_db

TASK_FORMS = 5


def _date(prefix: str, day: datetime.date | None) -> dict[str, str]:
    if day is None:
        return {f"{prefix}_day": "", f"{prefix}_month": "", f"{prefix}_year": ""}
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def form_data(tasks: list[dict[str, Any]] | None = None, **fields: Any) -> dict[str, str]:
    """What the Record MDR form posts: the MDR's boxes and the task formset's."""
    data: dict[str, Any] = {
        "decision_type": DecisionType.ALLOCATION,
        "level_before": "",
        "level_after": "",
        "decision": "DecisionTextX: allocate and visit within five days.",
        "facts": "School referral about attendance.",
        "rationale": "Needs are rising.",
        "child_voice": "Wants to keep going to football.",
        "scaling": "",
        "no_tasks_reason": "",
        "tasks-TOTAL_FORMS": str(TASK_FORMS),
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": str(TASK_FORMS),
    }
    data.update(_date("contact_received_on", fields.pop("contact_received_on", None)))
    data.update(_date("review_date", fields.pop("review_date", None)))
    data.update(fields)
    for index in range(TASK_FORMS):
        task = (tasks or [])[index] if index < len(tasks or []) else {}
        data[f"tasks-{index}-description"] = task.get("description", "")
        data[f"tasks-{index}-owner"] = str(task["owner"].pk) if task.get("owner") else ""
        data[f"tasks-{index}-due_in_working_days"] = str(task.get("days", ""))
        data.update(_date(f"tasks-{index}-due_date", task.get("due")))
    return data


def create_url(case: Any) -> str:
    return f"/cases/{case.pk}/decisions/new/"


# --- recording -------------------------------------------------------------------------------


def test_team_manager_records_an_mdr_with_two_tasks(world):
    today = timezone.localdate()
    due = today + datetime.timedelta(days=10)
    response = world.client("tm").post(
        create_url(world.case_sw),
        form_data(
            decision_type=DecisionType.STEP_UP,
            level_before="2",
            level_after="3",
            scaling="4",
            review_date=today + datetime.timedelta(days=30),
            tasks=[
                {"description": "Visit at home", "owner": world.sw, "due": due},
                {"description": "Ring the school", "owner": world.tm, "days": 5},
            ],
        ),
    )
    decision = Decision.objects.get(case=world.case_sw)
    assert response.status_code == 302
    assert response["Location"] == f"/decisions/{decision.pk}/"
    assert decision.decision_maker == world.tm
    assert decision.status == DecisionStatus.DRAFT
    assert (decision.level_before.number, decision.level_after.number) == (2, 3)
    assert decision.scaling == 4
    tasks = list(decision.tasks.select_related("action__owner").order_by("pk"))
    assert [t.action.description for t in tasks] == ["Visit at home", "Ring the school"]
    assert tasks[0].action.owner == world.sw and tasks[0].action.due_date == due
    assert tasks[1].action.owner == world.tm
    assert tasks[1].due_in_working_days == 5
    assert tasks[1].action.due_date == add_working_days(decision.made_on, 5)


def test_the_form_offers_the_frameworks_levels_and_the_cases_people(world):
    response = world.client("tm").get(create_url(world.case_sw))
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 – Universal" in body and "4 – Acute needs" in body
    assert world.sw.full_name in body
    assert world.sw2.full_name not in body  # another team's worker is never a task owner
    assert 'name="contact_received_on_day"' in body  # the GOV.UK date input's three boxes


def test_refuses_a_step_up_that_lowers_the_level_keeping_what_was_typed(world):
    response = world.client("tm").post(
        create_url(world.case_sw),
        form_data(
            decision_type=DecisionType.STEP_UP,
            level_before="3",
            level_after="2",
            tasks=[{"description": "TypedTaskX", "owner": world.sw, "days": 3}],
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "A step up raises the level" in body
    assert "DecisionTextX" in body and "TypedTaskX" in body
    assert not Decision.objects.exists()


def test_refuses_a_task_due_before_the_decision(world):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = world.client("tm").post(
        create_url(world.case_sw),
        form_data(tasks=[{"description": "LateTaskX", "owner": world.sw, "due": yesterday}]),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "A task cannot be due before the decision was made." in body
    assert 'href="#id_tasks-0-description"' in body  # the summary links to that task
    assert "LateTaskX" in body and f'value="{yesterday.day}"' in body
    assert not Decision.objects.exists()


def test_refuses_a_decision_without_what_is_decided(world):
    response = world.client("tm").post(
        create_url(world.case_sw), form_data(decision="", facts="TypedFactsX")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter what is decided." in body and "TypedFactsX" in body
    assert not Decision.objects.exists()


def test_refuses_a_date_that_is_not_real(world):
    data = form_data(decision_type=DecisionType.CONTACT_NFA)
    data.update(
        {
            "contact_received_on_day": "31",
            "contact_received_on_month": "2",
            "contact_received_on_year": "2026",
        }
    )
    response = world.client("tm").post(create_url(world.case_sw), data)
    assert "must be a real date" in response.content.decode()
    assert not Decision.objects.exists()


def test_refuses_a_task_without_an_owner(world):
    response = world.client("tm").post(
        create_url(world.case_sw), form_data(tasks=[{"description": "Nobody's", "days": 2}])
    )
    assert "Choose who will do the task." in response.content.decode()
    assert not Decision.objects.exists()


@pytest.mark.parametrize("key", ["sw", "atm", "asye", "psw", "ad"])
def test_refuses_the_form_to_readers_who_do_not_make_decisions(world, key):
    client = world.client(key)
    assert client.get(create_url(world.case_sw)).status_code == 404
    assert client.post(create_url(world.case_sw), form_data()).status_code == 404
    assert not Decision.objects.exists()


@pytest.mark.parametrize("key", ["tm2", "gm2", "sw2", "bs"])
def test_refuses_the_form_on_a_case_out_of_scope(world, key):
    assert world.client(key).get(create_url(world.case_sw)).status_code == 404


def test_prefills_from_a_case_discussion_and_links_to_it(world):
    session = HeldSessionFactory(supervisee=world.sw, supervisor=world.tm)
    discussion = CaseDiscussionFactory(
        session=session,
        case=world.case_sw,
        discussion="DiscussedX",
        worries="WorryX",
        working_well="WellX",
        scaling=3,
    )
    client = world.client("tm")
    url = f"{create_url(world.case_sw)}?case_discussion={discussion.pk}"
    body = client.get(url).content.decode()
    assert "DiscussedX" in body and "WorryX" in body and "WellX" in body
    assert 'value="3"' in body
    client.post(url, form_data(no_tasks_reason="Advice only"))
    assert Decision.objects.get().case_discussion == discussion


def test_refuses_a_discussion_the_reader_cannot_see(world):
    session = HeldSessionFactory(supervisee=world.sw2, supervisor=world.tm2)
    hidden = CaseDiscussionFactory(session=session, case=world.case_sw2, discussion="HiddenX")
    url = f"{create_url(world.case_sw)}?case_discussion={hidden.pk}"
    assert world.client("tm").get(url).status_code == 404


# --- reading ---------------------------------------------------------------------------------


def test_allocated_worker_reads_the_decision_and_the_read_is_logged(world):
    decision = record_decision(world.tm, world.case_sw, decision="ReadMeX")
    response = world.client("sw").get(f"/decisions/{decision.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "ReadMeX" in body and "Visit the child at home" in body
    assert "Sign and lock" not in body  # only the maker signs
    assert f"/history/decision/{decision.pk}/" in body
    assert AccessLogEntry.objects.filter(
        user=world.sw.user, kind="decision", object_id=str(decision.pk)
    ).exists()


@pytest.mark.parametrize("key", ["sw2", "bs", "tm2", "asye"])
def test_refuses_the_decision_to_readers_out_of_scope(world, key):
    decision = record_decision(world.tm, world.case_sw)
    assert world.client(key).get(f"/decisions/{decision.pk}/").status_code == 404


def test_the_maker_sees_what_stops_signing(world):
    decision = record_decision(world.tm, world.case_sw, rationale="")
    body = world.client("tm").get(f"/decisions/{decision.pk}/").content.decode()
    assert "Give the rationale for the decision before signing." in body
    assert "Sign and lock" in body


# --- signing and changing --------------------------------------------------------------------


def test_refuses_to_sign_without_a_rationale(world):
    decision = record_decision(world.tm, world.case_sw, rationale="")
    response = world.client("tm").post(f"/decisions/{decision.pk}/sign/")
    assert response.status_code == 200
    assert 'data-testid="sign-errors"' in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT


def test_the_maker_signs(world):
    decision = record_decision(world.tm, world.case_sw)
    response = world.client("tm").post(f"/decisions/{decision.pk}/sign/")
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.SIGNED


@pytest.mark.parametrize("key", ["gm", "sw"])
def test_refuses_signing_by_anyone_but_the_maker(world, key):
    decision = record_decision(world.tm, world.case_sw)
    assert world.client(key).post(f"/decisions/{decision.pk}/sign/").status_code == 404
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT


def test_signing_by_get_is_refused(world):
    decision = record_decision(world.tm, world.case_sw)
    assert world.client("tm").get(f"/decisions/{decision.pk}/sign/").status_code == 405


def test_the_maker_changes_the_draft_and_adds_a_task(world):
    decision = record_decision(world.tm, world.case_sw)
    client = world.client("tm")
    assert client.get(f"/decisions/{decision.pk}/edit/").status_code == 200
    response = client.post(
        f"/decisions/{decision.pk}/edit/",
        form_data(
            facts="ChangedX",
            version=str(decision.version),
            tasks=[{"description": "Second task", "owner": world.sw, "days": 2}],
        ),
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.facts == "ChangedX"
    assert decision.tasks.count() == 2


def test_refuses_changes_after_signing(world):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    client = world.client("tm")
    assert client.get(f"/decisions/{decision.pk}/edit/").status_code == 409
    response = client.post(
        f"/decisions/{decision.pk}/edit/", form_data(facts="TooLateX", version="2")
    )
    assert response.status_code == 409
    assert "signed and is locked" in response.content.decode()
    decision.refresh_from_db()
    assert decision.facts != "TooLateX"


@pytest.mark.parametrize("key", ["gm", "sw", "tm2"])
def test_refuses_changes_by_anyone_but_the_maker(world, key):
    decision = record_decision(world.tm, world.case_sw)
    assert world.client(key).get(f"/decisions/{decision.pk}/edit/").status_code == 404


def test_a_save_made_meanwhile_is_shown_not_overwritten(world):
    decision = record_decision(world.tm, world.case_sw)
    loaded = decision.version
    services.decision_update(mdr=decision, actor=world.tm.user, decision="TheirsX")
    client = world.client("tm")
    response = client.post(
        f"/decisions/{decision.pk}/edit/", form_data(decision="MineX", version=str(loaded))
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="conflict"' in body
    assert "TheirsX" in body and "MineX" in body  # theirs shown, mine still in the box
    decision.refresh_from_db()
    assert decision.decision == "TheirsX"
    # Saving again (the form now carries the latest version) keeps mine.
    assert f'value="{decision.version}"' in body
    again = client.post(
        f"/decisions/{decision.pk}/edit/",
        form_data(decision="MineX", version=str(decision.version)),
    )
    assert again.status_code == 302
    decision.refresh_from_db()
    assert decision.decision == "MineX"


# --- after signing ---------------------------------------------------------------------------


def test_a_manager_adds_an_addendum_to_a_signed_decision(world):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    response = world.client("tm").post(
        f"/decisions/{decision.pk}/addenda/new/", {"text": "AddendumX"}
    )
    assert response.status_code == 302
    assert decision.addenda.get().text == "AddendumX"
    assert "AddendumX" in world.client("sw").get(f"/decisions/{decision.pk}/").content.decode()


def test_refuses_an_empty_addendum(world):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    response = world.client("tm").post(f"/decisions/{decision.pk}/addenda/new/", {"text": ""})
    assert "Write the addendum." in response.content.decode()
    assert not decision.addenda.exists()


def test_refuses_an_addendum_by_the_allocated_worker(world):
    decision = record_decision(world.tm, world.case_sw, sign=True)
    response = world.client("sw").post(
        f"/decisions/{decision.pk}/addenda/new/", {"text": "NotMineX"}
    )
    assert response.status_code == 404
    assert not decision.addenda.exists()


def _strategy_decision(world: Any) -> Decision:
    return record_decision(
        world.tm,
        world.case_sw,
        sign=True,
        decision_type=DecisionType.CONTACT_STRATEGY,
        contact_received_on=timezone.localdate(),
    )


def test_a_manager_records_the_strategy_discussion_held(world):
    decision = _strategy_decision(world)
    clock = Clock.objects.get(decision=decision, timescale__code="strategy-discussion")
    body = world.client("tm").get(f"/decisions/{decision.pk}/").content.decode()
    assert f"/clocks/{clock.pk}/met/" in body and "In time" in body  # the contact clock
    today = timezone.localdate()
    response = world.client("tm").post(
        f"/clocks/{clock.pk}/met/", _date(f"clock-{clock.pk}-met_on", today)
    )
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.met_on == today
    assert Clock.objects.filter(decision=decision, timescale__code="initial-conference").exists()


def test_refuses_a_follow_up_in_the_future(world):
    decision = _strategy_decision(world)
    clock = Clock.objects.get(decision=decision, timescale__code="strategy-discussion")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = world.client("tm").post(
        f"/clocks/{clock.pk}/met/", _date(f"clock-{clock.pk}-met_on", tomorrow)
    )
    assert "This cannot be in the future." in response.content.decode()
    clock.refresh_from_db()
    assert clock.met_on is None


def test_refuses_a_follow_up_by_the_allocated_worker(world):
    decision = _strategy_decision(world)
    clock = Clock.objects.get(decision=decision, timescale__code="strategy-discussion")
    body = world.client("sw").get(f"/decisions/{decision.pk}/").content.decode()
    assert f"/clocks/{clock.pk}/met/" not in body
    response = world.client("sw").post(
        f"/clocks/{clock.pk}/met/", _date(f"clock-{clock.pk}-met_on", timezone.localdate())
    )
    assert response.status_code == 404
    clock.refresh_from_db()
    assert clock.met_on is None
