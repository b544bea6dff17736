"""Helpers shared by the API tests of every app (tests/oversight/api, tests/supervision/api).

API clients for the named people, signed in by session or by token, and readers of list
answers. The fixtures are imported by each API test directory's conftest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from oversight import tokens
from tests.conftest import World


def results(response: Any) -> list[dict[str, Any]]:
    """The rows of a paginated list answer (failing loudly on anything else)."""
    assert response.status_code == 200, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}, body
    return body["results"]


def ids(response: Any) -> set[int]:
    return {row["id"] for row in results(response)}


@pytest.fixture
def api_as(world: World) -> Callable[[str], APIClient]:
    """`api_as("sw")`: an API client signed in with a session as one of the named people."""

    def make(key: str) -> APIClient:
        client = APIClient()
        client.force_login(world.people[key].user)
        return client

    return make


@pytest.fixture
def token_api_as(world: World) -> Callable[[str], APIClient]:
    """`token_api_as("tm")`: an API client sending `Authorization: Token ...`, no session."""

    def make(key: str) -> APIClient:
        _, secret = tokens.token_issue(user=world.people[key].user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return client

    return make
