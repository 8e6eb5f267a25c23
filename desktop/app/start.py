"""Starting the app: open a ledger (or offer to create one, open one, or open the demo), sign
in when the ledger has more than one user, and show the main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)
from sqlmodel import Session

from desktop.app.database import Database
from desktop.app.errors import presenter
from desktop.app.launch import CannotStart, keep_crash_reports, start_application
from desktop.app.main_window import MainWindow, recent_files, remember_recent
from desktop.app.plain import PlainLabel, plain_message
from desktop.app.session import SignedIn, signed_in
from desktop.fonts import use_bundled_font_if_needed
from desktop.system_libraries import EXIT_CANNOT_START
from ledger import i18n
from ledger.db import default_ledger_path, open_ledger
from ledger.domain import Role
from ledger.errors import GongzhangError
from ledger.i18n import _
from ledger.operations import ledgers
from ledger.services.users import (
    authenticate,
    get_user,
    give_signing_key,
    list_users,
)


def demo_path() -> Path:
    return default_ledger_path().with_name("demo.sqlite")


def make_demo(path: Path) -> None:
    """Build the demo ledger at ``path`` (replacing an old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    ledgers.make_demo(ledgers.MakeDemo(str(path), replace=True))


def create_ledger(path: Path, admin: str, password: str) -> None:
    """A new, empty ledger with its first administrator and their password."""
    ledgers.create_ledger(ledgers.CreateLedger(str(path), admin, password))


class StartDialog(QDialog):
    """First run (or no ledger named): create a ledger, open one, or open the demo."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(_("Gongzhang — public accounts"))
        self.setMinimumWidth(420)
        self.chosen: str | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(PlainLabel(_("Welcome. Which ledger do you want to work on?")))
        for text, slot in (
            (_("Create a new ledger…"), self.create_ledger),
            (_("Open a ledger…"), self.open_file),
            (_("Open the demo ledger (three real cases)"), self.open_demo),
        ):
            button = QPushButton(text)
            button.setMinimumHeight(36)  # a first run's three choices, easy to hit
            button.clicked.connect(slot)
            layout.addWidget(button)
        self.recent = QListWidget()
        for path in recent_files():
            self.recent.addItem(path)
        if self.recent.count():
            layout.addWidget(PlainLabel(_("Recently opened:")))
            layout.addWidget(self.recent)
            self.recent.itemActivated.connect(lambda item: self._choose(item.text()))

    def _choose(self, path: str) -> None:
        self.chosen = path
        self.accept()

    def create_ledger(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            _("Create a ledger"),
            str(default_ledger_path()),
            _("Gongzhang ledgers (*.sqlite)"),
        )
        if not path:
            return
        admin, ok = QInputDialog.getText(
            self, _("First administrator"), _("User name of the administrator:"), text="admin"
        )
        if not ok or not admin.strip():
            return
        password = self.ask_new_password(admin.strip())
        if password is None:
            return
        try:
            create_ledger(Path(path), admin.strip(), password)
        except GongzhangError as exc:
            presenter().show(exc)
            return
        self._choose(path)

    def ask_new_password(self, admin: str) -> str | None:
        """The first administrator's password, typed twice (every change needs it later)."""
        echo = QLineEdit.EchoMode.Password
        first, ok = QInputDialog.getText(
            self,
            _("First administrator"),
            _("Password for {user} (at least 8 characters):").format(user=admin),
            echo,
        )
        if not ok:
            return None
        again, ok = QInputDialog.getText(
            self, _("First administrator"), _("The same password again:"), echo
        )
        if not ok:
            return None
        if again != first:
            QMessageBox.warning(
                self, _("First administrator"), _("The two passwords differ; try again.")
            )
            return self.ask_new_password(admin)
        return first

    def open_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Open a ledger"), "", _("Gongzhang ledgers (*.sqlite);;All files (*)")
        )
        if path:
            self._choose(path)

    def open_demo(self) -> None:
        path = demo_path()
        if not path.exists():
            make_demo(path)
        self._choose(str(path))


