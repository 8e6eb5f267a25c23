"""Receipts and vouchers attached to entries (附件): kept in the ledger with their SHA-256.

A file to attach is read by :func:`read_attachment_file` (both the command line and the app
use it): the name is checked first, the file's size is taken from the open file before a byte
is read (a file over the limit is refused unread), and a symbolic link, a folder or a device is
refused. Each problem is one sentence.
"""

from __future__ import annotations

import errno
import hashlib
import mimetypes
import os
import stat

from sqlmodel import Session, col, select

from ledger.access import Action, require
from ledger.chain import voucher_number
from ledger.clock import utc_now_iso
from ledger.errors import InvalidInputError, NotFoundError
from ledger.i18n import _
from ledger.models import AppUser, Attachment, Entry
from ledger.rules.text import shorten, unkeepable_character
from ledger.services.audit import record_event

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
#: The longest file name kept with an attachment (characters).
MAX_FILENAME_CHARS = 200


def _shown(text: str) -> str:
    """A file name or path as a message quotes it: characters that are not text become “?”."""
    return shorten("".join("?" if unkeepable_character(c) else c for c in text))


def _too_large(name: str) -> InvalidInputError:
    return InvalidInputError(
        _("The file “{file}” is larger than {mb} MB; scan it at a lower resolution.").format(
            file=_shown(name), mb=MAX_ATTACHMENT_BYTES // (1024 * 1024)
        )
    )


def attachment_name(filename: str) -> str:
    """The name an attachment is kept under: the last part of ``filename``, refused (one
    sentence) if it is empty, too long or has characters that are not text (control
    characters, or bytes a command line could not decode)."""
    name = filename.strip().replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise InvalidInputError(_("The attached file needs a name."))
    if unkeepable_character(name) is not None or len(name) > MAX_FILENAME_CHARS:
        raise InvalidInputError(
            _(
                "The file name “{file}” cannot be kept: it has control characters or bytes that "
                "are not text, or is longer than {n} characters. Rename the file and attach it "
                "again."
            ).format(file=_shown(name), n=MAX_FILENAME_CHARS)
        )
    return name


def read_attachment_file(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    """The name and bytes of a file to attach. The name is checked first; then the file is
    opened without following a symbolic link, and its size is checked before anything is read:
    a link, a folder or device, an empty file or one over :data:`MAX_ATTACHMENT_BYTES` is
    refused with one sentence and nothing is read."""
    source = os.fspath(path)
    name = attachment_name(source)
    try:
        if stat.S_ISLNK(os.lstat(source).st_mode):
            raise InvalidInputError(
                _("“{file}” is a symbolic link; attach the file it points to instead.").format(
                    file=_shown(source)
                )
            )
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(source, flags | getattr(os, "O_BINARY", 0) | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # made a link after the check above
            raise InvalidInputError(
                _("“{file}” is a symbolic link; attach the file it points to instead.").format(
                    file=_shown(source)
                )
            ) from exc
        raise InvalidInputError(
            _("Cannot read {file}: {reason}").format(file=_shown(source), reason=exc.strerror)
        ) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInputError(
                _("“{file}” is not a file (a folder or a device); choose the file itself.").format(
                    file=_shown(source)
                )
            )
        if info.st_size > MAX_ATTACHMENT_BYTES:
            raise _too_large(name)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_ATTACHMENT_BYTES + 1)
    except OSError as exc:
        raise InvalidInputError(
            _("Cannot read {file}: {reason}").format(file=_shown(source), reason=exc.strerror)
        ) from exc
    finally:
        os.close(fd)
    if len(data) > MAX_ATTACHMENT_BYTES:  # it grew while we read it
        raise _too_large(name)
    if not data:
        raise InvalidInputError(_("The file “{file}” is empty.").format(file=_shown(name)))
    return name, data


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
    name = attachment_name(filename)
    if not data:
        raise InvalidInputError(_("The file “{file}” is empty.").format(file=_shown(name)))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise _too_large(name)
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
