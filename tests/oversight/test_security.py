"""Security baseline (DESIGN §6): throttled sign-in, session lifetime, headers."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client, override_settings

from oversight.middleware import SIGNED_IN_AT

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_sign_in_takes_a_person_to_their_starting_page(world, password):
    client = Client()
    response = _sign_in(client, "tm.test", password)
    assert response.status_code == 302
    assert client.get("/", follow=True).request["PATH_INFO"] == f"/teams/{world.riverside.pk}/"


def test_sign_in_renews_the_session_key(world, password):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "made-up-by-an-attacker"
    _sign_in(client, "sw.test", password)
    assert client.cookies["sessionid"].value != "made-up-by-an-attacker"
    assert Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


def test_sign_out_ends_the_session_on_the_server(world, password):
    client = Client()
    _sign_in(client, "sw.test", password)
    key = client.cookies["sessionid"].value
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/teams/").status_code == 302


def test_ten_failures_lock_that_username_from_that_address_only(world, password):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(attacker, "sw.test", "wrong-password", ip="10.0.0.66")
    locked = _sign_in(attacker, "sw.test", password, ip="10.0.0.66")
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    # A colleague in the same office (same address) is not locked out...
    assert _sign_in(Client(), "tm.test", password, ip="10.0.0.66").status_code == 302
    # ...nor is the same person from another address.
    assert _sign_in(Client(), "sw.test", password, ip="10.0.0.7").status_code == 302


def test_nine_failures_do_not_lock(world, password):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "sw.test", "wrong-password")
    assert _sign_in(client, "sw.test", password).status_code == 302


def test_failed_sign_in_keeps_the_username_and_explains(world):
    response = _sign_in(Client(), "sw.test", "wrong-password")
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b'value="sw.test"' in response.content


def test_sessions_idle_out_after_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_session_ends_twelve_hours_after_sign_in_however_active(world):
    client = world.client("sw")
    assert client.get("/teams/").status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get("/teams/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/teams/").status_code == 302


def test_authenticated_pages_carry_security_headers(world):
    response = world.client("tm").get(f"/teams/{world.riverside.pk}/")
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "'nonce-" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.content


def test_api_answers_are_not_cached(world):
    response = world.client("tm").get("/api/v1/staff/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_users_are_deactivated_never_deleted(world):
    from oversight import services

    services.staff_deactivate(staff=world.sw, leaving_date=world.sw.start_date, actor=None)
    world.sw.user.refresh_from_db()
    assert world.sw.user.is_active is False
    assert world.sw.history.count() >= 2  # history keeps its author and the change


@override_settings(DEBUG=False)
def test_production_settings_pass_the_deploy_check(monkeypatch):
    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("HTTPS", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 30 + "-a-long-and-random-production-secret-value")
    monkeypatch.setenv("ALLOWED_HOSTS", "oversight.example.org")
    import importlib
    import subprocess
    import sys

    del importlib  # the check runs in a fresh interpreter so settings are read anew
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
