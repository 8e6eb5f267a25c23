"""The main window: the ledger's books in a side panel, the pages of the chosen book in tabs,
File and View menus (language switchable at run time)."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
)

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.pages.base import BookPage
from desktop.app.pages.dashboard import DashboardPage
from desktop.app.pages.journal import JournalPage
from desktop.app.pages.microfund import ActivitiesPage, DonationsPage, ExpensesPage
from desktop.app.pages.property import BudgetPage, FeesPage, RemunerationPage, UnitsPage
from desktop.app.pages.reports import ReportsPage
from desktop.app.pages.users import UsersPage
from desktop.app.pages.village import DistributionsPage, ExitSchedulePage, HouseholdsPage
from desktop.app.pages.votes import VotesPage
from desktop.app.session import SignedIn
from desktop.cli_pb import read_pb_file
from ledger import i18n
from ledger.backup import backup_ledger
from ledger.db import open_ledger
from ledger.domain import BookKind, Role
from ledger.errors import CancelledError, InvalidInputError
from ledger.i18n import _
from ledger.services.books import list_books
from ledger.services.electorate import import_electorate
from ledger.services.votes import import_pb
from ledger.verify import verify_ledger
from reports.electorate_xlsx import read_sheet

PageFactory = type[BookPage]
#: The pages every book has first, then those of its kind.
COMMON_PAGES: list[PageFactory] = [DashboardPage, JournalPage]
#: The pages every book has after those of its kind.
CLOSING_PAGES: list[PageFactory] = [VotesPage, ReportsPage, UsersPage]
KIND_PAGES: dict[str, list[PageFactory]] = {
    BookKind.MICRO_FUND.value: [DonationsPage, ExpensesPage, ActivitiesPage],
    BookKind.TRUST_PROPERTY.value: [UnitsPage, FeesPage, RemunerationPage, BudgetPage],
    BookKind.COLLECTIVE_REVENUE.value: [HouseholdsPage, ExitSchedulePage, DistributionsPage],
}
LANGUAGES = (("zh", "中文"), ("en", "English"))


class ProgressRelay(QObject):
    """Carries (done, total) from the worker thread to the status bar's progress bar."""

    progress = Signal(int, int)


def remember_recent(path: str) -> None:
    settings = QSettings("Gongzhang", "Gongzhang")
    recent = [p for p in _stored_list(settings) if p != path]
    settings.setValue("recent", [path, *recent][:8])


def recent_files() -> list[str]:
    return [p for p in _stored_list(QSettings("Gongzhang", "Gongzhang")) if Path(p).exists()]


def _stored_list(settings: QSettings) -> list[str]:
    value = settings.value("recent", [], type=list)
    return [str(p) for p in value] if isinstance(value, list) else []


