"""Import the organisation from HR and case-recording spreadsheets (`manage.py import_org`).

The rules, as a team manager would put them:

- The file is one workbook (XLSX) with sheets named services, teams, staff, cases and absences
  (any of them), or CSV files named after their sheet (`staff.csv`), alone or in a folder.
- Column headings ignore case and spaces: "Employee number" is `employee_number`.
- Every problem in every row is reported as "sheet, row N, column X: what is wrong", with rows
  numbered as the spreadsheet shows them (the heading row is row 1).
- All or nothing: if any row has a problem, nothing at all is imported.
- Importing the same file again changes what changed and duplicates nothing: staff match on
  employee number, cases on case reference, services and teams on name, absences on the person
  and the start date. Rows that match and have not changed are not written again.
- A column left out of the sheet leaves that field as it is; a column present with an empty
  cell clears the field (or sets its default: FTE 1, permanent, not duty).
- References may point to rows anywhere in the file (a supervisor further down the sheet) or to
  records already in Oversight.
- Staff and absences are written through the same services the API and pages use
  (`staff_save`, `absence_record`, `absence_update`), so every rule of theirs holds here too;
  services, teams and cases through `save()` with their model's rules, as the API saves them.
  Either way the history says "Imported from <file>" and names the acting user (`--user`).
- Someone who stops being a manager is demoted last, after the rows that move their
  supervisees and teams to someone else: one file can do both.
- Absence types and notes are health data: a problem with them names the row and the column,
  never the value.
"""

from __future__ import annotations

import copy
import csv
import datetime
import re
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from openpyxl.utils.exceptions import InvalidFileException
from simple_history.utils import update_change_reason

from oversight.models import (
    Absence,
    AbsenceType,
    Case,
    CaseType,
    EmploymentType,
    Role,
    Service,
    StaffMember,
    Team,
    absence_type_excuses,
)
from oversight.services import (
    UserLike,
    absence_record,
    absence_update,
    check_demotion,
    check_no_line_management_loop,
    is_demotion,
    overlap_described,
    staff_check_authority,
    staff_save,
)

SHEETS = ("services", "teams", "staff", "cases", "absences")

# Columns of each sheet, in the order they are documented; True marks a required column
# (the heading must be there and every row must fill it in).
COLUMNS: dict[str, dict[str, bool]] = {
    "services": {"name": True, "group_manager": False},
    "teams": {"name": True, "service": True, "manager": False},
    "staff": {
        "employee_number": True,
        "first_name": True,
        "last_name": True,
        "email": False,
        "role": True,
        "employment_type": False,
        "team": False,
        "supervisor": False,
        "start_date": True,
        "asye_start_date": False,
        "fte": False,
        "leaving_date": False,
        "username": False,
    },
    "cases": {
        "reference": True,
        "label": True,
        "case_type": True,
        "team": True,
        "allocated_worker": False,
        "duty": False,
        "opened_on": True,
        "closed_on": False,
    },
    "absences": {
        "employee_number": True,
        "type": True,
        "start_date": True,
        "end_date": False,
        "notes": False,
    },
}

# Other headings people reasonably use for the same column (after normalising).
_ALIASES: dict[str, dict[str, str]] = {
    "cases": {"is_duty": "duty", "case_reference": "reference"},
    "absences": {"absence_type": "type"},
}

# Model fields whose column has another name, for reporting validation errors.
_FIELD_COLUMNS: dict[str, dict[str, str]] = {
    "staff": {"user": "username"},
    "cases": {"is_duty": "duty"},
    "absences": {"absence_type": "type", "staff": "employee_number"},
}

# Health data: a problem in these columns is reported without the value or the model's message.
_RESTRICTED_COLUMNS = {"absences": frozenset({"type", "notes"})}

_TRUE = frozenset({"yes", "y", "true", "1"})
_FALSE = frozenset({"no", "n", "false", "0"})


class ImportFileError(Exception):
    """The file itself cannot be read (wrong kind, unreadable, no recognisable sheets)."""


class CellError(ValueError):
    """A cell's text cannot be read as what its column holds."""


# --- Reading cells -------------------------------------------------------------------------


def normalise_heading(text: str) -> str:
    """'Employee number', 'employee-number' and ' EMPLOYEE_NUMBER ' are all employee_number."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str) -> datetime.date:
    """A date written ISO-style (2026-03-02), UK-style (02/03/2026) or as a real Excel date."""
    try:
        if match := _ISO_DATE.match(text):
            return datetime.date.fromisoformat(match.group(1))
        if match := _UK_DATE.match(text):
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        pass
    raise CellError(f"'{text}' is not a date; write it as 2026-03-02 or 02/03/2026")


def parse_bool(text: str) -> bool:
    """Yes/no, true/false, y/n or 1/0, in any case."""
    answer = text.strip().lower()
    if answer in _TRUE:
        return True
    if answer in _FALSE:
        return False
    raise CellError(f"'{text}' is not yes or no")


def parse_fte(text: str) -> Decimal:
    """A number such as 1, 0.8 or 0.5 (the model checks it is more than 0 and at most 1)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise CellError(f"'{text}' is not a number; write the FTE as, for example, 0.8")
    return number


def choice_parser(
    choices: type[models.TextChoices], what: str, *, echo: bool = True
) -> Callable[[str], str]:
    """Accept a choice's code ("social_worker") or its label ("Social worker"), in any case.

    With `echo=False` the rejected text is left out of the message (health data).
    """
    known = {normalise_heading(value): value for value in choices.values}
    known.update({normalise_heading(label): value for value, label in choices.choices})
    options = ", ".join(str(label) for label in choices.labels)

    def parse(text: str) -> str:
        value = known.get(normalise_heading(text))
        if value is None:
            shown = f"'{text}' is not" if echo else "is not"
            raise CellError(f"{shown} a recognised {what}; use one of: {options}")
        return value

    return parse


_parse_role = choice_parser(Role, "role")
_parse_employment_type = choice_parser(EmploymentType, "employment type")
_parse_case_type = choice_parser(CaseType, "case type")
_parse_absence_type = choice_parser(AbsenceType, "absence type", echo=False)


