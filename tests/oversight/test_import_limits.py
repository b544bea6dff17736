"""`import_org` on hostile or oversized files: refused early and clearly, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oversight.models import StaffMember
from tests.oversight.test_import_org import (
    assert_nothing_imported,
    good_book,
    run,
    run_refused,
    write_csv,
    write_xlsx,
)

STAFF_HEADINGS = [
    "Employee number",
    "First name",
    "Last name",
    "Role",
    "Team",
    "Supervisor",
    "Start date",
    "Username",
]


def staff_rows(count: int) -> list[list[Any]]:
    """A staff sheet of `count` social workers in Riverside, supervised by the world's tm."""
    return [STAFF_HEADINGS] + [
        [f"N{n:05d}", f"First{n}", f"Last{n}", "Social worker", "Riverside", "EMP-TM",
         "2024-04-01", f"new.person{n}"]
        for n in range(count)
    ]  # fmt: skip


@pytest.fixture
def limits(settings):
    """Set import limits for one test: limits(IMPORT_MAX_ROWS=50)."""

    def set_limits(**values: int) -> None:
        settings.OVERSIGHT = {**settings.OVERSIGHT, **values}

    return set_limits


# --- Size of the file ------------------------------------------------------------------------


def test_it_refuses_a_file_over_the_size_limit(db, tmp_path, limits):
    limits(IMPORT_MAX_FILE_BYTES=1_000)
    path = write_csv(tmp_path / "staff.csv", staff_rows(30))

    with pytest.raises(Exception, match=r"staff.csv is .* MB; the largest file an import may read"):
        run(path)

    assert_nothing_imported()


def test_it_refuses_a_workbook_that_unpacks_to_too_much(db, tmp_path, limits):
    limits(IMPORT_MAX_UNCOMPRESSED_BYTES=200_000)
    book = good_book()
    book["Notes"] = [["Text"]] + [[f"line {n} of notes kept beside the data"] for n in range(5000)]
    path = write_xlsx(tmp_path / "org.xlsx", book)
    assert path.stat().st_size < 200_000  # packed it is small: only unpacked is it too big

    with pytest.raises(Exception, match="IMPORT_MAX_UNCOMPRESSED_BYTES") as refused:
        run(path)

    assert "org.xlsx unpacks to" in str(refused.value)
    assert_nothing_imported()


def test_it_refuses_a_zip_bomb_before_unpacking_it(db, tmp_path):
    # 3 million identical characters (a cell holds at most 32,767): a few kilobytes packed,
    # hundreds of times that unpacked — the shape of a zip bomb, at the default limits.
    book = good_book()
    book["Notes"] = [["Text"]] + [["A" * 30_000] for _ in range(100)]
    path = write_xlsx(tmp_path / "org.xlsx", book)

    with pytest.raises(Exception, match="far more than a real spreadsheet") as refused:
        run(path)

    assert "IMPORT_MAX_COMPRESSION_RATIO" in str(refused.value)
    assert_nothing_imported()


# --- Rows ------------------------------------------------------------------------------------


def test_it_refuses_a_sheet_over_the_row_limit(world, tmp_path, limits):
    limits(IMPORT_MAX_ROWS=50)
    path = write_csv(tmp_path / "staff.csv", staff_rows(51))
    before = StaffMember.objects.count()

    with pytest.raises(Exception, match="staff.csv, row 52: the sheet has more than 50 rows"):
        run(path, "--dry-run")

    assert StaffMember.objects.count() == before


def test_it_refuses_a_workbook_sheet_over_the_row_limit(db, tmp_path, limits):
    limits(IMPORT_MAX_ROWS=50)
    book = good_book()
    book["Cases"] += [list(book["Cases"][1]) for _ in range(60)]

    with pytest.raises(Exception, match="Cases, row 52: the sheet has more than 50 rows"):
        run(write_xlsx(tmp_path / "org.xlsx", book))

    assert_nothing_imported()


def test_a_sheet_at_the_row_limit_is_read(world, tmp_path, limits):
    limits(IMPORT_MAX_ROWS=50)
    path = write_csv(tmp_path / "staff.csv", [*staff_rows(50), [], []])  # blank rows at the end

    output = run(path, "--dry-run")

    assert "Dry run: 50 rows valid" in output


# --- Cells that are not text -----------------------------------------------------------------


def test_a_nul_byte_in_a_csv_is_a_problem_in_its_cell(world, tmp_path):
    rows = staff_rows(3)
    rows[2][2] = "Br\x00own"
    path = write_csv(tmp_path / "staff.csv", rows)
    before = StaffMember.objects.count()

    problems, message = run_refused(path)

    assert problems == [
        "staff.csv, row 3, column Last name: contains a NUL character, which text cannot hold; "
        "remove it"
    ]
    assert message == "1 problem in staff.csv; nothing imported."
    assert StaffMember.objects.count() == before


def test_a_control_character_in_a_csv_is_a_problem_in_its_cell(world, tmp_path):
    rows = staff_rows(3)
    rows[1][0] = "S\x1b100"
    path = write_csv(tmp_path / "staff.csv", rows)
    before = StaffMember.objects.count()

    problems, _ = run_refused(path)

    assert problems == [
        "staff.csv, row 2, column Employee number: contains a control character, which text "
        "cannot hold; remove it"
    ]
    assert StaffMember.objects.count() == before


def test_undecodable_bytes_are_a_problem_in_their_cell(world, tmp_path):
    path = write_csv(tmp_path / "staff.csv", staff_rows(3))
    # 0x81 is neither UTF-8 nor a Windows-1252 character: the file is neither encoding.
    path.write_bytes(path.read_bytes().replace(b"Last2", b"La\x81st2"))
    before = StaffMember.objects.count()

    problems, _ = run_refused(path)

    assert problems == [
        "staff.csv, row 4, column Last name: contains bytes that are not text in UTF-8 or "
        "Windows-1252; save the file as 'CSV UTF-8' and try again"
    ]
    assert StaffMember.objects.count() == before


# --- Checking costs the same few queries however long the file -------------------------------


def _dry_run_queries(tmp_path: Path, count: int) -> int:
    path = write_csv(tmp_path / f"{count}" / "staff.csv", staff_rows(count))
    with CaptureQueriesContext(connection) as queries:
        output = run(path, "--dry-run")
    assert f"Dry run: {count} rows valid" in output
    return len(queries)


def test_checking_a_staff_file_takes_the_same_queries_for_20_or_200_rows(world, tmp_path):
    (tmp_path / "20").mkdir()
    (tmp_path / "200").mkdir()

    assert _dry_run_queries(tmp_path, 20) == _dry_run_queries(tmp_path, 200)
