"""`/api/v1/supervision-policies/`: everyone signed in reads the policy versions and their
rules; a principal social worker publishes a new version from a shipped variant."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from supervision.models import PolicyVariant, SupervisionPolicy
from tests.api_helpers import results
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

POLICIES = "/api/v1/supervision-policies/"


def publish(client, **overrides):
    body = {"variant": PolicyVariant.ASYE_FRAMEWORK, "effective_from": "2027-01-01", **overrides}
    return client.post(POLICIES, body, format="json")


@pytest.mark.parametrize("role", ["sw", "tm", "bs", "ad"])
def test_everyone_signed_in_reads_the_policy_and_its_rules(world, api_as, role):
    (default,) = results(api_as(role).get(POLICIES))
    assert default["variant"] == PolicyVariant.EMPLOYER_STANDARDS_2024
    assert sorted(rule["interval_days"] for rule in default["rules"]) == [14, 28]
    assert api_as(role).get(f"{POLICIES}{default['id']}/").status_code == 200


def test_the_policy_needs_sign_in(world):
    assert APIClient().get(POLICIES).status_code in (401, 403)


def test_a_principal_social_worker_publishes_a_version_from_a_variant(world, api_as):
    response = publish(api_as("psw"), min_minutes=60)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["variant"], body["effective_from"], body["name"]) == (
        "asye_framework",
        "2027-01-01",
        "ASYE framework",
    )
    assert [(r["asye_week_from"], r["interval_days"], r["min_minutes"]) for r in body["rules"]] == [
        (1, 7, 60),
        (7, 14, 60),
        (27, 28, 60),
        (None, 28, 60),
    ]
    policy = SupervisionPolicy.objects.get(pk=body["id"])
    assert policy.history.get().history_user == world.psw.user
    assert [row["id"] for row in results(api_as("sw").get(POLICIES))][0] == policy.pk


def test_a_superuser_publishes_a_version(world):
    client = APIClient()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert publish(client).status_code == 201


@pytest.mark.parametrize("role", ["tm", "gm", "ad", "bs", "sw"])
def test_nobody_else_publishes_a_policy(world, api_as, role):
    response = publish(api_as(role))
    assert response.status_code == 403
    assert "principal social worker" in response.json()["detail"]
    assert SupervisionPolicy.objects.count() == 1


def test_two_versions_cannot_start_on_the_same_day(world, api_as):
    assert publish(api_as("psw")).status_code == 201
    response = publish(api_as("psw"), variant=PolicyVariant.EMPLOYER_STANDARDS_2024)
    assert response.status_code == 400
    assert "effective_from" in response.json()


def test_only_a_shipped_variant_can_be_published(world, api_as):
    response = publish(api_as("psw"), variant=PolicyVariant.CUSTOM)
    assert response.status_code == 400
    assert "variant" in response.json()
    assert publish(api_as("psw"), effective_from="soon").status_code == 400


def test_rules_are_set_by_the_variant_not_the_request(world, api_as):
    response = publish(api_as("psw"), rules=[{"interval_days": 1}], target_rate="0.100")
    assert response.status_code == 201
    assert 1 not in {rule["interval_days"] for rule in response.json()["rules"]}
    assert response.json()["target_rate"] == "0.950"


def test_policies_cannot_be_changed_or_deleted_through_the_api(world, api_as):
    policy = SupervisionPolicy.objects.get()
    client = api_as("psw")
    assert client.patch(f"{POLICIES}{policy.pk}/", {"name": "x"}, format="json").status_code == 405
    assert client.delete(f"{POLICIES}{policy.pk}/").status_code == 405
