"""Organisation API tests: the shared API clients, and the case-recording system's account."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from oversight import tokens
from tests.api_helpers import api_as, token_api_as  # noqa: F401  (fixtures)
from tests.factories import UserFactory

RESOURCES = ["services", "teams", "staff", "cases", "absences"]


@pytest.fixture
def integration_user(db: None) -> Any:
    """The case-recording system's account: no staff record, allowed to change cases."""
    user = UserFactory(username="case-system")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="oversight", codename__in=["add_case", "change_case"]
        )
    )
    return user


@pytest.fixture
def integration_api(integration_user: Any) -> APIClient:
    _, secret = tokens.token_issue(user=integration_user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client
