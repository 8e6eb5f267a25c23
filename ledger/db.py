"""Opening ledger files: engines, pragmas, migrations, and units of work.

A ledger is any SQLAlchemy URL; a plain path means a SQLite file. SQLite files run in WAL mode
with foreign keys on and a busy timeout, and every writing transaction starts with
``BEGIN IMMEDIATE`` so that two writers queue up instead of failing half-way (voucher numbers and
the hash chain are then assigned one writer at a time). Alembic migrations run when a ledger is
opened; a ledger written by a newer schema is refused. A ledger already at :data:`SCHEMA_HEAD`
is opened without loading alembic at all (it costs about as much as SQLAlchemy itself to import).
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, col, select

from ledger import record
from ledger.errors import (
    InvalidInputError,
    LedgerBusyError,
    LedgerFileError,
    ReadOnlyLedgerError,
    SchemaTooNewError,
)
from ledger.i18n import _
from ledger.models import LedgerMeta
from ledger.schema_version import APP_MARKER, SCHEMA_HEAD, VERSION_TABLE

if TYPE_CHECKING:
    from alembic.config import Config

#: The row every writer locks first on a database server (see :meth:`Ledger.write`).
WRITER_LOCK = select(LedgerMeta.key).where(col(LedgerMeta.key) == "app").with_for_update()
SQLITE_HEADER = b"SQLite format 3\x00"
#: The ``ledger_meta`` key of the ledger's identity: a random id made with the ledger, which
#: every copy (backup) of it shares and no other ledger has.
LEDGER_ID_KEY = "ledger_id"
#: A duration in seconds (waiting for another writer): the one float the ledger takes, never money.
Seconds = float
DEFAULT_BUSY_TIMEOUT_S: Seconds = 10.0


def default_ledger_path() -> Path:
    """Where a ledger goes when the user names none: the per-user data directory."""
    from platformdirs import user_data_path  # noqa: PLC0415 - only when no path is given

    return user_data_path("gongzhang", appauthor=False) / "ledger.sqlite"


def _alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - alembic only where a schema changes

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def schema_head() -> str:
    """The newest schema revision this version of Gongzhang knows, read from the migration
    scripts (:data:`SCHEMA_HEAD` is the same without reading them)."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - alembic only where needed

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


