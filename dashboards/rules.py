"""The dashboards app's place in the access policy (DESIGN §5): an export job and its
workbook belong to the person who asked for it, and nobody else sees them."""

from __future__ import annotations

from django.db.models import Q

from dashboards.models import ExportFile, ExportJob
from oversight import access
from oversight.access import UserLike


def _own_jobs(user: UserLike) -> Q:
    return Q(requested_by=user.pk) if user.is_authenticated else access.NOTHING


def _own_files(user: UserLike) -> Q:
    return Q(job__requested_by=user.pk) if user.is_authenticated else access.NOTHING


access.register(ExportJob, _own_jobs)
access.register(ExportFile, _own_files)
