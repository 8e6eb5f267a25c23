"""The record of changes (变更记录): every row a notice, a tally, a payment or a permission reads is
written into the hash-chained audit trail when it changes, and :func:`replay` rebuilds what every
table must hold from that record alone.

How it works. A listener on every ORM session notes which rows of a *covered* table a flush wrote
(inserted, updated or deleted). Just before the transaction commits, those rows are read back from
the database — with :func:`read_rows`, the very function verification reads the tables with — and
appended to the audit trail as one ``record.changes`` event: ``[table, primary key, row or null]``.
Verification (:mod:`ledger.verify`) replays every such event in chain order and compares the result
with the tables; a row changed, added or deleted behind the app's back is a finding naming the
table, the row and what it should hold. Because the same reader makes the record and checks it,
there is no second implementation to drift.

Not covered here, because other chains cover them: ``entry`` and ``posting`` (the entry chain,
anchored by each book's head, which *is* covered), ``audit_event`` (the trail itself),
``ledger_meta`` (the trail's head) and the bytes of an attachment (their SHA-256 is covered).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, event, insert, select, tuple_, type_coerce
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction, UOWTransaction, object_mapper
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType
from sqlmodel import SQLModel

import ledger.models  # noqa: F401 - registers the tables
from ledger.models import AppUser, LedgerMeta

#: Tables chained elsewhere (see the module's docstring).
NOT_COVERED = frozenset({"entry", "posting", "audit_event", "ledger_meta"})
#: Columns left out of the record: the attachment's bytes (their hash is in the record).
LEFT_OUT = {"attachment": frozenset({"data"})}
#: Private columns: no notice shows them, and the audit trail, which an auditor reads and may
#: export, must not either. The record keeps a keyed hash of each value instead (HMAC-SHA256
#: under the ledger's own record key in ``ledger_meta``), which verification recomputes; a
#: short name hashed without a secret key could be found by trying every name.
PRIVATE = {
    "app_user": frozenset({"password_hash", "signing_key"}),
    "counterparty": frozenset({"contact"}),
    "household": frozenset({"head_name"}),
    "expense": frozenset({"private_note"}),
    "property_unit": frozenset({"owner_name"}),
    "ballot": frozenset({"proxy_name"}),
}
#: The ``ledger_meta`` key of the record key.
RECORD_KEY = "record_key"

#: The audit action of a record of changes, and of the first record of a ledger made before
#: the record existed (written by the migration that introduced it).
CHANGES_ACTION = "record.changes"
BASELINE_ACTION = "record.baseline"
RECORD_ACTIONS = frozenset({CHANGES_ACTION, BASELINE_ACTION})

#: ``session.info`` keys: the rows this transaction touched, and who is acting.
_TOUCHED = "gongzhang.touched"
ACTOR = "gongzhang.actor"
ACTORS = "gongzhang.actors"
_WRITING = "gongzhang.writing_record"

Key = tuple[Any, ...]
Row = dict[str, Any]
_CHUNK = 400  # primary keys per ``IN`` list


@dataclass(frozen=True, slots=True)
class Covered:
    """One covered table: its name, primary-key columns and recorded columns, in order."""

    table: Table
    key_columns: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.table.name


@functools.cache
def covered_tables() -> dict[str, Covered]:
    """Every covered table by name, in the metadata's dependency order."""
    out: dict[str, Covered] = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name in NOT_COVERED:
            continue
        left_out = LEFT_OUT.get(table.name, frozenset())
        out[table.name] = Covered(
            table,
            tuple(c.name for c in table.primary_key.columns),
            tuple(c.name for c in table.columns if c.name not in left_out),
        )
    return out


def plain(value: object) -> object:
    """A stored value as the record keeps it: JSON's types only, the same from every backend
    (SQLite hands back text dates and 0/1 booleans, PostgreSQL ``date`` and ``bool``)."""
    if isinstance(value, bool):
        return int(value)
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    return str(value)  # Decimal, float: never on a money path, but shown exactly if found


