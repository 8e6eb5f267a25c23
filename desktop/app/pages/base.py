"""What every page of a book shares: the database, the book, the signed-in user, and a way to
refresh after any change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget
from sqlmodel import Session

from desktop.app.database import Database
from desktop.app.session import SignedIn
from ledger.operations import Operation, Outcome


class BookPage(QWidget):
    """A page about one book. ``refresh`` reloads its data (on the worker); the main window
    calls it when the page is shown and after every write."""

    #: The tab's title, an English message id (translated when the tab is made).
    title = ""
    #: A sentence for the status bar (what was just done).
    message = Signal(str)

    def __init__(self, database: Database, book_id: int, book_kind: str, user: SignedIn) -> None:
        super().__init__()
        self.database = database
        self.book_id = book_id
        self.book_kind = book_kind
        self.user = user

    def perform(
        self,
        operation: Operation[Any, Any],
        request: object,
        then: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException], None] | None = None,
    ) -> int:
        """Perform an operation as the signed-in user on the worker (the same operation the
        command line runs); its outcome's sentence goes to the status bar, then ``then`` is
        called with the outcome."""
        user = self.user

        def job(session: Session) -> Outcome:
            outcome: Outcome = operation.perform(session, user.actor(session), request)
            return outcome

        def done(outcome: Outcome) -> None:
            self.message.emit(outcome.sentence())
            if then is not None:
                then(outcome)

        return self.database.write(job, done, failed)

    def refresh(self) -> None:
        """Reload what the page shows."""