class SignInDialog(QDialog):
    """Choose who you are and give your password."""

    def __init__(self, users: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.setWindowTitle(_("Sign in"))
        self.setMinimumWidth(420)
        self.user = QComboBox()
        for username, display, role in users:
            self.user.addItem(f"{display or username} ({Role(role).label})", username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(self)
        form.addRow(_("User"), self.user)
        form.addRow(_("Password"), self.password)
        # Our own words on the buttons: Qt's standard ones stay English without Qt's catalogs.
        buttons = QDialogButtonBox()
        buttons.addButton(_("Sign in"), QDialogButtonBox.ButtonRole.AcceptRole).setDefault(True)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def sign_in(session: Session, username: str | None, password: str | None) -> SignedIn:
    """The signed-in user: ``username`` (or the only user) with its password."""
    if username is None:
        users = list_users(session)
        if len(users) != 1:
            raise GongzhangError(_("Say who you are."))
        username = users[0].username
    return signed_in(authenticate(session, username, password))


def open_main_window(
    path: str, username: str | None = None, password: str | None = None
) -> MainWindow | None:
    """Open the ledger at ``path`` and show its main window; ask who is signing in when it has
    several users. Returns None when the user gives up."""
    ledger = open_ledger(path)
    with ledger.read() as s:
        users = [(u.username, u.display_name, u.role) for u in list_users(s)]
    if password is None:  # as on the command line, a script may give it in the environment
        password = os.environ.get("GONGZHANG_PASSWORD")
    while True:
        if password is None:
            dialog = SignInDialog(users)
            if username is not None:
                dialog.user.setCurrentIndex(max(0, dialog.user.findData(username)))
            if dialog.exec() != QDialog.DialogCode.Accepted:
                ledger.close()
                return None
            username, password = dialog.user.currentData(), dialog.password.text()
        try:
            with ledger.read() as s:
                user = sign_in(s, username, password)
            if user.needs_key:
                # A user from before signing keys gets one at sign-in, as on the command line.
                with ledger.write() as s:
                    give_signing_key(s, get_user(s, user.username), password)
            break
        except GongzhangError as exc:
            plain_message(None, QMessageBox.Icon.Warning, _("Sign in"), str(exc))
            username = password = None
    remember_recent(str(Path(path).resolve()))
    window = MainWindow(Database(ledger), user, open_other=_reopen)
    window.show()
    return window


_windows: list[MainWindow] = []


def _reopen(path: str | None) -> MainWindow | None:
    """Open another ledger (None: ask which) in a window of its own; the window, if it opened."""
    if path is None:
        dialog = StartDialog()
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
            return None
        path = dialog.chosen
    try:
        window = open_main_window(path)
    except GongzhangError as exc:
        presenter().show(exc)
        return None
    if window is not None:
        _windows.append(window)
    return window


def run_app(
    path: str | None = None, user: str | None = None, *, language_given: bool = False
) -> int:
    """``gongzhang gui [PATH]``: the app's event loop. The language chosen in the app (View ▸
    Language) is kept for the next start unless ``--lang`` said otherwise (``language_given``).
    When no window can be opened here, one line says why and the exit status is
    :data:`~desktop.system_libraries.EXIT_CANNOT_START`."""
    saved = QSettings("Gongzhang", "Gongzhang").value("language")
    if saved and not language_given:
        i18n.set_language(str(saved))
    keep_crash_reports()
    try:
        app = start_application(sys.argv[0] if sys.argv else "gongzhang")
    except CannotStart as exc:
        print(exc, file=sys.stderr)
        return EXIT_CANNOT_START
    app.setApplicationName("Gongzhang")
    use_bundled_font_if_needed(app)
    if path is None:
        dialog = StartDialog()
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
            return 0
        path = dialog.chosen
    try:
        window = open_main_window(path, user)
    except GongzhangError as exc:
        plain_message(None, QMessageBox.Icon.Critical, _("Gongzhang"), str(exc))
        return 1
    if window is None:
        return 0
    _windows.append(window)
    return int(app.exec())
