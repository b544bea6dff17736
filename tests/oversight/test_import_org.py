"""`import_org`: spreadsheets of services, teams, staff, cases and absences, all or nothing."""

from __future__ import annotations

import copy
import csv
import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from oversight.importing import CellError, parse_bool, parse_date
from oversight.models import (
    Absence,
    AbsenceType,
    Case,
    Notification,
    Role,
    Service,
    StaffMember,
    Team,
)
from tests.factories import StaffFactory, UserFactory

User = get_user_model()

STAFF_HEADINGS = [
    "Employee number",
    "First name",
    "Last name",
    "Email",
    "Role",
    "Employment type",
    "Team",
    "Supervisor",
    "Start date",
    "ASYE start date",
    "FTE",
    "Username",
]

# A small authority whose staff sheet names supervisors further down the sheet.
# fmt: off
GOOD_BOOK: dict[str, list[list[Any]]] = {
    "Services": [
        ["name", "group_manager"],
        ["Safeguarding North", "G100"],
        ["Corporate Parenting East", "G200"],
    ],
    "Teams": [
        ["Name", "Service", "Manager"],
        ["North Assessment", "Safeguarding North", "T100"],
        ["East Looked After", "Corporate Parenting East", "T200"],
    ],
    "Staff": [
        STAFF_HEADINGS,
        ["S100", "Sam", "Ahmed", "sam@example.org", "Social worker", "Permanent",
         "North Assessment", "T100", "2024-04-01", "", "1", "sam.ahmed"],
        ["A100", "Ana", "Brown", "", "ASYE social worker", "agency",
         "North Assessment", "T100", datetime.date(2025, 9, 1), datetime.date(2025, 9, 1),
         0.8, ""],
        ["T100", "Tara", "Cole", "", "team_manager", "", "North Assessment", "G100",
         "2019-01-07", "", "", "tara.cole"],
        ["T200", "Tom", "Dean", "", "Team manager", "Secondee", "East Looked After", "G200",
         "02/03/2020", "", "", ""],
        ["G100", "Gail", "Evans", "", "Group manager", "", "", "", "2015-05-05", "", "", ""],
        ["G200", "Gus", "Ford", "", "group manager", "", "", "", "2016-06-06", "", "", ""],
    ],
    "Cases": [
        ["Reference", "Label", "Case type", "Team", "Allocated worker", "Duty", "Opened on",
         "Closed on"],
        ["CH-900001", "AB", "Child in need", "North Assessment", "S100", "no", "2025-10-01", ""],
        ["CH-900002", "CD", "child_protection", "North Assessment", "A100", "Yes", "15/11/2025",
         ""],
        ["CH-900003", "EF", "Care leaver", "East Looked After", "", "0", "2024-01-01",
         "2025-12-31"],
    ],
    "Absences": [
        ["Employee number", "Type", "Start date", "End date", "Notes"],
        ["S100", "Sickness", "2026-01-05", "2026-01-09", "NoteFlu"],
        ["A100", "Annual leave", "02/02/2026", "06/02/2026", ""],
    ],
}
# fmt: on
GOOD_ROWS = 2 + 2 + 6 + 3 + 2


