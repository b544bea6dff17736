"""The dashboards app's place in the access policy (DESIGN §5): an export job and its
workbook belong to the person who asked for it, and nobody else sees them."""

from __future__ import annotations

from django.db.models import Q

from dashboards.models import ExportFile, ExportJob
from oversight import access
from oversight.access import UserLike
from oversight.extensions import NavEntry, register_nav
from oversight.models import Role


def _own_jobs(user: UserLike) -> Q:
    return Q(requested_by=user.pk) if user.is_authenticated else access.NOTHING


def _own_files(user: UserLike) -> Q:
    return Q(job__requested_by=user.pk) if user.is_authenticated else access.NOTHING


access.register(ExportJob, _own_jobs)
access.register(ExportFile, _own_files)

# Group managers and the directorate start on the dashboard: watching figures is their job.
_FIGURE_READERS = (Role.GROUP_MANAGER, Role.PRINCIPAL_SOCIAL_WORKER, Role.ASSISTANT_DIRECTOR)
access.register_home("dashboard", lambda user: access.role_of(user) in _FIGURE_READERS)

# Everyone but business support reads supervision figures (their own, at least).
register_nav(
    NavEntry(
        "Dashboard",
        "dashboard",
        40,
        access.reads_practice_records,
        active_on=("dashboard", "dashboard-workers"),
    )
)
