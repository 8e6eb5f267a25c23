"""Backing up and restoring (备份与恢复) — the two actions on the ledger file itself.

They differ from the other operations in one way: they work on the file, not inside one of its
transactions (a restore replaces the file; a backup copies it while others may read). So they
are functions, not :class:`~ledger.operations.Operation`\\ s, with the same shape: a typed request
in, a typed outcome out that words its own sentence and JSON, shared by the command line and
the app. A backup is a read, open to anyone who can read the ledger. A restore undoes whatever
was recorded after the backup, so the actor must prove, with their password, that they are an
administrator — of the ledger, or of the backup when there is no readable ledger.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.backup import (
    DEFAULT_KEEP,
    Restored,
    RestorePreview,
    automatic_backup,
    backup_ledger,
    opened_backup_copy,
    require_restorer,
    restore_backup,
    restore_preview,
)
from ledger.db import DEFAULT_BUSY_TIMEOUT_S, Seconds
from ledger.errors import InvalidInputError, LedgerFileError
from ledger.i18n import _
from ledger.operations import Credentials, prove

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.db import Ledger
    from ledger.models import AppUser

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BackUp:
    """Copy the ledger: to ``dest``, or (no ``dest``) into its backups folder as a dated file,
    keeping the newest ``keep`` automatic ones (``folder``: another backups folder).
    ``reason`` says why an automatic one was taken (manual, schedule, close)."""

    dest: str | None = None
    folder: str | None = None
    keep: int | None = None
    reason: str = "manual"


@dataclass(frozen=True, slots=True)
class BackedUp:
    """A backup made, and the older automatic backups removed to keep the newest N;
    ``automatic``: taken by the app on its own (on schedule, or on closing)."""

    path: Path
    removed: tuple[Path, ...] = ()
    automatic: bool = False

    def sentence(self) -> str:
        text = (
            _("Backed up automatically to {dest}.") if self.automatic else _("Backed up to {dest}.")
        ).format(dest=self.path)
        if self.removed:
            text += " " + _("Removed {n} older backups: {names}.").format(
                n=len(self.removed), names=", ".join(p.name for p in self.removed)
            )
        return text

    def as_json(self) -> dict[str, Any]:
        return {"backup": str(self.path), "removed": [str(p) for p in self.removed]}


def back_up(ledger: Ledger, request: BackUp, progress: Progress | None = None) -> BackedUp:
    """Back the ledger up as asked (see :class:`BackUp`); ``progress(done, total)`` is told
    page by page and may raise to stop (the partial copy is then removed)."""
    if request.dest is not None:
        if request.keep is not None or request.folder is not None:
            raise InvalidInputError(
                _("--keep and --folder are for the backups folder; leave out DEST to use them.")
            )
        return BackedUp(backup_ledger(ledger, request.dest, progress=progress))
    made = automatic_backup(
        ledger,
        folder=request.folder,
        keep=DEFAULT_KEEP if request.keep is None else request.keep,
        reason=request.reason,
        progress=progress,
    )
    return BackedUp(made.path, made.removed, automatic=request.reason != "manual")


@dataclass(frozen=True, slots=True)
class RestoreBackup:
    """Put the backup file ``backup`` in the place of the ledger file ``ledger`` (the ledger as
    it was is kept in the backups folder, or ``folder``)."""

    backup: str
    ledger: str
    folder: str | None = None


@dataclass(frozen=True, slots=True)
class BackupRestored:
    """A restore done, with what it undid (the preview taken just before)."""

    restored: Restored
    preview: RestorePreview

    def sentence(self) -> str:
        text = _("Restored {backup} into {path}: {n} entries, verified intact.").format(
            backup=self.restored.backup.name,
            path=self.restored.ledger,
            n=self.restored.entries,
        )
        if self.restored.set_aside is not None:
            text += " " + _("The ledger as it was is kept as {path}.").format(
                path=self.restored.set_aside
            )
        return text

    def as_json(self) -> dict[str, Any]:
        preview = self.preview
        return {
            "ledger": str(self.restored.ledger),
            "backup": str(self.restored.backup),
            "set_aside": str(self.restored.set_aside) if self.restored.set_aside else None,
            "entries": self.restored.entries,
            "undone": {
                "entries": preview.lost_entries,
                "audit_events": preview.lost_events,
                "books": [
                    {"book": b.book, "entries": b.entries, "newest": list(b.newest)}
                    for b in preview.lost_books
                ],
            },
        }


Who = Credentials | Callable[["Session"], "AppUser"]


def check_restorer(
    who: Who, request: RestoreBackup, *, busy_timeout: Seconds = DEFAULT_BUSY_TIMEOUT_S
) -> None:
    """Refuse unless ``who`` proves to be an administrator of the ledger — or of the backup,
    when there is no ledger file or it cannot be opened (a lost ledger is restored by the
    backup's own administrator)."""
    from ledger.db import open_ledger  # noqa: PLC0415 - the database layer loads late

    try:
        source = open_ledger(request.ledger, busy_timeout=busy_timeout)
    except LedgerFileError:
        source = None
    with contextlib.ExitStack() as stack:
        opened = stack.enter_context(source or opened_backup_copy(request.backup))
        with opened.read() as session:
            actor = prove(session, who) if isinstance(who, Credentials) else who(session)
            require_restorer(actor.username, actor.role)


def preview_restore(request: RestoreBackup) -> RestorePreview:
    """What the restore would undo: the entries of each book and the audit events recorded in
    the ledger after the backup (to be shown before the user agrees)."""
    return restore_preview(request.backup, os.fspath(request.ledger))


def restore(
    who: Who, request: RestoreBackup, *, busy_timeout: Seconds = DEFAULT_BUSY_TIMEOUT_S
) -> BackupRestored:
    """The whole door for a restore: the actor is proven an administrator, what it undoes is
    counted, and the checked backup replaces the ledger. A refusal changes nothing."""
    check_restorer(who, request, busy_timeout=busy_timeout)
    preview = preview_restore(request)
    restored = restore_backup(request.backup, request.ledger, folder=request.folder)
    return BackupRestored(restored, preview)


__all__ = [
    "BackUp",
    "BackedUp",
    "BackupRestored",
    "RestoreBackup",
    "back_up",
    "check_restorer",
    "preview_restore",
    "restore",
]
