"""A notice as an Excel workbook (openpyxl, write-only so a long journal stays in flat memory).

The first sheet states what the notice is (title, organisation, book, period, date) with its key
figures, paragraphs and the ledger digest; then one sheet per table: a title row, the column
headers (frozen, repeated on every printed page), the rows, and a total row of live
``=SUM(…)`` formulas whose values equal the notice's. Amounts are exact decimals of yuan in
``¥#,##0.00``; lists get an autofilter; every sheet prints on A4, fitted to the page width.

Text is always written as text: a donor named ``=HYPERLINK(…)`` or a memo ``-1+2`` is a string
cell, never a formula (every row goes through :func:`_append`, every cell through :func:`_cell`);
only the total row's ``=SUM(…)`` is written as a formula, on purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ledger.i18n import _
from reports import notice as n
from reports.format import yuan

MONEY_FORMAT = "¥#,##0.00"
FORMATS: dict[str, str] = {
    "money": MONEY_FORMAT,
    "int": "#,##0",
    "percent": "0.00%",
    "area": "#,##0.00",
    "date": "yyyy-mm-dd",
}
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")
TOTAL_FILL = PatternFill("solid", fgColor="F3F3F3")
THIN = Side(style="thin", color="9AA5B1")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
#: Rows above the column headers on a table's sheet: title, what/when, blank.
HEADER_ROW = 4
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
#: What a spreadsheet may take for the start of a formula in a cell typed by hand.
FORMULA_START = ("=", "+", "-", "@")


def _value(value: n.Cell, kind: n.CellKind) -> Any:
    if value is None:
        return None
    if kind in ("money", "area") and isinstance(value, int):
        return yuan(value)  # exact: Decimal('1234.56'), and dm² → m² the same way
    if kind == "percent" and isinstance(value, Fraction):
        # A share is not money: six decimals are far below what 0.00% shows.
        return round(value.numerator / value.denominator, 6) if value.denominator else None
    if isinstance(value, dt.date | int | str):
        return value
    return str(value)


def _text_cell(ws: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A string cell whatever the string starts with (openpyxl would make ``=…`` a formula)."""
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    return cell


