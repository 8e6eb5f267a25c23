"""The hash chain that makes the books tamper-evident (pure functions, no database).

Each posted entry's hash is the SHA-256 of a canonical JSON array of everything a reader relies
on — book, voucher number, place in the chain, date, memo, who recorded and approved it, when,
what it reverses, every posting (line, account code, amount in fen, counterparty) — and the
previous entry's hash. Changing any of these, or deleting or reordering entries, breaks the chain
from that entry on. Audit events are chained the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

#: Version tag inside every canonical form, so the format can evolve without ambiguity.
ENTRY_FORMAT = "gz-entry-1"
AUDIT_FORMAT = "gz-audit-1"

PostingFacts = tuple[int, str, int, int | None]
"""(line_no, account_code, amount_fen, counterparty_id) of one posting."""


def voucher_number(year: int, seq: int) -> str:
    """The printed voucher number (凭证号), e.g. ``记-2024-0001``."""
    return f"记-{year}-{seq:04d}"


def _digest(payload: list[object]) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(
    *,
    book_uid: str,
    year: int,
    seq: int,
    chain_index: int,
    date_iso: str,
    memo: str,
    recorded_by: str,
    approved_by: str | None,
    recorded_at: str,
    reverses: str | None,
    postings: Sequence[PostingFacts],
    prev_hash: str,
) -> str:
    """The hash of one entry, given the hash of the entry before it in its book."""
    return _digest(
        [
            ENTRY_FORMAT,
            book_uid,
            year,
            seq,
            chain_index,
            date_iso,
            memo,
            recorded_by,
            approved_by,
            recorded_at,
            reverses,
            [list(p) for p in postings],
            prev_hash,
        ]
    )


def audit_hash(
    *,
    seq: int,
    at: str,
    actor: str | None,
    action: str,
    object_type: str,
    object_id: str,
    detail: str,
    prev_hash: str,
) -> str:
    """The hash of one audit event, given the hash of the event before it."""
    return _digest(
        [AUDIT_FORMAT, seq, at, actor, action, object_type, object_id, detail, prev_hash]
    )