# --- Reading files -------------------------------------------------------------------------
#
# A file is untrusted input: before anything is parsed its size is checked, a workbook's zip
# members are checked for what they unpack to, and sheets are read row by row, stopping at the
# first row over the limit, so no file can exhaust the server's memory or time. The limits are
# settings (OVERSIGHT["IMPORT_MAX_…"]).

# Wider than any sheet's columns leaves room for unknown ones (reported), while a row claiming
# 16,384 columns is never padded out to that width.
MAX_COLUMNS = 100

# Characters that cannot be stored as text (PostgreSQL refuses NUL) or that no one types:
# the C0 controls other than tab, line feed and carriage return, and DEL.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bytes that were neither UTF-8 nor Windows-1252, kept by `surrogateescape` so the cell can be
# named rather than the whole file refused.
_UNDECODABLE = re.compile(r"[\udc80-\udcff]")


@dataclass
class RawSheet:
    """One sheet as read from the file: headings and cell text, nothing interpreted yet."""

    name: str  # one of SHEETS
    title: str  # as the user sees it: the workbook's sheet name or the CSV file's name
    headings: list[str]
    rows: list[list[str]]


@dataclass
class Workbook:
    source: str
    sheets: dict[str, RawSheet]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportLimits:
    """How much one import may read (settings OVERSIGHT["IMPORT_MAX_…"])."""

    file_bytes: int
    uncompressed_bytes: int
    compression_ratio: int
    rows: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        # Read at each import (not at start-up) so a changed setting applies at once.
        oversight = cast(dict[str, int], settings.OVERSIGHT)
        return cls(
            file_bytes=int(oversight["IMPORT_MAX_FILE_BYTES"]),
            uncompressed_bytes=int(oversight["IMPORT_MAX_UNCOMPRESSED_BYTES"]),
            compression_ratio=int(oversight["IMPORT_MAX_COMPRESSION_RATIO"]),
            rows=int(oversight["IMPORT_MAX_ROWS"]),
        )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def cell_text_problem(text: str) -> str | None:
    """What makes a cell's text unusable, if anything (the value itself is never repeated)."""
    if "\x00" in text:
        return "contains a NUL character, which text cannot hold; remove it"
    if _CONTROL_CHARACTERS.search(text):
        return "contains a control character, which text cannot hold; remove it"
    if _UNDECODABLE.search(text):
        return (
            "contains bytes that are not text in UTF-8 or Windows-1252; "
            "save the file as 'CSV UTF-8' and try again"
        )
    return None


def _cell_text(value: Any) -> str:
    """A cell as the text a person reads in it: dates ISO-style, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value).strip()


def _check_file_size(path: Path, limits: ImportLimits) -> None:
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise ImportFileError(
            f"{path.name} is {_megabytes(size)}; the largest file an import may read is "
            f"{_megabytes(limits.file_bytes)} (IMPORT_MAX_FILE_BYTES). Split it into smaller files."
        )


def _check_zip(path: Path, limits: ImportLimits) -> None:
    """Refuse a workbook that unpacks to too much, before any of it is unpacked.

    The sizes come from the zip's directory; they can be trusted as an upper bound because
    `zipfile` (which openpyxl reads through) never returns more than a member's declared size.
    """
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    total = sum(member.file_size for member in members)
    if total > limits.uncompressed_bytes:
        raise ImportFileError(
            f"{path.name} unpacks to {_megabytes(total)}; the most a workbook may unpack to is "
            f"{_megabytes(limits.uncompressed_bytes)} (IMPORT_MAX_UNCOMPRESSED_BYTES). "
            "Split the workbook, or save its sheets as CSV files."
        )
    for member in members:
        # Small members (styles, a short sheet) may compress very well and harm no one.
        if member.file_size < 1_000_000:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.compression_ratio:
            raise ImportFileError(
                f"{path.name} is not read: its part {member.filename} unpacks to {ratio:,.0f} "
                f"times its packed size, far more than a real spreadsheet "
                f"(at most {limits.compression_ratio} times, IMPORT_MAX_COMPRESSION_RATIO)."
            )


def _collect(
    name: str, title: str, records: Iterable[Iterable[Any]], limits: ImportLimits
) -> RawSheet:
    """Headings and rows of text from rows of values, stopping at the first row over the limit.

    Blank rows are kept (so row numbers match what a spreadsheet shows) except at the end,
    where a workbook often has many formatted but empty rows.
    """
    iterator = iter(records)
    headings = [_cell_text(value) for value in next(iterator, ())][:MAX_COLUMNS]
    rows: list[list[str]] = []
    blank_rows = 0
    for offset, record in enumerate(iterator):
        values = [_cell_text(value) for value in record]
        while values and not values[-1]:
            values.pop()
        if not values:
            blank_rows += 1
            continue
        if offset >= limits.rows:
            raise ImportFileError(
                f"{title}, row {offset + 2}: the sheet has more than {limits.rows:,} rows below "
                f"its heading, the most one import may read (IMPORT_MAX_ROWS). "
                "Split it into smaller files."
            )
        if len(values) > MAX_COLUMNS:
            raise ImportFileError(
                f"{title}, row {offset + 2}: the row has more than {MAX_COLUMNS} columns; "
                "no sheet of this import has that many."
            )
        rows.extend([] for _ in range(blank_rows))
        blank_rows = 0
        rows.append(values)
    # Cells past the last heading are kept, so "data but no heading" can be reported.
    width = max((len(values) for values in rows), default=0)
    headings.extend([""] * (width - len(headings)))
    return RawSheet(name=name, title=title, headings=headings, rows=rows)


def _csv_records(handle: Iterable[str], title: str) -> Iterator[list[str]]:
    """The csv module's rows, its own complaints (a field far too long) located by row."""
    reader = csv.reader(handle)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(f"{title}, row {reader.line_num}: {error}") from error
        yield record