def _safe(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """A plain value to append: text that could be read as a formula becomes a text cell."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return _text_cell(ws, value)
    return value


def _append(ws: WriteOnlyWorksheet, values: Sequence[Any]) -> None:
    """The one way a row is written: cells made by :func:`_cell` as they are, other values
    through :func:`_safe`."""
    ws.append([v if isinstance(v, Cell) else _safe(ws, v) for v in values])


def _cell(
    ws: WriteOnlyWorksheet,
    value: Any,
    kind: n.CellKind = "text",
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    border: bool = False,
    formula: bool = False,
) -> WriteOnlyCell:
    """A styled cell; a string is text unless ``formula`` says it is a formula we wrote."""
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and not formula:
        cell.data_type = "s"
    if kind in FORMATS:
        cell.number_format = FORMATS[kind]
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if border:
        cell.border = BOX
    return cell


def _column_writer(ws: WriteOnlyWorksheet, kind: n.CellKind) -> Callable[[n.Cell], Any]:
    """How a column's data cells are written: plain values where no format is needed, else a
    cell carrying the column's number format. The format's style is made once per column and
    shared by its cells (a written cell never changes): a long list writes tens of thousands."""
    template = _cell(ws, None, kind)
    style = template._style

    def write(value: n.Cell) -> Any:
        if value is None or (kind == "text" and isinstance(value, str)):
            return _safe(ws, value)
        shown = _value(value, kind)
        cell = WriteOnlyCell(ws, shown)
        if isinstance(shown, str):
            cell.data_type = "s"
        cell._style = style
        return cell

    return write


def _sheet_name(wanted: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", wanted).strip()[:28] or "Sheet"
    name, k = base, 2
    while name.lower() in taken:
        name, k = f"{base[:25]} ({k})", k + 1
    taken.add(name.lower())
    return name


def _print_setup(ws: WriteOnlyWorksheet, wide: bool, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.orientation = "landscape" if wide else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def _heading_rows(ws: WriteOnlyWorksheet, notice: n.Notice, title: str) -> None:
    _append(ws, [_cell(ws, title, font=TITLE_FONT)])
    where = " · ".join(p for p in (notice.organisation, notice.book_name, notice.period_label) if p)
    _append(ws, [_cell(ws, where), None, None, _cell(ws, notice.generated_on, "date")])
    _append(ws, [])


def _summary_sheet(wb: Workbook, notice: n.Notice, taken: set[str]) -> None:
    ws = wb.create_sheet(_sheet_name(_("Summary"), taken))
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 16
    ws.column_dimensions["D"].width = 14
    _heading_rows(ws, notice, notice.title)
    if notice.subtitle:
        _append(ws, [notice.subtitle])
    for section in notice.sections:
        if isinstance(section, n.KeyFigures):
            _append(ws, [_cell(ws, section.title, font=BOLD)])
            for label, value, kind in section.items:
                _append(
                    ws,
                    [
                        _cell(ws, label, border=True),
                        _cell(ws, _value(value, kind), kind, border=True),
                    ],
                )
            _append(ws, [])
        elif isinstance(section, n.Paragraph):
            _append(ws, [_cell(ws, section.text)])
        elif isinstance(section, n.Table):
            _append(ws, [_cell(ws, _("Table “{title}”: see sheet “{sheet}”.").format(
                title=section.title, sheet=section.sheet))])  # fmt: skip
    if notice.digest is not None:
        _append(ws, [])
        _append(ws, [_cell(ws, _("Ledger digest (SHA-256)"), font=BOLD)])
        _append(ws, [notice.digest.hash])
        _append(
            ws,
            [
                _(
                    "The ledger's record through operation {seq}; entry {number} of {date} is "
                    "the last entry this notice covers"
                ).format(
                    seq=notice.digest.record_seq,
                    number=notice.digest.entry_number,
                    date=notice.digest.entry_date.isoformat(),
                )
            ],
        )
    if notice.signatures:
        _append(ws, [])
        for role in notice.signatures:
            _append(ws, [_("{role}:").format(role=role), _("Date:")])
    _print_setup(ws, wide=False)


def _table_sheet(
    wb: Workbook,
    notice: n.Notice,
    table: n.Table,
    taken: set[str],
    *,
    written: list[int],
    progress: Callable[[int], None] | None,
) -> None:
    ws = wb.create_sheet(_sheet_name(table.sheet, taken))
    columns = table.columns
    for i, column in enumerate(columns, start=1):
        width = column.width or len(column.label) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(max(width * 1.6, 9), 60)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    _heading_rows(ws, notice, table.title)
    _append(ws, [_cell(ws, c.label, font=BOLD, fill=HEADER_FILL, border=True) for c in columns])
    first = HEADER_ROW + 1
    last = HEADER_ROW
    writers = [_column_writer(ws, c.kind) for c in columns]
    for row in table.rows:
        _append(ws, [write(v) for write, v in zip(writers, row, strict=True)])
        last += 1
        written[0] += 1
        if progress is not None and written[0] % 1000 == 0:
            progress(written[0])
    if table.total_label is not None:
        cells: list[Any] = []
        for i, column in enumerate(columns, start=1):
            letter = get_column_letter(i)
            if i == 1:
                value: Any = table.total_label
            elif column.total:
                value = f"=SUM({letter}{first}:{letter}{last})" if last >= first else 0
            else:
                value = None
            cells.append(
                _cell(
                    ws,
                    value,
                    column.kind,
                    font=BOLD,
                    fill=TOTAL_FILL,
                    border=True,
                    formula=isinstance(value, str) and value.startswith("=SUM("),
                )
            )
        _append(ws, cells)
    if table.note:
        _append(ws, [])
        _append(ws, [table.note])
    if table.is_list and last >= first:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{last}"
    _print_setup(ws, wide=len(columns) > 6, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def render_xlsx(
    notice: n.Notice,
    out: str | Path | BinaryIO,
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Write the notice as an .xlsx workbook to ``out`` (a path or a binary file object);
    ``progress`` is told the number of table rows written, every thousand rows."""
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    _summary_sheet(wb, notice, taken)
    written = [0]
    for table in notice.tables():
        _table_sheet(wb, notice, table, taken, written=written, progress=progress)
    wb.save(out)


def sheet_names(notice: n.Notice) -> Sequence[str]:
    """The sheet names :func:`render_xlsx` gives, in order (for tests and the CLI)."""
    taken: set[str] = set()
    return [_sheet_name(_("Summary"), taken)] + [
        _sheet_name(t.sheet, taken) for t in notice.tables()
    ]
