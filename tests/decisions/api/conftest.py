"""Decisions API tests use the shared clients (tests/api_helpers.py) and service-built records
(tests/decisions/factories.py)."""

from __future__ import annotations

from typing import Any

from decisions import services
from decisions.models import Decision, Escalation
from tests.api_helpers import api_as, token_api_as  # noqa: F401  (fixtures)
from tests.decisions.factories import record_decision

DECISIONS = "/api/v1/decisions/"
TASKS = "/api/v1/decision-tasks/"
ESCALATIONS = "/api/v1/escalations/"
FRAMEWORKS = "/api/v1/threshold-frameworks/"


def decision_url(decision: Decision, action: str = "") -> str:
    return f"{DECISIONS}{decision.pk}/" + (f"{action}/" if action else "")


def escalation_url(escalation: Escalation, action: str = "") -> str:
    return f"{ESCALATIONS}{escalation.pk}/" + (f"{action}/" if action else "")


def trail_url(case: Any) -> str:
    return f"/api/v1/cases/{case.pk}/trail/"


def body(world: Any, **fields: Any) -> dict[str, Any]:
    """A complete, signable create body on sw's case with one task for sw."""
    values: dict[str, Any] = {
        "case": world.case_sw.pk,
        "decision_type": "allocation",
        "decision": "Allocate to Person SW and visit within five days.",
        "facts": "Referral from school about attendance.",
        "rationale": "Needs are rising and one agency cannot meet them.",
        "child_voice": "Says home is noisy at night; wants to keep going to football.",
        "tasks": [
            {
                "description": "Visit the child at home",
                "owner": world.sw.pk,
                "due_in_working_days": 5,
            }
        ],
    }
    values.update(fields)
    return values


def signed(world: Any, **fields: Any) -> Decision:
    """tm's signed decision on sw's case."""
    return record_decision(world.tm, world.case_sw, sign=True, **fields)


def escalated(world: Any) -> Escalation:
    """sw disagrees with tm's signed decision on sw's case."""
    return services.escalation_raise(
        mdr=signed(world), concern="The risk is higher than recorded.", actor=world.sw.user
    )
