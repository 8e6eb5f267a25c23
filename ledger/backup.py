"""Online backup of a ledger file (SQLite's backup API): a consistent copy while others work."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ledger.db import Ledger, open_ledger
from ledger.errors import InvalidInputError, LedgerFileError
from ledger.i18n import _


def backup_ledger(
    ledger: Ledger,
    dest: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Copy the ledger to ``dest`` page by page while it stays open, then check that the copy
    opens as a ledger. The copy is written under a temporary name and renamed when complete,
    so an interrupted backup never leaves a half-written file under the chosen name.
    ``progress(pages_done, pages_total)`` is told as pages are copied; if it raises, the backup
    stops and the partial copy is removed (that is how a cancel works)."""
    if ledger.path is None:
        raise InvalidInputError(
            _(
                "Backups to a file are made of SQLite ledgers; back up a database server with "
                "its own tools."
            )
        )
    target = Path(dest).expanduser()
    if target.resolve() == ledger.path.resolve():
        raise InvalidInputError(_("The backup must go to another file than the ledger itself."))
    if target.exists() and not overwrite:
        raise InvalidInputError(
            _("{path} already exists; choose another name for the backup.").format(path=target)
        )
    if not target.parent.is_dir():
        raise LedgerFileError(_("The folder {folder} does not exist.").format(folder=target.parent))
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    raw = ledger.engine.raw_connection()
    try:
        source = raw.dbapi_connection
        assert isinstance(source, sqlite3.Connection)
        copy = sqlite3.connect(partial)
        try:
            if progress is None:
                source.backup(copy, pages=1024)
            else:
                tell = progress
                source.backup(
                    copy,
                    pages=1024,
                    progress=lambda _status, remaining, total: tell(total - remaining, total),
                )
            copy.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
        finally:
            copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        raw.close()
    try:
        open_ledger(partial).close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    partial.replace(target)
    return target
