"""Fast multi-row inserts for the posting hot path, in whatever SQL dialect the ledger uses.

SQLAlchemy's executemany builds a parameter dictionary per row, which costs more than the
database's own work when a million postings arrive. Here the INSERT is compiled once by SQLAlchemy
for the connection's dialect (no hand-written SQL) and the rows go to the driver as tuples. Values
whose column type needs converting for the database (SQLite keeps dates as ISO text, for
instance) are converted by the caller through :meth:`BulkInsert.converter`, once per value.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from types import TracebackType
from typing import Any

from sqlalchemy import Select, Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError


class BulkInsert:
    """Rows collected for one table, written with a single executemany."""

    def __init__(
        self,
        conn: Connection,
        table: Table,
        names: Sequence[str],
        rows: list[tuple[Any, ...]] | None = None,
    ) -> None:
        self.conn = conn
        self.table = table
        self.names = list(names)
        self.rows: list[tuple[Any, ...]] = [] if rows is None else rows
        self.add = self.rows.append

    def converter(self, name: str) -> Callable[[Any], Any]:
        """The function that turns a Python value of column ``name`` into what the driver takes."""
        return bind_converter(self.conn, self.table, name)

    def execute(self) -> None:
        """Write the collected rows (already converted) and start collecting afresh: the list
        of the rows written (``rows`` before the call) is left as it was, for the caller."""
        if not self.rows:
            return
        dialect = self.conn.dialect
        compiled = insert(self.table).compile(dialect=dialect, column_keys=self.names)
        if compiled.positional:
            order = [self.names.index(key) for key in compiled.positiontup or ()]
            if order == list(range(len(self.names))):
                params: list[Any] = self.rows
            else:
                params = [tuple(row[i] for i in order) for row in self.rows]
        else:
            params = [dict(zip(self.names, row, strict=True)) for row in self.rows]
        self.conn.exec_driver_sql(compiled.string, params)
        self.rows = []
        self.add = self.rows.append


#: At most this many parameters in one multi-row INSERT (SQLite's own default limit; Debian's
#: build allows more, but a longer statement gains nothing).
_MAX_PARAMETERS = 32_766


class InsertsBehind:
    """Rows written while the caller prepares the next ones, in the caller's transaction.

    On SQLite the rows of a table go in multi-row ``INSERT … VALUES (…),(…)`` statements of up to
    32,766 parameters, each run by the sqlite3 driver in one step with Python's interpreter lock
    released. A second thread runs them, so SQLite writes one chunk while the caller validates and
    hashes the next: both cores work. (A row at a time, as ``executemany`` goes, would hand the
    lock back and forth for every row and stall both threads.) Statements run one after another,
    in the order given; until :meth:`wait` returns, the caller must not use the connection itself.

    Other databases take each call's rows at once through :class:`BulkInsert`: their server
    already does the work in a process of its own.

    Used as a context manager: leaving it waits for every row; a database error is raised as
    SQLAlchemy's (``IntegrityError``, ``OperationalError``…), as ``exec_driver_sql`` would.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._behind = conn.dialect.name == "sqlite"
        self._statements: dict[tuple[str, tuple[str, ...]], tuple[str, str, int, list[int]]] = {}
        self._jobs: queue.SimpleQueue[tuple[str, list[Any]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._error: tuple[str, BaseException] | None = None
        self._abandoned = False
        dbapi = conn.connection.dbapi_connection if self._behind else None
        self._dbapi: Any = dbapi

    def __enter__(self) -> InsertsBehind:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.wait()
        else:
            # The caller's error goes on; the thread is stopped first (what is still queued is
            # not written), so that nothing writes while the transaction rolls back.
            self._abandoned = True
            self._stop()

    def insert(self, table: Table, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Write ``rows`` (values already converted for the driver, in the order of ``names``)."""
        if not rows:
            return
        if not self._behind:
            BulkInsert(self.conn, table, names, rows).execute()
            return
        head, one, per, order = self._statement(table, names)
        if order != list(range(len(names))):
            rows = [tuple(row[i] for i in order) for row in rows]
        if self._thread is None:
            self._error = None
            self._thread = threading.Thread(target=self._write, name="gongzhang-inserts")
            self._thread.start()
        put = self._jobs.put
        for start in range(0, len(rows), per):
            part = rows[start : start + per]
            put((head + ",".join([one] * len(part)), list(chain.from_iterable(part))))

    def wait(self) -> None:
        """Return once every row given so far is written; raise the first error met."""
        self._stop()
        if self._error is not None:
            sql, error = self._error
            self._error = None
            if isinstance(error, sqlite3.Error):
                dialect = self.conn.dialect
                raise DBAPIError.instance(
                    sql, None, error, dialect.loaded_dbapi.Error, dialect=dialect
                ) from error
            raise error

    def _stop(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _statement(self, table: Table, names: Sequence[str]) -> tuple[str, str, int, list[int]]:
        key = (table.name, tuple(names))
        found = self._statements.get(key)
        if found is None:
            # SQLAlchemy compiles the one-row INSERT for the dialect; its VALUES group repeats.
            compiled = insert(table).compile(dialect=self.conn.dialect, column_keys=list(names))
            head, values, one = compiled.string.rpartition(" VALUES ")
            if not values:
                raise RuntimeError(f"unexpected INSERT form: {compiled.string}")
            order = [list(names).index(key) for key in compiled.positiontup or ()]
            found = (head + values, one, max(1, _MAX_PARAMETERS // len(names)), order)
            self._statements[key] = found
        return found

    def _write(self) -> None:
        dbapi = self._dbapi
        get = self._jobs.get
        while (job := get()) is not None:
            if self._error is not None or self._abandoned:
                continue  # after an error the rest is not written; the caller rolls back
            sql, params = job
            try:
                dbapi.execute(sql, params)
            except BaseException as exc:
                self._error = (sql, exc)


def bind_converter(conn: Connection, table: Table, name: str) -> Callable[[Any], Any]:
    """The function that turns a Python value of ``table``'s column ``name`` into what the
    connection's driver takes (each distinct value converted once)."""
    dialect = conn.dialect
    process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return _same
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            cache[value] = converted = process(value)
            return converted

    return convert


def _same(value: Any) -> Any:
    return value


STREAM_BATCH = 20_000


def stream_batches(conn: Connection, stmt: Select[Any]) -> Iterator[Sequence[tuple[Any, ...]]]:
    """The rows of a query as lists of plain tuples, a batch at a time (verification reads
    millions).

    On SQLite the compiled statement goes straight to the driver's cursor, so values come back as
    the driver gives them (dates as ISO text); elsewhere SQLAlchemy streams with a server-side
    cursor. Either way the SQL is SQLAlchemy's, compiled for the dialect.
    """
    if conn.dialect.name == "sqlite":
        compiled = stmt.compile(dialect=conn.dialect)
        params = compiled.construct_params()
        values = [params[key] for key in compiled.positiontup or ()]
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        cursor = dbapi.cursor()
        try:
            cursor.execute(compiled.string, values)
            while rows := cursor.fetchmany(STREAM_BATCH):
                yield rows
        finally:
            cursor.close()
        return
    result = conn.execute(stmt.execution_options(yield_per=STREAM_BATCH))
    for partition in result.partitions():
        yield [tuple(row) for row in partition]


def stream_rows(conn: Connection, stmt: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a query as plain tuples (see :func:`stream_batches`)."""
    for batch in stream_batches(conn, stmt):
        yield from batch
