"""Backups of a ledger file: online copies (SQLite's backup API, a consistent copy while others
work), automatic backups kept in a folder next to the ledger and pruned to the newest N, and
restoring one of them in the ledger's place after checking that it verifies."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from ledger import clock
from ledger.db import SQLITE_HEADER, Ledger, open_ledger
from ledger.errors import (
    GongzhangError,
    InvalidInputError,
    LedgerBusyError,
    LedgerFileError,
    SchemaTooNewError,
)
from ledger.i18n import _
from ledger.models import Book
from ledger.verify import verify_ledger


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


# --- automatic backups: a folder of timestamped copies, pruned to the newest N -----------------

#: How many automatic backups are kept unless the user says otherwise.
DEFAULT_KEEP = 10
#: Why an automatic backup was made (the GUI makes them on close and on a schedule).
REASONS = ("close", "schedule", "manual")
_STAMP = "%Y%m%d-%H%M%S"
_BEFORE_RESTORE = "before-restore"


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup in a ledger's backups folder. ``taken`` is local time, read from the file
    name; ``automatic`` is false for the copy of a ledger kept when a backup replaced it (those
    are never pruned). ``problem`` says why the backup would not restore; it is None when the
    backup verifies (or when it was not checked: ``checked`` is then false)."""

    path: Path
    taken: dt.datetime
    size: int  # bytes
    automatic: bool
    checked: bool = False
    problem: str | None = None

    @property
    def verified(self) -> bool | None:
        """True if it opens and verifies, False if not, None if it was not checked."""
        return (self.problem is None) if self.checked else None


@dataclass(frozen=True, slots=True)
class BackupMade:
    """An automatic backup just written, and the older ones removed to keep the newest N."""

    path: Path
    reason: str
    removed: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class Restored:
    """A restore done: the ledger now holds the backup's data (``entries`` entries, verified);
    what it held before is kept as ``set_aside`` (None when there was no ledger file)."""

    ledger: Path
    backup: Path
    set_aside: Path | None
    entries: int


def backups_folder(
    ledger_path: str | os.PathLike[str], folder: str | os.PathLike[str] | None = None
) -> Path:
    """Where a ledger's backups go: ``folder`` if given, else ``<stem>.backups`` next to the
    ledger file (``community.sqlite`` → ``community.backups/``)."""
    if folder is not None and os.fspath(folder).strip():
        return Path(folder).expanduser()
    path = Path(ledger_path).expanduser()
    return path.with_name(path.stem + ".backups")


