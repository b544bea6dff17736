"""API tokens: issued once by command or admin, expiring, revocable by their owner and by an
administrator; no, a bad, an expired or a revoked token answers 401 with `WWW-Authenticate`."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from oversight import tokens

pytestmark = pytest.mark.django_db

STAFF = "/api/v1/staff/"
REVOKE = "/api/v1/auth/tokens/revoke/"
REVOKE_ALL = "/api/v1/auth/tokens/revoke-all/"
BASE_DIR = Path(__file__).resolve().parents[3]


def token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def issued(person) -> tuple[AuthToken, str]:
    return tokens.token_issue(user=person.user)


def assert_refused_as_unauthenticated(response) -> None:
    assert response.status_code == 401, (response.status_code, response.content[:300])
    assert response["WWW-Authenticate"] == "Token"
    assert "results" not in response.json()


# --- 401, with the challenge --------------------------------------------------------------


def test_a_request_without_a_token_is_refused_with_401_and_the_challenge(world):
    response = APIClient().get(STAFF)
    assert_refused_as_unauthenticated(response)
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_bad_token_is_refused_with_401(world):
    response = token_client("0" * 64).get(STAFF)
    assert_refused_as_unauthenticated(response)
    assert response.json() == {"detail": "Invalid token."}


def test_a_malformed_authorization_header_is_refused_with_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two words")
    assert_refused_as_unauthenticated(client.get(STAFF))


def test_a_session_cookie_that_is_no_longer_signed_in_answers_401(world):
    client = APIClient()
    client.force_login(world.sw.user)
    Session.objects.all().delete()  # the session ended on the server
    assert_refused_as_unauthenticated(client.get(STAFF))


def test_a_made_up_session_cookie_answers_401(world):
    client = APIClient()
    client.cookies["sessionid"] = "not-a-session"
    assert_refused_as_unauthenticated(client.get(STAFF))


def test_a_token_of_a_deactivated_person_answers_401(world):
    _, secret = issued(world.sw)
    world.sw.user.is_active = False
    world.sw.user.save()
    assert_refused_as_unauthenticated(token_client(secret).get(STAFF))


# --- expiry ----------------------------------------------------------------------------------


def test_a_token_lasts_ninety_days_by_default(world):
    token, _ = issued(world.sw)
    assert token.expiry is not None
    lifetime = token.expiry - timezone.now()
    assert datetime.timedelta(days=89, hours=23) < lifetime <= datetime.timedelta(days=90)


def test_using_a_token_does_not_extend_it(world):
    token, secret = issued(world.sw)
    soon = timezone.now() + datetime.timedelta(days=2)
    AuthToken.objects.filter(pk=token.pk).update(expiry=soon)
    for _ in range(2):
        assert token_client(secret).get(STAFF).status_code == 200
    assert AuthToken.objects.get(pk=token.pk).expiry == soon


def test_an_expired_token_answers_401_and_is_removed(world):
    token, secret = issued(world.sw)
    assert token_client(secret).get(STAFF).status_code == 200
    AuthToken.objects.filter(pk=token.pk).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert_refused_as_unauthenticated(token_client(secret).get(STAFF))
    assert not AuthToken.objects.filter(pk=token.pk).exists()


def test_a_token_just_before_its_expiry_still_works(world):
    token, secret = issued(world.sw)
    AuthToken.objects.filter(pk=token.pk).update(
        expiry=timezone.now() + datetime.timedelta(minutes=1)
    )
    assert token_client(secret).get(STAFF).status_code == 200


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess[str]:
    code = "from oversight import settings; print(settings.REST_KNOX['TOKEN_TTL'].days)"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_token_lifetime_is_read_from_api_token_days():
    result = _settings_in_a_fresh_process(API_TOKEN_DAYS="30")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "30"


@pytest.mark.parametrize("value", ["0", "-5", "ninety"])
def test_refuses_to_start_with_a_bad_api_token_days(value):
    result = _settings_in_a_fresh_process(API_TOKEN_DAYS=value)
    assert result.returncode != 0
    assert "API_TOKEN_DAYS" in result.stderr


# --- issuing ---------------------------------------------------------------------------------


def test_the_command_prints_a_working_token_once_and_stores_only_its_hash(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "sw.test", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert len(secret) == 64
    assert "will not be shown again" in err.getvalue()
    token = AuthToken.objects.get(user=world.sw.user)
    assert secret not in (token.digest, token.token_key)
    assert world.sw.pk in {row["id"] for row in token_client(secret).get(STAFF).json()["results"]}


def test_the_command_takes_a_shorter_lifetime(world):
    call_command("issue_api_token", "sw.test", "--days", "7", stdout=io.StringIO())
    expiry = AuthToken.objects.get(user=world.sw.user).expiry
    assert expiry is not None
    assert expiry - timezone.now() <= datetime.timedelta(days=7)


def test_the_command_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="no user"):
        call_command("issue_api_token", "nobody.test", stdout=io.StringIO())


def test_the_command_refuses_a_deactivated_person(world):
    world.sw.user.is_active = False
    world.sw.user.save()
    with pytest.raises(CommandError, match="deactivated"):
        call_command("issue_api_token", "sw.test", stdout=io.StringIO())
    assert not AuthToken.objects.exists()


def test_the_command_refuses_a_lifetime_under_a_day(world):
    with pytest.raises(CommandError, match="at least one day"):
        call_command("issue_api_token", "sw.test", "--days", "0", stdout=io.StringIO())
    assert not AuthToken.objects.exists()


# --- the owner revokes -----------------------------------------------------------------------


def test_a_person_revokes_the_token_they_call_with(world):
    _, secret = issued(world.sw)
    _, other_secret = issued(world.sw)
    client = token_client(secret)
    assert client.post(REVOKE).status_code == 204
    assert_refused_as_unauthenticated(client.get(STAFF))
    assert token_client(other_secret).get(STAFF).status_code == 200  # their other device


def test_a_revoked_token_answers_401(world):
    _, secret = issued(world.tm)
    assert token_client(secret).post(REVOKE).status_code == 204
    assert_refused_as_unauthenticated(token_client(secret).post(REVOKE))
    assert_refused_as_unauthenticated(token_client(secret).get(STAFF))


def test_a_person_revokes_all_their_tokens(world):
    secrets = [issued(world.sw)[1] for _ in range(3)]
    assert token_client(secrets[0]).post(REVOKE_ALL).status_code == 204
    for secret in secrets:
        assert_refused_as_unauthenticated(token_client(secret).get(STAFF))
    assert not AuthToken.objects.filter(user=world.sw.user).exists()


def test_a_token_cannot_revoke_another_persons_token(world):
    _, mine = issued(world.tm)
    theirs_token, theirs = issued(world.sw)
    # Naming the other token in the body changes nothing: only the caller's own is revoked.
    body = {"token": theirs, "digest": theirs_token.digest, "user": world.sw.user.pk}
    assert token_client(mine).post(REVOKE, body, format="json").status_code == 204
    assert token_client(theirs).get(STAFF).status_code == 200
    _, mine = issued(world.tm)
    assert token_client(mine).post(REVOKE_ALL, body, format="json").status_code == 204
    assert token_client(theirs).get(STAFF).status_code == 200
    assert AuthToken.objects.filter(user=world.sw.user).count() == 1


def test_a_signed_in_person_revokes_all_their_tokens_from_the_browser(world, api_as):
    _, secret = issued(world.sw)
    _, others = issued(world.sw2)
    assert api_as("sw").post(REVOKE_ALL).status_code == 204
    assert_refused_as_unauthenticated(token_client(secret).get(STAFF))
    assert token_client(others).get(STAFF).status_code == 200


def test_revoking_the_current_token_refuses_a_session_which_has_none(world, api_as):
    issued(world.sw)
    response = api_as("sw").post(REVOKE)
    assert response.status_code == 400
    assert "session" in response.json()["detail"]
    assert AuthToken.objects.filter(user=world.sw.user).count() == 1


def test_revoking_by_session_refuses_a_request_without_the_csrf_token(world):
    issued(world.sw)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.sw.user)
    response = client.post(REVOKE_ALL)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert AuthToken.objects.filter(user=world.sw.user).exists()


def test_revoking_refuses_anonymous_callers(world):
    issued(world.sw)
    for url in (REVOKE, REVOKE_ALL):
        assert_refused_as_unauthenticated(APIClient().post(url))
    assert AuthToken.objects.filter(user=world.sw.user).exists()


def test_revoking_refuses_get(world, token_api_as):
    client = token_api_as("sw")
    for url in (REVOKE, REVOKE_ALL):
        assert client.get(url).status_code == 405
    assert client.get(STAFF).status_code == 200


# --- an administrator revokes ----------------------------------------------------------------


def test_an_administrator_revokes_a_token_in_the_admin(world, admin_client):
    token, secret = issued(world.sw)
    _, kept = issued(world.sw)
    response = admin_client.post(
        reverse("admin:knox_authtoken_delete", args=[token.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert_refused_as_unauthenticated(token_client(secret).get(STAFF))
    assert token_client(kept).get(STAFF).status_code == 200


def test_an_administrator_revokes_selected_tokens_in_the_admin(world, admin_client):
    revoked = [issued(world.sw), issued(world.tm)]
    _, kept = issued(world.bs)
    response = admin_client.post(
        reverse("admin:knox_authtoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk for token, _ in revoked]},
    )
    assert response.status_code == 302
    for _, secret in revoked:
        assert_refused_as_unauthenticated(token_client(secret).get(STAFF))
    assert token_client(kept).get(STAFF).status_code == 200


def test_the_admin_lists_tokens_without_their_keys(world, admin_client):
    _, secret = issued(world.sw)
    response = admin_client.get(reverse("admin:knox_authtoken_changelist"))
    assert response.status_code == 200
    assert b"sw.test" in response.content
    assert secret.encode() not in response.content


def test_an_administrator_issues_a_token_that_expires_and_is_shown_once(world, admin_client):
    response = admin_client.post(
        reverse("admin:knox_authtoken_add"), {"user": world.sw.user.pk}, follow=True
    )
    assert response.status_code == 200
    token = AuthToken.objects.get(user=world.sw.user)
    assert token.expiry is not None
    assert token.expiry - timezone.now() > datetime.timedelta(days=89)
    [message] = [str(m) for m in response.context["messages"] if str(m).startswith("TOKEN ")]
    secret = message.removeprefix("TOKEN ")
    assert token_client(secret).get(STAFF).status_code == 200


def test_the_admin_refuses_to_extend_a_token(world, admin_client):
    token, _ = issued(world.sw)
    later = timezone.now() + datetime.timedelta(days=3650)
    response = admin_client.post(
        reverse("admin:knox_authtoken_change", args=[token.pk]),
        {"user": world.sw.user.pk, "expiry_0": later.date().isoformat(), "expiry_1": "00:00"},
    )
    assert response.status_code == 403
    assert AuthToken.objects.get(pk=token.pk).expiry == token.expiry


def test_the_admin_refuses_a_token_for_a_deactivated_person(world, admin_client):
    world.sw.user.is_active = False
    world.sw.user.save()
    response = admin_client.post(reverse("admin:knox_authtoken_add"), {"user": world.sw.user.pk})
    assert response.status_code == 200  # the form again, with its error
    assert not AuthToken.objects.exists()


def test_the_admin_refuses_people_who_are_not_administrators(world):
    token, secret = issued(world.sw)
    client = world.client("tm")
    response = client.post(reverse("admin:knox_authtoken_delete", args=[token.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert token_client(secret).get(STAFF).status_code == 200
