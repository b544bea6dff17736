"""Apps fill the spine's pages through registered navigation entries and panels
(`oversight.extensions`), so the spine's templates never name an app's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oversight import extensions


def _nav_labels(client, user) -> list[str]:  # noqa: ANN001
    client.force_login(user)
    response = client.get(reverse("team-list"))
    return [entry.label for entry in response.context["nav_entries"]]


def test_each_role_is_offered_the_entries_its_work_needs_in_order(world, client):
    # A manager's team page is reached from My team; a person's own details, notifications
    # and signing out sit in the header beside their name, not in the service navigation.
    assert _nav_labels(client, world.tm.user) == [
        "My team",
        "Decisions",
        "My supervision",
        "My tasks",
        "Dashboard",
        "Teams",
        "Staff",
        "Cases",
    ]
    assert _nav_labels(client, world.sw.user) == [
        "My supervision",
        "My tasks",
        "Dashboard",
        "Teams",
        "Staff",
        "Cases",
    ]
    # Business support read no practice records: no figures, no supervision of their own here.
    labels = _nav_labels(client, world.bs.user)
    assert "Dashboard" not in labels and "My team" not in labels


def test_my_team_is_the_entry_marked_on_the_team_page_and_the_header_holds_the_account(
    world, client
):
    client.force_login(world.tm.user)
    response = client.get(reverse("team-detail", args=[world.tm.team_id]))
    marked = {e.label: e.active for e in response.context["nav_entries"]}
    assert marked["My team"] is True
    body = response.content.decode()
    header = body[body.index('class="app-header__account"') : body.index("</header>")]
    assert reverse("my-profile") in header and reverse("notifications") in header
    assert "Sign out" in header and world.tm.full_name in header


def test_the_entry_for_the_page_being_read_is_marked_current(world, client):
    client.force_login(world.tm.user)
    response = client.get(reverse("supervision-my-team"))
    marked = [(e.label, e.active, e.current) for e in response.context["nav_entries"]]
    assert ("My team", True, True) in marked
    assert all(not active for label, active, _ in marked if label != "My team")
    assert b'aria-current="page">My team</a>' in response.content


def test_an_apps_panel_shows_on_the_spines_page(world, client):
    client.force_login(world.tm.user)
    response = client.get(reverse("staff-detail", args=[world.sw.pk]))
    assert "supervision/panels/staff_detail.html" in extensions.panels_for("staff-detail")
    assert b"Start supervision" in response.content
    assert reverse("supervision-history", args=[world.sw.pk]).encode() in response.content


def test_a_panel_asks_its_rules_and_shows_nothing_to_a_reader_it_has_nothing_for(world, client):
    # Business support may read a person's page but no practice records.
    client.force_login(world.bs.user)
    response = client.get(reverse("staff-detail", args=[world.sw.pk]))
    assert response.status_code == 200
    assert b"Start supervision" not in response.content
    assert b"Supervision history" not in response.content


def test_registering_a_panel_for_a_page_without_panels_is_refused():
    with pytest.raises(ValueError, match="has no panels"):
        extensions.register_panel("dashboard", "anything.html")


def test_registering_the_same_entry_twice_keeps_one(world):
    extensions.register_nav(extensions.NavEntry("Teams again", "team-list", 5))
    labels = [entry.label for entry in extensions.nav_for(world.sw.user, None)]
    assert labels.count("Teams") == 1 and "Teams again" not in labels
