"""Fast multi-row inserts for the posting hot path, in whatever SQL dialect the ledger uses.

SQLAlchemy's executemany builds a parameter dictionary per row, which costs more than the
database's own work when a million postings arrive. Here the INSERT is compiled once by SQLAlchemy
for the connection's dialect (no hand-written SQL) and the rows go to the driver as tuples. Values
whose column type needs converting for the database (SQLite keeps dates as ISO text, for
instance) are converted by the caller through :meth:`BulkInsert.converter`, once per value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, Table, insert
from sqlalchemy.engine import Connection


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


def stream_rows(conn: Connection, stmt: Select[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows of a query as plain tuples, a batch at a time (verification reads millions).

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
                yield from rows
        finally:
            cursor.close()
        return
    result = conn.execute(stmt.execution_options(yield_per=STREAM_BATCH))
    for partition in result.partitions():
        yield from (tuple(row) for row in partition)
