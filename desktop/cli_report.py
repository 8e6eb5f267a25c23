"""``gongzhang report``: print a notice (公示) of a book as PDF or Excel, or a whole period's
notices of every book at once (``--all``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.cli_common import EXIT_OK, Commands, emit_json, ledger_arg, open_from
from desktop.progress import Progress
from ledger.errors import InvalidInputError
from ledger.i18n import _

if TYPE_CHECKING:
    from sqlmodel import Session

    from ledger.models import Book

if TYPE_CHECKING:
    from ledger.periods import Period
    from reports.notice import Notice
    from reports.notices.common import ReportOptions

FORMATS = ("pdf", "xlsx")
#: The notices, as ``reports.notices.registry.KINDS`` names them (a test keeps the two equal).
NOTICE_KINDS = (
    "income_expenditure",
    "property_monthly",
    "revenue_sharing",
    "journal",
    "trial_balance",
    "balance_sheet",
    "activities",
    "vote",
    "receipt",
)


def format_of(args: argparse.Namespace, out: Path) -> str:
    if args.format:
        return str(args.format)
    suffix = out.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InvalidInputError(
        _("Say the format with --format pdf or --format xlsx (or name the file .pdf or .xlsx).")
    )


def _options(args: argparse.Namespace) -> ReportOptions:
    from reports.notices.common import ReportOptions

    return ReportOptions(
        show_names=bool(args.show_names),
        receipt=args.receipt,
        vote=int(args.vote) if args.vote is not None else None,
    )


def _one(args: argparse.Namespace) -> int:
    from ledger.services.books import find_book
    from reports.write import write_notice

    if not (args.book and args.kind and args.output):
        raise InvalidInputError(
            _("Say which notice: --book N --kind KIND --period PERIOD -o FILE (or --all -o DIR).")
        )
    from ledger.periods import Period
    from reports.notices.registry import KINDS, build_notice

    out = Path(args.output)
    fmt = format_of(args, out)
    notice_kind = KINDS.get(args.kind)
    if notice_kind is None:
        raise InvalidInputError(
            _("Unknown notice “{kind}”; the notices are: {kinds}.").format(
                kind=args.kind, kinds=", ".join(KINDS)
            )
        )
    if not args.period and notice_kind.periodic:
        raise InvalidInputError(_("Say which period: --period 2024-11, 2024-Q4 or 2024."))
    period = Period.parse(args.period or "1900")
    progress = Progress(_("Printing"))
    with open_from(args) as ledger, ledger.read() as s:
        book = find_book(s, args.book)
        book_id = book.id

        def make() -> Notice:
            return build_notice(s, book=book, kind=args.kind, period=period, options=_options(args))

        write_notice(make, out, fmt, progress)
    progress.finish()
    if args.json:
        emit_json({"file": str(out), "kind": args.kind, "book": book_id, "format": fmt})
    else:
        print(_("Wrote {file}.").format(file=out))
    return EXIT_OK


def _plan(session: Session, period: Period) -> list[tuple[Book, str, int | None]]:
    """Every notice of the period: each book's periodic notices, and the result of each vote
    that closed within the period."""
    from ledger.services.books import list_books
    from ledger.services.votes import VoteStatus, list_votes
    from reports.notices.registry import kinds_for

    plan: list[tuple[Book, str, int | None]] = []
    for book in list_books(session):
        plan += [(book, k.key, None) for k in kinds_for(book.kind) if k.periodic]
        plan += [
            (book, "vote", v.id)
            for v in list_votes(session, book_id=book.id)
            if v.status == VoteStatus.CLOSED and period.start <= v.closes_on <= period.end
        ]
    return plan


def _all(args: argparse.Namespace) -> int:
    from reports.write import write_notice

    if not args.output or not args.period:
        raise InvalidInputError(_("Say the period and the folder: --all --period 2024-11 -o DIR."))
    from ledger.periods import Period
    from reports.notices.common import ReportOptions
    from reports.notices.registry import build_notice

    period = Period.parse(args.period)
    folder = Path(args.output)
    formats = [args.format] if args.format else list(FORMATS)
    written: list[dict[str, Any]] = []
    with open_from(args) as ledger, ledger.read() as s:
        plan = _plan(s, period)
        progress = Progress(_("Printing notices"), total=len(plan) * len(formats))
        for book, kind, vote in plan:
            for fmt in formats:
                name = f"{book.id}-{kind}{'-' + str(vote) if vote else ''}-{period.text}.{fmt}"
                out = folder / name
                options = ReportOptions(show_names=bool(args.show_names), vote=vote)

                def make(
                    book: Book = book, kind: str = kind, options: ReportOptions = options
                ) -> Notice:
                    return build_notice(s, book=book, kind=kind, period=period, options=options)

                write_notice(make, out, fmt)
                written.append({"file": str(out), "book": book.id, "kind": kind, "format": fmt})
                progress.update(len(written))
        progress.finish()
    if args.json:
        emit_json({"folder": str(folder), "files": written})
    else:
        print(
            _("Wrote {n} notices of {period} into {folder}.").format(
                n=len(written), period=period.text, folder=folder
            )
        )
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    # The notices load reportlab and openpyxl (about 0.3 s); they are imported where this
    # command needs them, so that every other command starts as fast as before.
    return _all(args) if args.all else _one(args)


def register(commands: Commands) -> None:
    p = commands.add("report", cmd_report, _("print a public notice as PDF or Excel"))
    ledger_arg(p)
    p.add_argument("--book", help=_("book number or name"))
    p.add_argument("--kind", choices=NOTICE_KINDS, help=_("which notice"))
    p.add_argument("--period", help=_("a month (2024-11), a quarter (2024-Q4) or a year (2024)"))
    p.add_argument("--format", choices=FORMATS, help=_("pdf or xlsx (default: from the file name)"))
    p.add_argument("-o", "--output", metavar="OUT", help=_("the file (or, with --all, the folder)"))
    p.add_argument(
        "--all", action="store_true", help=_("every notice of every book for the period")
    )
    p.add_argument("--receipt", help=_("the receipt to print (--kind receipt), like 捐-2024-0001"))
    p.add_argument("--vote", help=_("the vote whose result to print (--kind vote)"))
    p.add_argument(
        "--show-names",
        action="store_true",
        help=_("print individuals' names unmasked — for internal use only, never for the board"),
    )
