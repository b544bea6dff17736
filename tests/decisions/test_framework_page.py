"""Choosing the threshold framework in use (principal social worker) on its page."""

from __future__ import annotations

import pytest

from decisions.models import ThresholdFramework
from tests.decisions.factories import record_decision

pytestmark = pytest.mark.django_db


def three_level() -> ThresholdFramework:
    return ThresholdFramework.objects.get(name__contains="three")


def test_everyone_signed_in_reads_the_frameworks_and_their_levels(world):
    body = world.client("sw").get("/decisions/frameworks/").content.decode()
    assert "Continuum of need (four levels)" in body and "Acute needs" in body
    assert "In use" in body
    assert "for new decisions" not in body  # only the principal social worker chooses


def test_the_principal_social_worker_switches_and_old_decisions_keep_theirs(world):
    old = record_decision(world.tm, world.case_sw, level_after=4)
    client = world.client("psw")
    response = client.post(f"/decisions/frameworks/{three_level().pk}/activate/", follow=True)
    assert "keep the framework and level they were made under" in response.content.decode()
    assert three_level().is_active
    assert ThresholdFramework.objects.filter(is_active=True).count() == 1
    detail = world.client("tm").get(f"/decisions/{old.pk}/").content.decode()
    assert "Acute needs" in detail  # still read against the four-level framework
    assert three_level().history.first().history_user == world.psw.user


@pytest.mark.parametrize("key", ["tm", "gm", "ad", "bs", "sw"])
def test_refuses_anyone_else_choosing_the_framework(world, key):
    response = world.client(key).post(f"/decisions/frameworks/{three_level().pk}/activate/")
    assert response.status_code == 404
    assert not three_level().is_active
