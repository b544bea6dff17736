"""Sign-in in the Design System's pattern: an error summary, errors on the fields, "Error:"
in the title, specific messages, and a show/hide password button."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/accounts/login/"


def title(body: str) -> str:
    match = re.search(r"<title>(.*?)</title>", body, re.S)
    return match.group(1).strip() if match else ""


def test_empty_boxes_are_each_named(world):
    body = Client().post(URL, {"username": "", "password": ""}).content.decode()
    assert title(body).startswith("Error: Sign in")
    assert "govuk-error-summary" in body
    assert body.count("Enter your username") == 2  # in the summary and on the field
    assert body.count("Enter your password") == 2
    assert "This field is required" not in body


def test_a_wrong_password_says_so_without_saying_which_and_keeps_the_username(world):
    response = Client().post(URL, {"username": "sw.test", "password": "not-it"})
    body = response.content.decode()
    assert response.status_code == 200
    assert title(body).startswith("Error: ")
    assert "Enter a correct username and password" in body
    assert 'value="sw.test"' in body
    assert "not-it" not in body  # the password is never typed back into the page
    assert 'aria-describedby="id_password-error"' in body


def test_the_password_can_be_shown(world):
    body = Client().get(URL).content.decode()
    assert 'data-module="govuk-password-input"' in body
    assert 'aria-controls="id_password"' in body
    assert title(body).startswith("Sign in")


def test_the_right_password_signs_in(world):
    response = Client().post(URL, {"username": "sw.test", "password": PASSWORD})
    assert response.status_code == 302
