"""Receipts and vouchers attached to entries (附件): kept in the ledger with their SHA-256."""

from __future__ import annotations

import hashlib
import mimetypes

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.chain import voucher_number
from ledger.clock import utc_now_iso
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import AppUser, Attachment, Entry
from ledger.services.audit import record_event

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def attach_file(
    session: Session,
    *,
    entry_id: int,
    filename: str,
    data: bytes,
    actor: AppUser,
    media_type: str | None = None,
) -> Attachment:
    """Keep a file (a scanned receipt, an invoice photo) with a posted entry."""
    require(actor.username, actor.role, Action.ATTACH_FILE)
    entry = session.get(Entry, entry_id)
    if entry is None:
        raise NotFoundError(_("There is no entry number {id}.").format(id=entry_id))
    name = filename.strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise InvalidInputError(_("The attached file needs a name."))
    if not data:
        raise InvalidInputError(_("The file “{file}” is empty.").format(file=name))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInputError(
            _("The file “{file}” is larger than {mb} MB; scan it at a lower resolution.").format(
                file=name, mb=MAX_ATTACHMENT_BYTES // (1024 * 1024)
            )
        )
    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        entry_id=entry_id,
        filename=name,
        media_type=media_type or mimetypes.guess_type(name)[0] or "application/octet-stream",
        size=len(data),
        sha256=digest,
        data=data,
        added_by_id=actor.id or 0,
        added_at=utc_now_iso(),
    )
    session.add(attachment)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="attachment.added",
        object_type="entry",
        object_id=entry_id,
        detail={
            "book": entry.book_id,
            "number": voucher_number(entry.year, entry.seq),
            "file": name,
            "sha256": digest,
        },
    )
    return attachment


def list_attachments(session: Session, *, entry_id: int) -> list[tuple[int, str, int, str]]:
    """(id, file name, size, sha256) of an entry's attachments, without their bytes."""
    rows = session.exec(
        select(Attachment.id, Attachment.filename, Attachment.size, Attachment.sha256)
        .where(col(Attachment.entry_id) == entry_id)
        .order_by(col(Attachment.id))
    ).all()
    return [(aid or 0, name, size, sha) for aid, name, size, sha in rows]
