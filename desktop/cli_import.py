"""``gongzhang import``: post a CSV file of entries into a book, in batches, resumably."""

from __future__ import annotations

import argparse

from desktop.cli_choices import DEFAULT_BATCH
from desktop.cli_common import (
    EXIT_OK,
    Commands,
    actor,
    approver_of,
    book_arg,
    emit_json,
    ledger_arg,
    open_from,
)
from desktop.progress import Progress
from ledger.i18n import _


def cmd_import(args: argparse.Namespace) -> int:
    from ledger.imports import import_entries, read_entry_file
    from ledger.services.books import find_book

    entry_file = read_entry_file(args.file)  # the whole file is checked before the ledger opens
    with open_from(args) as ledger:
        with ledger.read() as s:
            book_id = find_book(s, args.book).id or 0
            username = actor(s, args).username
            found = approver_of(s, args)
            approver = found.username if found else None
        bar = Progress(_("Importing"), total=len(entry_file.drafts))
        try:
            result = import_entries(
                ledger,
                book_id=book_id,
                entry_file=entry_file,
                username=username,
                approver_name=approver,
                batch_size=args.batch,
                progress=lambda done, _total: bar.update(done),
            )
        finally:
            bar.finish()
    if args.json:
        emit_json(
            {
                "import_id": result.import_id,
                "entries_total": result.entries_total,
                "entries_posted": result.entries_posted,
                "entries_before": result.entries_before,
            }
        )
    elif result.entries_posted == 0:
        print(
            _("Nothing to do: all {total} entries of this file were imported before.").format(
                total=result.entries_total
            )
        )
    elif result.resumed:
        print(
            _(
                "Continued an interrupted import: {posted} more entries posted, "
                "{total} of {total} now in the books."
            ).format(posted=result.entries_posted, total=result.entries_total)
        )
    else:
        print(_("Imported {total} entries.").format(total=result.entries_total))
    return EXIT_OK


def register(commands: Commands) -> None:
    p = commands.add(
        "import",
        cmd_import,
        _("post a CSV file of entries (ref, date, memo, account, amount) into a book"),
    )
    ledger_arg(p)
    book_arg(p)
    p.add_argument("file", metavar="FILE.csv", help=_("the entries, one posting per row"))
    p.add_argument("--approver", help=_("user name of the approver (not yourself)"))
    p.add_argument(
        "--batch",
        type=int,
        default=DEFAULT_BATCH,
        help=_("entries per transaction (default {n})").format(n=DEFAULT_BATCH),
    )