@dataclass
class Ledger:
    """An open ledger: its engine and how to start units of work on it.

    ``with ledger.write() as session:`` is one transaction that commits at the end of the block and
    rolls back entirely on any error; ``ledger.read()`` is the same for reading.
    """

    url: str
    engine: Engine
    path: Path | None
    read_only: bool
    busy_timeout: float  # seconds to wait for a writer, not money
    _writer: Engine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._writer = self.engine.execution_options(gongzhang_begin="IMMEDIATE")

    @property
    def name(self) -> str:
        return str(self.path) if self.path is not None else self.engine.url.render_as_string()

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        if self.read_only:
            raise ReadOnlyLedgerError(
                _(
                    "The ledger {name} is read-only, so nothing can be recorded in it. "
                    "Make the file writable, or work on a copy."
                ).format(name=self.name)
            )
        with self._translate_db_errors(), Session(self._writer) as session, session.begin():
            if self.engine.dialect.name != "sqlite":
                # A server lets writers run side by side: every writing unit of work first takes
                # the ledger's row lock (the audit chain's, which nearly every change needs anyway),
                # so locks are always taken in the same order and two writers never deadlock.
                # Book rows are locked after it for numbering and the entry chain.
                session.exec(WRITER_LOCK).first()
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._translate_db_errors(), Session(self.engine) as session, session.begin():
            yield session

    @contextlib.contextmanager
    def _translate_db_errors(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as exc:
            text = str(exc.orig).lower()
            # PostgreSQL: lock_not_available (our lock_timeout), deadlock, serialization failure.
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if "locked" in text or "busy" in text or sqlstate in {"55P03", "40P01", "40001"}:
                raise LedgerBusyError(
                    _(
                        "The ledger {name} is being changed by another program or user; "
                        "waited {seconds} s for it. Nothing was written. Try again when the "
                        "other work has finished."
                    ).format(name=self.name, seconds=f"{self.busy_timeout:g}")
                ) from exc
            if "readonly" in text or "read-only" in text:
                raise ReadOnlyLedgerError(
                    _(
                        "The ledger {name} cannot be written (the file or its folder is "
                        "read-only). Nothing was written."
                    ).format(name=self.name)
                ) from exc
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_url(target: str) -> bool:
    return "://" in target


def _sqlite_file_of(url_text: str) -> Path | None:
    """The file behind a ``sqlite:///…`` URL, which is opened like a plain path (WAL, foreign
    keys, BEGIN IMMEDIATE); None for any other database."""
    try:
        url = make_url(url_text)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _server_options(url: str, busy_timeout: float) -> dict[str, Any]:  # seconds, not money
    """Engine options for a database server: on PostgreSQL a writer waits at most
    ``busy_timeout`` for another one's lock (``lock_timeout``), as SQLite's busy timeout does."""
    if make_url(url).get_backend_name() != "postgresql":
        return {}
    wait_ms = max(1, int(busy_timeout * 1000))  # 0 would mean "wait for ever" to PostgreSQL
    return {"connect_args": {"options": f"-c lock_timeout={wait_ms}"}}


def _sqlite_engine(
    path: Path,
    *,
    read_only: bool,
    busy_timeout: float,  # seconds, not money
    settled: list[bool],
) -> Engine:
    """An engine on a SQLite file. ``settled[0]`` turns true once the file is known to be a
    ledger: only then are persistent settings (WAL) written, so that opening some other
    database by mistake leaves it exactly as it was."""

    def connect() -> sqlite3.Connection:
        if read_only:
            uri = path.resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, timeout=busy_timeout, check_same_thread=False)
        # We issue BEGIN ourselves (see _on_begin), so the driver must not.
        conn.isolation_level = None
        return conn

    engine = create_engine("sqlite:///" + str(path), creator=connect)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if not read_only and settled[0]:
            cur.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed voucher survives a power cut, not only a crash of the app.
            cur.execute("PRAGMA synchronous=FULL")
        # 64 MiB of page cache: index pages stay in memory through a large import.
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("gongzhang_begin") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _check_sqlite_file(path: Path, *, create: bool) -> None:
    if not path.exists():
        if create:
            if not path.parent.is_dir():
                raise LedgerFileError(
                    _("The folder {folder} does not exist; create it first.").format(
                        folder=path.parent
                    )
                )
            return
        raise LedgerFileError(
            _("There is no ledger at {path}. Create one with: gongzhang init {path}").format(
                path=path
            )
        )
    if path.is_dir():
        raise LedgerFileError(_("{path} is a folder, not a ledger file.").format(path=path))
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if create:
        raise LedgerFileError(
            _("{path} already exists; choose a new file name for the new ledger.").format(path=path)
        )
    if header != SQLITE_HEADER:
        raise LedgerFileError(
            _("{path} is not a Gongzhang ledger (it is not a database file).").format(path=path)
        )


