"""The performance workbook: the worked example's figures in the cells, typed and coloured as
on screen; only what the reader may see; bad input refused with a message and no file."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards.compliance import Month
from dashboards.exports import performance_workbook, rate_colour
from dashboards.scope import resolve_scope
from dashboards.xlsx import TAG_COLOURS, Colour, safe_text
from oversight.models import AccessLogEntry, StaffMember, Team
from tests.conftest import ROLES
from tests.dashboards.conftest import held
from tests.factories import TeamFactory
from tests.test_access_matrix import ABSENCE_DETAILS_VISIBLE, _forbidden_markers

pytestmark = pytest.mark.django_db

MARCH = "from=2026-03&to=2026-03"
SHEETS = [
    "About",
    "Summary by team and month",
    "Workers",
    "Not held",
    "Caseloads",
    "Caseloads by team",
    "Decisions",
    "Drift",
]
SUMMARY_HEADER = [
    "Team",
    "Service",
    "Month",
    "Expected",
    "Compliant",
    "Rate",
    "Target",
    "Excused",
    "Excused reasons",
    "Not expected",
    "Held",
    "Short",
    "Signed in time",
]


def naive(*parts: int) -> datetime.datetime:
    """A date and time as a workbook holds it: wall-clock time, no time zone."""
    year, month, day, *time = parts
    return datetime.datetime.combine(datetime.date(year, month, day), datetime.time(*time))


def workbook_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def workbook_of(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(response)))


def rows_of(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def fill_of(cell) -> str | None:
    return cell.fill.fgColor.rgb[2:] if cell.fill.fill_type == "solid" else None


def export(client: Client, query: str):
    return client.get(f"/exports/performance.xlsx?{query}")


@pytest.fixture
def tm_client(client, team_manager, march_team) -> Client:
    client.force_login(team_manager.user)
    return client


@pytest.fixture
def march_book(tm_client, team_manager) -> openpyxl.Workbook:
    return workbook_of(export(tm_client, f"scope=team:{team_manager.team_id}&{MARCH}"))


# --- the worked example, cell by cell -----------------------------------------------------------


def test_the_workbook_has_every_sheet_with_a_frozen_filterable_header(march_book):
    assert march_book.sheetnames == SHEETS
    for sheet in march_book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert all(cell.font.b for cell in sheet[1] if cell.value), sheet.title


def test_the_summary_shows_four_expected_one_compliant_and_a_red_quarter(march_book, team_manager):
    sheet = march_book["Summary by team and month"]
    assert [cell.value for cell in sheet[1]] == SUMMARY_HEADER
    (row,) = list(sheet.iter_rows(min_row=2))
    values = [cell.value for cell in row]
    assert values[:2] == ["Riverside", team_manager.team.service.name]
    assert values[2] == naive(2026, 3, 1)
    assert row[2].number_format == "mmm yyyy"
    assert values[3:8] == [4, 1, 0.25, 0.95, 3]
    assert row[5].number_format == "0%"
    assert fill_of(row[5]) == TAG_COLOURS[Colour.RED][0]
    assert values[8] == (
        "3 excused: 1 maternity, paternity or adoption leave, 1 sickness, 1 worker absent"
    )
    assert values[9:] == [1, 2, 0, 0]  # not expected; held (M1, M6); short; signed in time
    assert all(isinstance(v, int) for v in values[3:5] + values[7:8] + values[9:])


def test_the_workers_sheet_gives_each_workers_month_its_outcome_and_colour(march_book):
    sheet = march_book["Workers"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Name", "Team", "Service", "Role", "Employment type"]
    assert header[5].startswith("Status now")
    assert header[6:] == ["Due date", "Last session", "Mar 2026"]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(cells) == {f"M{n} Worker" for n in range(1, 9)}
    assert cells["M1 Worker"][8].value == "Compliant"
    assert fill_of(cells["M1 Worker"][8]) == TAG_COLOURS[Colour.GREEN][0]
    assert cells["M2 Worker"][8].value == "Not compliant"
    assert fill_of(cells["M2 Worker"][8]) == TAG_COLOURS[Colour.RED][0]
    assert cells["M3 Worker"][8].value == "Excused (maternity, paternity or adoption leave)"
    assert fill_of(cells["M3 Worker"][8]) == TAG_COLOURS[Colour.GREY][0]
    assert cells["M7 Worker"][8].value == "Not expected"
    assert cells["M6 Worker"][3].value == "ASYE social worker"
    last_session = cells["M1 Worker"][7]
    assert last_session.value == naive(2026, 3, 10)
    assert isinstance(cells["M1 Worker"][6].value, datetime.datetime)  # due date
    assert cells["M1 Worker"][5].value in {"Overdue", "Due soon", "In time", "Excused"}


def test_the_not_held_sheet_counts_sessions_by_reason(march_book, team_manager):
    service = team_manager.team.service.name
    assert rows_of(march_book["Not held"]) == [
        ["Riverside", service, naive(2026, 3, 1), "Worker absent", 1]
    ]


def test_the_about_sheet_states_scope_period_time_target_and_definitions(march_book):
    about = {row[0]: row[1] for row in rows_of(march_book["About"])}
    assert about["Scope"] == "Riverside"
    assert about["Period"] == "March 2026 (1 month)"
    assert about["From"] == about["To"] == naive(2026, 3, 1)
    assert isinstance(about["As at"], datetime.datetime)
    assert abs(about["As at"] - timezone.localtime().replace(tzinfo=None)) < datetime.timedelta(
        days=1
    )
    assert about["Target"] == 0.95
    assert about["Workers"] == 8
    assert "rounded down" in about["Compliant"]
    assert "half of the month's working days" in about["Excused"]
    assert "Compliant ÷ expected" in about["Rate"]
    assert "within 1 working day" in about["Decisions"]
    assert "training module" in about["Training"]
    assert about["Produced by"].endswith("(Team manager)")


def test_decisions_say_so_when_none_were_signed(march_book):
    rows = rows_of(march_book["Decisions"])
    assert len(rows) == 1 and "No management decisions" in rows[0][0]


def test_caseloads_list_each_worker_and_the_team_spread(march_book):
    sheet = march_book["Caseloads"]
    assert [cell.value for cell in sheet[1]][5:9] == [
        "FTE",
        "Open cases",
        "Duty cases",
        "Open cases per FTE",
    ]
    rows = rows_of(sheet)
    assert len(rows) == 8
    assert all(row[5] == 1.0 and row[6] == 0 for row in rows)
    teams = rows_of(march_book["Caseloads by team"])
    assert teams[0][:7] == ["Riverside", teams[0][1], "All workers", 8, 0, 0, 0]


@pytest.mark.parametrize(
    ("rate", "colour"),
    [
        (Decimal("1"), Colour.GREEN),
        (Decimal("0.95"), Colour.GREEN),
        (Decimal("0.9499"), Colour.YELLOW),
        (Decimal("0.85"), Colour.YELLOW),
        (Decimal("0.8499"), Colour.RED),
        (None, None),
    ],
)
def test_the_rate_is_green_at_target_amber_within_ten_points_red_below(rate, colour):
    assert rate_colour(rate, Decimal("0.95")) == colour


def test_the_months_are_one_row_per_team_and_month_over_a_longer_period(tm_client, team_manager):
    book = workbook_of(
        export(tm_client, f"scope=team:{team_manager.team_id}&from=2026-01&to=2026-04")
    )
    months = [row[2] for row in rows_of(book["Summary by team and month"])]
    assert months == [naive(2026, m, 1) for m in (1, 2, 3, 4)]
    header = [cell.value for cell in book["Workers"][1]]
    assert header[-4:] == ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"]


# --- the download itself ------------------------------------------------------------------------


def test_the_download_is_an_uncached_attachment_named_after_scope_and_period(
    tm_client, team_manager
):
    response = export(tm_client, f"scope=team:{team_manager.team_id}&from=2026-01&to=2026-03")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        f'attachment; filename="oversight-performance-team-{team_manager.team_id}'
        '-2026-01-2026-03.xlsx"'
    )
    assert zipfile.is_zipfile(io.BytesIO(workbook_bytes(response)))


def test_the_export_is_written_to_the_access_log(tm_client, team_manager):
    workbook_of(export(tm_client, f"scope=team:{team_manager.team_id}&{MARCH}"))
    entry = AccessLogEntry.objects.get()
    assert entry.action == AccessLogEntry.Action.EXPORT
    assert entry.user == team_manager.user
    assert entry.kind == "export"
    assert "Riverside" in entry.description and "March 2026" in entry.description


def test_typed_formulas_in_names_come_out_as_text(tm_client, team_manager, march_team):
    formula = '=HYPERLINK("http://x","y")'
    Team.objects.filter(pk=team_manager.team_id).update(name=formula)
    StaffMember.objects.filter(pk=march_team["M1"].pk).update(first_name="+1+1", last_name="@x")
    book = workbook_of(export(tm_client, f"scope=team:{team_manager.team_id}&{MARCH}"))
    summary_team = book["Summary by team and month"]["A2"]
    assert (summary_team.value, summary_team.data_type) == (formula, "s")
    names = {row[0].value: row[0] for row in book["Workers"].iter_rows(min_row=2)}
    assert names["+1+1 @x"].data_type == "s"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    about = {row[0]: row[1] for row in rows_of(book["About"])}
    assert about["Scope"] == formula


# --- access -------------------------------------------------------------------------------------


def test_business_support_cannot_export_figures(world):
    assert export(world.client("bs"), MARCH).status_code == 404


def test_a_team_manager_cannot_export_another_team(world):
    response = export(world.client("tm2"), f"scope=team:{world.riverside.pk}&{MARCH}")
    assert response.status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_a_social_worker_gets_only_their_own_row(world):
    held(world.sw, datetime.date(2026, 3, 10))
    book = workbook_of(export(world.client("sw"), f"scope=team:{world.riverside.pk}&{MARCH}"))
    assert [row[0] for row in rows_of(book["Workers"])] == [world.sw.full_name]
    summary = rows_of(book["Summary by team and month"])
    assert [row[3:5] for row in summary] == [[1, 1]]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "bs"])
def test_no_role_finds_anything_outside_their_scope_in_their_workbook(world, role):
    response = export(world.client(role), "")
    data = workbook_bytes(response)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = "".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    for marker in _forbidden_markers(role, include_types=True):
        assert marker not in text, f"{role} finds {marker!r} in their workbook"
    if role not in ABSENCE_DETAILS_VISIBLE["absence_sw2"]:
        assert "maternity" not in text.lower(), f"{role} learns sw2's absence type"


# --- bad input: a message, status 400, no file --------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13&to=2026-03", "is not a month"),
        ("from=March&to=2026-03", "is not a month"),
        ("from=2026-03&to=2099-01", "is in the future"),
        ("from=2020-01&to=2026-03", "at most 36 months"),
        ("from=2026-04&to=2026-03", "starts (2026-04) after it ends"),
        ("scope=team:abc&" + MARCH, "is not a scope"),
        ("scope=planet&" + MARCH, "is not a scope"),
    ],
)
def test_bad_input_gets_a_page_saying_what_is_wrong_and_no_file(world, query, message):
    response = export(world.client("tm"), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert message in body.replace("&#x27;", "'")
    assert "govuk-error-summary" in body
    assert "Content-Disposition" not in response
    assert not AccessLogEntry.objects.exists()


def test_every_problem_is_listed_at_once(world):
    response = export(world.client("tm"), "scope=planet&from=2026-13")
    body = response.content.decode()
    assert response.status_code == 400
    assert "is not a scope" in body and "is not a month" in body


def test_a_scope_that_does_not_exist_is_not_found(world):
    assert export(world.client("ad"), f"scope=team:999999&{MARCH}").status_code == 404


def test_anonymous_visitors_are_asked_to_sign_in():
    response = Client().get(f"/exports/performance.xlsx?{MARCH}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_empty_scope_gives_a_valid_workbook_that_says_so(world):
    empty = TeamFactory(name="Empty team", service=world.safeguarding)
    book = workbook_of(export(world.client("ad"), f"scope=team:{empty.pk}&{MARCH}"))
    assert book.sheetnames == SHEETS
    for title in ("Summary by team and month", "Workers", "Not held", "Caseloads"):
        rows = rows_of(book[title])
        assert len(rows) == 1 and rows[0][0] == "No workers in this scope", title
    about = {row[0]: row[1] for row in rows_of(book["About"])}
    assert about["Workers"] == "No workers in this scope"


# --- property: whatever users typed, the workbook opens and holds it as text -------------------

typed = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00")
    | st.sampled_from(["\x01", "\x0b", "\x1f", "\t", "\n", "\r", "=", "+", "-", "@"]),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(team_name=typed, first_name=typed, last_name=typed)
def test_any_names_users_typed_come_out_as_text(
    team_manager, march_team, team_name, first_name, last_name
):
    # Names are stored as typed (NUL aside: the database cannot hold it).
    Team.objects.filter(pk=team_manager.team_id).update(name=team_name)
    StaffMember.objects.filter(pk=march_team["M1"].pk).update(
        first_name=first_name, last_name=last_name
    )
    scope = resolve_scope(team_manager.user, f"team:{team_manager.team_id}")
    out = io.BytesIO()
    performance_workbook(
        team_manager.user, scope, [Month(2026, 3)], datetime.date(2026, 11, 1), out
    )
    out.seek(0)
    book = openpyxl.load_workbook(out)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), sheet.title
    expected_team = safe_text(team_name) or None
    assert book["Summary by team and month"]["A2"].value == expected_team
    names = [row[0] for row in rows_of(book["Workers"])]
    assert (safe_text(f"{first_name} {last_name}") or None) in names


def test_the_about_sheet_states_the_configured_absences_and_share_not_fixed_words(
    tm_client, team_manager, settings
):
    from supervision.models import SupervisionPolicy

    settings.OVERSIGHT = {
        **settings.OVERSIGHT,
        "NON_EXCUSING_ABSENCE_TYPES": ["annual_leave", "secondment"],
    }
    for policy in SupervisionPolicy.objects.all():
        policy.excusing_threshold = Decimal("0.60")
        policy.save()
    book = workbook_of(export(tm_client, f"scope=team:{team_manager.team_id}&{MARCH}"))
    about = {row[0]: row[1] for row in rows_of(book["About"])}
    assert "every absence type but annual leave and secondment" in about["Excused"]
    assert "at least 60 % of the month's working days" in about["Excused"]
    assert "amber within 10 percentage points" in about["Rate"]


@pytest.mark.parametrize(
    ("rate", "rag"),
    [("0.95", "green"), ("0.85", "yellow"), ("0.8499", "red"), (None, "grey")],
)
def test_the_workbook_and_the_page_colour_by_one_band(rate, rag):
    from dashboards.exports import RAG_COLOURS
    from dashboards.metrics import Rag

    value = Decimal(rate) if rate is not None else None
    assert Rag.of(value, Decimal("0.95")) == rag
    assert rate_colour(value, Decimal("0.95")) == RAG_COLOURS.get(rag)
