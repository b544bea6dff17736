"""One set of API conventions (DESIGN §7): every path ends with a slash, every metric takes the
same `scope=` and refuses what it does not take, and the API throttles each user."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from oversight.env import env_rate

pytestmark = pytest.mark.django_db

METRICS = ["metrics-supervision-status", "metrics-supervision-compliance", "metrics-caseloads"]


def _workers_teams(response) -> set[int | None]:
    assert response.status_code == 200, (response.status_code, response.content[:500])
    return {row["team"] for row in response.json()["workers"]}


@pytest.mark.parametrize("name", METRICS)
def test_a_metric_path_ends_with_a_slash_and_answers_200(world, api_as, name):
    url = reverse(name)
    assert url.startswith("/api/v1/metrics/") and url.endswith("/")
    assert api_as("psw").get(url).status_code == 200


@pytest.mark.parametrize("name", METRICS)
def test_without_the_slash_a_metric_redirects_to_it_keeping_the_query(world, api_as, name):
    url = reverse(name)
    response = api_as("psw").get(f"{url.rstrip('/')}?scope=directorate")
    assert response.status_code == 301
    assert response["Location"] == f"{url}?scope=directorate"


def test_resources_and_metrics_end_the_same_way(world, api_as):
    client = api_as("psw")
    assert client.get("/api/v1/staff/").status_code == 200
    assert client.get("/api/v1/staff").status_code == 301
    assert client.get("/api/v1/metrics/caseloads/").status_code == 200
    assert client.get("/api/v1/metrics/caseloads").status_code == 301


@pytest.mark.parametrize("name", METRICS)
def test_scope_team_narrows_every_metric_to_that_team(world, api_as, name):
    response = api_as("psw").get(reverse(name), {"scope": f"team:{world.hillside.pk}"})
    assert _workers_teams(response) == {world.hillside.pk}


@pytest.mark.parametrize("name", METRICS)
def test_a_team_manager_may_scope_every_metric_to_their_own_team(world, api_as, name):
    response = api_as("tm").get(reverse(name), {"scope": f"team:{world.riverside.pk}"})
    assert _workers_teams(response) == {world.riverside.pk}


@pytest.mark.parametrize("name", METRICS)
def test_a_team_outside_the_readers_scope_answers_404_on_every_metric(world, api_as, name):
    response = api_as("tm2").get(reverse(name), {"scope": f"team:{world.riverside.pk}"})
    assert response.status_code == 404


@pytest.mark.parametrize("name", METRICS)
def test_a_service_outside_the_readers_scope_answers_404_on_every_metric(world, api_as, name):
    response = api_as("gm").get(reverse(name), {"scope": f"service:{world.parenting.pk}"})
    assert response.status_code == 404


@pytest.mark.parametrize("name", METRICS)
def test_a_malformed_scope_answers_400_on_every_metric(world, api_as, name):
    response = api_as("psw").get(reverse(name), {"scope": "team:riverside"})
    assert response.status_code == 400
    assert "is not a scope" in response.json()["scope"][0]


def test_supervision_status_scoped_to_a_service_lists_that_service(world, api_as):
    response = api_as("psw").get(
        reverse("metrics-supervision-status"), {"scope": f"service:{world.parenting.pk}"}
    )
    by_pk = {person.pk: key for key, person in world.people.items()}
    assert {by_pk[row["staff"]] for row in response.json()["workers"]} == {"tm2", "sw2"}


def test_supervision_status_scoped_to_me_lists_only_me(world, api_as):
    response = api_as("tm").get(reverse("metrics-supervision-status"), {"scope": "me"})
    assert [row["staff"] for row in response.json()["workers"]] == [world.tm.pk]


def test_the_deprecated_team_alias_answers_as_scope_team_does(world, api_as):
    client = api_as("tm")
    url = reverse("metrics-supervision-status")
    by_scope = client.get(url, {"scope": f"team:{world.riverside.pk}"}).json()
    by_alias = client.get(url, {"team": world.riverside.pk}).json()
    assert by_scope["workers"] == by_alias["workers"]


def test_a_practitioner_scoping_to_their_team_still_sees_only_themselves(world, api_as):
    response = api_as("sw").get(
        reverse("metrics-supervision-status"), {"scope": f"team:{world.riverside.pk}"}
    )
    assert [row["staff"] for row in response.json()["workers"]] == [world.sw.pk]


def test_business_support_asking_for_a_scope_get_404_as_on_the_other_metrics(world, api_as):
    response = api_as("bs").get(reverse("metrics-supervision-status"), {"scope": "directorate"})
    assert response.status_code == 404


@pytest.mark.parametrize("name", METRICS)
def test_an_unknown_parameter_answers_400_naming_it(world, api_as, name):
    response = api_as("psw").get(reverse(name), {"scpoe": "directorate"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"scpoe"}
    assert "'scpoe' is not a parameter of this endpoint" in body["scpoe"][0]
    assert "scope" in body["scpoe"][0]  # and says what it takes


def test_as_of_is_not_taken_by_caseloads_yet_and_says_so(world, api_as):
    response = api_as("psw").get(reverse("metrics-caseloads"), {"as_of": "2026-01-01"})
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_a_very_long_unknown_name_is_not_echoed_in_full(world, api_as):
    response = api_as("psw").get(reverse("metrics-caseloads"), {"x" * 500: "1"})
    assert response.status_code == 400
    assert len(response.content) < 400


@pytest.mark.parametrize("name", METRICS)
def test_the_format_and_page_parameters_are_not_refused(world, api_as, name):
    response = api_as("psw").get(reverse(name), {"format": "json", "page": "1"})
    assert response.status_code == 200


@pytest.mark.parametrize("name", METRICS)
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_scope_answers_400(world, api_as, name, value):
    response = api_as("psw").get(reverse(name), {"scope": value})
    assert response.status_code == 400
    assert "scope= is empty" in response.json()["scope"][0]


def test_an_empty_month_answers_400(world, api_as):
    response = api_as("psw").get(reverse("metrics-supervision-compliance"), {"month": ""})
    assert response.status_code == 400
    assert "month= is empty" in response.json()["month"][0]


@pytest.mark.parametrize("name", METRICS)
def test_a_scope_given_twice_answers_400(world, api_as, name):
    url = f"{reverse(name)}?scope=directorate&scope=team:{world.riverside.pk}"
    response = api_as("psw").get(url)
    assert response.status_code == 400
    assert "once" in response.json()["scope"][0]


def test_a_user_over_the_rate_is_told_429_with_retry_after(world, api_as, monkeypatch):
    # DRF's throttles copy the rates when they are imported, so overriding settings would not
    # reach them: the rate is changed where the throttles read it.
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/minute")
    client = api_as("tm")
    url = reverse("metrics-supervision-status")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower()
    # Counted per user: someone else is not held back by tm's requests.
    assert api_as("tm2").get(url).status_code == 200


def test_the_default_rates_are_the_documented_ones(settings):
    rest = settings.REST_FRAMEWORK
    assert rest["DEFAULT_THROTTLE_RATES"] == {"anon": "60/minute", "user": "600/minute"}
    assert rest["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]


@pytest.mark.parametrize("value", ["600/minute", "5/second", " 10/hour ", "1000/day"])
def test_a_rate_is_read_from_the_environment(monkeypatch, value):
    monkeypatch.setenv("API_THROTTLE_USER", value)
    assert env_rate("API_THROTTLE_USER", "1/day") == value.strip()


@pytest.mark.parametrize("value", ["", "600", "600/min", "0/minute", "-1/minute", "ten/hour"])
def test_a_bad_rate_fails_loudly_at_start_up(monkeypatch, value):
    monkeypatch.setenv("API_THROTTLE_USER", value)
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_USER"):
        env_rate("API_THROTTLE_USER", "600/minute")