def _read_csv(path: Path, name: str, limits: ImportLimits) -> RawSheet:
    """A CSV file, read row by row. UTF-8 first; then Windows-1252, which Excel on Windows
    saves "CSV" in; failing both, bytes that are neither are kept for the cells to report."""
    _check_file_size(path, limits)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            with path.open(encoding=encoding, newline="") as handle:
                sheet = _collect(name, path.name, _csv_records(handle, path.name), limits)
        except UnicodeDecodeError:
            continue
        return sheet
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        return _collect(name, path.name, _csv_records(handle, path.name), limits)


def _read_xlsx(path: Path, limits: ImportLimits) -> tuple[dict[str, RawSheet], list[str]]:
    """The workbook's sheets named in SHEETS, streamed (openpyxl read-only, values only)."""
    _check_file_size(path, limits)
    _check_zip(path, limits)
    sheets: dict[str, RawSheet] = {}
    notes: list[str] = []
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for worksheet in book.worksheets:
            title = str(worksheet.title)
            name = title.strip().lower()
            if name not in SHEETS:
                notes.append(f"Ignored sheet '{title}': not one of {', '.join(SHEETS)}.")
            elif name in sheets:
                raise ImportFileError(f"{path.name} has two {name} sheets; keep one of them.")
            else:
                # max_col: never pad rows out to a width the sheet merely claims.
                records = worksheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
                sheets[name] = _collect(name, title, records, limits)
    finally:
        book.close()
    return sheets, notes


# What reading a broken or hostile file can raise, beyond our own ImportFileError: a bad zip
# or deflate stream, XML that does not parse (a SyntaxError), or a part openpyxl cannot use.
_UNREADABLE = (
    ValueError,
    OSError,
    KeyError,
    EOFError,
    SyntaxError,
    zlib.error,
    zipfile.BadZipFile,
    InvalidFileException,
)


def read_workbook(path: Path) -> Workbook:
    """Read an XLSX workbook, one CSV named after its sheet, or a folder of such CSVs.

    Everything is read as text (nothing silently coerced); sheets with other names are ignored
    and noted. A file over the limits (IMPORT_MAX_… settings) is refused before it is read.
    """
    limits = ImportLimits.from_settings()
    source = path.name
    sheets: dict[str, RawSheet] = {}
    notes: list[str] = []
    try:
        if path.is_dir():
            for csv_path in sorted(path.iterdir()):
                if csv_path.suffix.lower() != ".csv":
                    continue
                name = csv_path.stem.strip().lower()
                if name not in SHEETS:
                    notes.append(f"Ignored {csv_path.name}: not one of {', '.join(SHEETS)}.")
                elif name in sheets:
                    raise ImportFileError(
                        f"{path} has two files for the {name} sheet; keep one of them."
                    )
                else:
                    sheets[name] = _read_csv(csv_path, name, limits)
        elif not path.exists():
            raise ImportFileError(f"{path} does not exist.")
        elif path.suffix.lower() == ".csv":
            name = path.stem.strip().lower()
            if name not in SHEETS:
                raise ImportFileError(
                    f"Name the CSV file after the sheet it holds: {', '.join(SHEETS)} "
                    f"(for example staff.csv), not {path.name}."
                )
            sheets[name] = _read_csv(path, name, limits)
        elif path.suffix.lower() in {".xlsx", ".xlsm"}:
            sheets, notes = _read_xlsx(path, limits)
        else:
            raise ImportFileError(
                f"{path.name} is not an .xlsx workbook, a .csv file or a folder of .csv files."
            )
    except ImportFileError:
        raise
    except _UNREADABLE as error:
        raise ImportFileError(f"{path.name} could not be read: {error}") from error
    if not sheets:
        raise ImportFileError(f"{path.name} has none of the sheets {', '.join(SHEETS)}.")
    return Workbook(source=source, sheets=sheets, notes=notes)


# --- The report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row, or heading), located as the user sees it."""

    sheet: str
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """What an import found and did. With any problem, nothing was kept."""

    source: str
    sheets: list[str]
    counts: dict[str, SheetCounts]
    problems: list[Problem]
    notes: list[str]
    rows_valid: int
    dry_run: bool

    @property
    def imported(self) -> bool:
        return not self.problems and not self.dry_run


# --- Importing -------------------------------------------------------------------------------


class _Absent:
    """The column is not in the sheet: leave the field as it is."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass
class _Row:
    sheet: str
    title: str
    number: int  # as the spreadsheet shows it: the heading is row 1
    cells: dict[str, str]  # column -> text, only for columns the sheet has
    headings: dict[str, str]  # column -> heading as written


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


class _RowCheck:
    """Reads one row's cells column by column, keeping every problem; none stops the rest."""

    def __init__(self, importer: OrgImporter, row: _Row) -> None:
        self.importer = importer
        self.row = row
        self.failed = False
        # A referenced row elsewhere in the file has its own problems: skip quietly.
        self.blocked = False

    def problem(self, column: str | None, message: str) -> None:
        self.failed = True
        self.importer.problem(self.row, column, message)

    def cell(
        self, column: str, parse: Callable[[str], Any] | None = None, *, default: Any = None
    ) -> Any:
        """The parsed cell; ABSENT without the column; `default` when empty; None if wrong."""
        if column not in self.row.cells:
            if COLUMNS[self.row.sheet][column]:
                # The missing heading is reported once, on row 1; check the rest of the row.
                self.blocked = True
                return None
            return ABSENT
        text = self.row.cells[column]
        if unusable := cell_text_problem(text):
            self.problem(column, unusable)
            return None
        if not text:
            if COLUMNS[self.row.sheet][column]:
                self.problem(column, "is empty; it is required")
                return None
            return default
        if parse is None:
            return text
        try:
            return parse(text)
        except CellError as error:
            self.problem(column, str(error))
            return None

    def reference(self, column: str, sheet: str, what: str) -> Any:
        """The record a cell names (a name or employee number), in this file or already saved."""
        key = self.cell(column)
        if key is ABSENT or key is None:
            return key
        found = self.importer.lookup[sheet].get(key)
        if found is not None:
            return found
        if key in self.importer.failed_keys[sheet]:
            self.blocked = True
            return None
        near = self.importer.folded[sheet].get(key.lower())
        hint = f" (did you mean '{near}'?)" if near else ""
        self.problem(column, f"there is no {what} '{key}' in this file or in Oversight{hint}")
        return None

    @property
    def ok(self) -> bool:
        return not self.failed and not self.blocked


