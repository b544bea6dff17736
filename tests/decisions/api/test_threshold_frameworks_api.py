"""`/api/v1/threshold-frameworks/`: the shipped continua of need, read-only, with levels."""

from __future__ import annotations

import pytest

from tests.api_helpers import results
from tests.decisions.api.conftest import FRAMEWORKS

pytestmark = pytest.mark.django_db


def test_the_frameworks_list_their_levels_in_order_and_which_is_active(world, api_as):
    rows = {row["name"]: row for row in results(api_as("sw").get(FRAMEWORKS))}
    four = rows["Continuum of need (four levels)"]
    assert four["is_active"] is True
    assert [level["number"] for level in four["levels"]] == [1, 2, 3, 4]
    assert four["levels"][3]["name"] == "Acute needs"
    assert four["levels"][0]["indicators"]
    assert rows["Continuum of need (three levels)"]["is_active"] is False


def test_a_framework_is_read_only(world, api_as):
    framework = results(api_as("psw").get(FRAMEWORKS))[0]
    url = f"{FRAMEWORKS}{framework['id']}/"
    assert api_as("psw").get(url).status_code == 200
    assert api_as("psw").patch(url, {"is_active": False}, format="json").status_code == 405
    assert api_as("psw").post(FRAMEWORKS, {"name": "Mine"}, format="json").status_code == 405


def test_the_frameworks_need_sign_in(world):
    from rest_framework.test import APIClient

    assert APIClient().get(FRAMEWORKS).status_code == 401
