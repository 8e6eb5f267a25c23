"""The ledger's users (用户): who may do what. Administrators add users with a role and a
password (kept as a memory-hard scrypt hash), reset a forgotten password and disable a user;
everyone changes their own password and sees the list and the role matrix."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from desktop.app.models import ColumnSpec, RowsModel, SortProxy
from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel, plain_question
from ledger.access import PERMISSIONS, Action, action_label
from ledger.domain import Role
from ledger.i18n import N_, _
from ledger.operations.users import (
    ADD_USER,
    CHANGE_PASSWORD,
    DISABLE_USER,
    RESET_PASSWORD,
    AddUser,
    ChangePassword,
    DisableUser,
    ResetPassword,
)
from ledger.services.users import list_users

USER_COLUMNS = (ColumnSpec(N_("User")), ColumnSpec(N_("Name")), ColumnSpec(N_("Role")))


class UsersPage(BookPage):
    """Users are the ledger's, not the book's: the page is the same in every book."""

    title = N_("Users")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.model = RowsModel(USER_COLUMNS)
        proxy = SortProxy()
        proxy.setSourceModel(self.model)
        table = QTableView()
        table.setModel(proxy)
        table.setSortingEnabled(True)
        table.horizontalHeader().setStretchLastSection(True)
        self.username = QLineEdit(placeholderText=_("e.g. li.kuaiji"))
        self.display_name = QLineEdit(placeholderText=_("optional"))
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role.value)
        self.password = QLineEdit(placeholderText=_("at least 8 characters"))
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton(_("Add user"))
        self.add_button.clicked.connect(self.submit)
        allowed = self.user.may(Action.MANAGE_USERS)
        box = QGroupBox(_("Add a user"))
        form = QFormLayout(box)
        form.addRow(_("User name"), self.username)
        form.addRow(_("Name"), self.display_name)
        form.addRow(_("Role"), self.role)
        form.addRow(_("Password"), self.password)
        form.addRow(self.add_button)
        for widget in (self.username, self.display_name, self.role, self.password, self.add_button):
            widget.setEnabled(allowed)
            if not allowed:
                widget.setToolTip(_("Only an administrator may add users."))
        self.table = table
        access = self._access_box(allowed=allowed)
        matrix = PlainLabel(
            "\n".join(
                f"{Role(role).label}: "
                + _(", ").join(action_label(a) for a in Action if Role(role) in PERMISSIONS[a])
                for role in Role
                if role not in (Role.ADMIN, Role.AUDITOR)
            )
            + "\n"
            + _("The auditor reads everything and changes nothing; the administrator may do all.")
        )
        matrix.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(table, 2)
        side = QVBoxLayout()
        side.addWidget(box)
        side.addWidget(access)
        side.addWidget(matrix)
        side.addStretch(1)
        row.addLayout(side, 1)
        QVBoxLayout(self).addLayout(row)

    def _access_box(self, *, allowed: bool) -> QGroupBox:
        self.reset_button = QPushButton(_("Reset the chosen user's password…"))
        self.reset_button.clicked.connect(self.reset_chosen)
        self.disable_button = QPushButton(_("Disable the chosen user"))
        self.disable_button.clicked.connect(self.disable_chosen)
        self.passwd_button = QPushButton(_("Change my password…"))
        self.passwd_button.clicked.connect(self.change_mine)
        access = QGroupBox(_("Passwords and access"))
        layout = QVBoxLayout(access)
        for button in (self.reset_button, self.disable_button):
            button.setEnabled(allowed)
            if not allowed:
                button.setToolTip(_("Only an administrator may reset passwords or disable users."))
            layout.addWidget(button)
        layout.addWidget(self.passwd_button)
        return access

    def refresh(self) -> None:
        def job(session: object) -> list[tuple[str, str, str]]:
            return [
                (u.username, u.display_name, Role(u.role).label)
                for u in list_users(session)  # type: ignore[arg-type]
            ]

        self.database.read(job, self.model.set_rows)

    def submit(self) -> None:
        request = AddUser(
            self.username.text().strip(),
            str(self.role.currentData()),
            self.display_name.text().strip() or None,
            self.password.text(),
        )

        def done(_outcome: object) -> None:
            self.username.clear()
            self.display_name.clear()
            self.password.clear()
            self.refresh()

        self.perform(ADD_USER, request, done)

    def chosen_username(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.message.emit(_("Choose a user in the list first."))
            return None
        return str(self.table.model().index(index.row(), 0).data())

    def ask_password(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Password)
        return text if ok else None

    def ask_new_password(self, whose: str) -> str | None:
        first = self.ask_password(
            _("New password"), _("New password for {user}:").format(user=whose)
        )
        if first is None:
            return None
        again = self.ask_password(_("New password"), _("The same password again:"))
        if again != first:
            self.message.emit(_("The two passwords differ; nothing was changed."))
            return None
        return first

    def reset_chosen(self) -> None:
        name = self.chosen_username()
        new = self.ask_new_password(name) if name else None
        if name is not None and new is not None:
            self.perform(RESET_PASSWORD, ResetPassword(name, new))

    def disable_chosen(self) -> None:
        name = self.chosen_username()
        if name is None:
            return
        if not plain_question(
            self,
            _("Disable a user"),
            _("Disable {name}? They can no longer sign in; what they did stays.").format(name=name),
        ):
            return
        self.perform(DISABLE_USER, DisableUser(name), lambda _outcome: self.refresh())

    def change_mine(self) -> None:
        old = self.ask_password(_("Change my password"), _("Your current password:"))
        new = self.ask_new_password(self.user.username) if old is not None else None
        if old is None or new is None:
            return
        self.perform(CHANGE_PASSWORD, ChangePassword(old, new))
