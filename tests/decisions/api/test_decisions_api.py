"""`/api/v1/decisions/`: Management Decision Records recorded, changed, signed and added to
through the API — each rule with the refusal that proves it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from decisions import services
from decisions.models import Decision, DecisionStatus, DecisionTask
from oversight.models import AccessLogEntry
from supervision.models import Action
from tests.api_helpers import ids, results
from tests.decisions.api.conftest import DECISIONS, body, decision_url, signed
from tests.decisions.factories import at, record_decision

pytestmark = pytest.mark.django_db

D = datetime.date


# --- recording -------------------------------------------------------------------------------


def test_a_team_manager_records_a_draft_on_their_teams_case(world, api_as):
    response = api_as("tm").post(
        DECISIONS,
        body(world, decision_type="step_up", level_before=2, level_after=3, scaling=4),
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == DecisionStatus.DRAFT
    assert data["version"] == 1
    assert data["signed_at"] is None
    assert (data["decision_maker"], data["decision_maker_name"]) == (
        world.tm.pk,
        world.tm.full_name,
    )
    assert data["framework_name"] == "Continuum of need (four levels)"
    assert (data["level_before"], data["level_before_name"]) == (2, "Additional needs")
    assert (data["level_after"], data["level_after_name"]) == (3, "Complex needs")
    assert data["case_reference"] == "CH-SW0001"
    [task] = data["tasks"]
    assert (task["owner"], task["owner_name"]) == (world.sw.pk, world.sw.full_name)
    assert (task["status"], task["overdue"], task["due_in_working_days"]) == ("open", False, 5)
    decision = Decision.objects.get(pk=data["id"])
    assert decision.history.get().history_user == world.tm.user
    assert Action.objects.get(pk=task["action"]).owner == world.sw


def test_a_decision_recorded_with_a_token_names_the_tokens_user_in_history(world, token_api_as):
    response = token_api_as("tm").post(DECISIONS, body(world), format="json")
    assert response.status_code == 201, response.json()
    decision = Decision.objects.get(pk=response.json()["id"])
    created = decision.history.get()
    assert (created.history_type, created.history_user) == ("+", world.tm.user)
    task = DecisionTask.objects.get(decision=decision)
    assert task.history.get().history_user == world.tm.user
    assert task.action.history.get().history_user == world.tm.user


def test_refuses_a_social_worker_with_the_reason(world, api_as):
    response = api_as("sw").post(DECISIONS, body(world), format="json")
    assert response.status_code == 403
    assert "team manager or group manager" in response.json()["detail"]
    assert not Decision.objects.exists()


@pytest.mark.parametrize("key", ["tm2", "bs"])
def test_a_case_the_manager_cannot_see_answers_404(world, api_as, key):
    response = api_as(key).post(DECISIONS, body(world), format="json")
    assert response.status_code == 404
    assert "CH-SW0001" not in response.content.decode()
    assert not Decision.objects.exists()


def test_an_invisible_case_answers_404_before_any_other_field_is_judged(world, api_as):
    response = api_as("tm").post(
        DECISIONS, body(world, case=world.case_sw2.pk, decision_type="nonsense"), format="json"
    )
    assert response.status_code == 404


def test_refuses_a_step_up_that_lowers_the_level(world, api_as):
    response = api_as("tm").post(
        DECISIONS,
        body(world, decision_type="step_up", level_before=3, level_after=2),
        format="json",
    )
    assert response.status_code == 400
    assert "A step up raises the level" in response.json()["level_after"][0]
    assert not Decision.objects.exists()


def test_refuses_a_level_number_not_in_the_active_framework(world, api_as):
    response = api_as("tm").post(DECISIONS, body(world, level_before=7), format="json")
    assert response.status_code == 400
    assert response.json()["level_before"] == [
        "Continuum of need (four levels) has levels 1, 2, 3, 4; 7 is not one."
    ]


def test_refuses_a_task_due_before_the_decision(world, api_as):
    tasks = [{"description": "Visit", "owner": world.sw.pk, "due_date": "2020-01-06"}]
    response = api_as("tm").post(DECISIONS, body(world, tasks=tasks), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "tasks": {"0": {"non_field_errors": ["A task cannot be due before the decision was made."]}}
    }
    assert not Decision.objects.exists()
    assert not Action.objects.exists()


def test_refuses_a_negative_number_of_working_days(world, api_as):
    tasks = [{"description": "Visit", "owner": world.sw.pk, "due_in_working_days": -1}]
    response = api_as("tm").post(DECISIONS, body(world, tasks=tasks), format="json")
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.json()["tasks"]["0"]["due_in_working_days"][0]
    assert not Decision.objects.exists()


def test_refuses_a_task_with_both_a_date_and_working_days(world, api_as):
    tasks = [
        {
            "description": "Visit",
            "owner": world.sw.pk,
            "due_date": "2030-01-07",
            "due_in_working_days": 2,
        }
    ]
    response = api_as("tm").post(DECISIONS, body(world, tasks=tasks), format="json")
    assert response.status_code == 400
    assert "not both" in response.json()["tasks"]["0"]["non_field_errors"][0]


def test_refuses_a_task_owner_the_manager_cannot_see(world, api_as):
    tasks = [{"description": "Visit", "owner": world.sw2.pk, "due_in_working_days": 2}]
    response = api_as("tm").post(DECISIONS, body(world, tasks=tasks), format="json")
    assert response.status_code == 400
    assert "owner" in response.json()["tasks"]["0"]


class FrozenTimezone:
    """`django.utils.timezone` as the decisions services see it, with `now()` held still."""

    def __init__(self, now: datetime.datetime) -> None:
        self._now = now

    def now(self) -> datetime.datetime:
        return self._now

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(timezone, name)


@pytest.mark.parametrize(
    ("days", "due"),
    [(1, "2025-12-24"), (2, "2025-12-29"), (3, "2025-12-30")],
)
def test_working_days_skip_christmas_the_weekend_and_boxing_day(
    world, api_as, monkeypatch, days, due
):
    # Made on Tuesday 23 December 2025: Christmas and Boxing Day (Thursday, Friday) and the
    # weekend are not working days.
    monkeypatch.setattr(services, "timezone", FrozenTimezone(at(D(2025, 12, 23))))
    tasks = [{"description": "Visit", "owner": world.sw.pk, "due_in_working_days": days}]
    response = api_as("tm").post(DECISIONS, body(world, tasks=tasks), format="json")
    assert response.status_code == 201, response.json()
    [task] = response.json()["tasks"]
    assert (task["due_date"], task["due_in_working_days"]) == (due, days)


def test_a_contact_outcome_needs_the_date_the_contact_was_received(world, api_as):
    response = api_as("tm").post(DECISIONS, body(world, decision_type="contact_nfa"), format="json")
    assert response.status_code == 400
    assert "contact_received_on" in response.json()


@pytest.mark.parametrize(
    "field",
    ["decision_maker", "made_at", "framework", "status", "signed_at", "version", "created_at"],
)
def test_refuses_to_set_a_server_set_field_on_create(world, api_as, field):
    values = {
        "decision_maker": world.gm.pk,
        "made_at": "2026-01-05T10:00:00Z",
        "framework": 1,
        "status": "signed",
        "signed_at": "2026-01-05T10:00:00Z",
        "version": 7,
        "created_at": "2026-01-05T10:00:00Z",
    }
    response = api_as("tm").post(DECISIONS, body(world, **{field: values[field]}), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Decision.objects.exists()


def test_refuses_a_field_that_is_not_part_of_a_decision(world, api_as):
    response = api_as("tm").post(DECISIONS, body(world, priority="high"), format="json")
    assert response.status_code == 400
    assert "Not a field this request takes" in response.json()["priority"][0]


def test_refuses_a_case_discussion_the_manager_cannot_see(world, api_as):
    from supervision import services as supervision_services

    session = supervision_services.session_start(supervisee=world.sw2, actor=world.tm2.user)
    discussion = supervision_services.case_discussion_add(
        session=session, case=world.case_sw2, actor=world.tm2.user
    )
    response = api_as("tm").post(
        DECISIONS, body(world, case_discussion=discussion.pk), format="json"
    )
    assert response.status_code == 400
    assert "case_discussion" in response.json()


def test_a_case_discussion_about_another_case_is_refused(world, api_as):
    from supervision import services as supervision_services
    from tests.factories import CaseFactory

    other = CaseFactory(allocated_worker=world.sw)
    session = supervision_services.session_start(supervisee=world.sw, actor=world.tm.user)
    discussion = supervision_services.case_discussion_add(
        session=session, case=other, actor=world.tm.user
    )
    response = api_as("tm").post(
        DECISIONS, body(world, case_discussion=discussion.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json()["case_discussion"] == ["That discussion was about another case."]


# --- changing a draft ------------------------------------------------------------------------


def test_the_maker_changes_a_draft_and_adds_a_task(world, api_as):
    decision = record_decision(world.tm, world.case_sw)
    review = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = api_as("tm").patch(
        decision_url(decision),
        {
            "version": 1,
            "review_date": review,
            "scaling": 6,
            "tasks": [{"description": "Call school", "owner": world.tm.pk, "due_date": due}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["version"], data["review_date"], data["scaling"]) == (2, review, 6)
    assert [(task["description"], task["owner"]) for task in data["tasks"]] == [
        ("Visit the child at home", world.sw.pk),
        ("Call school", world.tm.pk),
    ]
    assert data["tasks"][1]["due_date"] == due
    assert decision.history.first().history_user == world.tm.user


def test_a_change_without_a_version_is_saved(world, api_as):
    decision = record_decision(world.tm, world.case_sw)
    response = api_as("tm").patch(decision_url(decision), {"facts": "New"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["facts"], response.json()["version"]) == ("New", 2)


def test_a_change_is_checked_by_the_same_rules(world, api_as):
    decision = record_decision(world.tm, world.case_sw)
    response = api_as("tm").patch(
        decision_url(decision),
        {"decision_type": "step_down", "level_before": 2, "level_after": 3},
        format="json",
    )
    assert response.status_code == 400
    assert "A step down lowers the level" in response.json()["level_after"][0]
    decision.refresh_from_db()
    assert decision.version == 1


def test_a_stale_version_is_a_conflict_and_nothing_is_overwritten(world, api_as):
    decision = record_decision(world.tm, world.case_sw)
    client = api_as("tm")
    first = client.patch(decision_url(decision), {"version": 1, "facts": "First"}, format="json")
    assert first.status_code == 200
    response = client.patch(
        decision_url(decision), {"version": 1, "facts": "Second"}, format="json"
    )
    assert response.status_code == 409
    data = response.json()
    assert (data["current_version"], data["changed_by"]) == (2, "tm.test")
    assert "changed by tm.test" in data["detail"]
    decision.refresh_from_db()
    assert (decision.facts, decision.version) == ("First", 2)


def test_a_signed_decision_is_locked(world, api_as):
    decision = signed(world)
    response = api_as("tm").patch(decision_url(decision), {"facts": "Later"}, format="json")
    assert response.status_code == 409
    assert "Add an addendum" in response.json()["detail"]
    decision.refresh_from_db()
    assert decision.facts != "Later"


@pytest.mark.parametrize("field", ["status", "decision_maker", "signed_at", "made_at", "case"])
def test_refuses_to_change_what_the_server_sets_or_the_case(world, api_as, field):
    decision = record_decision(world.tm, world.case_sw)
    value = {"decision_maker": world.gm.pk, "case": world.case_sw.pk}.get(field, "signed")
    response = api_as("tm").patch(decision_url(decision), {field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    decision.refresh_from_db()
    assert (decision.status, decision.version) == (DecisionStatus.DRAFT, 1)


def test_only_the_maker_changes_a_draft(world, api_as):
    decision = record_decision(world.tm, world.case_sw)
    response = api_as("gm").patch(decision_url(decision), {"facts": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the decision maker changes or signs this decision."


def test_a_draft_another_team_cannot_see_answers_404_to_a_change(world, api_as):
    decision = record_decision(world.tm, world.case_sw)
    assert api_as("tm2").patch(decision_url(decision), {"facts": "x"}).status_code == 404


# --- signing and addenda ---------------------------------------------------------------------


def test_the_maker_signs_and_the_statutory_clocks_start(world, api_as):
    decision = record_decision(
        world.tm,
        world.case_sw,
        decision_type="contact_strategy",
        contact_received_on=timezone.localdate(),
    )
    response = api_as("tm").post(decision_url(decision, "sign"))
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == DecisionStatus.SIGNED
    assert data["signed_at"] is not None
    assert data["version"] == 2
    clocks = {clock["timescale"]: clock for clock in data["clocks"]}
    assert set(clocks) == {"contact-decision", "strategy-discussion"}
    assert clocks["contact-decision"]["in_time"] is True
    assert clocks["strategy-discussion"]["met_on"] is None
    assert clocks["strategy-discussion"]["in_time"] is None


def test_signing_needs_the_rationale_and_the_childs_voice(world, api_as):
    decision = record_decision(world.tm, world.case_sw, rationale="", child_voice=" ")
    response = api_as("tm").post(decision_url(decision, "sign"))
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"rationale", "child_voice"}
    assert "rationale" in errors["rationale"][0]
    assert "lived experience and voice" in errors["child_voice"][0]
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT


def test_signing_needs_a_task_or_a_reason_for_none(world, api_as):
    decision = record_decision(world.tm, world.case_sw, tasks=[])
    response = api_as("tm").post(decision_url(decision, "sign"))
    assert response.status_code == 400
    assert set(response.json()) == {"no_tasks_reason"}


def test_refuses_a_signature_by_anyone_but_the_maker(world, api_as):
    decision = record_decision(world.tm, world.case_sw)
    response = api_as("gm").post(decision_url(decision, "sign"))
    assert response.status_code == 403
    assert "Only the decision maker" in response.json()["detail"]
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT


def test_signing_twice_is_a_conflict(world, api_as):
    assert api_as("tm").post(decision_url(signed(world), "sign")).status_code == 409


def test_another_manager_of_the_case_adds_an_addendum_to_a_signed_decision(world, api_as):
    decision = signed(world)
    response = api_as("gm").post(
        decision_url(decision, "addenda"), {"text": "Spoke to the school."}, format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["author"], data["text"], data["decision"]) == (
        world.gm.pk,
        "Spoke to the school.",
        decision.pk,
    )
    shown = api_as("tm").get(decision_url(decision)).json()
    assert [addendum["text"] for addendum in shown["addenda"]] == ["Spoke to the school."]


def test_an_addendum_to_a_draft_is_refused(world, api_as):
    decision = record_decision(world.tm, world.case_sw)
    response = api_as("tm").post(decision_url(decision, "addenda"), {"text": "x"}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()


def test_a_worker_may_not_add_an_addendum(world, api_as):
    response = api_as("sw").post(
        decision_url(signed(world), "addenda"), {"text": "x"}, format="json"
    )
    assert response.status_code == 403


# --- reading ---------------------------------------------------------------------------------


def test_the_allocated_worker_sees_the_decision_on_their_case(world, api_as):
    decision = signed(world)
    client = api_as("sw")
    assert ids(client.get(DECISIONS)) == {decision.pk}
    response = client.get(decision_url(decision))
    assert response.status_code == 200
    assert response.json()["decision"] == decision.decision


@pytest.mark.parametrize("key", ["sw2", "tm2", "gm2", "bs", "asye"])
def test_people_outside_the_case_get_404_and_an_empty_list(world, api_as, key):
    decision = signed(world)
    client = api_as(key)
    assert client.get(decision_url(decision)).status_code == 404
    assert results(client.get(DECISIONS)) == []


@pytest.mark.parametrize("key", ["psw", "ad", "gm"])
def test_the_directorate_and_group_manager_read_it(world, api_as, key):
    decision = signed(world)
    assert ids(api_as(key).get(DECISIONS)) == {decision.pk}


def test_the_list_filters_by_case_type_status_and_date(world, api_as):
    draft = record_decision(world.tm, world.case_sw)
    done = signed(world, decision_type="step_up", level_before=1, level_after=2)
    other = record_decision(world.tm2, world.case_sw2)
    client = api_as("psw")
    assert ids(client.get(DECISIONS, {"case": world.case_sw.pk})) == {draft.pk, done.pk}
    assert ids(client.get(DECISIONS, {"status": "signed"})) == {done.pk}
    assert ids(client.get(DECISIONS, {"decision_type": "step_up"})) == {done.pk}
    today = timezone.localdate()
    assert ids(client.get(DECISIONS, {"made_at_after": today.isoformat()})) == {
        draft.pk,
        done.pk,
        other.pk,
    }
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert ids(client.get(DECISIONS, {"made_at_before": yesterday})) == set()


def test_a_filter_by_a_case_the_reader_cannot_see_is_refused(world, api_as):
    record_decision(world.tm2, world.case_sw2)
    response = api_as("tm").get(DECISIONS, {"case": world.case_sw2.pk})
    assert response.status_code == 400
    assert "case" in response.json()


def test_reading_a_decision_and_a_list_are_written_to_the_access_log(world, api_as):
    decision = signed(world)
    client = api_as("tm")
    client.get(decision_url(decision))
    client.get(DECISIONS)
    entries = list(AccessLogEntry.objects.filter(kind="decision").order_by("pk"))
    assert [(entry.object_id, entry.via, entry.user) for entry in entries] == [
        (str(decision.pk), "api", world.tm.user),
        (str(decision.pk), "api", world.tm.user),
    ]
    assert entries[0].subject == world.sw


def test_a_task_past_its_due_date_shows_as_overdue(world, api_as):
    made = at(D(2026, 1, 5))
    decision = record_decision(
        world.tm,
        world.case_sw,
        made_at=made,
        tasks=[services.TaskSpec(description="Visit", owner=world.sw, due_date=D(2026, 1, 6))],
    )
    data = api_as("tm").get(decision_url(decision)).json()
    assert data["has_overdue_tasks"] is True
    assert data["tasks"][0]["overdue"] is True
