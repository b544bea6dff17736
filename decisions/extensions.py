"""Decisions' places on the spine's pages: its navigation entries, and its panels on a case's,
a team's and a person's page (`oversight.extensions`)."""

from __future__ import annotations

from decisions import panels, rules
from oversight import access
from oversight.extensions import NavEntry, register_nav, register_panel


def _reads_decisions(user: access.UserLike) -> bool:
    return access.reads_practice_records(user) and access.has_staff_record(user)


register_nav(NavEntry("Decisions", "decision-list", 20, rules.may_see_decision_lists))
register_nav(NavEntry("My tasks", "my-tasks", 35, _reads_decisions))

panels.register_panels()
register_panel("my-team", "decisions/panels/my_team.html")
register_panel("my-supervision", "decisions/panels/my_supervision.html")
register_panel("case-discussion", "decisions/panels/case_discussion.html")
register_panel("informal-discussion", "decisions/panels/informal_discussion.html")