class MainWindow(QMainWindow):
    def __init__(
        self,
        database: Database,
        user: SignedIn,
        *,
        open_other: Callable[[str | None], None] | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.user = user
        self.open_other = open_other
        self.books: list[tuple[int, str, str]] = []
        self.pages: list[BookPage] = []
        presenter().parent_widget = self
        presenter().shown.connect(self.show_message)
        self.book_list = QListWidget()
        self.book_list.setMinimumWidth(230)
        self.book_list.setWordWrap(True)
        self.book_list.setSpacing(2)
        self.book_list.currentRowChanged.connect(self.show_book)
        self.tabs = QTabWidget()
        self.tabs.currentChanged.connect(self._tab_shown)
        splitter = QSplitter()
        splitter.addWidget(self.book_list)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)
        self.who = QLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: the worker is on a job
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.cancel = threading.Event()
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel.set)
        self.statusBar().addPermanentWidget(self.busy)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.statusBar().addPermanentWidget(self.who)
        database.busy.connect(self.busy.setVisible)
        self.progress_relay = ProgressRelay()
        self.progress_relay.progress.connect(self._show_progress)
        database.changed.connect(self.refresh_current)
        self.resize(1200, 760)
        self.build_menus()
        self.retranslate()
        self.load_books()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    # -- menus and language --------------------------------------------------------------------

    def build_menus(self) -> None:
        bar = self.menuBar()
        bar.clear()
        file_menu = bar.addMenu(_("&File"))
        for text, slot in (
            (_("&New ledger…"), lambda: self._open_other(None)),
            (_("&Open ledger…"), self.choose_ledger),
            (_("&Back up…"), self.back_up),
            (_("&Restore from a backup…"), self.restore),
            (_("&Import a register from Excel…"), self.import_register),
            (_("Import a &Pabulib vote…"), self.import_pb_file),
        ):
            action = QAction(text, self)
            action.triggered.connect(slot)
            file_menu.addAction(action)
        file_menu.addSeparator()
        quit_action = QAction(_("&Quit"), self)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        view_menu = bar.addMenu(_("&View"))
        language = view_menu.addMenu(_("&Language"))
        for code, name in LANGUAGES:
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked((i18n.current_language() or "zh_CN").startswith(code))
            action.triggered.connect(lambda _checked=False, c=code: self.set_language(c))
            language.addAction(action)

    def set_language(self, code: str) -> None:
        i18n.set_language(code)
        QSettings("Gongzhang", "Gongzhang").setValue("language", code)
        self.build_menus()
        self.retranslate()
        self.show_book(self.book_list.currentRow())

    def retranslate(self) -> None:
        self.setWindowTitle(_("Gongzhang — public accounts") + f" · {self.database.ledger.path}")
        self.who.setText(
            _("Signed in as {name} ({role})").format(
                name=self.user.display_name or self.user.username, role=_role(self.user.role)
            )
        )
        for row, (_book_id, name, kind) in enumerate(self.books):
            item = self.book_list.item(row)
            if item is not None:
                item.setText(f"{name}\n{BookKind(kind).label}")

    # -- books and pages -----------------------------------------------------------------------

    def load_books(self) -> None:
        def job(session: object) -> list[tuple[int, str, str]]:
            return [(b.id or 0, b.name, b.kind) for b in list_books(session)]  # type: ignore[arg-type]

        self.database.read(job, self._books_loaded)

    def _books_loaded(self, books: list[tuple[int, str, str]]) -> None:
        self.books = books
        self.book_list.clear()
        for book_id, name, kind in books:
            item = QListWidgetItem(f"{name}\n{BookKind(kind).label}")
            item.setData(Qt.ItemDataRole.UserRole, book_id)
            item.setSizeHint(QSize(0, 46))
            self.book_list.addItem(item)
        if books:
            self.book_list.setCurrentRow(0)

    def show_book(self, row: int) -> None:
        self.tabs.blockSignals(True)
        while self.tabs.count():
            widget = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if widget is not None:
                widget.deleteLater()
        self.pages = []
        if not 0 <= row < len(self.books):
            self.tabs.blockSignals(False)
            return
        book_id, _name, kind = self.books[row]
        for factory in [*COMMON_PAGES, *KIND_PAGES.get(kind, []), *CLOSING_PAGES]:
            page = factory(self.database, book_id, kind, self.user)
            page.message.connect(self.show_message)
            self.pages.append(page)
            self.tabs.addTab(page, _(factory.title))
        # Signals stay blocked while the tabs are made: the first page loads once, not twice.
        self.tabs.blockSignals(False)
        self._tab_shown(self.tabs.currentIndex())

    def _tab_shown(self, index: int) -> None:
        if 0 <= index < len(self.pages):
            self.pages[index].refresh()

    def refresh_current(self) -> None:
        self._tab_shown(self.tabs.currentIndex())

    # -- files ---------------------------------------------------------------------------------

    def _open_other(self, path: str | None) -> None:
        if self.open_other is not None:
            self.open_other(path)

    def choose_ledger(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Open a ledger"), "", _("Gongzhang ledgers (*.sqlite);;All files (*)")
        )
        if path:
            self._open_other(path)

    def back_up(self) -> None:
        target, _filter = QFileDialog.getSaveFileName(
            self, _("Back up the ledger to"), "", _("Gongzhang ledgers (*.sqlite)")
        )
        if not target:
            return
        self.back_up_to(target)

    def back_up_to(self, target: str) -> None:
        """Copy the open ledger to ``target`` page by page; Cancel stops it and removes the
        partial copy."""
        ledger = self.database.ledger
        cancel = self._cancellable()

        relay = self.progress_relay

        def tell(done: int, total: int) -> None:
            self._check(cancel)
            relay.progress.emit(done, total)  # queued to the UI thread: the bar fills

        def job(session: object) -> str:
            del session
            dest = backup_ledger(ledger, target, progress=tell)
            return _("Backed up to {dest}.").format(dest=dest)

        self._run(job, write=False)

    def _cancellable(self) -> threading.Event:
        """A fresh cancel flag for long work, with the Cancel button shown until it ends."""
        self.cancel.clear()
        self.cancel_button.show()
        return self.cancel

    def _work_ended(self) -> None:
        self.cancel_button.hide()
        self.busy.setRange(0, 0)  # back to "busy" for the next job

    def _show_progress(self, done: int, total: int) -> None:
        self.busy.setRange(0, max(total, 1))
        self.busy.setValue(done)

    def _check(self, cancel: threading.Event) -> None:
        if cancel.is_set():
            raise CancelledError(_("Cancelled; nothing was written."))

    def current_book(self) -> tuple[int, str, str] | None:
        row = self.book_list.currentRow()
        return self.books[row] if 0 <= row < len(self.books) else None

    def import_register(self) -> None:
        book = self.current_book()
        if book is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import a register"), "", _("Excel workbooks (*.xlsx)")
        )
        if path:
            self.import_register_from(book[0], path)

    def import_register_from(self, book_id: int, path: str) -> None:
        """Import units, owners and households from an Excel sheet into the book, all or nothing
        (the first bad row is refused with its row number and nothing is kept)."""
        user = self.user
        data = Path(path).read_bytes()
        cancel = self._cancellable()

        def rows() -> Iterator[tuple[int, Sequence[object]]]:
            with contextlib.closing(read_sheet(data)) as sheet:
                for row in sheet:
                    self._check(cancel)  # a cancel rolls the whole import back
                    yield row

        def job(session: object) -> str:
            summary = import_electorate(
                session,  # type: ignore[arg-type]
                book_id=book_id,
                rows=rows(),
                actor=user.actor(session),  # type: ignore[arg-type]
                source_sha256=hashlib.sha256(data).hexdigest(),
            )
            return _(
                "Imported {rows} rows into “{book}”: {units} units, {created} new households."
            ).format(
                rows=summary.rows,
                book=summary.book_name,
                units=summary.units_added,
                created=summary.households_created,
            )

        self._run(job, write=True)

    def import_pb_file(self) -> None:
        book = self.current_book()
        if book is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import a Pabulib vote"), "", _("Pabulib files (*.pb)")
        )
        if path:
            self.import_pb_from(book[0], path)

    def import_pb_from(self, book_id: int, path: str) -> None:
        """Import a Pabulib election with its ballots as a vote of the book."""
        user = self.user
        cancel = self._cancellable()

        def job(session: object) -> str:
            election = read_pb_file(path)
            self._check(cancel)
            vote = import_pb(
                session,  # type: ignore[arg-type]
                book_id=book_id,
                election=election,
                actor=user.actor(session),  # type: ignore[arg-type]
                source=Path(path).name,
            )
            self._check(cancel)  # before the transaction commits: nothing is kept
            return _("Imported {file} as vote {id}: {ballots} ballots.").format(
                file=Path(path).name, id=vote.id, ballots=len(election.votes)
            )

        self._run(job, write=True)

    def _run(self, job: Callable[[object], str], *, write: bool) -> None:
        def done(text: str) -> None:
            self._work_ended()
            self.show_message(text)

        def failed(error: BaseException) -> None:
            self._work_ended()
            presenter().show(error)

        (self.database.write if write else self.database.read)(job, done, failed)

    def restore(self) -> None:
        source, _filter = QFileDialog.getOpenFileName(
            self, _("Restore from the backup"), "", _("Gongzhang ledgers (*.sqlite)")
        )
        if not source:
            return
        target, _filter = QFileDialog.getSaveFileName(
            self, _("Restore the backup as"), "", _("Gongzhang ledgers (*.sqlite)")
        )
        if target:
            self.restore_from(source, target)

    def restore_from(self, source: str, target: str) -> None:
        """Copy a backup to ``target`` (never over an existing file), check it, and open it in
        a window of its own; the ledger open now stays as it is."""

        def job(session: object) -> tuple[str, int]:
            del session
            return restore_backup(source, target)

        def done(result: tuple[str, int]) -> None:
            path, entries = result
            self.show_message(
                _("Restored {path}: {n} entries, verified intact.").format(path=path, n=entries)
            )
            self._open_other(path)

        self.database.read(job, done)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.database.close()
        event.accept()


def restore_backup(source: str, target: str) -> tuple[str, int]:
    """Copy the backup ``source`` to ``target`` and verify the copy; refuses to overwrite a file
    and to keep a copy that does not verify. Returns the path and the number of entries."""
    if Path(target).exists():
        raise InvalidInputError(
            _("{path} already exists; restore the backup under a new name.").format(path=target)
        )
    with open_ledger(source) as backup:
        backup_ledger(backup, target)
    with open_ledger(target) as restored, restored.read() as s:
        findings = verify_ledger(s)
        entries = sum(b.head_index for b in list_books(s))
    if findings:
        for suffix in ("", "-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
        raise InvalidInputError(
            _("The backup does not verify ({finding}); it was not restored.").format(
                finding=findings[0]
            )
        )
    return target, entries


def _role(role: str) -> str:
    return Role(role).label
