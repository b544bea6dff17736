"""Who may write through the API; reading is scoped by the access policy in the viewsets."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from oversight import access


class OrganisationWrite(BasePermission):
    """Services, teams and staff are written by business support (and administrators)."""

    message = "Only business support can change the organisation."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or access.can_edit_organisation(request.user)


class CaseWrite(BasePermission):
    """Cases come from the case-recording system through an integration account."""

    message = "Cases are written by the case-recording system's integration account."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or access.can_write_cases(request.user)
