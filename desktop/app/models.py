"""Qt models over plain rows (tuples of dates, texts, integer fen …), never ORM objects.

:class:`RowsModel` holds a whole (small) table; :class:`SortProxy` sorts it on the raw values
(fen exceed 32 bits, so never on display text or Qt's integers); :class:`JournalModel` shows a
journal of any length by loading pages of rows on the database worker as the view needs them."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from desktop.app.database import Database
from ledger.i18n import N_, _
from ledger.services.journal import JournalFilter, JournalRow, journal_count, journal_window
from reports.format import cell_text
from reports.notice import CellKind
from reports.notices.common import account_name

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
NUMBER_KINDS = ("money", "int", "percent", "area")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column: its header as an English message id (translated when shown, so that the
    language can change at run time) and how its values are shown."""

    label: str
    kind: CellKind = "text"


def display(value: Any, kind: CellKind) -> str:
    if isinstance(value, int | Fraction | dt.date | str) or value is None:
        return cell_text(value, kind)
    return str(value)


class RowsModel(QAbstractTableModel):
    """A table of plain rows; ``set_rows`` replaces them all."""

    def __init__(self, columns: Sequence[ColumnSpec], rows: Sequence[Sequence[Any]] = ()) -> None:
        super().__init__()
        self.columns = list(columns)
        self.rows: list[Sequence[Any]] = list(rows)

    def set_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        value = self.rows[index.row()][index.column()]
        kind = self.columns[index.column()].kind
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value, kind)
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if kind in NUMBER_KINDS else LEFT)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
                return _(self.columns[section].label)
            if orientation == Qt.Orientation.Vertical:
                return str(section + 1)
        return None

    def row(self, row: int) -> Sequence[Any]:
        return self.rows[row]


def _sort_key(value: Any) -> tuple[int, Any]:
    # None sorts first; numbers, dates and texts each among themselves.
    if value is None:
        return (0, 0)
    if isinstance(value, dt.date):
        return (2, value.toordinal())
    if isinstance(value, int | Fraction):
        return (1, value)
    return (3, str(value))


class SortProxy(QSortFilterProxyModel):
    """Sorts on the raw values (Python comparison) and filters on the displayed text."""

    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        a = _sort_key(self.sourceModel().data(left, SORT_ROLE))
        b = _sort_key(self.sourceModel().data(right, SORT_ROLE))
        return a < b


JOURNAL_COLUMNS = (
    ColumnSpec(N_("Date"), "date"),
    ColumnSpec(N_("Voucher")),
    ColumnSpec(N_("Memo")),
    ColumnSpec(N_("Account")),
    ColumnSpec(N_("Debit"), "money"),
    ColumnSpec(N_("Credit"), "money"),
)


def journal_cells(row: JournalRow) -> tuple[Any, ...]:
    fen = row.amount_fen
    return (
        row.date,
        row.number,
        row.memo,
        f"{row.account_code} {account_name(row.account_name_zh, row.account_name_en)}",
        fen if fen > 0 else None,
        -fen if fen < 0 else None,
    )


class JournalModel(QAbstractTableModel):
    """The journal of one book, any length: the number of rows is counted once, and pages of
    :data:`PAGE` rows are loaded on the worker when the view first shows them (a few are kept,
    least recently used first to go). Until its page arrives a row shows empty."""

    PAGE = 200
    KEEP_PAGES = 40
    #: Emitted when a page has arrived (for tests and a busy indicator).
    page_loaded = Signal(int)
    counted = Signal(int)

    def __init__(self, database: Database, book_id: int) -> None:
        super().__init__()
        self.database = database
        self.book_id = book_id
        self.filters = JournalFilter()
        self.total = 0
        self._pages: OrderedDict[int, list[JournalRow]] = OrderedDict()
        self._loading: set[int] = set()
        self._generation = 0
        self.columns = JOURNAL_COLUMNS
        #: Newest first (a click on the date or voucher header); otherwise journal order.
        self.descending = False

    # -- loading -------------------------------------------------------------------------------

    def reload(self, filters: JournalFilter | None = None) -> None:
        """Count again (with new filters) and forget every loaded page."""
        if filters is not None:
            self.filters = filters
        self._generation += 1
        generation, book_id, chosen = self._generation, self.book_id, self.filters

        def count(session: Any) -> int:
            return journal_count(session, book_id=book_id, filters=chosen)

        def counted(total: int) -> None:
            if generation != self._generation:
                return
            self.beginResetModel()
            self.total = total
            self._pages.clear()
            self._loading.clear()
            self.endResetModel()
            self.counted.emit(total)

        self.database.read(count, counted)

    def _request(self, page: int) -> None:
        if page in self._loading:
            return
        self._loading.add(page)
        generation, book_id, chosen, total = (
            self._generation,
            self.book_id,
            self.filters,
            self.total,
        )

        descending = self.descending

        def load(session: Any) -> list[JournalRow]:
            if not descending:
                return journal_window(
                    session,
                    book_id=book_id,
                    offset=page * self.PAGE,
                    limit=self.PAGE,
                    filters=chosen,
                    total=total,
                )
            # Newest first: the same rows as the mirror-image window, read backwards.
            end = total - page * self.PAGE
            start = max(0, end - self.PAGE)
            rows = journal_window(
                session,
                book_id=book_id,
                offset=start,
                limit=end - start,
                filters=chosen,
                total=total,
            )
            return rows[::-1]

        def loaded(rows: list[JournalRow]) -> None:
            self._loading.discard(page)
            if generation != self._generation or descending != self.descending:
                return
            self._pages[page] = rows
            while len(self._pages) > self.KEEP_PAGES:
                self._pages.popitem(last=False)
            first = page * self.PAGE
            last = min(first + len(rows), self.total) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
            self.page_loaded.emit(page)

        self.database.read(load, loaded)

    def journal_row(self, row: int) -> JournalRow | None:
        """The row's journal line if its page is loaded (else it is requested)."""
        page = row // self.PAGE
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        offset = row - page * self.PAGE
        return rows[offset] if offset < len(rows) else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Journal order or newest first, by the date or voucher column. (Other columns do not
        sort: the journal is read page by page from the database in its own order.)"""
        if column not in (0, 1):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if descending == self.descending:
            return
        self.layoutAboutToBeChanged.emit()
        self.descending = descending
        self._pages.clear()
        self._loading.clear()
        self.layoutChanged.emit()

    # -- the model -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.total:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(RIGHT if column.kind in NUMBER_KINDS else LEFT)
        if role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            return None
        line = self.journal_row(index.row())
        if line is None:
            return "" if role == Qt.ItemDataRole.DisplayRole else None
        value = journal_cells(line)[index.column()]
        return display(value, column.kind) if role == Qt.ItemDataRole.DisplayRole else value

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return _(self.columns[section].label)
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None
