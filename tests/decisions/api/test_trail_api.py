"""`/api/v1/cases/{id}/trail/`: a child's case decision trail — MDRs, supervision case
discussions and informal discussions in date order, as the reader may see them."""

from __future__ import annotations

import pytest

from oversight.models import AccessLogEntry
from supervision import services as supervision_services
from tests.decisions.api.conftest import signed, trail_url

pytestmark = pytest.mark.django_db


def discussed(world):
    session = supervision_services.session_start(supervisee=world.sw, actor=world.tm.user)
    return supervision_services.case_discussion_add(
        session=session,
        case=world.case_sw,
        actor=world.tm.user,
        decisions="Step up to a strategy discussion.",
        scaling=3,
    )


def test_the_trail_lists_the_discussion_then_the_decision(world, api_as):
    discussion = discussed(world)
    decision = signed(world, decision_type="step_up", level_before=2, level_after=3, scaling=4)
    response = api_as("tm").get(trail_url(world.case_sw))
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["case"] == {"id": world.case_sw.pk, "reference": "CH-SW0001", "label": "CaseSWx"}
    kinds = [item["kind"] for item in data["items"]]
    assert kinds == ["case-discussion", "decision"]
    first, second = data["items"]
    assert first["when"] <= second["when"]
    assert (first["summary"], first["scaling"], first["level"]) == (
        "Step up to a strategy discussion.",
        3,
        None,
    )
    assert f"/supervision/{discussion.session_id}/" in first["url"]
    assert (second["level"], second["level_name"], second["scaling"]) == (3, "Complex needs", 4)
    assert second["who"] == world.tm.full_name
    assert second["url"] == f"/decisions/{decision.pk}/"
    assert second["date"] == second["when"][:10]


def test_the_trail_narrows_to_one_kind(world, api_as):
    discussed(world)
    signed(world)
    response = api_as("tm").get(trail_url(world.case_sw), {"kind": "decision"})
    assert [item["kind"] for item in response.json()["items"]] == ["decision"]


def test_an_unknown_parameter_answers_400_naming_it(world, api_as):
    response = api_as("tm").get(trail_url(world.case_sw), {"knid": "decision"})
    assert response.status_code == 400
    assert "'knid' is not a parameter of this endpoint" in response.json()["knid"][0]


@pytest.mark.parametrize("key", ["tm2", "sw2", "bs", "asye"])
def test_a_case_the_reader_cannot_see_answers_404(world, api_as, key):
    signed(world)
    response = api_as(key).get(trail_url(world.case_sw))
    assert response.status_code == 404
    assert "CH-SW0001" not in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_the_allocated_worker_reads_their_cases_trail(world, api_as):
    decision = signed(world)
    items = api_as("sw").get(trail_url(world.case_sw)).json()["items"]
    assert [item["url"] for item in items] == [f"/decisions/{decision.pk}/"]


def test_reading_the_trail_logs_the_case_and_each_record_shown(world, api_as):
    discussion = discussed(world)
    decision = signed(world)
    api_as("tm").get(trail_url(world.case_sw))
    logged = {
        (entry.kind, entry.object_id or ",".join(entry.items.values_list("object_id", flat=True)))
        for entry in AccessLogEntry.objects.filter(user=world.tm.user)
    }
    assert logged == {
        ("case", str(world.case_sw.pk)),
        ("decision", str(decision.pk)),
        ("case-discussion", str(discussion.pk)),
    }
