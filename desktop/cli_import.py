"""``gongzhang import``: post a CSV file of entries into a book, in batches, resumably."""

from __future__ import annotations

import argparse

from desktop.cli_choices import DEFAULT_BATCH
from desktop.cli_common import (
    EXIT_OK,
    Commands,
    actor,
    approver_password,
    book_arg,
    ledger_arg,
    open_from,
    password_of,
    show,
)
from desktop.progress import Progress
from ledger.i18n import _


def cmd_import(args: argparse.Namespace) -> int:
    from ledger.imports import read_entry_file
    from ledger.operations import Credentials
    from ledger.operations.entries import ImportEntries, import_entries

    entry_file = read_entry_file(args.file)  # the whole file is checked before the ledger opens
    request = ImportEntries.of(
        args.book,
        entry_file,
        batch_size=args.batch,
        approver=args.approver,
        approver_password=approver_password(args),
    )
    with open_from(args) as ledger:
        with ledger.read() as s:
            username = actor(s, args).username  # asked once, proven once
        credentials = Credentials(username, password_of(args, username))
        bar = Progress(_("Importing"), total=len(entry_file.drafts))
        try:
            outcome = import_entries(
                ledger, credentials, request, progress=lambda done, _total: bar.update(done)
            )
        finally:
            bar.finish()
    show(args, outcome)
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
