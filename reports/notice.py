"""What a public notice (公示) says, independent of how it is printed: a title, the
organisation, book and period, then sections — key figures, tables, charts, paragraphs — and
at the end the signature lines and the ledger digest. Builders in ``reports.notices`` fill a
:class:`Notice` from ledger queries; :mod:`reports.pdf` and :mod:`reports.xlsx` print the same
notice, so the PDF on the board and the workbook for the auditor always show the same figures.

Cells hold exact values: money is integer fen, areas integer dm², shares
:class:`~fractions.Fraction`; texts are already translated into the notice's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

#: How a column's values are shown: ``money`` is fen (¥1,234.56), ``area`` dm² (89.56),
#: ``percent`` a Fraction (92.79%), ``int`` a count, ``date`` a date, ``text`` as it is.
CellKind = Literal["text", "money", "int", "percent", "date", "area"]
Cell = str | int | Fraction | dt.date | None


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    kind: CellKind = "text"
    #: Sum this column in the table's total row (money, int and area columns).
    total: bool = False
    #: Relative width in characters (a hint for both printers; 0 = from the label).
    width: int = 0


@dataclass(frozen=True, slots=True)
class Table:
    """A table of the notice; in the workbook, a sheet of its own named ``sheet``.

    ``rows`` may be any iterable — a generator for a journal of many thousand rows, which the
    printers consume once, row by row, so memory stays flat. ``total_label`` adds a total row
    summing the ``total`` columns (a live ``=SUM(…)`` in the workbook)."""

    sheet: str
    title: str
    columns: tuple[Column, ...]
    rows: Iterable[Sequence[Cell]]
    total_label: str | None = None
    note: str = ""
    #: A long list (journal, donor list): printed in chunks, filtered in the workbook.
    is_list: bool = False


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """Label/value pairs in a box, such as the opening and closing balance."""

    title: str
    items: tuple[tuple[str, Cell, CellKind], ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A pie (shares of a whole) or bar chart (amounts side by side) of fen or counts.
    ``series`` are the bars' groups for a bar chart (e.g. budget and actual)."""

    kind: Literal["pie", "bar"]
    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[int, ...]], ...]
    money: bool = True


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


Section = KeyFigures | Table | Chart | Paragraph


@dataclass(frozen=True, slots=True)
class Digest:
    """The ledger's record at the moment the notice was printed — the hash of the newest audit
    event, numbered ``record_seq`` — and the last entry the notice covers, so anyone can check
    later (``gongzhang verify PATH --digest HEX``) that nothing before it was rewritten."""

    hash: str
    record_seq: int
    entry_number: str
    entry_date: dt.date


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str
    title: str
    organisation: str
    book_name: str
    period_label: str
    generated_on: dt.date
    language: str
    sections: tuple[Section, ...]
    digest: Digest | None
    #: The roles that sign the notice (经办人, 审核人, 监督委员会 …), one line each.
    signatures: tuple[str, ...] = ()
    #: Words printed under the title (e.g. "amounts in yuan; names masked").
    subtitle: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    def tables(self) -> Iterator[Table]:
        return (s for s in self.sections if isinstance(s, Table))