def good_book() -> dict[str, list[list[Any]]]:
    return copy.deepcopy(GOOD_BOOK)


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def run(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_org", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_refused(path: Path, *args: str) -> tuple[list[str], str]:
    """The problem lines printed and the command's error message."""
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_org", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue().splitlines(), str(refused.value)


def assert_nothing_imported() -> None:
    assert not Service.objects.exists()
    assert not Team.objects.exists()
    assert not StaffMember.objects.exists()
    assert not Case.objects.exists()
    assert not Absence.objects.exists()
    assert not User.objects.exists()
    assert not StaffMember.history.exists()


# --- A good workbook -------------------------------------------------------------------------


def test_it_imports_every_sheet_of_a_workbook(db, tmp_path):
    output = run(write_xlsx(tmp_path / "org.xlsx", good_book()))

    assert "services: 2 created, 0 updated, 0 unchanged" in output
    assert "staff: 6 created, 0 updated, 0 unchanged" in output
    assert "absences: 2 created, 0 updated, 0 unchanged" in output
    assert (Service.objects.count(), Team.objects.count(), StaffMember.objects.count()) == (
        2,
        2,
        6,
    )
    assert (Case.objects.count(), Absence.objects.count()) == (3, 2)

    people = {person.employee_number: person for person in StaffMember.objects.all()}
    assert people["S100"].supervisor == people["T100"]
    assert people["T100"].supervisor == people["G100"]
    assert people["G100"].supervisor is None and people["G100"].team is None
    assert people["S100"].role == Role.SOCIAL_WORKER
    assert people["A100"].employment_type == "agency"
    assert people["A100"].start_date == datetime.date(2025, 9, 1)  # a real Excel date
    assert people["A100"].asye_start_date == datetime.date(2025, 9, 1)
    assert people["A100"].fte == Decimal("0.80")
    assert people["T100"].fte == Decimal("1.00")
    assert people["T200"].start_date == datetime.date(2020, 3, 2)  # 02/03/2020 is UK style
    assert Team.objects.get(name="North Assessment").manager == people["T100"]
    assert Service.objects.get(name="Safeguarding North").group_manager == people["G100"]

    case = Case.objects.get(reference="CH-900002")
    assert case.is_duty and case.allocated_worker == people["A100"]
    assert case.opened_on == datetime.date(2025, 11, 15)
    assert Case.objects.get(reference="CH-900003").closed_on == datetime.date(2025, 12, 31)
    sickness = Absence.objects.get(staff=people["S100"])
    assert sickness.absence_type == AbsenceType.SICKNESS and sickness.excuses_supervision
    assert not Absence.objects.get(staff=people["A100"]).excuses_supervision


def test_it_creates_logins_that_cannot_sign_in_with_a_password(db, tmp_path):
    run(write_xlsx(tmp_path / "org.xlsx", good_book()))

    sam = StaffMember.objects.get(employee_number="S100")
    assert sam.user.username == "sam.ahmed"
    assert not sam.user.has_usable_password()
    assert StaffMember.objects.get(employee_number="A100").user is None


def test_every_write_leaves_history_naming_the_file(db, tmp_path):
    run(write_xlsx(tmp_path / "org.xlsx", good_book()))

    for model in (Service, Team, StaffMember, Case, Absence):
        reasons = set(model.history.values_list("history_change_reason", flat=True))
        assert reasons == {"Imported from org.xlsx"}, model
    sam = StaffMember.objects.get(employee_number="S100")
    assert sam.history.count() == 2  # created, then given the supervisor from further down
    assert Absence.history.count() == 2


def test_it_records_the_importing_user_in_the_history(db, tmp_path):
    # The file makes managers, which only an administrator or the directorate may do.
    importer = UserFactory(username="hr.admin", is_superuser=True)

    run(write_xlsx(tmp_path / "org.xlsx", good_book()), "--user", "hr.admin")

    assert set(StaffMember.history.values_list("history_user", flat=True)) == {importer.pk}
    assert set(Absence.history.values_list("history_user", flat=True)) == {importer.pk}


def test_business_support_cannot_import_managers(db, tmp_path):
    # The staff service's rule, in the importer: roles that widen what someone reads are
    # given by an administrator or the directorate, never by business support alone.
    StaffFactory(user=UserFactory(username="bs.import"), role=Role.BUSINESS_SUPPORT)
    with pytest.raises(CommandError, match="nothing imported"):
        run(write_xlsx(tmp_path / "org.xlsx", good_book()), "--user", "bs.import")
    assert not StaffMember.objects.filter(role=Role.TEAM_MANAGER).exists()


def test_an_import_cannot_make_line_management_loop(db, tmp_path):
    book = good_book()
    gail = next(row for row in book["Staff"] if row[0] == "G100")
    gail[STAFF_HEADINGS.index("Supervisor")] = "T100"  # Tara reports to Gail, Gail to Tara
    problems, _ = run_refused(write_xlsx(tmp_path / "org.xlsx", book))
    assert any("loop" in problem for problem in problems), problems
    assert not StaffMember.objects.exists()


def test_it_refuses_an_unknown_importing_user(db, tmp_path):
    with pytest.raises(CommandError, match="no user 'nobody'"):
        run(write_xlsx(tmp_path / "org.xlsx", good_book()), "--user", "nobody")


# --- Importing again -------------------------------------------------------------------------


def test_importing_the_same_file_again_duplicates_nothing(db, tmp_path):
    path = write_xlsx(tmp_path / "org.xlsx", good_book())
    run(path)
    history_before = StaffMember.history.count() + Absence.history.count()

    output = run(path)

    assert "staff: 0 created, 0 updated, 6 unchanged" in output
    assert "cases: 0 created, 0 updated, 3 unchanged" in output
    assert "absences: 0 created, 0 updated, 2 unchanged" in output
    assert StaffMember.objects.count() == 6 and Case.objects.count() == 3
    assert Absence.objects.count() == 2 and User.objects.count() == 2
    assert StaffMember.history.count() + Absence.history.count() == history_before


def test_importing_a_changed_file_updates_in_place(db, tmp_path):
    run(write_xlsx(tmp_path / "org.xlsx", good_book()))
    book = good_book()
    book["Staff"][2][10] = "0.6"  # Ana's FTE
    book["Staff"][1][7] = "T200"  # Sam's supervisor
    book["Cases"][1][7] = "2026-01-31"  # CH-900001 closes
    book["Absences"][1][3] = ""  # Sam's sickness becomes open-ended

    output = run(write_xlsx(tmp_path / "org.xlsx", book))

    assert "staff: 0 created, 2 updated, 4 unchanged" in output
    assert "cases: 0 created, 1 updated, 2 unchanged" in output
    assert "absences: 0 created, 1 updated, 1 unchanged" in output
    sam = StaffMember.objects.get(employee_number="S100")
    assert sam.supervisor.employee_number == "T200"
    assert StaffMember.objects.get(employee_number="A100").fte == Decimal("0.60")
    assert Case.objects.get(reference="CH-900001").closed_on == datetime.date(2026, 1, 31)
    assert Absence.objects.get(staff=sam).end_date is None
    assert Absence.objects.count() == 2


def test_a_left_out_column_leaves_the_field_as_it_is(world, tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [
            ["employee_number", "first_name", "last_name", "role", "start_date"],
            ["EMP-SW", "Renamed", "MarkerSWx", "social_worker", "06/01/2020"],
        ],
    )

    run(path)

    world.sw.refresh_from_db()
    assert world.sw.first_name == "Renamed"
    assert world.sw.supervisor == world.tm and world.sw.team == world.riverside


# --- All or nothing --------------------------------------------------------------------------


def test_it_refuses_a_supervisor_who_is_a_social_worker(db, tmp_path):
    book = good_book()
    book["Staff"][2][7] = "S100"  # Ana (row 3) supervised by Sam, a social worker

    problems, message = run_refused(write_xlsx(tmp_path / "org.xlsx", book))

    assert problems == [
        "Staff, row 3, column Supervisor: The supervisor must be a team manager or above "
        "(Sam Ahmed is Social worker)."
    ]
    assert message == "1 problem in org.xlsx; nothing imported."
    assert_nothing_imported()


def test_it_refuses_a_date_that_does_not_exist(db, tmp_path):
    book = good_book()
    book["Cases"][2][6] = "31/02/2026"

    problems, _ = run_refused(write_xlsx(tmp_path / "org.xlsx", book))

    assert problems == [
        "Cases, row 3, column Opened on: '31/02/2026' is not a date; "
        "write it as 2026-03-02 or 02/03/2026"
    ]
    assert_nothing_imported()


def test_it_refuses_an_unknown_team_and_suggests_the_near_one(db, tmp_path):
    book = good_book()
    book["Staff"][1][6] = "north assessment"

    problems, _ = run_refused(write_xlsx(tmp_path / "org.xlsx", book))

    # Sam's case and absence refer to Sam's row, which has the problem: not reported twice.
    assert problems == [
        "Staff, row 2, column Team: there is no team 'north assessment' in this file or in "
        "Oversight (did you mean 'North Assessment'?)"
    ]
    assert_nothing_imported()


def test_it_reports_every_problem_in_sheet_order(db, tmp_path):
    book = good_book()
    book["Absences"][2][2] = "tomorrow"
    book["Staff"][6][4] = "Wizard"
    book["Staff"][2][9] = ""  # an ASYE worker without an ASYE start date
    book["Cases"][1][1] = "Alexandra-Beatrice"
    book["Teams"][2][1] = "Nowhere"

    problems, message = run_refused(write_xlsx(tmp_path / "org.xlsx", book))

    assert [line.split(":")[0] for line in problems] == [
        "Teams, row 3, column Service",
        "Staff, row 3, column ASYE start date",
        "Staff, row 7, column Role",
        "Cases, row 2, column Label",
        "Absences, row 3, column Start date",
    ]
    assert "Enter the ASYE start date for an ASYE social worker." in problems[1]
    assert "'Wizard' is not a recognised role; use one of: Social worker," in problems[2]
    assert "at most 12 characters" in problems[3]
    assert message == "5 problems in org.xlsx; nothing imported."
    assert_nothing_imported()


def test_it_refuses_the_same_employee_twice(db, tmp_path):
    book = good_book()
    book["Staff"].append(list(book["Staff"][1]))

    problems, _ = run_refused(write_xlsx(tmp_path / "org.xlsx", book))

    assert problems == [
        "Staff, row 8, column Employee number: Employee number 'S100' is also on row 2; "
        "give each one row only"
    ]


def test_it_refuses_missing_required_and_unknown_columns(db, tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [
            ["Employee number", "First name", "Last name", "Role", "Job title"],
            ["S100", "Sam", "Ahmed", "Social worker", "Practitioner"],
        ],
    )

    problems, _ = run_refused(path)

    assert problems[0].startswith(
        "staff.csv, row 1, column Job title: is not a column of the staff sheet; use: "
        "employee_number, first_name"
    )
    assert problems[1] == "staff.csv, row 1, column start_date: this required column is missing"
    assert len(problems) == 2
    assert not StaffMember.objects.exists()


def test_it_refuses_to_demote_someone_who_still_supervises(world, tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [
            ["employee_number", "first_name", "last_name", "role", "start_date"],
            ["EMP-TM", "PersonTM", "MarkerTMx", "Social worker", "2020-01-06"],
        ],
    )

    problems, _ = run_refused(path)

    assert len(problems) == 1
    assert problems[0].startswith("staff.csv, row 2, column role: PersonTM MarkerTMx still ")
    world.tm.refresh_from_db()
    assert world.tm.role == Role.TEAM_MANAGER


def test_it_refuses_to_demote_someone_who_still_leads_a_team(world, tmp_path):
    # Their supervisees move to the group manager in the same file, but the team does not.
    staff = [["employee_number", "first_name", "last_name", "role", "start_date", "supervisor"]]
    staff.append(["EMP-TM", "PersonTM", "MarkerTMx", "Social worker", "2020-01-06", "EMP-GM"])
    for key in ("SW", "ASYE", "ATM"):
        person = world.people[key.lower()]
        staff.append(
            [f"EMP-{key}", person.first_name, person.last_name, person.role, "2020-01-06"]
            + ["EMP-GM"]
        )
    path = write_xlsx(tmp_path / "org.xlsx", {"Staff": staff})

    problems, _ = run_refused(path)

    assert len(problems) == 1
    assert problems[0].startswith("Staff, row 2, column role: PersonTM MarkerTMx still manages ")
    assert "Riverside" in problems[0]
    world.tm.refresh_from_db()
    assert world.tm.role == Role.TEAM_MANAGER


def test_one_file_can_demote_a_manager_and_move_their_supervisees_and_team(world, tmp_path):
    # The demotion comes first in the file; it is given last, once everyone has moved.
    staff = [["employee_number", "first_name", "last_name", "role", "start_date", "supervisor"]]
    staff.append(["EMP-TM", "PersonTM", "MarkerTMx", "Social worker", "2020-01-06", "EMP-TM2"])
    for key in ("SW", "ASYE", "ATM"):
        person = world.people[key.lower()]
        staff.append(
            [f"EMP-{key}", person.first_name, person.last_name, person.role, "2020-01-06"]
            + ["EMP-TM2"]
        )
    teams = [["name", "service", "manager"], ["Riverside", "Safeguarding", "EMP-TM2"]]
    path = write_xlsx(tmp_path / "org.xlsx", {"Teams": teams, "Staff": staff})

    output = run(path, "--user", world.ad.user.username)

    assert "staff: 0 created, 4 updated, 0 unchanged" in output
    for person in (world.tm, world.sw, world.asye, world.atm, world.riverside):
        person.refresh_from_db()
    assert world.tm.role == Role.SOCIAL_WORKER and world.tm.supervisor == world.tm2
    assert {world.sw.supervisor, world.asye.supervisor, world.atm.supervisor} == {world.tm2}
    assert world.riverside.manager == world.tm2
    for person in (world.tm, world.sw, world.asye, world.atm):
        person.full_clean()  # every record is valid as the import leaves it
    # Written through the staff service: the role change is named in the history, by the
    # importing user, and the line manager hears of it.
    latest = world.tm.history.latest("history_date")
    assert latest.history_user == world.ad.user
    assert latest.history_change_reason == (
        "Imported from org.xlsx: role changed from team manager to social worker"
    )
    told = Notification.objects.get(kind="role-changed")
    assert told.recipient == world.tm2.user
    assert "PersonTM MarkerTMx's role changed" in told.subject


def test_it_refuses_to_swap_a_login(world, tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [
            ["employee_number", "first_name", "last_name", "role", "start_date", "username"],
            ["EMP-SW", "PersonSW", "MarkerSWx", "Social worker", "2020-01-06", "someone.else"],
        ],
    )

    problems, _ = run_refused(path)

    assert problems == [
        "staff.csv, row 2, column username: this person already signs in as 'sw.test'; "
        "change a login in the admin, not by import"
    ]
    assert not User.objects.filter(username="someone.else").exists()


def test_a_leaver_can_no_longer_sign_in(world, tmp_path):
    path = write_csv(
        tmp_path / "staff.csv",
        [
            ["employee_number", "first_name", "last_name", "role", "start_date", "leaving_date"],
            ["EMP-SW", "PersonSW", "MarkerSWx", "Social worker", "2020-01-06", "2025-12-31"],
        ],
    )

    run(path)

    world.sw.refresh_from_db()
    world.sw.user.refresh_from_db()
    assert world.sw.leaving_date == datetime.date(2025, 12, 31)
    assert not world.sw.user.is_active


# --- Absences are health data ----------------------------------------------------------------


def test_it_reports_overlapping_absences_in_the_file(db, tmp_path):
    book = good_book()
    book["Absences"].append(["S100", "Long-term sickness", "2026-01-08", "", "NoteSecretX"])

    problems, _ = run_refused(write_xlsx(tmp_path / "org.xlsx", book))

    assert problems == [
        "Absences, row 4, column Start date: Sam Ahmed already has an absence from "
        "05 January 2026 to 09 January 2026; absences cannot overlap."
    ]
    assert_nothing_imported()


def test_an_absence_overlapping_one_already_recorded_is_refused(world, tmp_path):
    path = write_csv(
        tmp_path / "absences.csv",
        [
            ["employee_number", "type", "start_date"],
            ["EMP-SW2", "other", "2026-03-02"],  # sw2 is on open-ended leave from 5 Jan
        ],
    )

    problems, _ = run_refused(path)

    assert problems[0].startswith("absences.csv, row 2, column start_date: PersonSW2 Marker")
    assert Absence.objects.filter(staff=world.sw2).count() == 1


def test_a_problem_with_an_absence_never_shows_its_type_or_notes(db, tmp_path):
    book = good_book()
    book["Absences"][1][1] = "ChemoTypeX"

    problems, _ = run_refused(write_xlsx(tmp_path / "org.xlsx", book))

    assert len(problems) == 1
    assert problems[0].startswith(
        "Absences, row 2, column Type: is not a recognised absence type; use one of:"
    )
    assert "ChemoTypeX" not in problems[0] and "NoteFlu" not in problems[0]


def test_an_absence_is_matched_on_person_and_start_date(world, tmp_path):
    path = write_csv(
        tmp_path / "absences.csv",
        [
            ["Employee number", "Type", "Start date", "End date"],
            ["EMP-SW", "Long-term sickness", "06/01/2025", "2025-03-07"],
        ],
    )

    output = run(path)

    assert "absences: 0 created, 1 updated, 0 unchanged" in output
    absence = Absence.objects.get(staff=world.sw)
    assert absence.end_date == datetime.date(2025, 3, 7)
    assert absence.notes == "NoteSWsecret"  # no notes column: left as it was
    assert absence.history.first().history_change_reason == "Imported from absences.csv"


# --- Dry run ---------------------------------------------------------------------------------


def test_a_dry_run_imports_nothing_even_when_the_file_is_valid(db, tmp_path):
    output = run(write_xlsx(tmp_path / "org.xlsx", good_book()), "--dry-run")

    assert f"Dry run: {GOOD_ROWS} rows valid, nothing imported." in output
    assert "staff: 6 to create, 0 to update, 0 unchanged" in output
    assert_nothing_imported()


def test_a_dry_run_reports_problems(db, tmp_path):
    book = good_book()
    book["Staff"][1][8] = "2024-13-01"

    problems, message = run_refused(write_xlsx(tmp_path / "org.xlsx", book), "--dry-run")

    assert problems == [
        "Staff, row 2, column Start date: '2024-13-01' is not a date; "
        "write it as 2026-03-02 or 02/03/2026"
    ]
    assert "nothing imported" in message


# --- CSV -------------------------------------------------------------------------------------


def test_it_imports_one_csv_named_after_its_sheet(world, tmp_path):
    path = write_csv(
        tmp_path / "Staff.csv",
        [
            [
                "Employee number",
                "First name",
                "Last name",
                "Role",
                "Team",
                "Supervisor",
                "Start date",
                "Employment type",
            ],
            [
                "N200",
                "Nia",
                "Green",
                "Senior practitioner",
                "Riverside",
                "EMP-TM",
                "02/03/2026",
                "Agency",
            ],
        ],
    )

    output = run(path)

    assert "staff: 1 created, 0 updated, 0 unchanged" in output
    nia = StaffMember.objects.get(employee_number="N200")
    assert nia.supervisor == world.tm and nia.team == world.riverside
    assert nia.start_date == datetime.date(2026, 3, 2)
    assert nia.role == Role.SENIOR_PRACTITIONER and nia.employment_type == "agency"


def test_it_imports_a_folder_of_csvs(db, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    for title, rows in good_book().items():
        write_csv(folder / f"{title.lower()}.csv", rows)
    write_csv(folder / "notes.csv", [["anything"], ["at all"]])

    output = run(folder)

    assert "Ignored notes.csv" in output
    assert "cases: 3 created, 0 updated, 0 unchanged" in output
    assert StaffMember.objects.get(employee_number="S100").supervisor.employee_number == "T100"
    assert Absence.objects.count() == 2
    assert Case.history.first().history_change_reason == "Imported from export"


def test_it_refuses_a_csv_not_named_after_a_sheet(db, tmp_path):
    path = write_csv(tmp_path / "people.csv", GOOD_BOOK["Staff"])

    with pytest.raises(CommandError, match="Name the CSV file after the sheet"):
        run(path)


def test_it_refuses_a_file_that_is_not_a_spreadsheet(db, tmp_path):
    path = tmp_path / "org.txt"
    path.write_text("hello")

    with pytest.raises(CommandError, match="is not an .xlsx workbook"):
        run(path)


def test_it_refuses_a_corrupt_workbook(db, tmp_path):
    path = tmp_path / "org.xlsx"
    path.write_bytes(b"not a zip file")

    with pytest.raises(CommandError, match="could not be read"):
        run(path)


# --- Reading cells ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02", datetime.date(2026, 3, 2)),
        ("02/03/2026", datetime.date(2026, 3, 2)),
        ("2/3/2026", datetime.date(2026, 3, 2)),
        ("2026-03-02 00:00:00", datetime.date(2026, 3, 2)),
    ],
)
def test_dates_are_read_iso_uk_or_from_excel(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["03/02/26", "2026-02-30", "March 2nd", "46083"])
def test_other_dates_are_refused(text):
    with pytest.raises(CellError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"), [("Yes", True), ("TRUE", True), ("1", True), ("no", False), ("0", False)]
)
def test_duty_reads_yes_or_no(text, expected):
    assert parse_bool(text) is expected


def test_duty_refuses_anything_else():
    with pytest.raises(CellError):
        parse_bool("maybe")
