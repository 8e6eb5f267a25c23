"""The one error presenter: every refusal and every unexpected failure reaches the user here,
as one sentence they can act on (the services' messages are written for that)."""

from __future__ import annotations

import traceback

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget
from sqlalchemy.exc import SQLAlchemyError

from desktop.app.plain import plain_box
from ledger.errors import GongzhangError, PermissionDeniedError
from ledger.i18n import _


def message_of(error: BaseException) -> str:
    """What the user reads about ``error``."""
    if isinstance(error, GongzhangError):
        return str(error)
    if isinstance(error, SQLAlchemyError):
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        return _("The database refused the operation ({reason}); nothing was written.").format(
            reason=reason
        )
    return _("Something unexpected went wrong ({error}); nothing was written.").format(
        error=type(error).__name__
    )


class ErrorPresenter(QObject):
    """Shows errors in a message box (window-modal, so the app never blocks on it) and tells
    whoever listens (the status bar, the tests) what was said."""

    shown = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.parent_widget: QWidget | None = None
        self.last: str | None = None

    def show(self, error: BaseException) -> None:
        text = message_of(error)
        self.last = text
        refused = isinstance(error, GongzhangError)
        parent = self.parent_widget
        box = plain_box(parent if parent is not None and shiboken6.isValid(parent) else None)
        box.setIcon(QMessageBox.Icon.Warning if refused else QMessageBox.Icon.Critical)
        box.setWindowTitle(
            _("Not allowed") if isinstance(error, PermissionDeniedError)
            else _("Cannot do that") if refused else _("Error")
        )  # fmt: skip
        box.setText(text)
        if not refused:
            box.setDetailedText("".join(traceback.format_exception(error)))
        box.open()
        self.shown.emit(text)


_PRESENTER: ErrorPresenter | None = None


def presenter() -> ErrorPresenter:
    global _PRESENTER  # noqa: PLW0603 - one presenter per app
    if _PRESENTER is None:
        _PRESENTER = ErrorPresenter()
    return _PRESENTER
