"""A small write-only workbook toolkit: sheets from rows with typed columns (DESIGN §9).

openpyxl's write-only mode streams each row to a temporary file as it is appended, so memory
stays flat however many rows a sheet has; lxml (installed) makes the writing fast. On top of
that this module adds what every Oversight workbook needs, once:

- a bold header row, frozen and filterable, and column widths from the column spec;
- real numbers, dates and datetimes with readable formats — never numbers as text;
- RAG fills in the colours of the screen's GOV.UK tags;
- text that users typed made safe: characters a workbook cannot hold are removed
  (`safe_text`), and text that a spreadsheet would read as a formula (starting with `=`, `+`,
  `-`, `@`, tab or carriage return) is stored as a string cell with Excel's "quote prefix",
  so neither Excel nor LibreOffice evaluates it and it reads back unchanged.

Styles are built once per workbook and shared by every cell that uses them.
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import IO, Any, NamedTuple

from django.utils import timezone
from openpyxl import LXML, Workbook
from openpyxl.cell.cell import ERROR_CODES, Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel holds at most this many characters in a cell.
MAX_CELL_TEXT = 32_767

# What a workbook cannot hold: the C0 control characters other than tab, line feed and carriage
# return (exactly what openpyxl refuses, `openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE`), and what
# XML itself cannot carry (U+FFFE, U+FFFF and unpaired surrogates), which lxml refuses.
UNHOLDABLE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# A cell starting with one of these may be read as a formula (or its start) by a spreadsheet.
FORMULA_STARTS = frozenset("=+-@\t\r")
# Text openpyxl would otherwise store as an error value, not as text.
ERROR_VALUES = frozenset(ERROR_CODES)

_UNHOLDABLE_SUB = UNHOLDABLE_CHARACTERS.sub

if not LXML:  # pragma: no cover - lxml is a dependency; without it writing is much slower
    import warnings

    warnings.warn("openpyxl is not using lxml: exports will be slow.", stacklevel=1)


def safe_text(value: object) -> str:
    """The text of `value` without the characters a workbook cannot hold, cut to the length
    a cell can hold. Everything else, including a leading `=`, is kept: the writer stores such
    text as a string, never as a formula."""
    text = value if isinstance(value, str) else str(value)
    return UNHOLDABLE_CHARACTERS.sub("", text)[:MAX_CELL_TEXT]


def needs_quote_prefix(text: str) -> bool:
    """Text a spreadsheet could take for a formula or an error value."""
    return bool(text) and (text[0] in FORMULA_STARTS or text in ERROR_VALUES)


class Kind(enum.StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"  # one decimal place
    PERCENT = "percent"  # a fraction (0.25), shown as 25%
    DATE = "date"
    MONTH = "month"  # the first of a month, shown as "Mar 2026"
    DATETIME = "datetime"  # aware datetimes are written in local time
    AUTO = "auto"  # chosen from each value's type (for small sheets such as About)


NUMBER_FORMATS = {
    Kind.INT: "0",
    Kind.DECIMAL: "0.0",
    Kind.PERCENT: "0%",
    Kind.DATE: "d mmm yyyy",
    Kind.MONTH: "mmm yyyy",
    Kind.DATETIME: "d mmm yyyy hh:mm",
}


class Colour(enum.StrEnum):
    """GOV.UK tag colours, as the screen shows them (govuk-frontend's built stylesheet)."""

    GREEN = "green"
    YELLOW = "yellow"  # amber
    RED = "red"
    GREY = "grey"
    PURPLE = "purple"
    ORANGE = "orange"
    BLUE = "blue"


# (background, text) of `.govuk-tag--<colour>` in static_build/oversight.css.
TAG_COLOURS: dict[str, tuple[str, str]] = {
    Colour.GREEN: ("CFE4DC", "083D29"),
    Colour.YELLOW: ("FFEE80", "7A3C1C"),
    Colour.RED: ("F4D7D7", "651B1B"),
    Colour.GREY: ("CECECE", "0B0C0C"),
    Colour.PURPLE: ("DDD6EC", "2A1950"),
    Colour.ORANGE: ("FDE4D7", "7A3C1C"),
    Colour.BLUE: ("D2E2F1", "0F385C"),
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: float = 16
    # Cells of this column may be given as `Styled(value, colour=...)` (e.g. RAG fills).
    styled: bool = False


class Styled(NamedTuple):
    """A value with a fill colour (a GOV.UK tag colour) and/or a kind other than its column's
    (only in `Kind.AUTO` columns)."""

    value: Any
    colour: str | None = None
    kind: Kind | None = None


_StyleKey = tuple[str, str | None, bool]  # (number format or "", colour, quote prefix)


class _Style(NamedTuple):
    array: StyleArray  # shared by every cell of this style, never changed after it is built
    style_id: int  # its index in the workbook's cell styles


class _ReadyCell(Cell):
    """A cell whose value is already bound and whose style is already registered with the
    workbook, so writing it costs no more than writing a plain value."""

    __slots__ = ("style_id",)  # shadows Cell.style_id, which looks the style up every time


def _ready_cell(sheet: Any, value: Any, data_type: str, style: _Style) -> _ReadyCell:
    cell = _ReadyCell.__new__(_ReadyCell)
    cell.parent = sheet
    cell._style = style.array
    cell.style_id = style.style_id
    cell.row = cell.column = 1
    cell._value = value
    cell.data_type = data_type
    cell._hyperlink = None
    cell._comment = None
    return cell


class _Worksheet(WriteOnlyWorksheet):  # type: ignore[misc]
    """openpyxl's write-only sheet, taking ready-made cells as they are (openpyxl's own
    `append` first tries to bind each cell as a value, and only takes it as a cell after that
    fails — an exception per styled cell)."""

    def _values_to_row(self, values: Iterable[Any], row_idx: int) -> Iterator[Cell]:
        cell = WriteOnlyCell(self)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if type(value) is _ReadyCell:
                value.row = row_idx
                value.column = col_idx
                yield value
                continue
            cell.value = value
            cell.column = col_idx
            cell.row = row_idx
            yield cell
            if cell.has_style:  # openpyxl gave a date its default format: a new cell
                cell = WriteOnlyCell(self)


class WorkbookWriter:
    """One workbook, written sheet by sheet and row by row."""

    def __init__(self, *, title: str = "", creator: str = "Oversight") -> None:
        self.book = Workbook(write_only=True)
        # Document properties are XML too: the same characters are removed from them.
        self.book.properties.creator = safe_text(creator)
        if title:
            self.book.properties.title = safe_text(title)
        self._styles: dict[_StyleKey, _Style] = {}
        self._bold = Font(bold=True)
        self._fonts: dict[str, Font] = {}
        self._fills: dict[str, PatternFill] = {}
        self._wrap = Alignment(wrap_text=True, vertical="top")
        self.sheets: list[SheetWriter] = []

    def sheet(self, title: str, columns: Sequence[Column]) -> SheetWriter:
        sheet = SheetWriter(self, title, columns)
        self.sheets.append(sheet)
        return sheet

    def save(self, out: IO[bytes]) -> None:
        for sheet in self.sheets:
            sheet.finish()
        self.book.save(out)

    # --- shared styles ---------------------------------------------------------------------

    def style(
        self, number_format: str = "", colour: str | None = None, quote: bool = False
    ) -> _Style:
        """The style for this combination, built the first time it is asked for."""
        key = (number_format, colour, quote)
        style = self._styles.get(key)
        if style is None:
            template = self._template()
            if number_format:
                template.number_format = number_format
            if colour is not None:
                background, text = TAG_COLOURS[colour]
                if colour not in self._fills:
                    self._fills[colour] = PatternFill(fill_type="solid", fgColor=background)
                    self._fonts[colour] = Font(color=text)
                template.fill = self._fills[colour]
                template.font = self._fonts[colour]
            if quote:
                template.quotePrefix = True
            style = self._styles[key] = self._register(template)
        return style

    def header_style(self) -> _Style:
        key = ("@header", None, False)
        style = self._styles.get(key)
        if style is None:
            template = self._template()
            template.font = self._bold
            template.alignment = self._wrap
            style = self._styles[key] = self._register(template)
        return style

    def _register(self, template: Cell) -> _Style:
        array = template._style if template._style is not None else StyleArray()
        return _Style(array, self.book._cell_styles.add(array))

    def _template(self) -> Cell:
        # A cell used only to register styles with the workbook (it is never written).
        return Cell(SimpleNamespace(parent=self.book))


class SheetWriter:
    """A sheet with a bold, frozen, filterable header row; rows are appended in order."""

    def __init__(self, writer: WorkbookWriter, title: str, columns: Sequence[Column]) -> None:
        self.writer = writer
        self.columns = list(columns)
        self.worksheet = _Worksheet(parent=writer.book, title=title[:31])
        writer.book._add_sheet(self.worksheet)
        self.rows = 0  # data rows written (the header is not counted)
        self._finished = False
        ws = self.worksheet
        for index, column in enumerate(self.columns, 1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        # Views are written before the rows in write-only mode, so freeze now.
        ws.freeze_panes = "A2"
        self._converters = [self._converter_for(column) for column in self.columns]
        header_style = writer.header_style()
        ws.append([self._cell(safe_text(c.header), header_style, text=True) for c in self.columns])

    # --- writing ---------------------------------------------------------------------------

    def append(self, values: Sequence[Any]) -> None:
        """One row, a value per column (None leaves a cell empty)."""
        row = [
            value if convert is None or value is None else convert(value)
            for value, convert in zip(values, self._converters, strict=False)
        ]
        self.worksheet.append(row)
        self.rows += 1

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.append(values)

    def note(self, text: str) -> None:
        """A row with one line of text in the first column (e.g. "No workers in this scope")."""
        self.worksheet.append([self._text(text)])
        self.rows += 1

    def finish(self) -> None:
        """Set the filter over the header and every row written (written after the rows)."""
        if self._finished:
            return
        self._finished = True
        last_column = get_column_letter(max(len(self.columns), 1))
        self.worksheet.auto_filter.ref = f"A1:{last_column}{self.rows + 1}"

    # --- cells -----------------------------------------------------------------------------

    def _cell(self, value: Any, style: _Style, *, text: bool = False) -> Cell:
        if text:
            # A string cell whatever it starts with (never a formula or an error value).
            return _ready_cell(self.worksheet, value, "s", style)
        if isinstance(value, (datetime.date, datetime.time, datetime.timedelta)):
            return _ready_cell(self.worksheet, value, "d", style)
        return _ready_cell(self.worksheet, value, "n", style)

    def _text(self, value: Any) -> str | Cell:
        text = _UNHOLDABLE_SUB("", value if type(value) is str else str(value))
        if len(text) > MAX_CELL_TEXT:
            text = text[:MAX_CELL_TEXT]
        if text and (text[0] in FORMULA_STARTS or text in ERROR_VALUES):
            return _ready_cell(self.worksheet, text, "s", self.writer.style(quote=True))
        return text

    def _converter_for(self, column: Column) -> Callable[[Any], Any] | None:
        kind = column.kind
        if kind is Kind.AUTO:
            return self._auto
        plain = self._plain_converter(kind)
        if not column.styled:
            return plain
        return lambda value: self._styled(value, kind, plain)  # noqa: PLW0108

    def _plain_converter(self, kind: Kind) -> Callable[[Any], Any] | None:
        if kind is Kind.TEXT:
            return self._text
        if kind is Kind.INT:
            return None
        style = self.writer.style(NUMBER_FORMATS[kind])
        if kind is Kind.DATETIME:
            return lambda value: self._cell(_naive(value), style)
        if kind in (Kind.DECIMAL, Kind.PERCENT):
            return lambda value: self._cell(_number(value), style)
        return lambda value: self._cell(value, style)

    def _styled(self, value: Any, kind: Kind, plain: Callable[[Any], Any] | None) -> Any:
        if type(value) is not Styled:
            return value if plain is None else plain(value)
        inner, colour = value.value, value.colour
        if inner is None and colour is None:
            return None
        if kind is Kind.TEXT:
            if colour is None:
                return self._text(inner)
            text = safe_text("" if inner is None else inner)
            style = self.writer.style("", colour, needs_quote_prefix(text))
            return self._cell(text, style, text=True)
        style = self.writer.style(NUMBER_FORMATS.get(kind, ""), colour)
        if kind is Kind.DATETIME and inner is not None:
            inner = _naive(inner)
        elif kind in (Kind.DECIMAL, Kind.PERCENT) and inner is not None:
            inner = _number(inner)
        return self._cell(inner, style)

    def _auto(self, value: Any) -> Any:
        colour = None
        kind: Kind | None = None
        if type(value) is Styled:
            value, colour, kind = value
        if value is None:
            return None
        if kind is None:
            kind = _kind_of(value)
        return self._styled(Styled(value, colour), kind, None)


def _kind_of(value: Any) -> Kind:
    if isinstance(value, bool):
        return Kind.TEXT
    if isinstance(value, datetime.datetime):
        return Kind.DATETIME
    if isinstance(value, datetime.date):
        return Kind.DATE
    if isinstance(value, int):
        return Kind.INT
    if isinstance(value, (float, Decimal)):
        return Kind.DECIMAL
    return Kind.TEXT


def _naive(value: datetime.datetime) -> datetime.datetime:
    """Excel has no time zones: aware datetimes are written as local wall-clock time."""
    if timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _number(value: Any) -> float | int:
    return float(value) if isinstance(value, Decimal) else value
