"""The journal (明细账) of a book: every posting, loaded page by page however long the book,
filtered by date, account and text, sorted by a click on any column's header; an entry is
reversed from the context menu."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from desktop.app.errors import presenter
from desktop.app.forms import refusal
from desktop.app.models import JournalModel
from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel, plain_question
from ledger.access import Action
from ledger.dates import parse_date
from ledger.errors import GongzhangError
from ledger.i18n import N_, _
from ledger.operations.entries import REVERSE_ENTRY, ReverseEntry
from ledger.services.journal import JournalFilter


class JournalPage(BookPage):
    title = N_("Journal")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.model = JournalModel(self.database, self.book_id)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        for column, width in enumerate((90, 110, 260, 200, 105, 105)):
            header.resizeSection(column, width)
        # The memo takes what room there is; amounts keep their width and stay visible.
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._menu)
        self.date_from = QLineEdit(placeholderText=_("from YYYY-MM-DD"))
        self.date_to = QLineEdit(placeholderText=_("to YYYY-MM-DD"))
        self.account = QLineEdit(placeholderText=_("account code, e.g. 5101"))
        self.text = QLineEdit(placeholderText=_("text in the memo"))
        apply = QPushButton(_("Filter"))
        apply.clicked.connect(self.apply_filters)
        for edit in (self.date_from, self.date_to, self.account, self.text):
            edit.returnPressed.connect(self.apply_filters)
        self.count = PlainLabel()
        self.model.counted.connect(
            lambda n: self.count.setText(_("{n} postings").format(n=f"{n:,}"))
        )
        # While a new order is read the rows shown stay; the header already shows the column
        # clicked, and this says the rows are still coming.
        self.sorting = PlainLabel(_("Sorting…"))
        keep_room = self.sorting.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)  # the filter fields do not jump
        self.sorting.setSizePolicy(keep_room)
        self.sorting.hide()
        self.model.sorting.connect(self._sorting)
        self.model.order_shown.connect(self._order_shown)
        self._shown_order = (0, False)
        bar = QHBoxLayout()
        for widget in (
            self.date_from,
            self.date_to,
            self.account,
            self.text,
            apply,
            self.count,
            self.sorting,
        ):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view)

    def refresh(self) -> None:
        self.model.reload()

    def filters(self) -> JournalFilter:
        """The filters as typed; a bad date is refused with one sentence."""
        return JournalFilter(
            account_code=self.account.text().strip() or None,
            date_from=parse_date(self.date_from.text()) if self.date_from.text().strip() else None,
            date_to=parse_date(self.date_to.text()) if self.date_to.text().strip() else None,
            text=self.text.text().strip() or None,
        )

    def apply_filters(self) -> None:
        try:
            chosen = self.filters()
        except GongzhangError as exc:
            presenter().show(exc)
            return
        self.model.reload(chosen)

    def _sorting(self, busy: bool) -> None:
        self.sorting.setVisible(busy)
        if busy:
            self.view.viewport().setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.view.viewport().unsetCursor()

    def _order_shown(self, column: int, descending: bool) -> None:
        # The header follows the order shown (a sort that failed goes back); a new order is
        # shown from its top, with nothing selected (the rows selected before are elsewhere).
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.view.horizontalHeader().setSortIndicator(column, order)
        if (column, descending) != self._shown_order:
            self._shown_order = (column, descending)
            self.view.clearSelection()
            self.view.scrollToTop()

    def go_to_last_row(self) -> None:
        if self.model.total:
            self.view.scrollToBottom()
            self.view.selectRow(self.model.total - 1)

    # -- reversal ------------------------------------------------------------------------------

    def _menu(self, point: QPoint) -> None:
        index = self.view.indexAt(point)
        line = self.model.journal_row(index.row()) if index.isValid() else None
        if line is None:
            return
        menu = QMenu(self)
        action = menu.addAction(_("Reverse entry {number}…").format(number=line.number))
        why_not = refusal(self.user.role, Action.REVERSE_ENTRY)
        action.setEnabled(not why_not)
        action.setToolTip(why_not)
        action.triggered.connect(lambda: self.ask_reverse(line.entry_id, line.number))
        menu.popup(self.view.viewport().mapToGlobal(point))

    def ask_reverse(self, entry_id: int, number: str) -> None:
        if plain_question(
            self,
            _("Reverse entry"),
            _(
                "Post a reversing entry for {number}? The original stays in the books; the "
                "reversal cancels it."
            ).format(number=number),
        ):
            self.reverse(entry_id)

    def reverse(self, entry_id: int) -> None:
        self.perform(REVERSE_ENTRY, ReverseEntry(entry_id=entry_id))
