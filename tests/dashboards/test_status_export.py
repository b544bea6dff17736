"""The supervision status workbook: status now for everyone the reader follows, coloured as
on screen, and nobody else."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from dashboards.xlsx import TAG_COLOURS
from oversight.models import AccessLogEntry, StaffMember
from supervision.policy import Status
from tests.conftest import ROLES
from tests.dashboards.test_performance_export import fill_of, rows_of, workbook_of
from tests.factories import TeamFactory
from tests.supervision.factories import HeldSessionFactory
from tests.test_access_matrix import _forbidden_markers

pytestmark = pytest.mark.django_db

HEADER = [
    "Name",
    "Team",
    "Service",
    "Role",
    "Employment type",
    "Supervisor",
    "Status",
    "Due date",
    "Days until due",
    "Last session",
    "Interval (days)",
    "Open actions",
    "Informal discussions waiting",
]


def export(client, query: str = ""):
    return client.get(f"/exports/supervision-status.xlsx?{query}")


def test_a_team_manager_gets_their_teams_status_now(world):
    today = timezone.localdate()
    HeldSessionFactory(supervisee=world.sw, supervisor=world.tm, held_on=today)
    book = workbook_of(export(world.client("tm"), f"scope=team:{world.riverside.pk}"))
    assert book.sheetnames == ["About", "Supervision status"]
    sheet = book["Supervision status"]
    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{sheet.max_row}"
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    # The team, and the manager's own supervision (by their group manager).
    team = (world.sw, world.asye, world.atm, world.tm)
    assert set(rows) == {person.full_name for person in team}

    sw = rows[world.sw.full_name]
    assert [cell.value for cell in sw[1:7]] == [
        "Riverside",
        "Safeguarding",
        "Social worker",
        "Permanent",
        world.tm.full_name,
        "In time",
    ]
    assert fill_of(sw[6]) == TAG_COLOURS[Status.IN_TIME.tag_colour][0]
    assert sw[7].value.date() == today + datetime.timedelta(days=28)  # a real date
    assert sw[8].value == 28 and isinstance(sw[8].value, int)
    assert sw[9].value.date() == today
    assert sw[10].value == 28


def test_a_never_supervised_worker_long_in_post_is_overdue_in_red(world):
    book = workbook_of(export(world.client("tm"), f"scope=team:{world.riverside.pk}"))
    rows = {row[0].value: row for row in book["Supervision status"].iter_rows(min_row=2)}
    sw = rows[world.sw.full_name]
    assert sw[6].value == "Overdue"
    assert fill_of(sw[6]) == TAG_COLOURS[Status.OVERDUE.tag_colour][0]
    assert sw[9].value is None  # no session yet
    assert sw[8].value < 0


def test_the_about_sheet_says_what_and_when(world):
    book = workbook_of(export(world.client("tm"), f"scope=team:{world.riverside.pk}"))
    about = {row[0]: row[1] for row in rows_of(book["About"])}
    assert about["Scope"] == "Riverside"
    assert isinstance(about["As at"], datetime.datetime)
    assert about["Workers"] == 4
    assert "pauses the clock" in about["Status now"]


def test_the_download_is_uncached_named_and_logged(world):
    response = export(world.client("tm"), f"scope=team:{world.riverside.pk}")
    workbook_of(response)
    assert "no-store" in response["Cache-Control"].split(", ")
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="oversight-supervision-status-team-{world.riverside.pk}-'
        f'{today:%Y-%m-%d}.xlsx"'
    )
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.user) == (AccessLogEntry.Action.EXPORT, world.tm.user)
    assert "Supervision status" in entry.description


def test_a_social_worker_gets_only_their_own_row(world):
    book = workbook_of(export(world.client("sw"), f"scope=team:{world.riverside.pk}"))
    assert [row[0] for row in rows_of(book["Supervision status"])] == [world.sw.full_name]


def test_another_teams_manager_cannot_export_this_team(world):
    assert export(world.client("tm2"), f"scope=team:{world.riverside.pk}").status_code == 404


def test_business_support_cannot_export_status(world):
    assert export(world.client("bs")).status_code == 404


def test_a_malformed_scope_is_refused_with_a_message(world):
    response = export(world.client("tm"), "scope=team:x")
    assert response.status_code == 400
    assert "is not a scope" in response.content.decode().replace("&#x27;", "'")


def test_typed_formulas_in_names_come_out_as_text(world):
    StaffMember.objects.filter(pk=world.sw.pk).update(first_name='=HYPERLINK("http://x","y")')
    book = workbook_of(export(world.client("tm"), f"scope=team:{world.riverside.pk}"))
    names = [row[0] for row in book["Supervision status"].iter_rows(min_row=2)]
    (cell,) = [c for c in names if c.value.startswith("=")]
    assert cell.value == f'=HYPERLINK("http://x","y") {world.sw.last_name}'
    assert cell.data_type == "s"


def test_an_empty_scope_gives_a_workbook_that_says_so(world):
    empty = TeamFactory(name="Empty team", service=world.safeguarding)
    book = workbook_of(export(world.client("ad"), f"scope=team:{empty.pk}"))
    assert rows_of(book["Supervision status"])[0][0] == "No workers in this scope"


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_their_natural_scope_and_nothing_outside_it(world, role):
    response = export(world.client(role))
    if role == "bs":
        assert response.status_code == 404
        return
    data = b"".join(response.streaming_content)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    for marker in _forbidden_markers(role, include_types=True):
        assert marker not in text, f"{role} finds {marker!r} in their workbook"


def test_a_supervisor_the_reader_may_not_see_is_not_named(world):
    book = workbook_of(export(world.client("tm"), f"scope=team:{world.riverside.pk}"))
    rows = {row[0]: row for row in rows_of(book["Supervision status"])}
    assert rows[world.tm.full_name][5] is None  # tm's own line manager, gm
    assert rows[world.sw.full_name][5] == world.tm.full_name
