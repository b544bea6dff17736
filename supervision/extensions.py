"""Supervision's places on the spine's pages: its navigation entries, and its panels on a
person's, a team's and a case's page (`oversight.extensions`)."""

from __future__ import annotations

from oversight import access
from oversight.extensions import NavEntry, register_nav, register_panel

register_nav(
    NavEntry(
        "My team",
        "supervision-my-team",
        10,
        access.is_manager,
        active_on=("supervision-my-team", "team-detail", "my-team"),
    )
)
register_nav(NavEntry("My supervision", "my-supervision", 30, access.has_staff_record))

register_panel("staff-detail", "supervision/panels/staff_detail.html")
register_panel("team-detail", "supervision/panels/team_detail.html")
register_panel("case-detail", "supervision/panels/case_detail.html")