def _first_overlap(absence: Absence, others: Iterable[Absence]) -> str | None:
    """The earliest of `others` that shares a day with `absence`, described by its dates only
    (its type is health data), in the words `services.absence_record` uses."""
    clashes = sorted(
        (
            other
            for other in others
            if (other.end_date is None or other.end_date >= absence.start_date)
            and (absence.end_date is None or other.start_date <= absence.end_date)
        ),
        key=lambda other: other.start_date,
    )
    return overlap_described(clashes[0]) if clashes else None


def _assign(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set the fields given (skipping ABSENT ones); say whether any value actually changed."""
    changed = False
    for name, value in values.items():
        if value is ABSENT:
            continue
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            old = getattr(obj, model_field.attname)  # type: ignore[union-attr]
            new = value.pk if value is not None else None
        else:
            old, new = getattr(obj, name), value
        if old != new:
            changed = True
        setattr(obj, name, value)
    return changed


def _chunks(values: Iterable[str], size: int = 500) -> Iterator[list[str]]:
    """Values in groups small enough for one `IN (…)` on every database."""
    batch: list[str] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class OrgImporter:
    """Applies a workbook sheet by sheet: services, teams, staff (then their supervisors, the
    services' group managers and the teams' managers, which may point forward), cases,
    absences. Problems are collected, never raised; the caller decides whether to keep the
    writes (see `import_org`).

    With `write=False` it only checks: the same rules, row by row, against records loaded
    once at the start and the rows before it, with nothing written and no query per row.
    New records get a provisional (negative) id in memory so that rules comparing ids — no
    one supervises themselves, a supervisor's role — see rows that are not saved yet.
    """

    def __init__(
        self,
        workbook: Workbook,
        *,
        actor: UserLike | None = None,
        today: datetime.date | None = None,
        write: bool = True,
    ) -> None:
        self.workbook = workbook
        self.actor = actor
        self.today = today or timezone.localdate()
        self.write = write
        self.reason = f"Imported from {workbook.source}"
        self.problems: list[Problem] = []
        self.problem_rows: set[tuple[str, int]] = set()
        self.outcomes: dict[tuple[str, int], str] = {}
        self.lookup: dict[str, dict[str, Any]] = {
            "services": {service.name: service for service in Service.objects.all()},
            "teams": {team.name: team for team in Team.objects.select_related("service")},
            "staff": {
                person.employee_number: person
                for person in StaffMember.objects.select_related("user")
            },
        }
        # Each key in lower case, for "did you mean …?" without a scan per unknown reference.
        self.folded: dict[str, dict[str, str]] = {
            sheet: {key.lower(): key for key in keys} for sheet, keys in self.lookup.items()
        }
        # Logins by username and who holds each: loaded once, kept up to date row by row.
        self.logins, self.login_holders = self._load_logins()
        # While checking only: the state each record was "saved" in, to go back to on failure.
        self.saved_state: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        self.provisional_ids = iter(range(-1, -(2**62), -1))
        # Keys of rows in this file that could not be saved: references to them are skipped.
        self.failed_keys: dict[str, set[str]] = {sheet: set() for sheet in SHEETS}
        # Keys already seen in this file, to refuse duplicates: key -> row number.
        self.seen: dict[str, dict[Any, int]] = {sheet: {} for sheet in SHEETS}
        # Supervisors whose new role no longer supervises, with that role: nobody may be left
        # reporting to them, or leading a team or service, when it is given (`_demotions`).
        self.demoted: list[tuple[_Row, StaffMember, str]] = []

    # Reporting -------------------------------------------------------------------------------

    def problem(self, row: _Row, column: str | None, message: str) -> None:
        heading = row.headings.get(column, column) if column else None
        self.problems.append(Problem(row.title, row.number, heading, message))
        self.problem_rows.add((row.sheet, row.number))

    def _validation_problems(
        self, check: _RowCheck, error: ValidationError, *, ignore: Iterable[str] = ()
    ) -> bool:
        """Report a model's validation error column by column; False if anything was reported."""
        sheet = check.row.sheet
        restricted = _RESTRICTED_COLUMNS.get(sheet, frozenset())
        errors: dict[str, list[str]] = (
            error.message_dict
            if hasattr(error, "error_dict")
            else {NON_FIELD_ERRORS: error.messages}
        )
        reported = False
        for field_name, messages in errors.items():
            if field_name in ignore:
                continue
            column: str | None = None
            if field_name != NON_FIELD_ERRORS:
                column = _FIELD_COLUMNS.get(sheet, {}).get(field_name, field_name)
            for message in messages:
                if column in restricted:
                    message = "is not valid"
                check.problem(column, message)
                reported = True
        return not reported

    def _validate(
        self,
        check: _RowCheck,
        obj: models.Model,
        *,
        ignore: Iterable[str] = (),
        fields_checked: bool = False,
    ) -> bool:
        """The model's own rules (`clean_fields` and `clean`), checked without a query.

        `full_clean()` would ask the database, for every row, whether each related record
        exists, whether the key is unique and whether each check constraint holds. Here the
        related records come from the lookups (so they exist), keys are matched and refused
        twice in the file by the importer, and `clean()` states every check constraint; the
        database still enforces all of them when the rows are saved.

        `fields_checked`: only a relation changed since the fields were checked (a second
        pass setting a supervisor or manager), so only the record's rules need checking again.
        """
        relations = [field.name for field in obj._meta.fields if field.is_relation]
        checks = [obj.clean] if fields_checked else [lambda: obj.clean_fields(relations), obj.clean]
        errors: dict[str, list[ValidationError]] = {}
        for validate in checks:
            try:
                validate()
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            return self._validation_problems(check, ValidationError(errors), ignore=ignore)
        return True

    def _save(self, check: _RowCheck, obj: models.Model) -> bool:
        """Save with history: the import's reason and, when known, the acting user.

        While only checking, nothing is written: a new record gets a provisional id, and the
        state is kept to return to if a later pass gives up on the row (as a reload would).
        """
        if not self.write:
            if obj.pk is None:
                obj.pk = next(self.provisional_ids)
            self.saved_state[id(obj)] = (dict(obj.__dict__), dict(obj._state.fields_cache))
            return True
        obj._change_reason = self.reason  # type: ignore[attr-defined]
        if self.actor is not None and self.actor.is_authenticated:
            obj._history_user = self.actor  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError as error:
            check.problem(None, f"could not be saved: {error}")
            return False
        return True

    def _save_staff(self, check: _RowCheck, staff: StaffMember) -> bool:
        """A staff record through the staff service, as the API and pages save it: every rule
        of `staff_check_change` again, against the database; history with the acting user
        and the import's reason; the line manager told of a role change."""
        if not self.write:
            return self._save(check, staff)
        try:
            with transaction.atomic():
                staff_save(staff=staff, actor=self.actor, reason=self.reason)
        except ValidationError as error:
            self._validation_problems(check, error)
            return False
        except IntegrityError as error:
            check.problem(None, f"could not be saved: {error}")
            return False
        return True

    def _outcome(self, row: _Row, outcome: str) -> None:
        self.outcomes[(row.sheet, row.number)] = outcome

    def _mark_updated(self, row: _Row) -> None:
        if self.outcomes.get((row.sheet, row.number)) == "unchanged":
            self._outcome(row, "updated")

    def _first_time(self, check: _RowCheck, sheet: str, key: Any, column: str, what: str) -> bool:
        """Each record once per file: a second row with the same key is a problem."""
        if key is None or key is ABSENT:
            return True
        earlier = self.seen[sheet].get(key)
        if earlier is not None:
            check.problem(column, f"{what} is also on row {earlier}; give each one row only")
            return False
        self.seen[sheet][key] = check.row.number
        return True

    def _give_up(self, check: _RowCheck, sheet: str, key: Any, obj: models.Model | None) -> None:
        """The row is not saved: forget any half-made changes and skip rows that refer to it."""
        if isinstance(key, str):
            self.failed_keys[sheet].add(key)
        if obj is None or obj.pk is None:
            pass
        elif id(obj) in self.saved_state:
            attributes, related = self.saved_state[id(obj)]
            obj.__dict__.clear()
            obj.__dict__.update(attributes)
            obj._state.fields_cache = dict(related)
        else:
            obj.refresh_from_db()
        self.outcomes.pop((check.row.sheet, check.row.number), None)

    def _remember(self, sheet: str, key: str, obj: models.Model) -> None:
        """A record of this file, for later rows to refer to."""
        self.lookup[sheet][key] = obj
        self.folded[sheet].setdefault(key.lower(), key)

    # Sheets ----------------------------------------------------------------------------------

    def _rows(self, sheet_name: str) -> list[_Row]:
        """The sheet's data rows; heading problems (unknown, missing, repeated) are reported."""
        raw = self.workbook.sheets.get(sheet_name)
        if raw is None:
            return []
        columns = COLUMNS[sheet_name]
        aliases = _ALIASES.get(sheet_name, {})
        heading_row = _Row(sheet_name, raw.title, 1, {}, {})
        positions: dict[str, int] = {}
        headings: dict[str, str] = {}
        ignored: list[int] = []
        for index, heading in enumerate(raw.headings):
            blank_heading = not heading.strip() or heading.startswith("Unnamed:")
            if blank_heading:
                if any(index < len(values) and values[index] for values in raw.rows):
                    self.problem(
                        heading_row, _column_letter(index), "this column has data but no heading"
                    )
                ignored.append(index)
                continue
            column = normalise_heading(heading)
            column = aliases.get(column, column)
            if column not in columns:
                self.problem(
                    heading_row,
                    heading,
                    f"is not a column of the {sheet_name} sheet; use: {', '.join(columns)}",
                )
            elif column in positions:
                self.problem(heading_row, heading, "this column appears twice")
            else:
                positions[column] = index
                headings[column] = heading
        for column, required in columns.items():
            if required and column not in positions:
                self.problem(heading_row, column, "this required column is missing")
        rows = []
        for offset, values in enumerate(raw.rows):
            # A CSV row may stop short of the last column, and a workbook's row drops
            # trailing empty cells: what is not there is empty.
            cells = {
                column: values[index] if index < len(values) else ""
                for column, index in positions.items()
            }
            if not any(values):
                continue  # a blank line between rows
            rows.append(_Row(sheet_name, raw.title, offset + 2, cells, headings))
        return rows

    def _services(self, rows: list[_Row]) -> list[tuple[_Row, Service]]:
        saved = []
        for row in rows:
            check = _RowCheck(self, row)
            name = check.cell("name")
            if not self._first_time(check, "services", name, "name", f"Service '{name}'"):
                continue
            if not check.ok:
                self._give_up(check, "services", name, None)
                continue
            service = self.lookup["services"].get(name) or Service(name=name)
            if service.pk is None:
                if not (self._validate(check, service) and self._save(check, service)):
                    self._give_up(check, "services", name, service)
                    continue
                self._remember("services", name, service)
                self._outcome(row, "created")
            else:
                self._outcome(row, "unchanged")
            saved.append((row, service))
        return saved

    def _teams(self, rows: list[_Row]) -> list[tuple[_Row, Team]]:
        saved = []
        for row in rows:
            check = _RowCheck(self, row)
            name = check.cell("name")
            service = check.reference("service", "services", "service")
            if not self._first_time(check, "teams", name, "name", f"Team '{name}'"):
                continue
            if not check.ok:
                self._give_up(check, "teams", name, None)
                continue
            team = self.lookup["teams"].get(name) or Team(name=name)
            created = team.pk is None
            changed = _assign(team, {"service": service})
            if changed or created:
                if not (self._validate(check, team) and self._save(check, team)):
                    self._give_up(check, "teams", name, team)
                    continue
            self._remember("teams", name, team)
            self._outcome(row, "created" if created else "updated" if changed else "unchanged")
            saved.append((row, team))
        return saved

    def _staff(self, rows: list[_Row]) -> list[tuple[_Row, StaffMember]]:
        """First pass: everyone's own details. Supervisors come in `_supervisors`."""
        saved = []
        for row in rows:
            check = _RowCheck(self, row)
            number = check.cell("employee_number")
            values = {
                "first_name": check.cell("first_name"),
                "last_name": check.cell("last_name"),
                "email": check.cell("email", default=""),
                "role": check.cell("role", _parse_role),
                "employment_type": check.cell(
                    "employment_type", _parse_employment_type, default=EmploymentType.PERMANENT
                ),
                "team": check.reference("team", "teams", "team"),
                "start_date": check.cell("start_date", parse_date),
                "asye_start_date": check.cell("asye_start_date", parse_date),
                "fte": check.cell("fte", parse_fte, default=Decimal("1.00")),
                "leaving_date": check.cell("leaving_date", parse_date),
            }
            username = check.cell("username", default=ABSENT)
            what = f"Employee number '{number}'"
            if not self._first_time(check, "staff", number, "employee_number", what):
                continue
            if not check.ok:
                self._give_up(check, "staff", number, None)
                continue
            staff = self.lookup["staff"].get(number) or StaffMember(employee_number=number)
            created = staff.pk is None
            old_role, old_leaving_date = staff.role, staff.leaving_date
            demoted_to = (
                None if created or not is_demotion(old_role, values["role"]) else values["role"]
            )
            if demoted_to is not None and self.write:
                # Written last (`_demotions`), once later rows have moved their supervisees.
                values = {**values, "role": old_role}
            before = {name: getattr(staff, name) for name in ("role", "team_id")}
            changed = _assign(staff, values)
            # The staff service's rules of authority: not one's own role or team; roles that
            # widen what someone reads only by an administrator or the directorate.
            if not self._authorised(
                check,
                staff,
                old_role=None if created else old_role,
                changed={
                    name.removesuffix("_id")
                    for name, value in before.items()
                    if created or getattr(staff, name) != value
                },
            ):
                self._give_up(check, "staff", number, staff)
                continue
            user = self._user_for(check, staff, username)
            # A supervisor given in this sheet is checked in the second pass, once everyone
            # (and their new role) is known.
            ignore = ("supervisor",) if "supervisor" in row.cells else ()
            valid = self._validate(check, staff, ignore=ignore) and check.ok
            if not valid:
                self._give_up(check, "staff", number, staff)
                continue
            user_linked = user is not None and (user.pk is None or user.pk != staff.user_id)
            if user_linked:
                if self.write:
                    with transaction.atomic():
                        if user.pk is None:
                            user.save()
                        staff.user = user
                changed = True
            if (changed or created) and not self._save_staff(check, staff):
                self._give_up(check, "staff", number, staff)
                continue
            if user_linked:
                self.logins[user.get_username()] = user
                self.login_holders[user.get_username()] = staff
            if self.write and (user_linked or staff.leaving_date != old_leaving_date):
                self._stop_sign_in_if_left(staff)
            if demoted_to is not None:
                self.demoted.append((row, staff, demoted_to))
            self._remember("staff", number, staff)
            self._outcome(row, "created" if created else "updated" if changed else "unchanged")
            saved.append((row, staff))
        return saved

    def _load_logins(self) -> tuple[dict[str, Any], dict[str, StaffMember]]:
        """The logins the staff sheet names, and who in Oversight already holds each login."""
        user_model = get_user_model()
        raw = self.workbook.sheets.get("staff")
        usernames: set[str] = set()
        if raw is not None:
            positions = [
                index
                for index, heading in enumerate(raw.headings)
                if normalise_heading(heading) == "username"
            ]
            usernames = {
                values[index]
                for values in raw.rows
                for index in positions
                if index < len(values) and values[index]
            }
        holders = {
            person.user.get_username(): person
            for person in self.lookup["staff"].values()
            if person.user is not None
        }
        logins = {username: person.user for username, person in holders.items()}
        field_name = user_model.USERNAME_FIELD
        for batch in _chunks(sorted(usernames - set(logins))):
            for user in user_model._default_manager.filter(**{f"{field_name}__in": batch}):
                logins[user.get_username()] = user
        return logins, holders

    def _user_for(self, check: _RowCheck, staff: StaffMember, username: Any) -> Any:
        """The login named in the username column: an existing one, or a new one that cannot
        sign in with a password (single sign-on or a reset sets it). Never swaps a login."""
        if username is ABSENT or username is None:
            return None
        user_model = get_user_model()
        try:
            user_model._meta.get_field("username").clean(username, None)
        except ValidationError as error:
            for message in error.messages:
                check.problem("username", message)
            return None
        if staff.user is not None:
            if staff.user.get_username() != username:
                check.problem(
                    "username",
                    f"this person already signs in as '{staff.user.get_username()}'; "
                    "change a login in the admin, not by import",
                )
            return None
        user = self.logins.get(username)
        if user is None:
            user = user_model(
                username=username,
                first_name=staff.first_name,
                last_name=staff.last_name,
                email=staff.email,
            )
            if self.write:  # only a login that will be saved needs its (unusable) password
                user.set_unusable_password()
            return user
        holder = self.login_holders.get(username)
        if holder is not None and holder is not staff:
            check.problem(
                "username",
                f"'{username}' is already the login of employee {holder.employee_number}",
            )
            return None
        return user

    def _stop_sign_in_if_left(self, staff: StaffMember) -> None:
        # The leaver rule of `services.staff_deactivate`: the record and login stay (history
        # keeps its authors) but sign-in stops once the leaving date has come.
        if staff.leaving_date is None or staff.leaving_date > self.today:
            return
        if staff.user is not None and staff.user.is_active:
            staff.user.is_active = False
            staff.user.save(update_fields=["is_active"])

    def _supervisors(self, saved: list[tuple[_Row, StaffMember]]) -> None:
        """Second pass: each person's supervisor, now that everyone in the file exists."""
        for row, staff in saved:
            if "supervisor" not in row.cells:
                continue
            check = _RowCheck(self, row)
            supervisor = check.reference("supervisor", "staff", "staff member with employee number")
            if not check.ok:
                self._give_up(check, "staff", None, staff)
                continue
            if not _assign(staff, {"supervisor": supervisor}):
                continue
            if self.write:
                written = self._save_staff(check, staff)
            else:
                written = (
                    self._authorised(check, staff, old_role=staff.role, changed={"supervisor"})
                    and self._no_loop(check, staff)
                    and self._validate(check, staff, fields_checked=True)
                    and self._save(check, staff)
                )
            if written:
                self._mark_updated(row)
            else:
                self._give_up(check, "staff", None, staff)

    def _authorised(
        self, check: _RowCheck, staff: StaffMember, *, old_role: str | None, changed: set[str]
    ) -> bool:
        try:
            staff_check_authority(staff, old_role=old_role, changed=changed, actor=self.actor)
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                for message in messages:
                    check.problem(column, message)
            return False
        return True

    def _no_loop(self, check: _RowCheck, staff: StaffMember) -> bool:
        """The staff service's no-loop rule, walked over the file's own supervisors."""
        by_pk = getattr(self, "_staff_by_pk", None)
        if by_pk is None:
            by_pk = self._staff_by_pk = {p.pk: p for p in self.lookup["staff"].values()}
        by_pk[staff.pk] = staff

        def step(pk: int) -> tuple[str, int | None] | None:
            person = by_pk.get(pk)
            return None if person is None else (person.full_name, person.supervisor_id)

        try:
            check_no_line_management_loop(staff, step)
        except ValidationError as error:
            for message in error.message_dict["supervisor"]:
                check.problem("supervisor", message)
            return False
        return True

    def _demotions(self) -> None:
        """Last pass over staff: the roles that take away supervising, given once everyone's
        supervisor and every team's and service's manager are as the file leaves them. The
        staff service's demotion rule decides: from the database when writing, from the
        file's records when checking."""
        if not self.demoted:
            return
        if not self.write:
            self._check_demotions()
            return
        for row, staff, role in self.demoted:
            if (row.sheet, row.number) in self.problem_rows:
                continue
            check = _RowCheck(self, row)
            staff.role = role
            if not self._save_staff(check, staff):
                self._give_up(check, "staff", None, staff)

    def _check_demotions(self) -> None:
        # Who each person supervises and what they lead as the file leaves it, gathered once
        # rather than asked of the database per person.
        supervisees_of: dict[int, list[StaffMember]] = defaultdict(list)
        for person in self.lookup["staff"].values():
            if person.supervisor_id is not None:
                supervisees_of[person.supervisor_id].append(person)
        led_by: dict[int, list[str]] = defaultdict(list)
        for record, leader in [
            *((team, team.manager_id) for team in self.lookup["teams"].values()),
            *((service, service.group_manager_id) for service in self.lookup["services"].values()),
        ]:
            if leader is not None:
                led_by[leader].append(str(record))
        for row, staff, _role in self.demoted:
            if (row.sheet, row.number) in self.problem_rows:
                continue
            supervisees = sorted(
                supervisees_of[staff.pk], key=lambda person: (person.last_name, person.first_name)
            )
            led = sorted(led_by[staff.pk])
            check = _RowCheck(self, row)
            try:
                check_demotion(
                    staff,
                    supervisees=[person.full_name for person in supervisees[:5]],
                    supervisees_total=len(supervisees),
                    led=led[:5],
                    led_total=len(led),
                )
            except ValidationError as error:
                self._validation_problems(check, error)
                self._give_up(check, "staff", None, staff)

    def _leaders(self, saved: list[tuple[_Row, Any]], column: str, field_name: str) -> None:
        """Second pass for services and teams: their group manager or manager."""
        for row, record in saved:
            if column not in row.cells:
                continue
            check = _RowCheck(self, row)
            leader = check.reference(column, "staff", "staff member with employee number")
            if not check.ok:
                self._give_up(check, row.sheet, None, record)
                continue
            if not _assign(record, {field_name: leader}):
                continue
            if self._validate(check, record, fields_checked=True) and self._save(check, record):
                self._mark_updated(row)
            else:
                self._give_up(check, row.sheet, None, record)

    def _cases(self, rows: list[_Row]) -> None:
        references = [row.cells.get("reference", "") for row in rows]
        existing = Case.objects.in_bulk([ref for ref in references if ref], field_name="reference")
        for row in rows:
            check = _RowCheck(self, row)
            reference = check.cell("reference")
            values = {
                "label": check.cell("label"),
                "case_type": check.cell("case_type", _parse_case_type),
                "team": check.reference("team", "teams", "team"),
                "allocated_worker": check.reference(
                    "allocated_worker", "staff", "staff member with employee number"
                ),
                "is_duty": check.cell("duty", parse_bool, default=False),
                "opened_on": check.cell("opened_on", parse_date),
                "closed_on": check.cell("closed_on", parse_date),
            }
            what = f"Case '{reference}'"
            if not self._first_time(check, "cases", reference, "reference", what):
                continue
            if not check.ok:
                continue
            case = existing.get(reference) or Case(reference=reference)
            created = case.pk is None
            changed = _assign(case, values)
            if (changed or created) and not (
                self._validate(check, case) and self._save(check, case)
            ):
                self._give_up(check, "cases", None, case)
                continue
            self._outcome(row, "created" if created else "updated" if changed else "unchanged")

    def _absences(self, rows: list[_Row]) -> None:
        """Absences go through the absence services, so the no-overlap rule is the same one
        the pages use. An absence matches an existing one by person and start date."""
        numbers = {row.cells.get("employee_number", "") for row in rows} - {""}
        existing: dict[tuple[Any, datetime.date], Absence] = {}
        for batch in _chunks(sorted(numbers)):
            for recorded in Absence.objects.filter(staff__employee_number__in=batch):
                existing[(recorded.staff_id, recorded.start_date)] = recorded
        if not self.write:
            self._check_absences(rows, existing)
            return
        for row in rows:
            read = self._absence_row(row)
            if read is None:
                continue
            check, staff, absence_type, start_date, end_date, notes = read
            absence = existing.get((staff.pk, start_date))
            try:
                if absence is None:
                    absence = absence_record(
                        staff=staff,
                        absence_type=absence_type,
                        start_date=start_date,
                        end_date=None if end_date is ABSENT else end_date,
                        notes="" if notes is ABSENT else notes,
                        actor=self.actor,
                    )
                    update_change_reason(absence, self.reason)
                    existing[(staff.pk, start_date)] = absence
                    self._outcome(row, "created")
                    continue
                changes = {
                    name: value
                    for name, value in {
                        "absence_type": absence_type,
                        "end_date": end_date,
                        "notes": notes,
                    }.items()
                    if value is not ABSENT and getattr(absence, name) != value
                }
                if changes:
                    absence._change_reason = self.reason  # type: ignore[attr-defined]
                    absence_update(absence=absence, actor=self.actor, **changes)
                self._outcome(row, "updated" if changes else "unchanged")
            except ValidationError as error:
                self._validation_problems(check, error)
                if absence is not None and absence.pk is not None:
                    absence.refresh_from_db()

    def _absence_row(self, row: _Row) -> tuple[_RowCheck, Any, Any, Any, Any, Any] | None:
        """One absence row's cells, or None when the row has a problem (reported) or repeats
        an absence given above."""
        check = _RowCheck(self, row)
        staff = check.reference("employee_number", "staff", "staff member with employee number")
        absence_type = check.cell("type", _parse_absence_type)
        start_date = check.cell("start_date", parse_date)
        end_date = check.cell("end_date", parse_date)
        notes = check.cell("notes", default="")
        if staff is not None and start_date is not None:
            key = (staff.employee_number, start_date)
            what = f"An absence for {staff.employee_number} starting {start_date:%d/%m/%Y}"
            if not self._first_time(check, "absences", key, "start_date", what):
                return None
        if not check.ok:
            return None
        return check, staff, absence_type, start_date, end_date, notes

    def _check_absences(
        self, rows: list[_Row], existing: dict[tuple[Any, datetime.date], Absence]
    ) -> None:
        """`_absences` without writing: the same cells, model rules and no-overlap rule (as
        `services.absence_record` and `absence_update` apply it), against the absences
        already recorded and the rows above."""
        by_person: dict[Any, list[Absence]] = defaultdict(list)
        for absence in existing.values():
            by_person[absence.staff_id].append(absence)
        for row in rows:
            read = self._absence_row(row)
            if read is None:
                continue
            check, staff, absence_type, start_date, end_date, notes = read
            recorded = existing.get((staff.pk, start_date))
            absence = copy.copy(recorded) if recorded is not None else Absence(staff=staff)
            changes = {
                name: value
                for name, value in {
                    "absence_type": absence_type,
                    "start_date": start_date,
                    "end_date": None if recorded is None and end_date is ABSENT else end_date,
                    "notes": "" if recorded is None and notes is ABSENT else notes,
                }.items()
                if value is not ABSENT and getattr(absence, name, None) != value
            }
            for name, value in changes.items():
                setattr(absence, name, value)
            absence.excuses_supervision = absence_type_excuses(absence.absence_type)
            if recorded is not None and not changes:
                self._outcome(row, "unchanged")
                continue
            if not self._validate(check, absence):
                continue
            others = [other for other in by_person[staff.pk] if other is not recorded]
            if clash := _first_overlap(absence, others):
                check.problem("start_date", f"{staff.full_name} already has {clash}")
                continue
            by_person[staff.pk] = [*others, absence]
            existing[(staff.pk, start_date)] = absence
            self._outcome(row, "created" if recorded is None else "updated")

    # The whole file --------------------------------------------------------------------------

    def run(self) -> None:
        """Apply every sheet in order, collecting problems."""
        rows = {sheet: self._rows(sheet) for sheet in SHEETS}
        services = self._services(rows["services"])
        teams = self._teams(rows["teams"])
        staff = self._staff(rows["staff"])
        self._supervisors(staff)
        self._leaders(services, "group_manager", "group_manager")
        self._leaders(teams, "manager", "manager")
        self._demotions()
        self._cases(rows["cases"])
        self._absences(rows["absences"])

    def report(self, *, dry_run: bool) -> ImportReport:
        order = {sheet: index for index, sheet in enumerate(SHEETS)}
        titles = {raw.title: raw.name for raw in self.workbook.sheets.values()}
        problems = sorted(
            self.problems, key=lambda problem: (order[titles[problem.sheet]], problem.row)
        )
        counts = {sheet: SheetCounts() for sheet in SHEETS if sheet in self.workbook.sheets}
        valid = 0
        for (sheet, number), outcome in self.outcomes.items():
            if (sheet, number) in self.problem_rows:
                continue
            valid += 1
            counts_for_sheet = counts[sheet]
            setattr(counts_for_sheet, outcome, getattr(counts_for_sheet, outcome) + 1)
        return ImportReport(
            source=self.workbook.source,
            sheets=list(counts),
            counts=counts,
            problems=problems,
            notes=list(self.workbook.notes),
            rows_valid=valid,
            dry_run=dry_run,
        )


def import_org(
    path: Path,
    *,
    dry_run: bool = False,
    actor: UserLike | None = None,
    today: datetime.date | None = None,
) -> ImportReport:
    """Import services, teams, staff, cases and absences from `path`, all or nothing.

    Every row is first checked in memory, writing nothing (all a dry run does); only a file
    with no problem is then written, row by row, in one transaction that is rolled back if
    saving finds a problem after all. Raises `ImportFileError` if the file itself cannot be
    read or is over the import limits.
    """
    workbook = read_workbook(path)
    with transaction.atomic():
        checker = OrgImporter(workbook, actor=actor, today=today, write=False)
        checker.run()
        report = checker.report(dry_run=dry_run)
        if dry_run or report.problems:
            return report
        importer = OrgImporter(workbook, actor=actor, today=today)
        importer.run()
        report = importer.report(dry_run=dry_run)
        if report.problems:
            transaction.set_rollback(True)
    return report
