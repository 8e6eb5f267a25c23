"""The main window: the ledger's books in a side panel, the pages of the chosen book in tabs,
File and View menus (language switchable at run time)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
)

from desktop.app.backup_dialogs import (
    BackupSettings,
    BackupSettingsDialog,
    RestoreDialog,
    load_backup_settings,
    restore_question,
    save_backup_settings,
)
from desktop.app.database import Database
from desktop.app.errors import message_of, presenter
from desktop.app.pages.base import BookPage
from desktop.app.pages.dashboard import DashboardPage
from desktop.app.pages.journal import JournalPage
from desktop.app.pages.microfund import ActivitiesPage, DonationsPage, ExpensesPage
from desktop.app.pages.property import BudgetPage, FeesPage, RemunerationPage, UnitsPage
from desktop.app.pages.reports import ReportsPage
from desktop.app.pages.settings import SettingsPage
from desktop.app.pages.users import UsersPage
from desktop.app.pages.village import DistributionsPage, ExitSchedulePage, HouseholdsPage
from desktop.app.pages.votes import VotesPage
from desktop.app.plain import PlainLabel, plain_box
from desktop.app.session import SignedIn
from ledger import i18n
from ledger.backup import (
    BackupInfo,
    RestorePreview,
    backups_folder,
    list_backups,
    require_restorer,
)
from ledger.domain import BookKind, Role
from ledger.errors import CancelledError, InvalidInputError, PermissionDeniedError
from ledger.i18n import _
from ledger.operations.backups import (
    BackedUp,
    BackUp,
    BackupRestored,
    RestoreBackup,
    back_up,
    preview_restore,
    restore,
)
from ledger.operations.votes import IMPORT_ELECTORATE, IMPORT_PB, ImportElectorate, ImportPb
from ledger.services.books import list_books
from reports.electorate_xlsx import read_sheet

PageFactory = type[BookPage]
#: The pages every book has first, then those of its kind.
COMMON_PAGES: list[PageFactory] = [DashboardPage, JournalPage]
#: The pages every book has after those of its kind.
CLOSING_PAGES: list[PageFactory] = [VotesPage, ReportsPage, SettingsPage, UsersPage]
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
        open_other: Callable[[str | None], object] | None = None,
    ) -> None:
        super().__init__()
        self.database = database
        self.user = user
        #: Opens another ledger (None: let the user choose); returns its window if it opened.
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
        self.who = PlainLabel()
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
        self._set_up_backups()
        self.resize(1200, 760)
        self.build_menus()
        self.retranslate()
        self.load_books()
        if self.ledger_path is None:
            self.show_message(_server_backups())

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
            (_("&Automatic backups…"), self.edit_backup_settings),
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
        ledger = self.database.ledger
        # A server's address is shown without its password.
        where = ledger.path or ledger.engine.url.render_as_string(hide_password=True)
        self.setWindowTitle(_("Gongzhang — public accounts") + f" · {where}")
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
        tell = self._progress_teller(self._cancellable())

        def job(session: object) -> str:
            del session
            return back_up(ledger, BackUp(dest=target), progress=tell).sentence()

        self._run(job, write=False)

    def _progress_teller(self, cancel: threading.Event | None) -> Callable[[int, int], None]:
        """A ``progress(done, total)`` for long work on the worker: it fills the status bar's
        progress bar and, when Cancel was pressed, raises to stop the work."""
        relay = self.progress_relay

        def tell(done: int, total: int) -> None:
            if cancel is not None:
                self._check(cancel)
            relay.progress.emit(done, total)  # queued to the UI thread: the bar fills

        return tell

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

        tell = self._progress_teller(cancel)
        # The sheet's rows (owners' and household heads' names) are never written down; the
        # file is recorded by its name, size and SHA-256.
        request = ImportElectorate.of(book_id, Path(path).name, data, rows(), progress=tell)

        def job(session: object) -> str:
            imported = IMPORT_ELECTORATE.perform(
                session,  # type: ignore[arg-type]
                user.actor(session),  # type: ignore[arg-type]
                request,  # the bar fills row by row; Cancel rolls everything back
            )
            return imported.sentence()

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
        tell = self._progress_teller(cancel)

        def job(session: object) -> str:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                raise InvalidInputError(
                    _("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
                ) from exc
            self._check(cancel)
            imported = IMPORT_PB.perform(
                session,  # type: ignore[arg-type]
                user.actor(session),  # type: ignore[arg-type]
                ImportPb(book_id, Path(path).name, data, progress=tell),  # ballot by ballot
            )
            self._check(cancel)  # before the transaction commits: nothing is kept
            return imported.sentence()

        self._run(job, write=True)

    def _run(self, job: Callable[[object], str], *, write: bool) -> None:
        def done(text: str) -> None:
            self._work_ended()
            self.show_message(text)

        def failed(error: BaseException) -> None:
            self._work_ended()
            presenter().show(error)

        (self.database.write if write else self.database.read)(job, done, failed)

    # -- automatic backups and restore ----------------------------------------------------------

    def _set_up_backups(self) -> None:
        """Automatic backups: on a schedule while there are changes, and on closing."""
        self.ledger_path = self.database.ledger.path
        self.backup_settings = (
            load_backup_settings(self.ledger_path) if self.ledger_path else BackupSettings()
        )
        self.changed_since_backup = False
        self.backing_up = False
        self.database.changed.connect(self._note_change)
        self.backup_timer = QTimer(self)
        self.backup_timer.timeout.connect(self.scheduled_backup)
        self._apply_backup_settings()
        #: "open"; "backing up" while the backup on closing runs, "restoring" while a backup
        #: replaces the ledger; "closing" at the end.
        self.closing = "open"
        self.close_question: QMessageBox | None = None
        self.settings_dialog: BackupSettingsDialog | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.restore_question: QMessageBox | None = None

    def _note_change(self) -> None:
        self.changed_since_backup = True

    def _apply_backup_settings(self) -> None:
        settings = self.backup_settings
        self.backup_timer.setInterval(settings.interval_minutes * 60_000)
        if settings.enabled and self.ledger_path is not None:
            self.backup_timer.start()
        else:
            self.backup_timer.stop()

    def edit_backup_settings(self) -> None:
        if self.ledger_path is None:
            self.show_message(_server_backups())
            return
        dialog = BackupSettingsDialog(self, self.ledger_path, self.backup_settings)
        self.settings_dialog = dialog

        def chosen(result: int) -> None:
            if result == QDialog.DialogCode.Accepted and self.ledger_path is not None:
                self.backup_settings = dialog.settings()
                save_backup_settings(self.ledger_path, self.backup_settings)
                self._apply_backup_settings()
                self.show_message(_("Automatic backup settings saved."))

        dialog.finished.connect(chosen)
        dialog.open()

    def current_backups_folder(self) -> Path | None:
        if self.ledger_path is None:
            return None
        return backups_folder(self.ledger_path, self.backup_settings.folder or None)

    def scheduled_backup(self) -> None:
        """The timer's turn: back up if the ledger changed since the last backup."""
        if not self.changed_since_backup or self.backing_up or self.closing != "open":
            return
        if self.ledger_path is None:
            self.show_message(_server_backups())
            return
        self.automatic_backup("schedule")

    def automatic_backup(
        self,
        reason: str,
        then: Callable[[], None] | None = None,
        failed: Callable[[], None] | None = None,
    ) -> None:
        """Back up into the backups folder on the worker, keeping the newest N; a failure is
        shown through the error presenter (then ``failed``)."""
        ledger, settings = self.database.ledger, self.backup_settings
        tell = self._progress_teller(None)
        self.changed_since_backup = False  # changes from now on go into the next backup
        self.backing_up = True

        def job(session: object) -> BackedUp:
            del session
            request = BackUp(folder=settings.folder or None, keep=settings.keep, reason=reason)
            return back_up(ledger, request, progress=tell)

        def done(made: BackedUp) -> None:
            if not shiboken6.isValid(self):
                return
            self.backing_up = False
            self.busy.setRange(0, 0)
            self.show_message(made.sentence())
            if then is not None:
                then()

        def fail(error: BaseException) -> None:
            if not shiboken6.isValid(self):
                return
            self.backing_up = False
            self.changed_since_backup = True
            self.busy.setRange(0, 0)
            presenter().show(error)
            if failed is not None:
                failed()

        self.database.read(job, done, fail)

    def restore(self) -> None:
        """File ▸ Restore: the ledger's backups, newest first (checked on the worker), or any
        backup file; the chosen one replaces the open ledger."""
        path, folder = self.ledger_path, self.current_backups_folder()
        if path is None or folder is None:
            self.show_message(_server_backups())
            return
        if not self._may_restore():
            return
        dialog = RestoreDialog(self, path, folder)
        self.restore_dialog = dialog
        settings = self.backup_settings

        def job(session: object) -> list[BackupInfo]:
            del session
            return list_backups(path, folder=settings.folder or None)

        def listed(backups: list[BackupInfo]) -> None:
            if shiboken6.isValid(dialog):
                dialog.set_backups(backups)

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(dialog):
                dialog.listing_failed(message_of(error))

        def chosen(result: int) -> None:
            if result == QDialog.DialogCode.Accepted and dialog.chosen is not None:
                self.confirm_restore(str(dialog.chosen))

        dialog.finished.connect(chosen)
        dialog.open()
        self.database.read(job, listed, failed)

    def _may_restore(self) -> bool:
        """Only an administrator restores; anyone else is told so (through the presenter)."""
        try:
            require_restorer(self.user.username, self.user.role)
        except PermissionDeniedError as exc:
            presenter().show(exc)
            return False
        return True

    def confirm_restore(self, backup: str) -> None:
        """Say what restoring ``backup`` would undo (the entries of each book and the audit
        events recorded after it, read on the worker) and restore only when the user agrees."""
        path = self.ledger_path
        if path is None:
            self.show_message(_server_backups())
            return
        if not self._may_restore():
            return

        def job(session: object) -> RestorePreview:
            del session
            return preview_restore(RestoreBackup(backup, str(path)))

        def ask(preview: RestorePreview) -> None:
            if not shiboken6.isValid(self):
                return
            box, restore_button = restore_question(self, preview)
            box.buttonClicked.connect(
                lambda button: self.restore_from(backup) if button is restore_button else None
            )
            self.restore_question = box
            box.open()

        self.database.read(job, ask, presenter().show)

    def restore_from(self, backup: str) -> None:
        """Put ``backup`` in the place of the open ledger once it is checked (it must open and
        verify); the ledger as it was is kept in the backups folder. The window then closes
        and opens again on the restored ledger. A refusal changes nothing."""
        ledger, path = self.database.ledger, self.ledger_path
        if path is None:
            self.show_message(_server_backups())
            return
        if not self._may_restore():
            return
        folder = self.backup_settings.folder or None
        self.closing = "restoring"  # no scheduled backup, no closing, until it is done

        request = RestoreBackup(backup, str(path), folder)
        user = self.user

        def job(session: object) -> BackupRestored:
            del session  # not used: no connection is open on the file while it is replaced
            ledger.engine.dispose()
            return restore(user.actor, request)

        def done(restored: BackupRestored) -> None:
            self._work_ended()
            text = restored.sentence()
            self.closing = "closing"  # the copy kept before the restore stands for a backup
            self.database.close()
            other = self.open_other(str(path)) if self.open_other is not None else None
            if isinstance(other, MainWindow):
                other.show_message(text)
            else:
                self.show_message(text)
            self.close()

        def failed(error: BaseException) -> None:
            self._work_ended()
            self.closing = "open"
            presenter().show(error)

        self.show_message(_("Checking the backup and restoring it…"))
        self.database.read(job, done, failed)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Closing backs the ledger up first when it changed since the last backup (on the
        worker; the window closes when that is done). If the backup fails, the error is shown
        and the window closes only once the user says so."""
        if self.closing in ("backing up", "restoring"):
            event.ignore()
            return
        if (
            self.closing == "open"
            and self.backup_settings.enabled
            and self.ledger_path is not None
            and self.changed_since_backup
        ):
            event.ignore()
            self.closing = "backing up"
            self.show_message(_("Backing up before closing…"))
            self.automatic_backup("close", then=self._close_now, failed=self._ask_to_close)
            return
        self.closing = "closing"
        self.backup_timer.stop()
        self.database.close()
        event.accept()

    def _close_now(self) -> None:
        self.closing = "closing"
        self.close()

    def _ask_to_close(self) -> None:
        box = plain_box(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(_("Close without a backup?"))
        box.setText(_("The automatic backup before closing was not made. Close anyway?"))
        close_button = box.addButton(_("Close anyway"), QMessageBox.ButtonRole.DestructiveRole)
        stay = box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        self.close_question = box

        def answered() -> None:
            self.close_question = None
            if box.clickedButton() is close_button:
                self._close_now()
            else:
                self.closing = "open"

        box.finished.connect(answered)
        box.open()


def _server_backups() -> str:
    return _(
        "Automatic backups are made of ledger files; back up a database server with its own tools."
    )


def _role(role: str) -> str:
    return Role(role).label
