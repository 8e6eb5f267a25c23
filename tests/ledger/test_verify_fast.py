"""Verification's fast path: it takes exactly the entries the full check finds nothing wrong
with, and it writes the same canonical text as posting does."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ledger.db import Ledger
from ledger.services.entries import EntryDraft, PostingLine, find_entry, post_entries, reverse_entry
from ledger.verify import _BookCheck, verify_ledger
from tests.conftest import World

D = dt.date


def test_posting_json_is_the_canonical_posting() -> None:
    from ledger.chain import posting_json, quote

    for line, code, fen, cp in [(1, "1002", 12345, None), (2, '"引号"\\\n', -12345, 7)]:
        assert posting_json(line, quote(code), fen, cp) == json.dumps(
            [line, code, fen, cp], ensure_ascii=False, separators=(",", ":")
        )


@pytest.mark.parametrize("approved_by", [None, "王出纳"])
def test_hash_written_gives_exactly_the_entry_hash(approved_by: str | None) -> None:
    from ledger.chain import EntryHasher, entry_hash, posting_json, quote

    postings = [(1, '"引号"\\', 5, 3), (2, "410101", -2, None), (3, "1002", -3, 12)]
    for reverses in (None, "记-2024-0001"):
        expected = entry_hash(
            "ab12", 2025, 1, 11, "2025-01-02", '重阳宴 "餐费"\\\n\t⚠', "李会计", approved_by,
            "2024-03-01T08:00:00Z", reverses, postings, "0" * 64,
        )  # fmt: skip
        hasher = EntryHasher("ab12", "李会计", approved_by, "2024-03-01T08:00:00Z")
        lines = ",".join(posting_json(line, quote(c), f, cp) for line, c, f, cp in postings)
        written = hasher.hash_written(
            2025, 1, 11, "2025-01-02", '重阳宴 "餐费"\\\n\t⚠', reverses, lines, "0" * 64
        )
        assert written == expected


def _count_full_checks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    checked: list[object] = []
    full = _BookCheck.check_entry_safely

    def counting(self: _BookCheck, entry: tuple[object, ...], lines: list[object]) -> None:
        checked.append(entry[0])
        full(self, entry, lines)

    monkeypatch.setattr(_BookCheck, "check_entry_safely", counting)
    return checked


def test_every_entry_of_an_intact_ledger_takes_the_fast_path(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    with world.ledger.write() as s:
        actor = world.user(s, "treasurer")
        post_entries(
            s,
            book_id=world.fund_id,
            actor=actor,
            drafts=[
                EntryDraft(
                    D(2024, 3, day),
                    f'捐赠 "{day}"\n',
                    [PostingLine("1002", 1000 * day), PostingLine("410101", -1000 * day)],
                )
                for day in range(1, 4)
            ],
        )
        first = find_entry(s, book_id=world.fund_id, number="记-2024-0001")
        reverse_entry(s, entry_id=first.id or 0, actor=actor)
        post_entries(
            s,
            book_id=world.fund_id,
            actor=actor,
            drafts=[
                EntryDraft(
                    D(2025, 1, 2),
                    "跨年",
                    [
                        PostingLine("1002", 7),
                        PostingLine("410101", -3),
                        PostingLine("410101", -4),
                    ],
                )
            ],
        )
    checked = _count_full_checks(monkeypatch)
    with world.ledger.read() as s:
        assert verify_ledger(s) == []
    assert checked == []


def test_every_entry_of_the_demo_takes_the_fast_path(
    demo: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = _count_full_checks(monkeypatch)
    with demo.read() as s:
        assert verify_ledger(s) == []
    assert checked == []