def _raw(covered: Covered, names: Sequence[str]) -> list[ColumnElement[Any]]:
    # No result processing: a date column holding garbage must come back as garbage, not
    # raise while verification reads it.
    return [type_coerce(covered.table.c[n], NullType()).label(n) for n in names]


def record_key(conn: Connection, *, create: bool) -> bytes:
    """The ledger's secret key for private values. Made when missing if ``create`` (a ledger
    whose key was removed gets a new one, and every private value recorded before then no
    longer matches: verification says so); verification reads it with ``create=False``."""
    meta = LedgerMeta.__table__.c  # type: ignore[attr-defined]
    found = conn.execute(select(meta.value).where(meta.key == RECORD_KEY)).scalar()
    if found is None and create:
        found = secrets.token_hex(32)
        conn.execute(insert(LedgerMeta).values(key=RECORD_KEY, value=found))
    return str(found or "").encode("ascii", "replace")


def private_value(secret: bytes, table: str, column: str, value: object) -> object:
    """What the record keeps of a private column's value: empty stays empty (nothing to hide),
    anything else becomes ``hmac:`` and the keyed hash of its table, column and value."""
    if value is None or value == "":
        return value
    message = f"{table}.{column}\x00{value}".encode("utf-8", "surrogatepass")
    return "hmac:" + hmac.new(secret, message, hashlib.sha256).hexdigest()


def read_rows(
    conn: Connection, covered: Covered, keys: Iterable[Key] | None = None, *, secret: bytes
) -> Iterator[tuple[Key, Row]]:
    """Rows of a covered table as the record keeps them: all of them, or those with ``keys``;
    private columns as keyed hashes under ``secret`` (:func:`record_key`)."""
    names = covered.columns
    private = PRIVATE.get(covered.name, frozenset())
    key_at = [names.index(k) for k in covered.key_columns]
    base = select(*_raw(covered, names))
    if keys is None:
        batches: Iterable[Any] = [base.order_by(*covered.table.primary_key.columns)]
    else:
        wanted = list(keys)
        pk = [covered.table.c[k] for k in covered.key_columns]
        target = pk[0] if len(pk) == 1 else tuple_(*pk)
        batches = (
            base.where(target.in_([k[0] if len(pk) == 1 else k for k in wanted[i : i + _CHUNK]]))
            for i in range(0, len(wanted), _CHUNK)
        )
    for stmt in batches:
        for values in conn.execute(stmt):
            row = {n: plain(v) for n, v in zip(names, values, strict=True)}
            for n in private:
                row[n] = private_value(secret, covered.name, n, row[n])
            yield tuple(row[names[i]] for i in key_at), row


# --- making the record -------------------------------------------------------------------------


def _touched(session: OrmSession) -> dict[str, set[Key]]:
    found: dict[str, set[Key]] = session.info.setdefault(_TOUCHED, {})
    return found


def note_rows(session: OrmSession, table: str, keys: Iterable[Key]) -> None:
    """Note rows written without the ORM's unit of work (a bulk ``insert``), so that the record
    of this transaction carries them too."""
    _touched(session).setdefault(table, set()).update(tuple(plain(v) for v in k) for k in keys)


def _after_flush(session: OrmSession, _flush: UOWTransaction) -> None:
    covered = _COVERED_NAMES
    for obj in (*session.new, *session.dirty, *session.deleted):
        mapper = object_mapper(obj)
        table = mapper.local_table.name  # type: ignore[attr-defined]
        if table not in covered:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        key = tuple(plain(v) for v in mapper.primary_key_from_instance(obj))
        _touched(session).setdefault(table, set()).add(key)


def also_acting(session: OrmSession, user: Any) -> None:
    """Count ``user`` among those acting in this transaction (an approver named beside the one
    who records): they sign its record too, when their key is unlocked."""
    session.info.setdefault(ACTORS, {})[user.id] = user


