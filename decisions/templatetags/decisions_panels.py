"""`{% load decisions_panels %}`: the tags decisions' panels ask its rules with (defined with
the case page's panel in `decisions/panels.py`), and those of its panels on supervision's
pages: "Record as MDR" on a discussion, the drift count on My team."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from decisions import rules, selectors
from decisions.drift import area_for, drift_cases, drifting
from decisions.panels import register
from supervision.models import ActionStatus

__all__ = ["register"]


@register.simple_tag(takes_context=True)
def open_task_count(context: Any) -> int:
    """How many MDR tasks the reader owns that are still open (one query)."""
    tasks = selectors.my_tasks(context["request"].user)
    return tasks.filter(action__status=ActionStatus.OPEN).count()


@register.simple_tag(takes_context=True)
def drift_count(context: Any) -> int | None:
    """How many cases in the reader's own team (or service) are drifting; None for readers
    who have no drift list."""
    request = context["request"]
    if not rules.may_see_decision_lists(request.user):
        return None
    kind, area = area_for(request.user)
    if area is None:
        return None
    return drifting(drift_cases(request.user, kind, area), timezone.localdate()).count()
