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
import json.encoder as _json_encoder
from collections.abc import Iterable, Sequence
from typing import Any

#: Version tag inside every canonical form, so the format can evolve without ambiguity.
ENTRY_FORMAT = "gz-entry-1"
AUDIT_FORMAT = "gz-audit-1"

PostingFacts = tuple[int, str, int, int | None]
"""(line_no, account_code, amount_fen, counterparty_id) of one posting."""


def voucher_number(year: int, seq: int) -> str:
    """The printed voucher number (凭证号), e.g. ``记-2024-0001``."""
    return f"记-{year}-{seq:04d}"


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_quote = _json_encoder.encode_basestring  # the JSON string literal, as json.dumps writes it
_sha256 = hashlib.sha256


def _digest(payload: list[object]) -> str:
    return hashlib.sha256(_ENCODER.encode(payload).encode("utf-8")).hexdigest()


def entry_canonical(  # noqa: PLR0917 - positional: the hot path of posting and verifying
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
    """The canonical text of an entry: compact JSON (UTF-8, no spaces), an array of
    ``[format, book uid, year, seq, chain index, date, memo, recorded by, approved by,
    recorded at, reverses, [[line, account code, fen, counterparty] …], previous hash]``.

    Anyone can recompute it with any JSON library: it is exactly
    ``json.dumps(array, ensure_ascii=False, separators=(",", ":"))``. It is written out by hand
    here because posting and verifying a million postings spend their time in it; a test checks
    it byte for byte against ``json.dumps``.
    """
    q = _quote
    lines = ",".join(
        [
            f"[{line},{q(code)},{fen},{'null' if cp is None else cp}]"
            for line, code, fen, cp in postings
        ]
    )
    return (
        f'["{ENTRY_FORMAT}",{q(book_uid)},{year},{seq},{chain_index},{q(date_iso)},{q(memo)},'
        f"{q(recorded_by)},{'null' if approved_by is None else q(approved_by)},{q(recorded_at)},"
        f"{'null' if reverses is None else q(reverses)},[{lines}],{q(prev_hash)}]"
    )


def entry_hash(*fields: Any) -> str:
    """The hash of one entry: SHA-256 (hex) of :func:`entry_canonical` of the same arguments."""
    return _sha256(entry_canonical(*fields).encode("utf-8")).hexdigest()


class _Quoted(dict[str, str]):
    """JSON string literals of the values seen so far (account codes and dates repeat)."""

    def __missing__(self, text: str) -> str:
        self[text] = quoted = _quote(text)
        return quoted


class EntryHasher:
    """:func:`entry_hash` for the entries of one posting batch, which share the book, who
    recorded and approved them and when: the same canonical text and the same hash, with the
    shared fields quoted once per batch and account codes and dates once each, not once per
    entry (a test checks it against :func:`entry_hash`)."""

    __slots__ = ("_head", "_middle", "_quoted")

    def __init__(
        self, book_uid: str, recorded_by: str, approved_by: str | None, recorded_at: str
    ) -> None:
        q = _quote
        self._head = f'["{ENTRY_FORMAT}",{q(book_uid)},'
        self._middle = (
            f"{q(recorded_by)},{'null' if approved_by is None else q(approved_by)},"
            f"{q(recorded_at)},"
        )
        self._quoted = _Quoted()

    def __call__(  # noqa: PLR0917 - positional: the hot path of posting
        self,
        year: int,
        seq: int,
        chain_index: int,
        date_iso: str,
        memo: str,
        reverses: str | None,
        postings: Sequence[PostingFacts],
        prev_hash: str,
    ) -> str:
        """The hash of one entry of the batch (the other arguments of :func:`entry_hash`)."""
        q = _quote
        quoted = self._quoted
        lines = ",".join(
            [
                f"[{line},{quoted[code]},{fen},{'null' if cp is None else cp}]"
                for line, code, fen, cp in postings
            ]
        )
        text = (
            f"{self._head}{year},{seq},{chain_index},{quoted[date_iso]},{q(memo)},{self._middle}"
            f"{'null' if reverses is None else q(reverses)},[{lines}],{q(prev_hash)}]"
        )
        return _sha256(text.encode("utf-8")).hexdigest()

    def hash_written(  # noqa: PLR0917 - positional: the hot path of verifying
        self,
        year: int,
        seq: int,
        chain_index: int,
        date_iso: str,
        memo: str,
        reverses: str | None,
        lines: str,
        prev_hash: str,
        /,
    ) -> str:
        """The hash of one entry whose postings are already written out: ``lines`` is
        ``",".join`` of :func:`posting_json` of each (verifying writes them as it checks them)."""
        q = _quote
        text = (
            f"{self._head}{year},{seq},{chain_index},{self._quoted[date_iso]},{q(memo)},"
            f"{self._middle}{'null' if reverses is None else q(reverses)},[{lines}],"
            f"{q(prev_hash)}]"
        )
        return _sha256(text.encode("utf-8")).hexdigest()


def quote(text: str) -> str:
    """The JSON string literal of ``text``, as the canonical texts write it."""
    return _quote(text)


def posting_json(line: int, quoted_code: str, fen: int, counterparty: int | None) -> str:
    """One posting as the canonical text writes it, its account code already :func:`quote`-d.
    (Verifying writes the same f-string inline, for speed; a test checks they agree.)"""
    return f"[{line},{quoted_code},{fen},{'null' if counterparty is None else counterparty}]"


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


def chart_digest(
    accounts: Iterable[tuple[str, str, str, str, str | None, bool]],
) -> str:
    """The digest of a chart of accounts: (code, Chinese name, English name, type, parent code,
    active) of every account, in code order. Recorded in the audit trail when a book is created
    or its chart changes, so that verification notices an account edited behind the app's back."""
    return _digest([[*row] for row in sorted(accounts)])
