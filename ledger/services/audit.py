"""The audit trail (审计日志): one hash-chained event for every change to a ledger."""

from __future__ import annotations

import json
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session, col, select

from ledger import signing
from ledger.chain import audit_hash
from ledger.clock import utc_now_iso
from ledger.db import WRITER_LOCK
from ledger.models import AUDIT_HEAD_KEY, GENESIS_HASH, AppUser, AuditEvent, LedgerMeta
from ledger.record import ACTOR, ACTORS


def record_event(
    session: Session,
    *,
    actor: AppUser | None,
    action: str,
    object_type: str,
    object_id: str | int,
    detail: Mapping[str, object] | None = None,
    signers: Mapping[int, Ed25519PrivateKey] | None = None,
) -> AuditEvent:
    """Append an event to the audit chain, in the caller's transaction.

    The actor is remembered for the transaction's record of changes (:mod:`ledger.record`),
    appended to the chain just before it commits."""
    if actor is not None:
        session.info[ACTOR] = actor
        session.info.setdefault(ACTORS, {})[actor.id] = actor
    # One chain for the whole ledger: take its lock first (on SQLite the writing transaction
    # holds the file already), so two writers cannot both append event n + 1.
    session.exec(WRITER_LOCK).first()
    last = session.exec(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    at = utc_now_iso()
    facts = dict(detail or {})
    if signers:
        # Each signer signs the event's place in the trail and everything it says.
        signed = signing.payload(seq, prev, facts)
        facts["signatures"] = {
            str(user_id): signing.sign(key, signed) for user_id, key in signers.items()
        }
    detail_text = json.dumps(facts, ensure_ascii=False, sort_keys=True)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail_text,
        prev_hash=prev,
        hash=audit_hash(
            seq=seq,
            at=at,
            actor=actor.username if actor else None,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail_text,
            prev_hash=prev,
        ),
    )
    session.add(event)
    # The newest event, kept outside the trail: deleting events at its end is then noticed.
    head = session.get(LedgerMeta, AUDIT_HEAD_KEY)
    if head is None:
        head = LedgerMeta(key=AUDIT_HEAD_KEY, value="")
    head.value = f"{seq} {event.hash}"
    session.add(head)
    session.flush()
    return event


def record_anchor(session: Session) -> tuple[int, str] | None:
    """The newest event of the audit trail (sequence number, hash): the digest a notice prints.

    The trail's chain commits to every operation before it, and through the record of changes
    (which carries each book's head) to every entry, so deleting or rewriting anything before
    it — even with every hash recomputed — changes this hash."""
    row = session.exec(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None
