"""Supervision API tests use the shared clients (tests/api_helpers.py) and service-built records."""

from __future__ import annotations

import datetime

from supervision import services
from supervision.models import SupervisionSession
from tests.api_helpers import api_as, token_api_as  # noqa: F401  (fixtures)
from tests.supervision.factories import at

D = datetime.date
HELD_ON = D(2026, 3, 2)


def started(world, supervisee=None) -> SupervisionSession:
    return services.session_start(supervisee=supervisee or world.sw, actor=world.tm.user)


def held(world, *, day: datetime.date = HELD_ON, minutes: int = 90) -> SupervisionSession:
    start = at(day, 10)
    return services.session_hold(
        session=started(world),
        actor=world.tm.user,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=minutes),
    )


def signed_by_supervisor(world) -> SupervisionSession:
    return services.session_sign(session=held(world), actor=world.tm.user)


def locked(world) -> SupervisionSession:
    return services.session_sign(session=signed_by_supervisor(world), actor=world.sw.user)


def url(session: SupervisionSession, action: str = "") -> str:
    return f"/api/v1/supervisions/{session.pk}/" + (f"{action}/" if action else "")
