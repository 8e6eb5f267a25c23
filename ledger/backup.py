"""Backups of a ledger file: online copies (SQLite's backup API, a consistent copy while others
work), automatic backups kept in a folder next to the ledger and pruned to the newest N, and
restoring one of them in the ledger's place after checking that it verifies.

Every file is written under a temporary name in its final folder (``….<pid>.partial``), flushed
to the disk and renamed into place, so a backup or restore killed half-way leaves no file under
a backup's or the ledger's name; a temporary file left by a killed run is never listed and is
removed by the next backup. A restore refuses a backup of another ledger (each ledger has a
random ``ledger_id``, which its copies share), needs an administrator
(:func:`require_restorer`), and :func:`restore_preview` says beforehand what it would undo: the
entries and audit events recorded after the backup."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from ledger import clock
from ledger.chain import voucher_number
from ledger.db import LEDGER_ID_KEY, SQLITE_HEADER, Ledger, open_ledger
from ledger.domain import Role
from ledger.errors import (
    GongzhangError,
    InvalidInputError,
    LedgerBusyError,
    LedgerFileError,
    PermissionDeniedError,
    SchemaTooNewError,
)
from ledger.i18n import _
from ledger.models import Book
from ledger.record import RECORD_ACTIONS
from ledger.verify import verify_ledger

_PARTIAL = re.compile(r".+\.(\d+)\.partial")


def _partial_of(path: Path) -> Path:
    """The temporary name a file is written under before it is renamed to ``path``: in the same
    folder (so the rename is one step), named after this process (so that a leftover of a killed
    run can be told from a file another process is writing right now)."""
    return path.with_name(f"{path.name}.{os.getpid()}.partial")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _remove_leftovers(folder: Path, prefix: str) -> None:
    """Remove from ``folder`` the temporary files (named ``prefix…``) of killed backups and
    restores."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        match = _PARTIAL.fullmatch(path.name)
        if match is not None and path.name.startswith(prefix) and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                path.unlink()


def _fsync(path: Path) -> None:
    """Flush a written file to the disk."""
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename) to the disk, where the system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself is still atomic
    finally:
        os.close(fd)


def _replace(partial: Path, target: Path) -> None:
    """Flush ``partial`` and rename it to ``target`` in one step, then flush the folder."""
    _fsync(partial)
    partial.replace(target)
    _fsync_folder(target.parent)


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
    partial = _partial_of(target)
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
    _replace(partial, target)
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
        if not any(Path(str(path) + s).exists() for s in ("", "-wal", "-shm")) and not any(
            folder.glob(glob.escape(name) + ".*.partial")
        ):
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
    _remove_leftovers(place, ledger.path.stem)
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
    _fsync(dest)
    return entries


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _set_aside(ledger_path: Path, folder: Path) -> Path:
    """Copy the ledger about to be replaced to ``<stem>-before-restore-…sqlite`` in its backups
    folder. Refuses while another program (or window) has the ledger open: replacing the file
    under it would lose its work. A file SQLite cannot read any more is kept byte for byte."""
    dest = _free_name(folder, f"{ledger_path.stem}-{_BEFORE_RESTORE}", _now())
    partial = _partial_of(dest)
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
    _replace(partial, dest)
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
    _remove(target.with_name(target.name + ".restoring"))  # left by an earlier version
    _remove_leftovers(target.parent, target.name)
    if place.is_dir():
        _remove_leftovers(place, f"{target.stem}-{_BEFORE_RESTORE}")
    temp = _partial_of(target)
    _remove(temp)
    entries = _restorable_copy(backup, temp)
    try:
        check_same_ledger(backup, target)
        set_aside = _set_aside(target, _ready_folder(place)) if target.exists() else None
        for suffix in ("-wal", "-shm"):  # they belong to the file being replaced
            Path(str(target) + suffix).unlink(missing_ok=True)
        temp.replace(target)
        _fsync_folder(target.parent)
    except BaseException:
        _remove(temp)
        raise
    return Restored(target, backup, set_aside, entries)


# --- who may restore, which ledger a backup is of, and what a restore would undo ---------------


def require_restorer(username: str, role: str) -> None:
    """Only an administrator may put a backup in the place of the ledger."""
    if Role(role) != Role.ADMIN:
        raise PermissionDeniedError(
            _("{user} ({role}) may not restore a backup; only an administrator may.").format(
                user=username, role=Role(role).label
            )
        )


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection on a ledger file or backup (nothing is changed, not even
    upgraded); a file SQLite cannot read raises :class:`sqlite3.DatabaseError`."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=1.0)
    try:
        yield conn
    finally:
        conn.close()


def _identity(conn: sqlite3.Connection) -> tuple[str | None, str | None]:
    """The ledger's id (None for a copy made before ledgers had one) and the hash of its first
    audit event (the creation of its first user), which tells ledgers apart in that case."""
    row = conn.execute("SELECT value FROM ledger_meta WHERE key = ?", (LEDGER_ID_KEY,)).fetchone()
    first = conn.execute("SELECT hash FROM audit_event ORDER BY seq LIMIT 1").fetchone()
    return (row[0] if row else None), (first[0] if first else None)


def _not_a_ledger(path: Path, exc: Exception) -> LedgerFileError:
    return LedgerFileError(
        _("{name} is not a Gongzhang ledger ({reason}).").format(name=path, reason=exc)
    )


