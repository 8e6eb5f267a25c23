"""A book's settings (账套设置): each with its current value and its default. An administrator
changes one and saves it — through the same operation as ``gongzhang setting set`` — typed the
way it is shown: an amount as money (1,000.00), a rate as a percentage (15%), a choice from the
list. Everyone else sees the values, not an editor."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app.pages.base import BookPage
from desktop.app.plain import PlainLabel
from ledger.access import Action
from ledger.i18n import N_, _
from ledger.operations.settings import CHANGE_SETTING, ChangeSetting
from ledger.services.settings import SETTINGS, SettingRow, book_settings


def _capital(label: str) -> str:
    """A setting's label as the start of a line (labels are written to sit inside messages)."""
    return label[:1].upper() + label[1:]


@dataclass
class SettingEditor:
    """One setting's row of the page."""

    key: str
    label: PlainLabel
    editor: QLineEdit | QComboBox
    default: PlainLabel
    save: QPushButton

    def text(self) -> str:
        if isinstance(self.editor, QComboBox):
            return str(self.editor.currentData())
        return self.editor.text().strip()

    def show(self, row: SettingRow) -> None:
        self.label.setText(_capital(row.label))
        if isinstance(self.editor, QComboBox):
            self.editor.setCurrentIndex(self.editor.findData(row.stored))
        else:
            self.editor.setText(row.value)
        self.default.setText(
            _("default: {value}").format(value=row.default)
            + ("" if row.is_default else " " + _("(changed)"))
        )


class SettingsPage(BookPage):
    """The book's settings, one row each: label, value (an editor for an administrator),
    default, and a button that saves that one setting."""

    title = N_("Settings")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.allowed = self.user.may(Action.MANAGE_BOOKS)
        box = QGroupBox(_("Settings of this book"))
        grid = QGridLayout(box)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 1)
        grid.setHorizontalSpacing(16)
        self.rows: dict[str, SettingEditor] = {}
        mine = [(k, d) for k, d in SETTINGS.items() if d.applies_to(self.book_kind)]
        for line, (key, definition) in enumerate(mine):
            editor: QLineEdit | QComboBox
            if definition.choices:
                editor = QComboBox()
                for choice in definition.choices:
                    editor.addItem(definition.choice_label(choice), choice)
            else:
                editor = QLineEdit()
                editor.returnPressed.connect(lambda k=key: self.save(k))
            editor.setMinimumWidth(180)
            save = QPushButton(_("Save"))
            save.clicked.connect(lambda _checked=False, k=key: self.save(k))
            label = _(definition.label)
            row = SettingEditor(
                key, PlainLabel(label[:1].upper() + label[1:]), editor, PlainLabel(), save
            )
            row.label.setWordWrap(True)
            row.label.setMinimumWidth(240)
            row.label.setToolTip(key)
            for widget in (editor, save):
                widget.setEnabled(self.allowed)
                if not self.allowed:
                    widget.setToolTip(_("Only an administrator may change a book's settings."))
            grid.addWidget(row.label, line, 0)
            grid.addWidget(editor, line, 1)
            grid.addWidget(row.default, line, 2)
            grid.addWidget(save, line, 3)
            self.rows[key] = row
        hint = PlainLabel(
            _(
                "Amounts are typed as money (1,000.00); rates and shares as a percentage (15%) "
                "or in basis points (1500). Each change is recorded in the audit trail."
            )
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addWidget(hint)
        if not self.allowed:
            refusal = PlainLabel(_("Only an administrator may change a book's settings."))
            layout.addWidget(refusal)
        layout.addStretch(1)
        self.form: QWidget = box

    def refresh(self) -> None:
        book_id = self.book_id

        def job(session: object) -> list[SettingRow]:
            return book_settings(session, book_id)  # type: ignore[arg-type]

        self.database.read(job, self.show_rows)

    def show_rows(self, rows: list[SettingRow]) -> None:
        for row in rows:
            if row.key in self.rows:
                self.rows[row.key].show(row)

    def save(self, key: str) -> None:
        """Save one setting as typed; a refusal is shown in one message and the typed value
        stays, to be corrected."""
        request = ChangeSetting(self.book_id, key, self.rows[key].text())
        self.perform(CHANGE_SETTING, request, then=lambda _outcome: self.refresh())
