"""The audit trail (审计日志): one hash-chained event for every change to a ledger."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlmodel import Session, col, select

from ledger.chain import audit_hash
from ledger.clock import utc_now_iso
from ledger.db import WRITER_LOCK
from ledger.models import AUDIT_HEAD_KEY, GENESIS_HASH, AppUser, AuditEvent, LedgerMeta


def record_event(
    session: Session,
    *,
    actor: AppUser | None,
    action: str,
    object_type: str,
    object_id: str | int,
    detail: Mapping[str, object] | None = None,
) -> AuditEvent:
    """Append an event to the audit chain, in the caller's transaction."""
    # One chain for the whole ledger: take its lock first (on SQLite the writing transaction
    # holds the file already), so two writers cannot both append event n + 1.
    session.exec(WRITER_LOCK).first()
    last = session.exec(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    at = utc_now_iso()
    detail_text = json.dumps(dict(detail or {}), ensure_ascii=False, sort_keys=True)
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
