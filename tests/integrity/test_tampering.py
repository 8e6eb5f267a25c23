"""The red team's attacks, made with nothing but SQL on the ledger (what anyone holding the file
has): each change behind the app's back to a fact a notice, a tally, a payment or a permission
depends on makes ``verify`` fail with a finding that names the table and the row — and so does
``verify --digest`` with a digest a notice printed before the change. The forger who also
rewrites the record (every hash recomputed) is caught by the signatures and by the digest.

Runs against ``GONGZHANG_TEST_DB`` (PostgreSQL in CI) as well as SQLite: each attack is made
inside a transaction that is rolled back, on one demo ledger built per module."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, String, text
from sqlmodel import AutoString, Session

from ledger import signing
from ledger.chain import audit_hash
from ledger.db import Ledger, open_ledger
from ledger.demo import build_demo
from ledger.domain import BookKind, Role
from ledger.record import also_acting
from ledger.services.audit import record_anchor
from ledger.services.books import create_book
from ledger.services.entries import PostingLine, post_entry
from ledger.services.users import authenticate, create_user, get_user
from ledger.verify import Finding, verify_digest, verify_ledger
from tests.conftest import TEST_DB, TEST_PASSWORD, _empty_database


@dataclass(frozen=True)
class Books:
    ledger: Ledger
    #: The digest a notice printed before any attack.
    digest: str


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Books]:
    if TEST_DB:
        _empty_database(TEST_DB)
        target = TEST_DB
    else:
        target = str(tmp_path_factory.mktemp("integrity") / "ledger.sqlite")
    with open_ledger(target, create=True) as ledger:
        with ledger.write() as s:
            build_demo(s)
        with ledger.read() as s:
            anchor = record_anchor(s)
            assert anchor is not None
            assert verify_ledger(s) == [], "the demo must verify before the attacks"
        yield Books(ledger, anchor[1])


def attacked(books: Books, *statements: str) -> tuple[list[Finding], list[Finding]]:
    """Findings of ``verify`` and of ``verify --digest`` (the notice's digest) after the SQL
    ``statements``, all rolled back afterwards."""
    with books.ledger.engine.connect() as conn:
        outer = conn.begin()
        try:
            for statement in statements:
                conn.execute(text(statement))
            return _findings(conn, books.digest)
        finally:
            outer.rollback()


def _findings(conn: Connection, digest: str) -> tuple[list[Finding], list[Finding]]:
    with Session(bind=conn) as s:
        plain = verify_ledger(s)
        check = verify_digest(s, digest)
        assert not check.intact
        return plain, check.findings if check.found else [Finding(None, None, check.summary())]


def said(findings: list[Finding], *words: str) -> bool:
    return any(all(w in str(f) for w in words) for f in findings)


# --- every table listed by the red team ----------------------------------------------------------

ATTACKS = {
    "a ballot turned from no to yes": (
        [
            "UPDATE ballot SET choice = 'yes' WHERE id = "
            "(SELECT min(id) FROM ballot WHERE choice = 'no')"
        ],
        ("ballot (id=", 'choice is "yes"', 'says "no"'),
    ),
    "a closed vote's stored result": (
        ["UPDATE vote SET result = '{\"passed\": true}' WHERE id = 3"],
        ("vote (id=3)", "result"),
    ),
    "the remuneration rate raised to 30%": (
        [
            "INSERT INTO book_setting (book_id, key, value) "
            "VALUES (2, 'remuneration_rate_bp', '3000')"
        ],
        ('book_setting (book_id=2, key="remuneration_rate_bp")', "not in the record"),
    ),
    "the approval threshold raised": (
        [
            "INSERT INTO book_setting (book_id, key, value) "
            "VALUES (1, 'approval_threshold_fen', '99999999')"
        ],
        ('book_setting (book_id=1, key="approval_threshold_fen")', "added outside"),
    ),
    "a fee rate changed": (
        ["UPDATE book_setting SET value = '900' WHERE key = 'fee_rate_fen_per_m2'"],
        ("book_setting", 'value is "900"', 'says "250"'),
    ),
    "a household's dividend share": (
        [
            "UPDATE distribution_share SET dividend_fen = dividend_fen + 100000 "
            "WHERE household_id = (SELECT min(household_id) FROM distribution_share)"
        ],
        ("distribution_share (distribution_id=1", "dividend_fen"),
    ),
    "a household's shares": (
        ["UPDATE household SET shares = 99 WHERE id = 5"],
        ("household (id=5)", "shares is 99", "says 10"),
    ),
    "a remuneration row": (
        ["UPDATE remuneration SET amount_fen = amount_fen * 2 WHERE id = 1"],
        ("remuneration (id=1)", "amount_fen"),
    ),
    "a donation receipt's amount": (
        ["UPDATE donation_receipt SET amount_fen = 5000 WHERE id = 1"],
        ("donation_receipt (id=1)", "amount_fen is 5000", "says 50000"),
    ),
    "a budget line's amount": (
        ["UPDATE budget_line SET amount_fen = amount_fen + 1 WHERE id = 1"],
        ("budget_line (id=1)", "amount_fen"),
    ),
    "a budget back to draft": (
        ["UPDATE budget SET status = 'draft' WHERE id = 1"],
        ("budget (id=1)", 'status is "draft"', 'says "approved"'),
    ),
    "a fee bill": (
        ["UPDATE fee_bill SET amount_fen = 1 WHERE id = 1"],
        ("fee_bill (id=1)", "amount_fen is 1"),
    ),
    "a unit's area": (
        ["UPDATE property_unit SET area_dm2 = 100 WHERE id = 1"],
        ("property_unit (id=1)", "area_dm2 is 100", "says 9512"),
    ),
    "the investor's exit schedule": (
        ["UPDATE exit_schedule_year SET investor_bp = 9000 WHERE contract_year = 3"],
        ("exit_schedule_year (book_id=3", "investor_bp is 9000"),
    ),
    "a donor's name": (
        ["UPDATE counterparty SET name = '别人' WHERE id = 1"],
        ("counterparty (id=1)", 'name is "别人"', "天马镇好又多超市"),
    ),
    "a reviewer's rejection deleted": (
        ["DELETE FROM expense_decision WHERE id = 3"],
        ("expense_decision (id=3)", "deleted outside", "approve=0"),
    ),
    "an auditor raised to administrator": (
        ["UPDATE app_user SET role = 'admin' WHERE username = 'chen.shenji'"],
        ("app_user (id=5)", 'role is "admin"', 'says "auditor"'),
    ),
    "a password emptied": (
        ["UPDATE app_user SET password_hash = NULL WHERE username = 'wang.shenhe'"],
        ("app_user (id=3)", "password_hash is NULL"),
    ),
    "a signing key swapped": (
        ["UPDATE app_user SET public_key = 'AAAA' WHERE username = 'wang.shenhe'"],
        ("app_user (id=3)", 'public_key is "AAAA"'),
    ),
    "the record key replaced": (
        ["UPDATE ledger_meta SET value = 'abcdef' || value WHERE key = 'record_key'"],
        ("ledger_meta record_key", "none of the", "private values", "removed or replaced"),
    ),
    "the record key deleted": (
        ["DELETE FROM ledger_meta WHERE key = 'record_key'"],
        ("ledger_meta record_key", "none of the", "removed or replaced"),
    ),
    "a closed period reopened": (
        ["UPDATE book SET closed_through = NULL WHERE id = 1"],
        ("book (id=1)", "closed_through is NULL", 'says "2024-11-30"'),
    ),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_a_change_behind_the_apps_back_is_named_by_verify_and_by_the_notices_digest(
    books: Books, name: str
) -> None:
    statements, words = ATTACKS[name]
    plain, digest = attacked(books, *statements)
    assert said(plain, *words), f"verify missed {name}: {[str(f) for f in plain][:5]}"
    assert said(digest, *words), f"verify --digest missed {name}: {[str(f) for f in digest][:5]}"


def test_the_tables_attacked_are_every_table_the_record_covers() -> None:
    """A new table must get an attack here (or a reason it needs none)."""
    from ledger.record import covered_tables

    attacked_tables = {words[0].split(" ")[0] for _sql, words in ATTACKS.values()} - {"ledger_meta"}
    no_attack_needed = {
        # Each is covered the same way (a row of the record); one attack per kind of fact above
        # shows the mechanism, and test_every_covered_row_is_checked below shows each table.
        "account", "activity", "attachment", "book_household", "entry_import", "exit_schedule",
        "expense", "fee_collection", "points_entry", "transfer", "vote_option", "distribution",
    }  # fmt: skip
    assert set(covered_tables()) - attacked_tables - no_attack_needed == set()


def test_every_covered_row_is_checked(books: Books) -> None:
    """One changed value in every covered table, each named: no table is left out."""
    from ledger.record import covered_tables

    statements = []
    expected = []
    with books.ledger.engine.connect() as conn:
        for name, covered in covered_tables().items():
            change = _change_of(covered.table)
            if change is None:
                continue
            column, new_value = change
            keys = covered.key_columns
            first = conn.execute(
                text(f"SELECT {', '.join(keys)} FROM {name} ORDER BY {', '.join(keys)} LIMIT 1")
            ).first()
            if first is None:
                continue
            where = " AND ".join(f"{k} = :k{i}" for i, k in enumerate(keys))
            params = {f"k{i}": v for i, v in enumerate(first)}
            statements.append((f"UPDATE {name} SET {column} = {new_value} WHERE {where}", params))
            expected.append((name, column))
    with books.ledger.engine.connect() as conn:
        outer = conn.begin()
        try:
            for statement, params in statements:
                conn.execute(text(statement), params)
            plain, _digest = _findings(conn, books.digest)
        finally:
            outer.rollback()
    assert len(expected) >= 25
    for name, column in expected:
        assert said(plain, f"{name} (", f"{column} is"), f"{name}.{column} is not checked"


def _change_of(table: object) -> tuple[str, str] | None:
    """A column of ``table`` to change (not a key, not a reference) and the SQL of a new value."""
    for column in table.columns:  # type: ignore[attr-defined]
        if column.primary_key or column.foreign_keys or column.name == "data":
            continue
        kind = column.type.python_type
        if kind is int:
            return column.name, f"{column.name} + 7"
        if isinstance(column.type, String | AutoString):
            # the same length (a PostgreSQL varchar is not stretched), another first character
            first = f"substr({column.name}, 1, 1)"
            return (
                column.name,
                f"CASE WHEN {first} = 'x' THEN 'y' ELSE 'x' END || substr({column.name}, 2)",
            )
    return None


# --- the audit trail cut short ---------------------------------------------------------------------


def test_one_private_value_changed_is_named_as_itself_not_as_the_record_key(books: Books) -> None:
    plain, _digest = attacked(books, "UPDATE counterparty SET contact = 'x' WHERE id = 1")
    assert said(plain, "counterparty (id=1)", "contact is")
    assert not said(plain, "record_key")


def test_deleting_the_newest_operation_and_rewriting_the_head_is_found(books: Books) -> None:
    """The forger deletes the newest record (the demo's closings) and points ``audit_head`` at
    the event before: the chain verifies, but the rows it recorded are no longer in the record,
    and the notice's digest is gone."""
    plain, digest = attacked(
        books,
        "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)",
        "UPDATE ledger_meta SET value = (SELECT CAST(seq AS TEXT) || ' ' || hash FROM audit_event "
        "ORDER BY seq DESC LIMIT 1) WHERE key = 'audit_head'",
    )
    assert said(plain, "not in the record of changes")
    assert said(digest, "does NOT contain the record this notice was made from")


def test_deleting_a_whole_closing_with_its_rows_is_found_by_the_digest(books: Books) -> None:
    """Undo the last operation completely — its record and what it changed — with the head
    rewritten: plain verify cannot know, the notice's digest does."""
    with books.ledger.engine.connect() as conn:
        outer = conn.begin()
        try:
            detail = conn.execute(
                text("SELECT detail FROM audit_event ORDER BY seq DESC LIMIT 1")
            ).scalar_one()
            changes = json.loads(detail)["changes"]
            assert any(t == "book" for t, _k, _r in changes)
            conn.execute(text("UPDATE book SET closed_through = NULL"))
            conn.execute(text("UPDATE vote SET status = 'open', closed_by_id = NULL, "
                              "closed_at = NULL, result = '' WHERE id = 3"))  # fmt: skip
            conn.execute(text("DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM "
                              "audit_event)"))  # fmt: skip
            conn.execute(
                text(
                    "UPDATE ledger_meta SET value = (SELECT CAST(seq AS TEXT) || ' ' || hash "
                    "FROM audit_event ORDER BY seq DESC LIMIT 1) WHERE key = 'audit_head'"
                )
            )
            with Session(bind=conn) as s:
                check = verify_digest(s, books.digest)
                assert not check.found
        finally:
            outer.rollback()


# --- forged approvals ----------------------------------------------------------------------------


def _append_record(conn: Connection, detail: dict[str, object], actor_id: int) -> None:
    """Append a record of changes at the end of the trail the way a forger who knows the
    format would: right sequence number, right previous hash, every hash recomputed, the head
    moved."""
    seq, prev = conn.execute(
        text("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
    ).one()
    username = conn.execute(
        text("SELECT username FROM app_user WHERE id = :id"), {"id": actor_id}
    ).scalar_one()
    at = "2026-12-04T09:00:00Z"
    body = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    new = audit_hash(
        seq=seq + 1, at=at, actor=username, action="record.changes", object_type="record",
        object_id="1", detail=body, prev_hash=prev,
    )  # fmt: skip
    conn.execute(
        text(
            "INSERT INTO audit_event (seq, at, actor_id, action, object_type, object_id, detail,"
            " prev_hash, hash) VALUES (:seq, :at, :actor, 'record.changes', 'record', '1', "
            ":detail, :prev, :hash)"
        ),
        {"seq": seq + 1, "at": at, "actor": actor_id, "detail": body, "prev": prev, "hash": new},
    )
    conn.execute(
        text("UPDATE ledger_meta SET value = :v WHERE key = 'audit_head'"),
        {"v": f"{seq + 1} {new}"},
    )


def _forged_approval(conn: Connection, *, sign_as: str | None) -> None:
    """The treasurer (li.kuaiji) adds the reviewer's (wang.shenhe, id 3) approval of the demo's
    pending expense — row and record, hashes recomputed — signing with their own key if
    ``sign_as``."""
    pending = conn.execute(
        text("SELECT id FROM expense WHERE status = 'pending' ORDER BY id LIMIT 1")
    ).scalar_one()
    row = {"id": 99, "expense_id": pending, "user_id": 3, "approve": 1, "reason": "",
           "at": "2026-12-04T09:00:00Z"}  # fmt: skip
    conn.execute(
        text(
            "INSERT INTO expense_decision (id, expense_id, user_id, approve, reason, at) "
            "VALUES (:id, :expense_id, :user_id, :approve, :reason, :at)"
        ),
        {**row, "approve": True},  # stored as a boolean; the record keeps it as 1
    )
    detail: dict[str, object] = {"changes": [["expense_decision", [99], row]]}
    if sign_as is not None:
        sealed = conn.execute(
            text("SELECT signing_key FROM app_user WHERE username = :u"), {"u": sign_as}
        ).scalar_one()
        key = signing.open_sealed(sealed, TEST_PASSWORD)
        assert key is not None
        seq, prev = conn.execute(
            text("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")
        ).one()
        detail["signatures"] = {"3": signing.sign(key, signing.payload(seq + 1, prev, detail))}
    _append_record(conn, detail, actor_id=3)


@pytest.mark.parametrize("sign_as", [None, "li.kuaiji"], ids=["unsigned", "treasurers-key"])
def test_a_forged_approval_with_every_hash_recomputed_is_found(
    books: Books, sign_as: str | None
) -> None:
    """The treasurer knows the formats and their own password, not the reviewer's: the forged
    approval passes the chain but not the signature check, and the notice's digest no longer
    matches the ledger's state."""
    with books.ledger.engine.connect() as conn:
        outer = conn.begin()
        try:
            _forged_approval(conn, sign_as=sign_as)
            plain, digest = _findings(conn, books.digest)
        finally:
            outer.rollback()
    assert not said(plain, "audit trail has been altered")  # the chain itself is perfect
    assert said(plain, "the decision expense_decision (id=99)", "no valid signature of wang.shenhe")
    if sign_as:
        assert said(plain, "signature of user wang.shenhe does not hold")
    assert said(digest, "no valid signature of wang.shenhe")


def test_an_honest_approval_is_signed_and_verifies(tmp_path: Path) -> None:
    """The other side: the demo's approvals, closings and users were signed by who made them."""
    with open_ledger(tmp_path / "l.sqlite", create=True) as ledger:
        with ledger.write() as s:
            build_demo(s)
        with ledger.read() as s:
            assert verify_ledger(s) == []
        with ledger.engine.connect() as conn:
            signed = [
                json.loads(d).get("signatures", {})
                for (d,) in conn.execute(
                    text("SELECT detail FROM audit_event WHERE action = 'record.changes'")
                )
            ]
    # the demo acted as admin, treasurer, reviewer and committee member: each signed
    assert {"1", "2", "3", "4"} <= set().union(*signed)


# --- an entry's approver ---------------------------------------------------------------------------


def test_an_entry_approved_in_a_reviewers_name_without_their_sign_in_is_found(
    tmp_path: Path,
) -> None:
    """The treasurer names the reviewer as approver of their ¥1,000 spending without the
    reviewer's password (the service called directly, as a forger with the program's code
    would): the entry posts, but the record that adds it to the chain carries no signature of
    the reviewer, and verify says so. Approved with the reviewer signed in, it verifies."""
    with open_ledger(tmp_path / "l.sqlite", create=True) as ledger:
        with ledger.write() as s:
            admin = create_user(
                s, username="admin", role=Role.ADMIN, password=TEST_PASSWORD, actor=None
            )
            li = create_user(
                s, username="li", role=Role.TREASURER, password=TEST_PASSWORD, actor=admin
            )
            create_user(
                s, username="wang", role=Role.REVIEWER, password="wang-own-password", actor=admin
            )
            signing.unlock(li.signing_key, TEST_PASSWORD)
            book_id = create_book(s, kind=BookKind.MICRO_FUND, name="微基金", actor=admin).id or 0
            post_entry(
                s, book_id=book_id, date=dt.date(2024, 3, 1), memo="捐赠",
                lines=[PostingLine("1002", 500_000), PostingLine("410101", -500_000)], actor=li,
            )  # fmt: skip
        spend = [PostingLine("510101", 100_000), PostingLine("1002", -100_000)]
        with ledger.write() as s:
            post_entry(
                s, book_id=book_id, date=dt.date(2024, 3, 2), memo="未经审核",
                lines=spend, actor=get_user(s, "li"), approver=get_user(s, "wang"),
            )  # fmt: skip
        with ledger.read() as s:
            found = [str(f) for f in verify_ledger(s)]
        assert found and all("approval of entry 记-2024-0002" in f for f in found), found
        assert said(found, "no valid signature of wang")
        with ledger.write() as s:  # the same, with the reviewer signed in
            wang = authenticate(s, "wang", "wang-own-password")
            also_acting(s, wang)
            post_entry(
                s, book_id=book_id, date=dt.date(2024, 3, 3), memo="已审核",
                lines=spend, actor=get_user(s, "li"), approver=wang,
            )  # fmt: skip
        with ledger.read() as s:
            assert [str(f) for f in verify_ledger(s)] == found  # only the first one
