"""The electorate register as an Excel workbook: reading a filled-in sheet for
:func:`ledger.services.electorate.import_electorate`, and the blank template to fill in."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Generator
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import Session

from ledger.domain import BookKind
from ledger.errors import InvalidInputError
from ledger.i18n import _
from ledger.models import AppUser
from ledger.rules.text import shorten
from ledger.services.electorate import (
    MAX_ROWS,
    ImportSummary,
    book_kind_of,
    columns_of,
    import_electorate,
)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _unreadable(exc: Exception) -> InvalidInputError:
    # The library's reason can quote the file's raw bytes by the kilobyte: a line of it will do.
    return InvalidInputError(
        _(
            "The file is not an Excel workbook that can be read ({reason}). Save it from Excel "
            "or WPS as an .xlsx workbook and import that."
        ).format(reason=shorten(str(exc) or type(exc).__name__, 200))
    )


def read_sheet(data: bytes) -> Generator[tuple[int, tuple[object, ...]]]:
    """The non-empty rows of the workbook's first sheet, with their Excel row numbers."""
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for a file it cannot read
        raise _unreadable(exc) from exc
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # a file's own dimensions may be wrong; read every row
        cells = enumerate(sheet.iter_rows(values_only=True), start=1)
        while True:
            try:
                number, row = next(cells)
            except StopIteration:
                return
            except Exception as exc:  # a sheet whose XML breaks off half-way
                raise _unreadable(exc) from exc
            if any(not _is_blank(v) for v in row):
                yield number, tuple(row)
    finally:
        workbook.close()


def electorate_template(kind: BookKind | str) -> bytes:
    """A blank workbook to fill in for :func:`import_electorate`: the Chinese header row of the
    book kind, in bold and frozen, text columns formatted as text (so that Excel keeps ``0501``
    and ``89.50`` as typed and never turns ``1-2`` into a date), and a 是/否 list for 开发商未售."""
    columns = columns_of(book_kind_of(kind))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "名册"
    bold = Font(bold=True)
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i, value=column.names[0])
        cell.font = bold
        letter = get_column_letter(i)
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
        if column.field == "unsold":
            choice = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            choice.add(f"{letter}2:{letter}{MAX_ROWS}")
            sheet.add_data_validation(choice)
    sheet.freeze_panes = "A2"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_electorate_workbook(
    session: Session, *, book_id: int, data: bytes, actor: AppUser
) -> ImportSummary:
    """Import the first sheet of an .xlsx workbook into the book's register (all or nothing:
    the caller's unit of work is rolled back on the first bad row)."""
    with contextlib.closing(read_sheet(data)) as rows:
        return import_electorate(
            session,
            book_id=book_id,
            rows=rows,
            actor=actor,
            source_sha256=hashlib.sha256(data).hexdigest(),
        )