def size_text(size: int) -> str:
    """A file's size for people: ``1.9 MB``, ``640 KB``."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} KB"


def _now() -> dt.datetime:
    """Local time now, to the second, from the one clock (so tests can pin it)."""
    return dt.datetime.fromisoformat(clock.utc_now_iso()).astimezone().replace(tzinfo=None)


def _pattern(stem: str, *, automatic: bool) -> re.Pattern[str]:
    middle = "" if automatic else re.escape("-" + _BEFORE_RESTORE)
    return re.compile(rf"{re.escape(stem)}{middle}-(\d{{8}}-\d{{6}})(?:-(\d+))?\.sqlite")


def _parse(name: str, pattern: re.Pattern[str]) -> tuple[dt.datetime, int] | None:
    """The time and sequence number in a file name of ours; None for any other file."""
    match = pattern.fullmatch(name)
    if match is None:
        return None
    try:
        taken = dt.datetime.strptime(match.group(1), _STAMP)  # noqa: DTZ007 - local, by design
    except ValueError:
        return None
    return taken, int(match.group(2) or 1)


def _free_name(folder: Path, prefix: str, now: dt.datetime) -> Path:
    """``<prefix>-YYYYMMDD-HHMMSS.sqlite``, or ``…-2.sqlite``, ``…-3.sqlite`` when that is
    taken (two backups in the same second): never the name of a file that is there."""
    stamp = now.strftime(_STAMP)
    n = 1
    while True:
        name = f"{prefix}-{stamp}.sqlite" if n == 1 else f"{prefix}-{stamp}-{n}.sqlite"
        path = folder / name
        if not any(Path(str(path) + s).exists() for s in ("", ".partial", "-wal", "-shm")):
            return path
        n += 1


def _ready_folder(folder: Path) -> Path:
    """The backups folder, created if missing (its parent must exist)."""
    if folder.exists() and not folder.is_dir():
        raise InvalidInputError(
            _("{path} is a file, not a folder; choose a folder for the backups.").format(
                path=folder
            )
        )
    if not folder.parent.is_dir():
        raise LedgerFileError(_("The folder {folder} does not exist.").format(folder=folder.parent))
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise LedgerFileError(
            _("The backups folder {folder} cannot be created ({reason}).").format(
                folder=folder, reason=exc.strerror or exc
            )
        ) from exc
    return folder


def _ours(folder: Path, stem: str, *, automatic: bool) -> list[tuple[dt.datetime, int, Path]]:
    """Our backups in the folder, newest first: only files named by our own pattern."""
    pattern = _pattern(stem, automatic=automatic)
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        parsed = _parse(path.name, pattern)
        if parsed is not None and path.is_file():
            found.append((*parsed, path))
    return sorted(found, reverse=True)


def automatic_backup(
    ledger: Ledger,
    *,
    folder: str | os.PathLike[str] | None = None,
    keep: int = DEFAULT_KEEP,
    reason: str = "manual",
    progress: Callable[[int, int], None] | None = None,
) -> BackupMade:
    """Back the ledger up into its backups folder (see :func:`backups_folder`) as
    ``<stem>-YYYYMMDD-HHMMSS.sqlite`` (local time; ``-2``, ``-3`` … for more in one second),
    then remove the oldest automatic backups beyond the newest ``keep``. Only files named by
    that pattern are ever removed; anything else in the folder is left alone, and so are the
    copies kept by :func:`restore_backup`. ``progress`` works as for :func:`backup_ledger`."""
    if reason not in REASONS:
        msg = f"reason must be one of {REASONS}, not {reason!r}"
        raise ValueError(msg)
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise InvalidInputError(
            _("Keep at least 1 automatic backup (the setting says {keep}).").format(keep=keep)
        )
    if ledger.path is None:
        raise InvalidInputError(
            _(
                "Backups to a file are made of SQLite ledgers; back up a database server with "
                "its own tools."
            )
        )
    place = _ready_folder(backups_folder(ledger.path, folder))
    stem = ledger.path.stem
    made = backup_ledger(ledger, _free_name(place, stem, _now()), progress=progress)
    older = [p for _t, _n, p in _ours(place, stem, automatic=True) if p != made]
    removed = []
    for path in older[keep - 1 :]:
        try:
            path.unlink()
        except OSError:
            continue  # an old backup that cannot be removed now is removed next time
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        removed.append(path)
    return BackupMade(made, reason, tuple(removed))


def list_backups(
    ledger_path: str | os.PathLike[str],
    *,
    folder: str | os.PathLike[str] | None = None,
    verify: bool = True,
) -> list[BackupInfo]:
    """The backups of a ledger in its backups folder, newest first: the automatic ones and the
    copies kept before a restore. With ``verify``, each is checked as a restore would check it
    (on a temporary copy: the backup itself is never changed)."""
    place = backups_folder(ledger_path, folder)
    if place.exists() and not place.is_dir():
        raise InvalidInputError(
            _("{path} is a file, not a folder; choose a folder for the backups.").format(path=place)
        )
    stem = Path(ledger_path).stem
    found = [
        (taken, n, path, automatic)
        for automatic in (True, False)
        for taken, n, path in _ours(place, stem, automatic=automatic)
    ]
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    backups = []
    for taken, _n, path, automatic in found:
        problem = None
        if verify:
            with tempfile.TemporaryDirectory(prefix="gongzhang-check-") as scratch:
                try:
                    _restorable_copy(path, Path(scratch) / "check.sqlite")
                except GongzhangError as exc:
                    problem = str(exc)
        backups.append(
            BackupInfo(
                path=path,
                taken=taken,
                size=path.stat().st_size,
                automatic=automatic,
                checked=verify,
                problem=problem,
            )
        )
    return backups


def _restorable_copy(backup: Path, dest: Path) -> int:
    """Copy ``backup`` to the new file ``dest`` and check the copy the way a ledger is opened
    and verified (an older schema is upgraded in the copy only). Returns its number of entries;
    raises a :class:`GongzhangError` naming the backup if it would not restore. On a refusal
    ``dest`` is removed."""
    if not backup.exists():
        raise LedgerFileError(_("There is no backup at {path}.").format(path=backup))
    if backup.is_dir():
        raise LedgerFileError(_("{path} is a folder, not a ledger file.").format(path=backup))
    with backup.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise LedgerFileError(
            _("{path} is not a Gongzhang ledger (it is not a database file).").format(path=backup)
        )
    try:
        try:
            source = sqlite3.connect(backup.resolve().as_uri() + "?mode=ro", uri=True)
            try:
                copy = sqlite3.connect(dest)
                try:
                    source.backup(copy, pages=1024)
                    copy.execute("PRAGMA journal_mode=DELETE")
                finally:
                    copy.close()
            finally:
                source.close()
        except sqlite3.DatabaseError as exc:
            raise LedgerFileError(
                _("{name} is not a Gongzhang ledger ({reason}).").format(name=backup, reason=exc)
            ) from exc
        try:
            copied = open_ledger(dest)
        except SchemaTooNewError as exc:
            raise LedgerFileError(
                _(
                    "The backup {path} was written by a newer version of Gongzhang; install "
                    "that version to restore it."
                ).format(path=backup)
            ) from exc
        except LedgerFileError as exc:
            raise LedgerFileError(
                _("{name} is a database, but not a Gongzhang ledger.").format(name=backup)
            ) from exc
        with copied, copied.read() as s:
            findings = verify_ledger(s)
            entries = sum(b.head_index for b in s.exec(select(Book)).all())
        if findings:
            raise InvalidInputError(
                _(
                    "The backup {path} does not verify: {finding} (findings in all: {n}). "
                    "It cannot be restored."
                ).format(path=backup, n=len(findings), finding=findings[0])
            )
    except BaseException:
        _remove(dest)
        raise
    for suffix in ("-wal", "-shm"):
        Path(str(dest) + suffix).unlink(missing_ok=True)
    return entries


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _set_aside(ledger_path: Path, folder: Path) -> Path:
    """Copy the ledger about to be replaced to ``<stem>-before-restore-…sqlite`` in its backups
    folder. Refuses while another program (or window) has the ledger open: replacing the file
    under it would lose its work. A file SQLite cannot read any more is kept byte for byte."""
    dest = _free_name(folder, f"{ledger_path.stem}-{_BEFORE_RESTORE}", _now())
    partial = dest.with_name(dest.name + ".partial")
    try:
        conn = sqlite3.connect(ledger_path, timeout=1.0, isolation_level=None)
        try:
            # An exclusive lock is only granted when no other connection has the ledger open.
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
            copy = sqlite3.connect(partial)
            try:
                conn.backup(copy, pages=1024)
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        _remove(partial)
        text = str(exc).lower()
        if "locked" not in text and "busy" not in text:
            raise LedgerFileError(
                _("{name} cannot be read ({reason}); nothing was changed.").format(
                    name=ledger_path, reason=exc
                )
            ) from exc
        raise LedgerBusyError(
            _(
                "The ledger {path} is open in another window or program. Close it there, then "
                "restore again; nothing was changed."
            ).format(path=ledger_path)
        ) from exc
    except sqlite3.DatabaseError:
        _remove(partial)  # damaged beyond SQLite: keep its bytes as they are
        shutil.copyfile(ledger_path, partial)
        wal = Path(str(ledger_path) + "-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(str(dest) + "-wal"))
    partial.replace(dest)
    return dest


def restore_backup(
    backup_path: str | os.PathLike[str],
    ledger_path: str | os.PathLike[str],
    *,
    folder: str | os.PathLike[str] | None = None,
) -> Restored:
    """Put the backup in the place of the ledger at ``ledger_path``. The backup is first copied
    next to the ledger and checked there (it must open as a ledger and verify); only then is the
    current ledger kept as ``<stem>-before-restore-YYYYMMDD-HHMMSS.sqlite`` in the backups
    folder and the checked copy renamed over it in one step. The ledger must not be open (close
    it first; another program having it open is refused). A refusal changes nothing. The ledger
    file may be missing (a lost ledger is restored where it was), not its folder."""
    backup = Path(backup_path).expanduser()
    target = Path(ledger_path).expanduser()
    if not target.parent.is_dir():
        raise LedgerFileError(_("The folder {folder} does not exist.").format(folder=target.parent))
    if target.is_dir():
        raise LedgerFileError(_("{path} is a folder, not a ledger file.").format(path=target))
    if backup.exists() and target.exists() and backup.resolve() == target.resolve():
        raise InvalidInputError(
            _("{path} is the ledger itself; choose one of its backups to restore.").format(
                path=target
            )
        )
    place = backups_folder(target, folder)
    if place.exists() and not place.is_dir():
        raise InvalidInputError(
            _("{path} is a file, not a folder; choose a folder for the backups.").format(path=place)
        )
    temp = target.with_name(target.name + ".restoring")
    _remove(temp)
    entries = _restorable_copy(backup, temp)
    try:
        set_aside = _set_aside(target, _ready_folder(place)) if target.exists() else None
        for suffix in ("-wal", "-shm"):  # they belong to the file being replaced
            Path(str(target) + suffix).unlink(missing_ok=True)
        temp.replace(target)
    except BaseException:
        _remove(temp)
        raise
    return Restored(target, backup, set_aside, entries)
