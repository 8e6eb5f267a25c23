"""The ledger's users (用户): who may do what. Administrators add users with a role and a
password (kept as a memory-hard scrypt hash); everyone sees the list and the role matrix."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from desktop.app.models import ColumnSpec, RowsModel, SortProxy
from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel
from ledger.access import PERMISSIONS, Action, action_label
from ledger.domain import Role
from ledger.i18n import N_, _
from ledger.services.users import create_user, list_users

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
        self.password = QLineEdit(placeholderText=_("optional"))
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
        side.addWidget(matrix)
        side.addStretch(1)
        row.addLayout(side, 1)
        QVBoxLayout(self).addLayout(row)

    def refresh(self) -> None:
        def job(session: object) -> list[tuple[str, str, str]]:
            return [
                (u.username, u.display_name, Role(u.role).label)
                for u in list_users(session)  # type: ignore[arg-type]
            ]

        self.database.read(job, self.model.set_rows)

    def submit(self) -> None:
        username = self.username.text().strip()
        display = self.display_name.text().strip() or None
        role = str(self.role.currentData())
        password = self.password.text() or None
        user = self.user

        def job(session: object) -> str:
            made = create_user(
                session,  # type: ignore[arg-type]
                username=username,
                role=role,
                display_name=display,
                password=password,
                actor=user.actor(session),  # type: ignore[arg-type]
            )
            return made.username

        def done(name: str) -> None:
            self.username.clear()
            self.display_name.clear()
            self.password.clear()
            self.message.emit(_("Added user {name}.").format(name=name))
            self.refresh()

        self.database.write(job, done)
