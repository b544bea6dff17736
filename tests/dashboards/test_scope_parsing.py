"""A scope written oddly — "team:²" (str.isdigit() says yes, int() says no), other scripts'
digits, an id longer than any database's — answers 400 with the usual message on every page,
export and API endpoint that takes `scope=`, never 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from dashboards.scope import ScopeError, resolve_scope

pytestmark = pytest.mark.django_db

PAGES = ["dashboard", "dashboard-workers"]
EXPORTS = ["export-performance", "export-supervision-status"]
API = ["metrics-supervision-compliance", "metrics-caseloads"]
ODD_SCOPES = [
    "team:²",  # superscript two
    "service:١٢",  # Arabic-Indic digits
    "team:𝟗",  # mathematical bold nine
    "team:1 2",  # a space inside the id
    "team:" + "9" * 40,  # longer than any id
    "service:-1",
    "team:",
]


def url(name: str, scope: str) -> str:
    return f"{reverse(name)}?scope={quote(scope)}"


@pytest.mark.parametrize("scope", ODD_SCOPES)
def test_resolving_an_odd_scope_is_a_scope_error(world, scope):
    with pytest.raises(ScopeError):
        resolve_scope(world.psw.user, scope)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("scope", ["team:²", "service:١٢"])
def test_a_dashboard_page_explains_an_odd_scope(world, name, scope):
    response = world.client("psw").get(url(name, scope))
    assert response.status_code == 400
    assert "is not a scope" in response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("scope", ["team:²", "service:١٢"])
def test_an_export_explains_an_odd_scope(world, name, scope):
    response = world.client("psw").get(url(name, scope))
    assert response.status_code == 400
    assert "is not a scope" in response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize("name", API)
@pytest.mark.parametrize("scope", ["team:²", "service:١٢", "team:" + "9" * 40])
def test_the_metrics_api_answers_400_json_for_an_odd_scope(world, name, scope):
    response = world.client("psw").get(url(name, scope), HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "is not a scope" in response.json()["scope"][0]


def test_a_plain_team_id_still_works(world):
    scope = resolve_scope(world.psw.user, f"team:{world.riverside.pk}")
    assert scope.team == world.riverside
    response = world.client("psw").get(url("dashboard", f"team:{world.riverside.pk}"))
    assert response.status_code == 200
