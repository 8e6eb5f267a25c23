"""Qt models over plain rows (tuples of dates, texts, integer fen …), never ORM objects.

:class:`RowsModel` holds a whole (small) table; :class:`SortProxy` sorts it on the raw values
(fen exceed 32 bits, so never on display text or Qt's integers); :class:`JournalModel` shows a
journal of any length, sorted by any column, by loading pages of rows on the database worker as
the view needs them."""

from __future__ import annotations

import datetime as dt
import threading
from array import array
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
from desktop.app.errors import presenter
from ledger.i18n import N_, _
from ledger.services.journal import (
    JournalFilter,
    JournalRow,
    JournalSort,
    journal_count,
    journal_order,
    journal_rows,
    journal_window,
)
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


#: What each journal column is sorted by: its raw value (the voucher's year and number, the
#: account's code, the fen), never its text; the date keeps the journal's own order.
JOURNAL_SORTS = (
    JournalSort.JOURNAL,
    JournalSort.VOUCHER,
    JournalSort.MEMO,
    JournalSort.ACCOUNT,
    JournalSort.DEBIT,
    JournalSort.CREDIT,
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
    """The journal of one book, any length, sorted by any column: pages of :data:`PAGE` rows
    are loaded on the worker when the view first shows them (a few are kept, least recently
    used first to go). Until its page arrives a row shows empty.

    By date (the journal's own order) pages are read by position, from whichever end of the
    journal is nearer. By any other column the worker first lists the posting ids in that order
    (:func:`~ledger.services.journal.journal_order`: half a second and 8 MB at a million
    postings), and pages are then read by their ids; descending reads either from the end.
    While an order is being read the rows shown stay and :attr:`sorting` says so; asking for
    another order meanwhile drops it. The last few orders are kept until the next reload."""

    PAGE = 200
    KEEP_PAGES = 40
    KEEP_ORDERS = 2
    #: Emitted when a page has arrived (for tests and a busy indicator).
    page_loaded = Signal(int)
    #: The number of rows, after each reload.
    counted = Signal(int)
    #: True while the worker reads a new order, False once it is shown, dropped or failed.
    sorting = Signal(bool)
    #: The order now shown (column, descending): after a sort arrived, or when one failed.
    order_shown = Signal(int, bool)

    def __init__(self, database: Database, book_id: int) -> None:
        super().__init__()
        self.database = database
        self.book_id = book_id
        self.filters = JournalFilter()
        self.total = 0
        self.columns = JOURNAL_COLUMNS
        #: The order shown: its column and direction, and (for any column but the date) the
        #: posting ids in ascending order.
        self.sort_column = 0
        self.descending = False
        self._order: array[int] | None = None
        self._wanted = (0, False)
        self._orders: OrderedDict[tuple[JournalFilter, JournalSort], array[int]] = OrderedDict()
        #: The count or order the worker is reading for us; set when it is no longer wanted.
        self._job: threading.Event | None = None
        self._started = False
        self._stale = True
        self._sorting = False
        self._pages: OrderedDict[int, list[JournalRow]] = OrderedDict()
        self._loading: set[int] = set()
        self._generation = 0

    # -- what is shown -------------------------------------------------------------------------

    def reload(self, filters: JournalFilter | None = None) -> None:
        """Count (or order) again, with new filters, and forget every loaded page."""
        if filters is not None:
            self.filters = filters
        self._orders.clear()
        self._started = True
        self._stale = True
        self._show()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order by the raw values of ``column`` (ties by posting id; descending is the exact
        reverse): at once by date or by an order already read, else when the worker has read
        it."""
        if not 0 <= column < len(self.columns):
            return
        wanted = (column, order == Qt.SortOrder.DescendingOrder)
        if wanted == self._wanted:
            return
        self._wanted = wanted
        if not self._started:  # nothing shown yet: the first reload reads this order
            self.sort_column, self.descending = wanted
            return
        self._show()

    def _show(self) -> None:
        """Bring the rows shown to the wanted order and filters, reading what is needed."""
        if self._job is not None:
            self._job.set()
            self._job = None
        column, descending = self._wanted
        key = JOURNAL_SORTS[column]
        fresh = self._stale
        chosen, book_id = self.filters, self.book_id
        if not fresh:
            if key is JournalSort.JOURNAL:
                self._apply(column, descending, None, self.total, reset=False)
                return
            known = self._orders.get((chosen, key))
            if known is not None:
                self._orders.move_to_end((chosen, key))
                self._apply(column, descending, known, len(known), reset=False)
                return
        job = threading.Event()
        self._job = job

        def read(session: Any) -> int | array[int] | None:
            if job.is_set():  # asked for something else before this began
                return None
            if key is JournalSort.JOURNAL:
                return journal_count(session, book_id=book_id, filters=chosen)
            return journal_order(
                session, book_id=book_id, sort=key, filters=chosen, cancelled=job.is_set
            )

        def done(result: int | array[int] | None) -> None:
            if job.is_set() or result is None:
                return
            self._job = None
            self._stale = False
            if isinstance(result, int):
                self._apply(column, descending, None, result, reset=fresh)
                return
            self._orders[(chosen, key)] = result
            while len(self._orders) > self.KEEP_ORDERS:
                self._orders.popitem(last=False)
            self._apply(column, descending, result, len(result), reset=fresh)

        def failed(error: BaseException) -> None:
            if job.is_set():
                return
            self._job = None
            self._wanted = (self.sort_column, self.descending)
            self._set_sorting(False)
            self.order_shown.emit(self.sort_column, self.descending)
            presenter().show(error)

        self._set_sorting(key is not JournalSort.JOURNAL)
        self.database.read(read, done, failed)

    def _apply(
        self, column: int, descending: bool, order: array[int] | None, total: int, *, reset: bool
    ) -> None:
        """Show rows in this order (their pages load as the view asks for them)."""
        reset = reset or total != self.total
        if reset:
            self.beginResetModel()
        else:
            self.layoutAboutToBeChanged.emit()
        self.sort_column, self.descending = column, descending
        self._order = order
        self.total = total
        self._pages.clear()
        self._loading.clear()
        self._generation += 1
        if reset:
            self.endResetModel()
            self.counted.emit(total)
        else:
            self.layoutChanged.emit()
        self._set_sorting(False)
        self.order_shown.emit(column, descending)

    def _set_sorting(self, sorting: bool) -> None:
        if sorting != self._sorting:
            self._sorting = sorting
            self.sorting.emit(sorting)

    # -- loading pages -------------------------------------------------------------------------

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
        first = page * self.PAGE
        order, descending = self._order, self.descending
        if order is not None:
            # By the ids of the order read (from its end when descending).
            if descending:
                end = total - first
                ids = order[max(0, end - self.PAGE) : end].tolist()[::-1]
            else:
                ids = order[first : first + self.PAGE].tolist()

        def load(session: Any) -> list[JournalRow]:
            if order is not None:
                return journal_rows(session, ids)
            if not descending:
                return journal_window(
                    session,
                    book_id=book_id,
                    offset=first,
                    limit=self.PAGE,
                    filters=chosen,
                    total=total,
                )
            # Newest first: the same rows as the mirror-image window, read backwards.
            end = total - first
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
            if generation != self._generation:
                return
            self._loading.discard(page)
            self._pages[page] = rows
            while len(self._pages) > self.KEEP_PAGES:
                self._pages.popitem(last=False)
            last = min(first + len(rows), self.total) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))
            self.page_loaded.emit(page)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._loading.discard(page)
            presenter().show(error)

        self.database.read(load, loaded, failed)

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
        horizontal = orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns)
        if role == Qt.ItemDataRole.InitialSortOrderRole and horizontal:
            # A first click on an amount shows the largest first.
            money = self.columns[section].kind == "money"
            return (Qt.SortOrder.DescendingOrder if money else Qt.SortOrder.AscendingOrder).value
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if horizontal:
            return _(self.columns[section].label)
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None