def changes_of(session: OrmSession) -> list[list[Any]]:
    """What this transaction wrote to covered tables, read back: ``[table, key, row | None]``."""
    touched: dict[str, set[Key]] = session.info.get(_TOUCHED) or {}
    if not touched:
        return []
    conn = session.connection()
    secret = record_key(conn, create=True)
    out: list[list[Any]] = []
    for name, covered in covered_tables().items():
        keys = touched.get(name)
        if not keys:
            continue
        found = dict(read_rows(conn, covered, sorted(keys, key=_order), secret=secret))
        out.extend([name, list(k), found.get(k)] for k in sorted(keys, key=_order))
    return out


def _order(key: Key) -> tuple[tuple[int, str], ...]:
    return tuple((0, f"{v:020d}") if isinstance(v, int) else (1, str(v)) for v in key)


def _before_commit(session: OrmSession) -> None:
    # Savepoints commit too (``begin_nested``): the record is written once, by the outermost.
    if session.info.get(_WRITING) or session.in_nested_transaction():
        return
    session.flush()
    if not session.info.get(_TOUCHED):
        return
    session.info[_WRITING] = True
    try:
        changes = changes_of(session)
        session.info.pop(_TOUCHED, None)
        if changes:
            from ledger import signing  # noqa: PLC0415 - cryptography only when writing
            from ledger.services.audit import record_event  # noqa: PLC0415 - audit imports db

            # Everyone who acted in the transaction and proved their password signs it.
            actors: dict[int, Any] = session.info.get(ACTORS) or {}
            signers = {}
            for uid in actors:
                user = session.get(AppUser, uid)
                key = signing.key_of(user.public_key if user is not None else None)
                if key is not None:
                    signers[uid] = key
            record_event(
                session,  # type: ignore[arg-type]
                actor=session.info.get(ACTOR),
                action=CHANGES_ACTION,
                object_type="record",
                object_id=len(changes),
                detail={"changes": changes},
                signers=signers,
            )
    finally:
        session.info.pop(_WRITING, None)


def _forget(session: OrmSession, *_args: object) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(ACTOR, None)
    session.info.pop(ACTORS, None)


def _after_transaction_end(session: OrmSession, transaction: SessionTransaction) -> None:
    # A savepoint's end (``begin_nested``) is not the transaction's: keep what it touched.
    if transaction.parent is None:
        _forget(session)


_COVERED_NAMES: frozenset[str] = frozenset()
_installed = False


def install() -> None:
    """Listen on every ORM session (idempotent): called when a ledger is opened."""
    global _COVERED_NAMES, _installed  # noqa: PLW0603 - one set of listeners per process
    if _installed:
        return
    _COVERED_NAMES = frozenset(covered_tables())
    event.listen(OrmSession, "after_flush", _after_flush)
    event.listen(OrmSession, "before_commit", _before_commit)
    event.listen(OrmSession, "after_transaction_end", _after_transaction_end)
    _installed = True


def baseline(session: OrmSession) -> int:
    """Record every covered row as it is (a ledger made before the record existed); returns
    how many rows were recorded (no event when there are none)."""
    conn = session.connection()
    secret = record_key(conn, create=True)
    changes = [
        [name, list(key), row]
        for name, covered in covered_tables().items()
        for key, row in read_rows(conn, covered, secret=secret)
    ]
    if changes:
        from ledger.services.audit import record_event  # noqa: PLC0415

        record_event(
            session,  # type: ignore[arg-type]
            actor=None,
            action=BASELINE_ACTION,
            object_type="record",
            object_id=len(changes),
            detail={"changes": changes},
        )
    return len(changes)


# --- replaying it ------------------------------------------------------------------------------


class Replay:
    """What every covered table must hold, rebuilt from the record's events in chain order."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[Key, Row]] = {}

    def apply(self, detail: Mapping[str, Any]) -> None:
        """Apply one record event's ``changes`` (the same step whether made or replayed)."""
        for table, key, row in detail.get("changes", ()):
            rows = self.tables.setdefault(str(table), {})
            k = tuple(key)
            if row is None:
                rows.pop(k, None)
            else:
                rows[k] = dict(row)