def check_same_ledger(
    backup_path: str | os.PathLike[str], ledger_path: str | os.PathLike[str]
) -> None:
    """Refuse a backup of another ledger: the two ``ledger_id`` differ (or, for a copy made
    before ledgers had an id, the first audit events do). Nothing is checked when there is no
    ledger file or it cannot be read (restoring is then how it is mended)."""
    backup, target = Path(backup_path).expanduser(), Path(ledger_path).expanduser()
    if not target.is_file():
        return
    try:
        with _reading(target) as conn:
            ours = _identity(conn)
    except sqlite3.DatabaseError:
        return
    try:
        with _reading(backup) as conn:
            theirs = _identity(conn)
    except sqlite3.DatabaseError as exc:
        raise _not_a_ledger(backup, exc) from exc
    if ours[0] and theirs[0]:
        other = ours[0] != theirs[0]
    else:
        other = bool(ours[1] and theirs[1] and ours[1] != theirs[1])
    if other:
        raise InvalidInputError(
            _(
                "{backup} is a backup of another ledger, not of {ledger}; it cannot be restored "
                "in its place. Nothing was changed."
            ).format(backup=backup, ledger=target)
        )


@dataclass(frozen=True, slots=True)
class LostBook:
    """Entries of one book that a restore would undo: how many, and the newest voucher
    numbers (newest first, at most three)."""

    book: str
    entries: int
    newest: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RestorePreview:
    """What restoring ``backup`` in the place of ``ledger`` would undo: the entries of each book
    and the audit events recorded in the ledger after the backup was taken. ``ledger_entries``
    is None when there is no ledger file or it cannot be read (then nothing can be counted)."""

    backup: Path
    ledger: Path
    backup_entries: int
    ledger_entries: int | None
    lost_books: tuple[LostBook, ...]
    lost_events: int

    @property
    def lost_entries(self) -> int:
        return sum(b.entries for b in self.lost_books)

    @property
    def loses_anything(self) -> bool:
        return bool(self.lost_books or self.lost_events)

    def lines(self) -> list[str]:
        """What the preview says, one sentence a line (for the command line and the app)."""
        out = [
            _("Restoring {backup} puts its {n} entries in the place of {ledger}.").format(
                backup=self.backup.name, n=self.backup_entries, ledger=self.ledger.name
            )
        ]
        if self.ledger_entries is None:
            out.append(
                _(
                    "There is no readable ledger at {ledger}, so nothing in it can be counted."
                ).format(ledger=self.ledger)
            )
            return out
        if not self.loses_anything:
            out.append(_("Nothing recorded after the backup would be lost."))
            return out
        out.append(
            _(
                "Recorded after the backup and lost by restoring it: {n} entries and {events} "
                "audit events."
            ).format(n=self.lost_entries, events=self.lost_events)
        )
        for book in self.lost_books:
            out.append(
                _("  {book}: {n} entries, the newest {numbers}").format(
                    book=book.book, n=book.entries, numbers=", ".join(book.newest)
                )
            )
        out.append(_("The ledger as it is now is kept in the backups folder before the restore."))
        return out


def _books(conn: sqlite3.Connection) -> list[tuple[int, str, str, int]]:
    return [
        (int(i), str(uid), str(name), int(head))
        for i, uid, name, head in conn.execute(
            "SELECT id, uid, name, head_index FROM book ORDER BY id"
        )
    ]


def restore_preview(
    backup_path: str | os.PathLike[str], ledger_path: str | os.PathLike[str]
) -> RestorePreview:
    """What restoring the backup would undo (see :class:`RestorePreview`), read without changing
    either file. Refuses a backup of another ledger (:func:`check_same_ledger`) and a file that
    is not a ledger; whether the backup verifies is checked by the restore itself."""
    backup, target = Path(backup_path).expanduser(), Path(ledger_path).expanduser()
    if not backup.is_file():
        raise LedgerFileError(_("There is no backup at {path}.").format(path=backup))
    with backup.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise LedgerFileError(
                _("{path} is not a Gongzhang ledger (it is not a database file).").format(
                    path=backup
                )
            )
    check_same_ledger(backup, target)
    try:
        with _reading(backup) as conn:
            kept = {uid: head for _i, uid, _n, head in _books(conn)}
            newest_event = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_event").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _not_a_ledger(backup, exc) from exc
    backup_entries, last_event = sum(kept.values()), int(newest_event[0])
    lost: list[LostBook] = []
    try:
        if not target.is_file():
            raise FileNotFoundError(target)
        with _reading(target) as conn:
            books = _books(conn)
            for book_id, uid, name, head in books:
                after = kept.get(uid, 0)
                if head <= after:
                    continue
                newest = conn.execute(
                    "SELECT year, seq FROM entry WHERE book_id = ? AND chain_index > ? "
                    "ORDER BY chain_index DESC LIMIT 3",
                    (book_id, after),
                ).fetchall()
                lost.append(
                    LostBook(name, head - after, tuple(voucher_number(y, n) for y, n in newest))
                )
            # What people did; the record of changes that goes with each act is not counted.
            events = conn.execute(
                "SELECT COUNT(*) FROM audit_event WHERE seq > ? AND action NOT IN (?, ?)",
                (last_event, *sorted(RECORD_ACTIONS)),
            ).fetchone()
        ledger_entries: int | None = sum(head for _i, _u, _n, head in books)
    except (OSError, sqlite3.DatabaseError):
        return RestorePreview(backup, target, backup_entries, None, (), 0)
    return RestorePreview(
        backup, target, backup_entries, ledger_entries, tuple(lost), int(events[0])
    )


@contextlib.contextmanager
def opened_backup_copy(backup_path: str | os.PathLike[str]) -> Iterator[Ledger]:
    """A checked copy of the backup, open as a ledger (the backup itself is never changed): to
    ask it who is restoring when the ledger file is missing or cannot be read."""
    with tempfile.TemporaryDirectory(prefix="gongzhang-restore-") as scratch:
        copy = Path(scratch) / "backup.sqlite"
        _restorable_copy(Path(backup_path).expanduser(), copy)
        with open_ledger(copy) as ledger:
            yield ledger
