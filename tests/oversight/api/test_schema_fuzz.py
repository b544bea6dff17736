"""The API answers as its OpenAPI schema says (DESIGN §7), checked by schemathesis.

Every operation of the schema is called with generated requests (valid and invalid) as two
people — business support, who keeps the organisation's records, and a team manager, who
supervises — signed in with API tokens, in-process through the WSGI app. Each answer must not
be a server error, must have a status the operation declares, and must match the declared
body. Path ids are drawn from the records that exist (visible to the reader or not), so reads
and writes reach real records as well as missing ones.

Bounded to stay quick: a few examples per operation, derandomized (the same requests every
run), no deadline. Each test has the fresh database of the `world` fixture.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from decisions import services as decisions_services
from decisions.models import Decision, DecisionTask, Escalation, ThresholdFramework
from oversight import tokens
from oversight.models import Absence, Case, Service, StaffMember, Team
from oversight.wsgi import application
from supervision import services
from supervision.models import (
    Action,
    CaseDiscussion,
    InformalDiscussion,
    SupervisionPolicy,
    SupervisionSession,
)
from tests.conftest import World
from tests.decisions.factories import record_decision

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 3
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

# The records behind each resource's `{id}`.
RECORDS: dict[str, type[Any]] = {
    "services": Service,
    "teams": Team,
    "staff": StaffMember,
    "cases": Case,
    "absences": Absence,
    "supervisions": SupervisionSession,
    "case-discussions": CaseDiscussion,
    "informal-discussions": InformalDiscussion,
    "actions": Action,
    "supervision-policies": SupervisionPolicy,
    "threshold-frameworks": ThresholdFramework,
    "decisions": Decision,
    "decision-tasks": DecisionTask,
    "escalations": Escalation,
}  # `cases/{id}/trail/` draws from the cases.


def _openapi() -> dict[str, Any]:
    """The schema as /api/schema/ serves it, generated in-process (no sign-in needed)."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    loaded: dict[str, Any] = json.loads(json.dumps(raw, cls=DjangoJSONEncoder))
    return loaded


schema = schemathesis.openapi.from_dict(_openapi())
schema.app = application


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Any:
    """The WSGI handler closes database connections when a request finishes; inside a test's
    transaction that closes the test's own connection (PostgreSQL then answers "the
    connection is closed"). Django's test client disconnects this for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def records(world: World) -> World:
    """Beside the world: a policy, a session in progress with a case discussed and an action,
    one not held, and an informal discussion, so the supervision operations reach records;
    on the same case, a signed decision escalated by its worker and a draft (each with a
    task), so the decisions operations and the case's trail do too (the threshold frameworks
    are shipped data)."""
    services.policy_create_from_variant(
        variant="employer_standards_2024", effective_from=datetime.date(2025, 1, 1), actor=None
    )
    session = services.session_start(supervisee=world.sw, actor=world.tm.user)
    services.case_discussion_add(session=session, case=world.case_sw, actor=world.tm.user)
    services.action_create(
        supervisee=world.sw,
        description="Visit",
        owner=world.sw,
        session=session,
        actor=world.tm.user,
    )
    booked = services.session_schedule(
        supervisee=world.asye, scheduled_for=timezone.now(), actor=world.tm.user
    )
    services.session_not_held(session=booked, reason="worker_absent", actor=world.tm.user)
    services.informal_discussion_record(
        worker=world.asye,
        actor=world.tm.user,
        happened_at=timezone.now(),
        channel="phone",
        advice="Call back",
    )
    signed = record_decision(world.tm, world.case_sw, sign=True)
    decisions_services.escalation_raise(
        mdr=signed, concern="The risk is higher than recorded.", actor=world.sw.user
    )
    record_decision(world.tm, world.case_sw)
    return world


@pytest.fixture(params=["bs", "tm"])
def signed_in(request: pytest.FixtureRequest, records: World) -> dict[str, str]:
    """An `Authorization` header for business support or a team manager."""
    _, key = tokens.token_issue(user=records.people[request.param].user)
    return {"Authorization": f"Token {key}"}


def _known_id(case: schemathesis.Case) -> None:
    """Point a generated `{id}` at a record that exists (chosen by the generated number)."""
    if not case.path_parameters or "id" not in case.path_parameters:
        return
    generated = case.path_parameters["id"]
    model = RECORDS.get(case.path.removeprefix("/api/v1/").split("/", 1)[0])
    if model is None or not isinstance(generated, int) or generated < 0:
        return
    ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    if ids and generated % 3:  # one in three keeps the generated id (mostly: none such)
        case.path_parameters["id"] = ids[generated % len(ids)]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case: schemathesis.Case, signed_in: dict[str, str]):
    _known_id(case)
    case.call_and_validate(headers=signed_in, checks=CHECKS)
