"""Automatic backups in the app: their settings (kept on this machine, for each ledger file,
since the backups are files on this machine) and the dialog that restores one of them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.app.models import ColumnSpec, RowsModel
from desktop.app.plain import PlainLabel, plain_box
from ledger.backup import DEFAULT_KEEP, BackupInfo, RestorePreview, backups_folder, size_text
from ledger.i18n import N_, _

#: Minutes between scheduled backups (made only when the ledger changed in the meantime).
DEFAULT_INTERVAL_MINUTES = 30
MAX_KEEP = 1000
INTERVAL_RANGE = (5, 24 * 60)  # minutes


@dataclass(frozen=True, slots=True)
class BackupSettings:
    """How the app backs up one ledger file. ``folder`` empty: next to the ledger."""

    enabled: bool = True
    keep: int = DEFAULT_KEEP
    interval_minutes: int = DEFAULT_INTERVAL_MINUTES
    folder: str = ""


def _group(ledger_path: Path) -> str:
    digest = hashlib.sha256(str(ledger_path.expanduser().resolve()).encode()).hexdigest()
    return f"backups/{digest[:16]}"


def load_backup_settings(ledger_path: Path) -> BackupSettings:
    """The settings of ``ledger_path`` on this machine (the defaults until changed)."""
    store = QSettings("Gongzhang", "Gongzhang")
    group = _group(ledger_path)
    default = BackupSettings()

    def number(key: str, fallback: int, low: int, high: int) -> int:
        value = store.value(f"{group}/{key}", fallback)
        try:
            return min(max(int(str(value)), low), high)
        except ValueError:
            return fallback

    enabled = store.value(f"{group}/enabled", default.enabled)
    return BackupSettings(
        enabled=str(enabled).lower() not in ("false", "0", "no"),
        keep=number("keep", default.keep, 1, MAX_KEEP),
        interval_minutes=number("interval_minutes", default.interval_minutes, *INTERVAL_RANGE),
        folder=str(store.value(f"{group}/folder", "") or ""),
    )


def save_backup_settings(ledger_path: Path, settings: BackupSettings) -> None:
    store = QSettings("Gongzhang", "Gongzhang")
    group = _group(ledger_path)
    store.setValue(f"{group}/ledger", str(ledger_path.expanduser().resolve()))
    store.setValue(f"{group}/enabled", settings.enabled)
    store.setValue(f"{group}/keep", settings.keep)
    store.setValue(f"{group}/interval_minutes", settings.interval_minutes)
    store.setValue(f"{group}/folder", settings.folder)


class BackupSettingsDialog(QDialog):
    """Automatic backups of the open ledger: on or off, how many to keep, how often, where."""

    def __init__(self, parent: QWidget | None, ledger_path: Path, settings: BackupSettings) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Automatic backups"))
        self.ledger_path = ledger_path
        self.enabled = QCheckBox(_("Back up automatically on closing and on a schedule"))
        self.enabled.setChecked(settings.enabled)
        self.keep = QSpinBox()
        self.keep.setRange(1, MAX_KEEP)
        self.keep.setValue(settings.keep)
        self.keep.setSuffix(" " + _("backups"))
        self.keep.setMaximumWidth(160)
        self.interval = QSpinBox()
        self.interval.setRange(*INTERVAL_RANGE)
        self.interval.setSuffix(" " + _("minutes"))
        self.interval.setValue(settings.interval_minutes)
        self.interval.setMaximumWidth(160)
        self.folder = QLineEdit(settings.folder)
        self.folder.setPlaceholderText(str(backups_folder(ledger_path)))
        self.folder.setMinimumWidth(360)
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self.choose_folder)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.enabled)
        form.addRow(_("Keep the newest"), self.keep)
        form.addRow(_("Back up every"), self.interval)
        form.addRow(_("Backups folder"), where)
        note = PlainLabel(
            _(
                "A backup is made when the ledger has changed since the last one. Only the "
                "dated backups made here are ever removed; other files in the folder are left "
                "alone. For safety from a broken disk, choose a folder on another disk."
            )
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox()
        buttons.addButton(_("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, _("Backups folder"), self.folder.text() or str(self.ledger_path.parent)
        )
        if folder:
            self.folder.setText(folder)

    def settings(self) -> BackupSettings:
        return BackupSettings(
            enabled=self.enabled.isChecked(),
            keep=self.keep.value(),
            interval_minutes=self.interval.value(),
            folder=self.folder.text().strip(),
        )


BACKUP_COLUMNS = (
    ColumnSpec(N_("Taken")),
    ColumnSpec(N_("Kind")),
    ColumnSpec(N_("Size")),
    ColumnSpec(N_("Check")),
)


def backup_cells(backup: BackupInfo) -> tuple[str, str, str, str]:
    check = (
        _("not checked")
        if backup.verified is None
        else _("intact")
        if backup.verified
        else _("does NOT verify")
    )
    return (
        backup.taken.strftime("%Y-%m-%d %H:%M:%S"),
        _("automatic") if backup.automatic else _("before a restore"),
        size_text(backup.size),
        check,
    )


class RestoreDialog(QDialog):
    """The ledger's backups, newest first, checked as a restore would check them; or any other
    backup file. ``chosen`` is the file to restore when the dialog is accepted."""

    def __init__(self, parent: QWidget | None, ledger_path: Path, folder: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Restore from a backup"))
        self.ledger_path = ledger_path
        self.backups: list[BackupInfo] = []
        self.chosen: Path | None = None
        intro = PlainLabel(
            _(
                "The backup takes the place of {ledger}. The ledger as it is now is kept in "
                "{folder}, so a restore can be undone. The window then opens again on the "
                "restored ledger."
            ).format(ledger=ledger_path.name, folder=folder)
        )
        intro.setWordWrap(True)
        self.model = RowsModel(BACKUP_COLUMNS)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        self.view.setMinimumSize(560, 220)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.view.doubleClicked.connect(lambda _index: self.restore_selected())
        self.status = PlainLabel(_("Checking the backups…"))
        self.status.setWordWrap(True)
        self.other = QPushButton(_("Choose another file…"))
        self.other.clicked.connect(self.choose_file)
        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton(
            _("Restore"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self.restore_selected)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.other)
        row.addStretch(1)
        row.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        layout.addLayout(row)

    def set_backups(self, backups: list[BackupInfo]) -> None:
        """Show the backups (newest first, as listed); the newest that verifies is selected."""
        self.backups = list(backups)
        self.model.set_rows([backup_cells(b) for b in self.backups])
        if not self.backups:
            self.status.setText(
                _("No automatic backups of this ledger yet; choose a backup file instead.")
            )
            return
        self.status.setText("")
        good = next((i for i, b in enumerate(self.backups) if b.verified is not False), None)
        if good is not None:
            self.view.selectRow(good)

    def listing_failed(self, message: str) -> None:
        self.status.setText(message)

    def selected(self) -> BackupInfo | None:
        rows = self.view.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _selected(self) -> None:
        backup = self.selected()
        self.restore_button.setEnabled(backup is not None and backup.verified is not False)
        if backup is not None and backup.problem:
            self.status.setText(backup.problem)
        elif backup is not None:
            self.status.setText(str(backup.path))

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is None or backup.verified is False:
            return
        self.chosen = backup.path
        self.accept()

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Restore from the backup"),
            str(self.ledger_path.parent),
            _("Gongzhang ledgers (*.sqlite);;All files (*)"),
        )
        if path:
            self.chosen = Path(path)
            self.accept()


def restore_question(
    parent: QWidget, preview: RestorePreview
) -> tuple[QMessageBox, QAbstractButton]:
    """The question asked before a restore, saying what it would undo (the entries of each book
    and the audit events recorded after the backup); the box and its Restore button."""
    box = plain_box(parent)
    box.setIcon(QMessageBox.Icon.Warning if preview.loses_anything else QMessageBox.Icon.Question)
    box.setWindowTitle(_("Restore from a backup"))
    box.setText(_("Restore this backup in the place of the open ledger?"))
    box.setInformativeText("\n".join(preview.lines()))
    restore = box.addButton(_("Restore"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    return box, restore
