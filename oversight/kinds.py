"""The organisation's record kinds (for History pages and the access log) and its own
entries in the navigation, registered as the apps register theirs."""

from typing import Any

from oversight import access
from oversight.extensions import NavEntry, register_nav
from oversight.models import Absence, Case, Service, StaffMember, Team
from oversight.records import RecordKind, UserLike, register_kind


def _absence_hidden(user: UserLike, absence: Any) -> frozenset[str]:
    if access.can_see_absence_details(user, absence.staff):
        return frozenset()
    return frozenset(Absence.RESTRICTED_FIELDS)


STAFF = register_kind(RecordKind("staff", StaffMember, None, detail_url_name="staff-detail"))
ABSENCE = register_kind(
    RecordKind("absence", Absence, "staff", _absence_hidden, detail_url_name=None)
)
CASE = register_kind(RecordKind("case", Case, "allocated_worker", detail_url_name="case-detail"))
TEAM = register_kind(
    RecordKind("team", Team, "manager", detail_url_name="team-detail", logs_reads=False)
)
SERVICE = register_kind(RecordKind("service", Service, "group_manager", logs_reads=False))


# A manager's team is reached from My team (the team page is part of it); a person's own
# details, notifications and signing out sit in the header, beside their name.
register_nav(NavEntry("Teams", "team-list", 50))
register_nav(NavEntry("Staff", "staff-list", 60))
register_nav(NavEntry("Cases", "case-list", 70, access.can_see_cases))
