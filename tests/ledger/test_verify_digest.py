"""A notice's digest checked against the books later: the entry is still there and the chain up
to it is intact; a rewrite of the books, even a perfect forgery, makes the check fail."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Connection, text

from ledger import signing
from ledger.chain import audit_hash, entry_hash, voucher_number
from ledger.errors import InvalidInputError
from ledger.models import GENESIS_HASH
from ledger.services.entries import (
    EntryDraft,
    PostingLine,
    find_entry,
    post_entries,
    reverse_entry,
)
from ledger.verify import DigestCheck, normalize_digest, verify_digest, verify_ledger
from tests.conftest import TEST_DB, TEST_PASSWORD, World

D = dt.date


# --- helpers (also used by the command-line tests) ---------------------------------------------


def forge_rewrite(
    conn: Connection, *, book_id: int, number: tuple[int, int], memo: str, audit: bool = True
) -> dict[str, str]:
    """Rewrite the memo of entry ``number`` (year, seq) the way a forger who knows the chain
    format would: recompute its hash and every later one of the book, move the book's head and,
    with ``audit``, also rewrite the audit trail's record of those hashes and rechain it, so
    that plain verification finds nothing. Returns the old hashes mapped to the new ones."""
    year, seq = number
    conn.execute(
        text("UPDATE entry SET memo = :memo WHERE book_id = :b AND year = :y AND seq = :s"),
        {"memo": memo, "b": book_id, "y": year, "s": seq},
    )
    uid = conn.execute(text("SELECT uid FROM book WHERE id = :b"), {"b": book_id}).scalar_one()
    users = {r[0]: r[1] for r in conn.execute(text("SELECT id, username FROM app_user"))}
    codes = {r[0]: r[1] for r in conn.execute(text("SELECT id, code FROM account"))}
    entries = conn.execute(
        text(
            "SELECT id, year, seq, chain_index, date, memo, recorded_by_id, approved_by_id, "
            "recorded_at, reverses_id, hash FROM entry WHERE book_id = :b ORDER BY chain_index"
        ),
        {"b": book_id},
    ).all()
    numbers: dict[int, str] = {}
    renamed: dict[str, str] = {}
    prev = GENESIS_HASH
    for eid, e_year, e_seq, index, date, e_memo, by, ok, at, rev, old in entries:
        facts = [
            (line, codes[account], fen, cp)
            for line, account, fen, cp in conn.execute(
                text(
                    "SELECT line_no, account_id, amount_fen, counterparty_id FROM posting "
                    "WHERE entry_id = :e ORDER BY line_no"
                ),
                {"e": eid},
            )
        ]
        new = entry_hash(
            uid,
            e_year,
            e_seq,
            index,
            str(date),
            e_memo,
            users[by],
            users[ok] if ok is not None else None,
            at,
            numbers[rev] if rev is not None else None,
            facts,
            prev,
        )
        conn.execute(
            text("UPDATE entry SET prev_hash = :p, hash = :h WHERE id = :id"),
            {"p": prev, "h": new, "id": eid},
        )
        numbers[eid] = voucher_number(e_year, e_seq)
        if new != old:
            renamed[old] = new
        prev = new
    conn.execute(text("UPDATE book SET head_hash = :h WHERE id = :b"), {"h": prev, "b": book_id})
    if audit:
        _forge_audit(conn, renamed, users)
    return renamed


def _forge_audit(conn: Connection, renamed: dict[str, str], users: dict[int, str]) -> None:
    # The strongest forger: one who knows every user's password (a committee of one), so
    # every signature of the rewritten trail is made again with the right keys.
    keys = {
        str(uid): signing.open_sealed(sealed, TEST_PASSWORD)
        for uid, sealed in conn.execute(text("SELECT id, signing_key FROM app_user"))
        if sealed
    }
    prev = GENESIS_HASH
    events = conn.execute(
        text(
            "SELECT seq, at, actor_id, action, object_type, object_id, detail "
            "FROM audit_event ORDER BY seq"
        )
    ).all()
    for seq, at, actor_id, action, otype, oid, stored in events:
        data = json.loads(stored)
        detail = stored
        if isinstance(data, dict) and data.get("head") in renamed:
            data["head"] = renamed[data["head"]]
            detail = json.dumps(data, ensure_ascii=False, sort_keys=True)
        # The record of changes keeps each book's head too: the forger rewrites it there.
        for table, _key, row in data.get("changes", []) if isinstance(data, dict) else []:
            if table == "book" and row and row.get("head_hash") in renamed:
                row["head_hash"] = renamed[row["head_hash"]]
        if isinstance(data, dict) and data.get("signatures"):
            facts = {k: v for k, v in data.items() if k != "signatures"}
            signed = signing.payload(seq, prev, facts)
            data["signatures"] = {
                uid: signing.sign(key, signed)
                for uid in data["signatures"]
                if (key := keys.get(uid)) is not None
            }
        if isinstance(data, dict) and data.get("changes") is not None:
            detail = json.dumps(data, ensure_ascii=False, sort_keys=True)
        new = audit_hash(
            seq=seq,
            at=at,
            actor=users[actor_id] if actor_id is not None else None,
            action=action,
            object_type=otype,
            object_id=oid,
            detail=detail,
            prev_hash=prev,
        )
        conn.execute(
            text("UPDATE audit_event SET detail = :d, prev_hash = :p, hash = :h WHERE seq = :s"),
            {"d": detail, "p": prev, "h": new, "s": seq},
        )
        prev = new
    # A thorough forger also rewrites the trail's record of its newest event.
    conn.execute(
        text("UPDATE ledger_meta SET value = :v WHERE key = 'audit_head'"),
        {"v": f"{events[-1][0]} {prev}"},
    )


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def booked(world: World) -> World:
    """Five entries in the micro-fund (记-2024-0001 … 0005, 2024-03-01 … 05) and one in the
    trust book."""
    drafts = [
        EntryDraft(
            D(2024, 3, day),
            f"捐赠 {day}",
            [PostingLine("1002", 1000 * day), PostingLine("410101", -1000 * day)],
        )
        for day in range(1, 6)
    ]
    with world.ledger.write() as s:
        actor = world.user(s, "treasurer")
        post_entries(s, book_id=world.fund_id, drafts=drafts, actor=actor)
        post_entries(
            s,
            book_id=world.trust_id,
            actor=actor,
            drafts=[
                EntryDraft(
                    D(2024, 3, 1), "物业费", [PostingLine("100201", 500), PostingLine("4101", -500)]
                )
            ],
        )
    return world


def digest_of(world: World, seq: int, *, book_id: int | None = None) -> str:
    with world.ledger.read() as s:
        entry = find_entry(s, book_id=book_id or world.fund_id, number=f"记-2024-{seq:04d}")
        return entry.hash


def check(world: World, digest: str) -> DigestCheck:
    with world.ledger.read() as s:
        return verify_digest(s, digest)


def plain_findings(world: World) -> list[str]:
    with world.ledger.read() as s:
        return [str(f) for f in verify_ledger(s)]


def tamper(world: World, sql: str) -> None:
    with world.ledger.engine.begin() as conn:
        assert conn.execute(text(sql)).rowcount >= 1


def entry_id(seq: int) -> str:
    return f"(SELECT id FROM entry WHERE book_id = 1 AND year = 2024 AND seq = {seq})"


# --- the digest is found and the chain up to it is intact --------------------------------------


def test_the_digest_of_the_last_entry_verifies(booked: World) -> None:
    digest = digest_of(booked, 5)
    result = check(booked, digest)
    assert result == DigestCheck(
        digest=digest,
        found=True,
        book_id=booked.fund_id,
        book_name="碧鸡桥社区微基金",
        number="记-2024-0005",
        date=D(2024, 3, 5),
        chain_index=5,
        entries_checked=5,
        findings=[],
    )
    assert result.intact
    assert result.summary() == (
        "The notice's digest matches entry 记-2024-0005 (2024-03-05) of “碧鸡桥社区微基金”; "
        "the chain up to it (5 entries) is intact."
    )


def test_an_earlier_digest_verifies_though_entries_were_posted_after_it(booked: World) -> None:
    digest = digest_of(booked, 2)
    with booked.ledger.write() as s:  # after the notice: more entries, and a reversal
        actor = booked.user(s, "treasurer")
        entry = find_entry(s, book_id=booked.fund_id, number="记-2024-0004")
        reverse_entry(s, entry_id=entry.id or 0, actor=actor, date=D(2024, 3, 9))
    result = check(booked, digest)
    assert result.intact and result.number == "记-2024-0002"
    assert result.chain_index == 2 and result.entries_checked == 2
    assert "the chain up to it (2 entries) is intact" in result.summary()
    assert check(booked, digest_of(booked, 6)).entries_checked == 6  # the reversal verifies too


def test_a_digest_of_another_book_checks_that_book(booked: World) -> None:
    result = check(booked, digest_of(booked, 1, book_id=booked.trust_id))
    assert result.intact and result.book_name == "金河绿洲物业" and result.entries_checked == 1


@pytest.mark.parametrize(
    "written",
    ["{d}", "{D}", "  {d}\n", "sha256:{d}", "SHA256:{D}", " sha256: {d} "],
)
def test_a_digest_is_read_however_it_was_typed(booked: World, written: str) -> None:
    digest = digest_of(booked, 3)
    result = check(booked, written.format(d=digest, D=digest.upper()))
    assert result.intact and result.digest == digest and result.number == "记-2024-0003"


# --- the digest is not there -------------------------------------------------------------------


def test_an_unknown_or_mistyped_digest_fails(booked: World) -> None:
    digest = digest_of(booked, 5)
    mistyped = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    for wrong in (mistyped, "ab" * 32):
        result = check(booked, wrong)
        assert not result.found and not result.intact
        assert result.number is None and result.entries_checked == 0 and result.findings == []
        assert result.summary() == (
            f"The ledger does NOT contain the record this notice was made from (digest {wrong}): "
            "the books or their record were changed after the notice, or the digest is mistyped."
        )


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "abc",
        "g" * 64,
        "a" * 63,
        "a" * 65,
        "记-2024-0001",
        "sha256:",
        "a" * 32 + " " * 2 + "a" * 32,
    ],
)
def test_a_malformed_digest_is_refused_with_a_message(booked: World, written: str) -> None:
    with pytest.raises(InvalidInputError, match="is not a notice's digest: a digest is 64"):
        check(booked, written)


def test_a_long_malformed_digest_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidInputError) as refused:
        normalize_digest("x" * 500)
    assert "x" * 80 + "…" in str(refused.value) and "x" * 81 not in str(refused.value)


def test_an_empty_ledger_holds_no_digest(world: World) -> None:
    assert not check(world, "0" * 64).found  # the genesis hash is no entry's hash


# --- tampering ---------------------------------------------------------------------------------


@pytest.mark.parametrize("digested", [2, 3, 5])
def test_a_posting_changed_at_or_before_the_digest_is_found(booked: World, digested: int) -> None:
    digest = digest_of(booked, digested)
    tamper(
        booked, f"UPDATE posting SET amount_fen = amount_fen * 10 WHERE entry_id = {entry_id(2)}"
    )
    result = check(booked, digest)
    assert result.found and not result.intact
    assert result.number == f"记-2024-{digested:04d}"
    found = [str(f) for f in result.findings]
    assert found == [
        "[碧鸡桥社区微基金] 记-2024-0002: has been altered since it was posted: its content "
        "no longer matches its hash."
    ]
    assert result.summary() == (
        f"The notice's digest matches entry 记-2024-{digested:04d} (2024-03-0{digested}) of "
        "“碧鸡桥社区微基金”, but the chain up to it is NOT intact: 1 findings."
    )


def test_an_unbalancing_change_is_named_too(booked: World) -> None:
    digest = digest_of(booked, 3)
    tamper(
        booked,
        f"UPDATE posting SET amount_fen = amount_fen + 1 WHERE entry_id = {entry_id(3)} "
        "AND line_no = 1",
    )
    found = [str(f) for f in check(booked, digest).findings]
    assert any("记-2024-0003" in f and "does not balance" in f for f in found), found
    assert any("记-2024-0003" in f and "altered" in f for f in found), found


def test_a_deleted_entry_before_the_digest_is_found(booked: World) -> None:
    digest = digest_of(booked, 4)
    tamper(booked, f"DELETE FROM posting WHERE entry_id = {entry_id(2)}")
    tamper(booked, f"DELETE FROM entry WHERE id = {entry_id(2)}")
    result = check(booked, digest)
    assert result.found and result.entries_checked == 3
    found = [str(f) for f in result.findings]
    assert any("记-2024-0003" in f and "记-2024-0002 was expected next" in f for f in found)
    assert any("记-2024-0003" in f and "does not link" in f for f in found)


def test_a_changed_stored_hash_before_the_digest_breaks_the_link(booked: World) -> None:
    digest = digest_of(booked, 4)
    tamper(booked, f"UPDATE entry SET hash = '{'b' * 64}' WHERE id = {entry_id(2)}")
    found = [str(f) for f in check(booked, digest).findings]
    assert any("记-2024-0002" in f and "altered" in f for f in found), found
    assert any("记-2024-0003" in f and "does not link" in f for f in found), found


def test_a_rewritten_entry_with_recomputed_hashes_is_no_longer_found(booked: World) -> None:
    """The forger recomputes every hash from the rewritten entry on and the audit trail too:
    plain verification finds nothing, but the digest on the notice is gone."""
    before_rewrite, at_rewrite, fourth, last = (digest_of(booked, n) for n in (2, 3, 4, 5))
    with booked.ledger.engine.begin() as conn:
        renamed = forge_rewrite(conn, book_id=booked.fund_id, number=(2024, 3), memo="捐赠 300")
    assert set(renamed) == {at_rewrite, fourth, last}
    assert plain_findings(booked) == [], "the forgery should be perfect for plain verify"
    for digest in (at_rewrite, last):
        result = check(booked, digest)
        assert not result.found and not result.intact
        assert "does NOT contain the record this notice was made from" in result.summary()
    assert check(booked, before_rewrite).intact  # the notice made before it still holds


def test_a_rewrite_without_touching_the_audit_trail_fails_both_checks(booked: World) -> None:
    last = digest_of(booked, 5)
    with booked.ledger.engine.begin() as conn:
        forge_rewrite(conn, book_id=booked.fund_id, number=(2024, 4), memo="x", audit=False)
    assert not check(booked, last).found
    assert any("audit trail says the newest entry" in f for f in plain_findings(booked))


def test_tampering_after_the_digest_does_not_fail_it(booked: World) -> None:
    digest = digest_of(booked, 3)
    tamper(
        booked, f"UPDATE posting SET amount_fen = amount_fen * 10 WHERE entry_id = {entry_id(4)}"
    )
    tamper(booked, f"UPDATE entry SET memo = 'changed' WHERE id = {entry_id(5)}")
    result = check(booked, digest)
    assert result.intact and result.entries_checked == 3
    found = plain_findings(booked)
    assert any("记-2024-0004" in f and "altered" in f for f in found), found
    assert any("记-2024-0005" in f and "altered" in f for f in found), found


def test_tampering_in_another_book_does_not_fail_the_digest(booked: World) -> None:
    digest = digest_of(booked, 5)
    tamper(booked, "UPDATE entry SET memo = 'changed' WHERE book_id = 2")
    assert check(booked, digest).intact
    assert plain_findings(booked)


@pytest.mark.skipif(
    bool(TEST_DB) and not TEST_DB.startswith("sqlite"),
    reason="only SQLite lets a column hold a value of another type",
)
@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE entry SET date = 'someday' WHERE id = {entry_id(3)}",
        f"UPDATE posting SET amount_fen = 'abc' WHERE entry_id = {entry_id(2)} AND line_no = 1",
        f"UPDATE entry SET year = 'x' WHERE id = {entry_id(3)}",
        f"UPDATE entry SET chain_index = 'x' WHERE id = {entry_id(3)}",
    ],
)
def test_values_of_the_wrong_type_are_findings_not_crashes(booked: World, sql: str) -> None:
    digest = digest_of(booked, 3)
    tamper(booked, sql)
    result = check(booked, digest)
    assert result.found and not result.intact
    assert result.summary().startswith("The notice's digest matches entry")