def _sqlite_files(path: Path) -> list[Path]:
    return [Path(str(path) + suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def _tables_unfinished(conn: sqlite3.Connection) -> bool:
    """No tables at all, or our schema with no user, book or audit event in it."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return True
    if not {"ledger_meta", "app_user", "book", "audit_event"} <= tables:
        return False
    marker = conn.execute("SELECT value FROM ledger_meta WHERE key = 'app'").fetchone()
    return (marker is not None and marker[0] == APP_MARKER) and not any(
        conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()
        for table in ("app_user", "book", "audit_event")
    )


def unfinished_ledger(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a ledger whose creation (``init``, ``demo``, the app's “create”)
    was cut off: an empty file, a database without tables, or one with our schema marker but
    no user, book or audit event yet (a finished ledger always has its first administrator,
    who is made in the same transaction as the rest of it). Anything else — a real ledger,
    another program's database, any other file — is not unfinished, and is never replaced."""
    file = Path(path)
    try:
        if not file.is_file():
            return False
        if file.stat().st_size == 0:
            return True
        with file.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
        conn = sqlite3.connect(file, timeout=1.0) if header == SQLITE_HEADER else None
    except OSError:
        return False
    if conn is None:
        return False
    try:
        return _tables_unfinished(conn)
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def _file_is_read_only(path: Path) -> bool:
    # The write bits are checked, not os.access: a file its owner marked read-only is opened
    # read-only even for root, who could otherwise write anything.
    mode = path.stat().st_mode
    return not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK)


def open_ledger(
    target: str | os.PathLike[str],
    *,
    create: bool = False,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S,  # seconds, not money
) -> Ledger:
    """Open (or with ``create=True`` create) the ledger at a path or SQLAlchemy URL.

    Applies pending migrations. Raises :class:`LedgerFileError` for a missing file or one that is
    not a ledger, :class:`SchemaTooNewError` for a ledger from a newer Gongzhang.
    """
    if not (busy_timeout >= 0 and math.isfinite(busy_timeout)):
        raise InvalidInputError(
            _("The time to wait for another writer must be a number of seconds, 0 or more.")
        )
    text = os.fspath(target)
    path: Path | None = None
    read_only = False
    settled = [False]
    sqlite_file = _sqlite_file_of(text) if _is_url(text) else Path(text)
    if sqlite_file is None:
        url = text
        try:
            engine = create_engine(url, **_server_options(url, busy_timeout))
        except (ArgumentError, NoSuchModuleError) as exc:
            raise LedgerFileError(
                _(
                    "“{url}” is neither a ledger file nor a database address Gongzhang can use "
                    "({reason})."
                ).format(url=text, reason=exc)
            ) from exc
    else:
        path = sqlite_file.expanduser()
        if create and unfinished_ledger(path):
            # A creation that was cut off (killed, power lost): made again from the start.
            for leftover in _sqlite_files(path):
                leftover.unlink(missing_ok=True)
        _check_sqlite_file(path, create=create)
        read_only = path.exists() and _file_is_read_only(path)
        url = "sqlite:///" + str(path)
        engine = _sqlite_engine(
            path, read_only=read_only, busy_timeout=busy_timeout, settled=settled
        )
    ledger = Ledger(url, engine, path, read_only, busy_timeout)
    try:
        _prepare_schema(ledger, create=create, settled=settled)
    except BaseException:
        engine.dispose()
        if create and path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        raise
    return ledger


def _stored_revisions(conn: Connection, tables: set[str]) -> tuple[str, ...]:
    """The schema revisions the database says it is at (alembic's ``alembic_version`` rows, read
    as alembic's ``MigrationContext.get_current_heads`` reads them, without loading alembic)."""
    if VERSION_TABLE not in tables:
        return ()
    rows = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalars().all()
    return tuple(str(rev) for rev in rows)


def _prepare_schema(ledger: Ledger, *, create: bool, settled: list[bool]) -> None:
    name = ledger.name
    try:
        with ledger.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            current = _stored_revisions(conn, tables)
            marker = None
            if "ledger_meta" in tables:
                marker = conn.exec_driver_sql(
                    "SELECT value FROM ledger_meta WHERE key = 'app'"
                ).scalar()
            conn.rollback()
    except DatabaseError as exc:
        raise LedgerFileError(
            _("{name} is not a Gongzhang ledger ({reason}).").format(name=name, reason=exc.orig)
        ) from exc

    if tables and (not create) and (marker != APP_MARKER or not current):
        raise LedgerFileError(
            _("{name} is a database, but not a Gongzhang ledger.").format(name=name)
        )
    if create and tables:
        raise LedgerFileError(
            _("{name} already holds data; a new ledger needs an empty database.").format(name=name)
        )
    if not tables and not create:
        raise LedgerFileError(
            _("{name} is an empty database, not a Gongzhang ledger.").format(name=name)
        )
    # It is a ledger (or a new one): from now on connections may write their settings.
    settled[0] = True
    ledger.engine.dispose()
    if current == (SCHEMA_HEAD,):
        return  # up to date: the common case, decided without alembic
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - only for a schema to change
    from alembic.util.exc import CommandError  # noqa: PLC0415

    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    for rev in current:
        try:
            known = script.get_revision(rev)
        except CommandError:
            known = None
        if known is None:
            raise SchemaTooNewError(
                _(
                    "{name} was written by a newer version of Gongzhang (schema {rev}). "
                    "Install the newer version to open it; this one has not touched the file."
                ).format(name=name, rev=rev)
            )
    if tuple(current) == (head,):
        return
    if ledger.read_only:
        raise ReadOnlyLedgerError(
            _(
                "{name} needs a schema upgrade, but the file is read-only. Make it writable "
                "once so Gongzhang can upgrade it."
            ).format(name=name)
        )
    _migrate(ledger)


def _migrate(ledger: Ledger) -> None:
    from alembic import command  # noqa: PLC0415 - alembic only where a schema changes

    with ledger._writer.connect() as conn:
        is_sqlite = conn.dialect.name == "sqlite"
        if is_sqlite:
            # Batch migrations copy tables; foreign keys are checked once afterwards instead.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                command.upgrade(_alembic_config(conn), "head")
                if is_sqlite:
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        msg = f"migration left broken references: {bad[:5]}"
                        raise LedgerFileError(msg)
        finally:
            if is_sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


# Every session that writes to a ledger keeps the record of changes (ledger.record).
record.install()
