"""Decisions' panel on a case's page, and the template tags it asks the rules with.

Two steps for whoever owns `decisions/extensions.py` and `decisions/templatetags/`:
`decisions/templatetags/decisions_panels.py` containing `from decisions.panels import register`
(so templates can `{% load decisions_panels %}`), then `panels.register_panels()` from
`extensions.py`. Registering is a call, not an import side effect, so nothing shows the panel
before its tag library can be loaded.
"""

from __future__ import annotations

from typing import Any

from django import template

from decisions import rules, selectors
from decisions.models import Decision
from oversight.extensions import register_panel
from oversight.models import Case

LATEST = 3

register = template.Library()


def _user(context: Any) -> Any:
    return context["request"].user


@register.simple_tag(takes_context=True)
def may_record_decision(context: Any, case: Case) -> bool:
    return rules.may_record_decision(_user(context), case)


@register.simple_tag(takes_context=True)
def latest_decisions(context: Any, case: Case) -> list[Decision]:
    """The case's latest MDRs the reader may read (one query)."""
    return list(selectors.decisions_for(_user(context)).filter(case=case)[:LATEST])


def register_panels() -> None:
    register_panel("case-detail", "decisions/panels/case_detail.html", order=40)
