"""The workbook toolkit: typed cells, a frozen and filterable header, RAG fills, and text that
users typed made safe — never a formula, never a crash on a control character."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from dashboards.xlsx import (
    MAX_CELL_TEXT,
    TAG_COLOURS,
    Colour,
    Column,
    Kind,
    Styled,
    WorkbookWriter,
    safe_text,
)

FORMULA_LIKE = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
    "#DIV/0!",
]


def naive(*parts: int) -> datetime.datetime:
    """A date and time as a workbook holds it: wall-clock time, no time zone."""
    year, month, day, *time = parts
    return datetime.datetime.combine(datetime.date(year, month, day), datetime.time(*time))


def build(columns: list[Column], rows: list[tuple], title: str = "Sheet") -> openpyxl.Workbook:
    writer = WorkbookWriter()
    sheet = writer.sheet(title, columns)
    sheet.extend(rows)
    out = io.BytesIO()
    writer.save(out)
    out.seek(0)
    return openpyxl.load_workbook(out)


def test_openpyxl_writes_with_lxml():
    assert openpyxl.LXML is True


def test_the_header_row_is_bold_frozen_and_filterable_over_every_row():
    book = build(
        [Column("Name", width=30), Column("Count", Kind.INT, width=8)],
        [("A", 1), ("B", 2), ("C", 3)],
    )
    sheet = book["Sheet"]
    assert [cell.value for cell in sheet[1]] == ["Name", "Count"]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:B4"
    assert sheet.column_dimensions["A"].width == 30
    assert sheet.column_dimensions["B"].width == 8


def test_numbers_and_dates_are_real_numbers_and_dates_with_readable_formats():
    aware = datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
    book = build(
        [
            Column("Int", Kind.INT),
            Column("Decimal", Kind.DECIMAL),
            Column("Percent", Kind.PERCENT),
            Column("Date", Kind.DATE),
            Column("Month", Kind.MONTH),
            Column("At", Kind.DATETIME),
        ],
        [
            (
                7,
                Decimal("2.5"),
                Decimal("0.25"),
                datetime.date(2026, 3, 4),
                datetime.date(2026, 3, 1),
                aware,
            )
        ],
    )
    row = book.active[2]
    assert [type(cell.value) for cell in row] == [int, float, float] + [datetime.datetime] * 3
    assert [cell.value for cell in row[:3]] == [7, 2.5, 0.25]
    assert row[3].value == naive(2026, 3, 4)
    assert row[4].value == naive(2026, 3, 1)
    assert row[5].value == naive(2026, 7, 1, 10, 30)  # London summer time
    assert [cell.number_format for cell in row] == [
        "General",
        "0.0",
        "0%",
        "d mmm yyyy",
        "mmm yyyy",
        "d mmm yyyy hh:mm",
    ]


@pytest.mark.parametrize("colour", list(Colour))
def test_a_styled_cell_takes_the_screen_tag_colours(colour):
    book = build([Column("Rate", Kind.PERCENT, styled=True)], [(Styled(0.5, colour),)])
    cell = book.active["A2"]
    background, text = TAG_COLOURS[colour]
    assert cell.fill.fill_type == "solid"
    assert cell.fill.fgColor.rgb == f"00{background}"
    assert cell.font.color.rgb == f"00{text}"
    assert (cell.value, cell.number_format) == (0.5, "0%")


def test_cells_without_a_colour_have_no_fill():
    book = build(
        [Column("Rate", Kind.PERCENT, styled=True), Column("Outcome", styled=True)],
        [(Styled(0.5), Styled("Not expected")), (0.7, "=1")],
    )
    sheet = book.active
    assert [sheet["A2"].value, sheet["B2"].value, sheet["A3"].value] == [0.5, "Not expected", 0.7]
    assert all(sheet[ref].fill.fill_type is None for ref in ("A2", "B2", "A3", "B3"))
    assert (sheet["B3"].value, sheet["B3"].data_type) == ("=1", "s")


def test_styles_are_built_once_and_shared_by_every_cell():
    writer = WorkbookWriter()
    sheet = writer.sheet("Sheet", [Column("Outcome", styled=True), Column("Rate", Kind.PERCENT)])
    for n in range(500):
        sheet.append((Styled(f"Row {n}", Colour.GREEN if n % 2 else Colour.RED), n / 500))
    writer.save(io.BytesIO())
    # header, green text, red text, percent (and openpyxl's default)
    assert len(writer.book._cell_styles) <= 5
    assert len(writer._styles) == 4


@pytest.mark.parametrize("text", FORMULA_LIKE)
def test_text_a_spreadsheet_could_evaluate_is_written_as_text(text):
    book = build([Column("Name")], [(text,)])
    cell = book.active["A2"]
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix is True


def test_formula_like_text_in_a_coloured_cell_is_text_too():
    book = build([Column("Team", styled=True)], [(Styled("=1+1", Colour.RED),)])
    cell = book.active["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    assert cell.fill.fgColor.rgb == f"00{TAG_COLOURS[Colour.RED][0]}"


def test_ordinary_text_needs_no_quote_prefix():
    book = build([Column("Name")], [("Riverside",)])
    assert book.active["A2"].quotePrefix is False


def test_safe_text_removes_exactly_what_a_workbook_cannot_hold():
    every_c0 = "".join(chr(code) for code in range(32))
    assert safe_text(f"a{every_c0}b") == "a\t\n\rb"
    assert safe_text("x\ufffey\uffffz\ud800") == "xyz"
    assert not ILLEGAL_CHARACTERS_RE.search(safe_text(every_c0))
    assert safe_text("café — naïve ✓ 😀") == "café — naïve ✓ 😀"


def test_safe_text_cuts_text_at_the_length_a_cell_holds():
    assert len(safe_text("x" * (MAX_CELL_TEXT + 10))) == MAX_CELL_TEXT


def test_control_characters_do_not_crash_the_export():
    book = build([Column("Notes")], [("before\x00\x07\x1bafter",)])
    assert book.active["A2"].value == "beforeafter"


def test_a_note_row_says_why_a_sheet_is_empty():
    writer = WorkbookWriter()
    sheet = writer.sheet("Workers", [Column("Name"), Column("Team")])
    sheet.note("No workers in this scope")
    out = io.BytesIO()
    writer.save(out)
    sheet_read = openpyxl.load_workbook(out)["Workers"]
    assert sheet_read["A2"].value == "No workers in this scope"
    assert sheet_read.auto_filter.ref == "A1:B2"


def test_an_auto_column_picks_the_type_of_each_value():
    book = build(
        [Column("Item"), Column("Detail", Kind.AUTO)],
        [
            ("Count", 3),
            ("Day", datetime.date(2026, 3, 4)),
            ("Target", Styled(Decimal("0.95"), kind=Kind.PERCENT)),
            ("Words", "=not a formula"),
        ],
    )
    column = [row[1] for row in book.active.iter_rows(min_row=2)]
    assert [cell.value for cell in column] == [
        3,
        naive(2026, 3, 4),
        0.95,
        "=not a formula",
    ]
    assert column[2].number_format == "0%"
    assert column[3].data_type == "s"


# --- property: any text at all ---------------------------------------------------------------

any_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=None, exclude_categories=["Cs"])
    | st.sampled_from(["\x00", "\x01", "\x0b", "\x1f", "\t", "\n", "\r", "=", "+", "-", "@"]),
    max_size=60,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(any_text, min_size=1, max_size=6))
def test_any_text_round_trips_as_text_less_the_characters_removed(texts):
    columns = [Column("Text"), Column("Tagged", styled=True)]
    book = build(columns, [(text, Styled(text, Colour.GREY)) for text in texts])
    cells = [row for row in book.active.iter_rows(min_row=2)]
    assert len(cells) == len(texts)
    for text, (plain, tagged) in zip(texts, cells, strict=True):
        expected = safe_text(text) or None
        for cell in (plain, tagged):
            assert cell.data_type != "f"
            assert cell.value == expected
            if expected is not None:
                assert cell.data_type == "s"


# --- LibreOffice reads the same text back, unevaluated -----------------------------------------


def _libreoffice() -> str | None:
    return shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(_libreoffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook_and_evaluates_nothing(tmp_path: Path):
    texts = [*FORMULA_LIKE, "Riverside", "  spaced  ", "café ✓", "x\x00y"]
    writer = WorkbookWriter()
    sheet = writer.sheet(
        "Sheet",
        [Column("Text"), Column("Count", Kind.INT), Column("Day", Kind.DATE)],
    )
    for n, text in enumerate(texts):
        sheet.append((text, n, datetime.date(2026, 3, 4)))
    workbook = tmp_path / "export.xlsx"
    with workbook.open("wb") as out:
        writer.save(out)
    subprocess.run(  # noqa: S603 (fixed arguments, our own temporary files)
        [
            _libreoffice(),  # type: ignore[list-item]
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with (tmp_path / "export.csv").open(encoding="utf-8", newline="") as converted:
        rows = list(csv.reader(converted))
    assert rows[0] == ["Text", "Count", "Day"]
    assert [row[0] for row in rows[1:]] == [safe_text(text) for text in texts]
    assert [row[1] for row in rows[1:]] == [str(n) for n in range(len(texts))]
    assert {row[2] for row in rows[1:]} == {"4 Mar 2026"}
