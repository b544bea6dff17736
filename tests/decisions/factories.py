"""Decisions for tests, made through the services (so every rule and history row applies)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from decisions import services
from decisions.models import Decision, DecisionType
from decisions.services import TaskSpec
from oversight.models import Case, StaffMember


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def record_decision(
    maker: StaffMember,
    case: Case,
    *,
    owner: StaffMember | None = None,
    sign: bool = False,
    **fields: Any,
) -> Decision:
    """A complete draft (signable) by `maker` on `case`, with one task for `owner` (the
    allocated worker unless named) due in 5 working days; `fields` override the defaults."""
    values: dict[str, Any] = {
        "decision_type": DecisionType.ALLOCATION,
        "decision": "Allocate to the named worker and visit within five days.",
        "facts": "Referral from school about attendance.",
        "rationale": "Needs are rising and one agency cannot meet them.",
        "child_voice": "Says home is noisy at night and wants to keep going to football.",
    }
    values.update(fields)
    if "tasks" not in values:
        values["tasks"] = [
            TaskSpec(
                description="Visit the child at home",
                owner=owner or case.allocated_worker or maker,
                due_in_working_days=5,
            )
        ]
    decision = services.decision_create(case=case, actor=maker.user, **values)
    if sign:
        decision = services.decision_sign(mdr=decision, actor=maker.user)
    return decision
