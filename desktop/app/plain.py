"""Text the app did not write itself (user names, book and donor names, vote titles, memos,
messages that quote them) is shown as it was typed, never read as rich text: a donor called
``<b>x</b><img src=…>`` shows those characters. Every label of the app is a :class:`PlainLabel`,
every message box comes from :func:`plain_box`, and a tooltip quoting stored text goes through
:func:`plain_tip`."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


class PlainLabel(QLabel):
    """A label whose text is always plain text."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)


def plain_box(parent: QWidget | None = None) -> QMessageBox:
    """A message box whose text and informative text are plain text."""
    box = QMessageBox(parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def plain_tip(text: str) -> str:
    """A tooltip that shows ``text`` literally (tooltips guess at rich text otherwise)."""
    return GuiQt.convertFromPlainText(text) if text else ""


def plain_message(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> None:
    """A modal message in plain text (instead of ``QMessageBox.warning`` and its kin, which
    guess at rich text)."""
    box = plain_box(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    box.exec()


def plain_question(parent: QWidget | None, title: str, text: str) -> bool:
    """A modal yes/no question in plain text; True for yes."""
    box = plain_box(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(title)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
